"""The profile page: what it shows (only from clubs the viewer may see), its buttons, its cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from bets.models import Account
from bets.services import account_open
from clubs.models import Visibility
from meetings.models import Attendance, Rsvp
from social.models import Block, FriendRequest, Friendship
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def ann(db):
    return UserFactory(username="ann", display_name="Ann Reader", bio="Loves long novels.")


def _set_balance(user, balance):
    account_open(user=user)
    Account.objects.filter(user=user).update(balance=balance)


def test_profile_shows_name_bio_points_and_rank(client, ann):
    _set_balance(ann, 150)
    _set_balance(UserFactory(), 500)
    _set_balance(UserFactory(), 20)
    html = client.get("/u/ann/").content.decode()
    assert "Ann Reader" in html and "@ann" in html and "Loves long novels." in html
    assert "<strong>150</strong> points" in html
    assert "Rank <strong>#2</strong> among all members." in html


def test_a_private_club_shows_only_to_its_members(client, ann):
    public = ClubFactory(name="Open Readers")
    secret = ClubFactory(name="Secret Society", visibility=Visibility.PRIVATE)
    add_member(public, ann)
    add_member(secret, ann)
    co_member = add_member(secret).user

    assert "Open Readers" in client.get("/u/ann/").content.decode()
    assert "Secret Society" not in client.get("/u/ann/").content.decode()
    client.force_login(UserFactory())
    assert "Secret Society" not in client.get("/u/ann/").content.decode()
    client.force_login(co_member)
    assert "Secret Society" in client.get("/u/ann/").content.decode()
    api = APIClient()
    assert [club["name"] for club in api.get("/api/v1/users/ann/").json()["clubs"]] == ["Open Readers"]


def test_currently_reading_lists_upcoming_meetings_with_progress_from_visible_clubs_only(client, ann):
    public = ClubFactory()
    secret = ClubFactory(visibility=Visibility.PRIVATE)
    for club in (public, secret):
        add_member(club, ann)
    shown = MeetingFactory(
        club=public, book=BookFactory(title="War and Peace", page_count=400), target_page=400
    )
    hidden = MeetingFactory(club=secret, book=BookFactory(title="The Secret Book"))
    past = MeetingFactory(
        club=public, book=BookFactory(title="Old News"), starts_at=timezone.now() - timedelta(days=3)
    )
    for meeting in (shown, hidden, past):
        Attendance.objects.create(meeting=meeting, user=ann, rsvp=Rsvp.GOING, current_page=100)

    html = client.get("/u/ann/").content.decode()
    assert "War and Peace" in html and "Page 100 of 400 (25%)" in html
    assert '<progress value="100" max="400"' in html
    assert "The Secret Book" not in html and "Old News" not in html


def test_finished_books_are_listed_once_each_and_only_from_visible_clubs(client, ann):
    public = ClubFactory()
    secret = ClubFactory(visibility=Visibility.PRIVATE)
    book = BookFactory(title="Anna Karenina")
    secret_book = BookFactory(title="Hidden Gem")
    now = timezone.now()
    last_month, last_week = now - timedelta(days=30), now - timedelta(days=7)
    for starts_at in (last_month, last_week):
        meeting = MeetingFactory(club=public, book=book, starts_at=starts_at)
        Attendance.objects.create(
            meeting=meeting, user=ann, finished=True, finished_at=starts_at, current_page=300
        )
    Attendance.objects.create(
        meeting=MeetingFactory(club=secret, book=secret_book, starts_at=last_week),
        user=ann,
        finished=True,
        finished_at=last_week,
    )
    html = client.get("/u/ann/").content.decode()
    assert html.count("Anna Karenina") == 1
    assert 'Finished books <small class="muted">(1)</small>' in html
    assert "Hidden Gem" not in html
    data = APIClient().get("/api/v1/users/ann/").json()
    assert [book["title"] for book in data["finished_books"]] == ["Anna Karenina"]
    assert data["finished_count"] == 1


def test_without_a_picture_the_profile_shows_initials_as_inline_svg(client, ann):
    html = client.get("/u/ann/").content.decode()
    assert '<svg class="avatar"' in html and ">AR</text>" in html
    assert "style=" not in html


def test_my_own_profile_links_to_the_settings_instead_of_friend_buttons(client, ann):
    client.force_login(ann)
    html = client.get("/u/ann/").content.decode()
    assert "Edit your profile" in html and "Add friend" not in html and "Block" not in html
    assert "Who can see this page: <strong>Everyone</strong>" in html


def test_anonymous_visitors_are_asked_to_log_in_to_add_a_friend(client, ann):
    html = client.get("/u/ann/").content.decode()
    assert "Log in to add Ann Reader as a friend" in html
    assert "/accounts/login/?next=/u/ann/" in html


def test_add_friend_from_a_profile_swaps_the_buttons_in_place(client, ann):
    ben = UserFactory(username="ben")
    client.force_login(ben)
    response = client.post("/u/ann/add/", {"view": "profile"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="relationship"')
    assert "Request sent" in html and "Cancel request" in html
    assert "Friend request sent to Ann Reader." in html
    assert FriendRequest.objects.filter(from_user=ben, to_user=ann, status="pending").exists()


def test_without_javascript_profile_buttons_redirect_back_with_a_message(client, ann):
    ben = UserFactory(username="ben")
    client.force_login(ben)
    response = client.post("/u/ann/add/", {"view": "profile"}, follow=True)
    assert response.redirect_chain[-1] == ("/u/ann/", 302)
    assert "Friend request sent to Ann Reader." in response.content.decode()


def test_block_from_a_profile_ends_the_friendship(client, ann):
    ben = UserFactory(username="ben")
    Friendship.objects.create(
        user_low=min(ann, ben, key=lambda u: u.pk), user_high=max(ann, ben, key=lambda u: u.pk)
    )
    client.force_login(ben)
    response = client.post("/u/ann/block/", {"view": "profile"}, headers=HTMX)
    assert response.status_code == 200
    assert "You blocked Ann Reader." in response.content.decode()
    assert "Unblock" in response.content.decode()
    assert Block.objects.filter(blocker=ben, blocked=ann).exists()
    assert not Friendship.objects.exists()


def test_an_unknown_action_or_member_is_404(client, ann):
    client.force_login(UserFactory())
    assert client.post("/u/ann/hug/", {}).status_code == 404
    assert client.post("/u/nobody/add/", {}).status_code == 404


def test_anonymous_profile_buttons_lead_to_login_and_change_nothing(client, ann):
    response = client.post("/u/ann/add/", {}, headers=HTMX)
    assert response.headers["HX-Redirect"].startswith("/accounts/login/")
    assert not FriendRequest.objects.exists()


def _profile_queries(client, viewer, target) -> int:
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/u/{target.username}/").status_code == 200
    return len(queries)


def _fill_profile(user, count):
    now = timezone.now()
    for index in range(count):
        club = ClubFactory()
        add_member(club, user)
        meeting = MeetingFactory(club=club)
        Attendance.objects.create(meeting=meeting, user=user, current_page=index)
        past = MeetingFactory(club=club, starts_at=now - timedelta(days=10 + index))
        Attendance.objects.create(meeting=past, user=user, finished=True, finished_at=now)


def test_the_profile_page_costs_the_same_with_3_or_30_clubs_meetings_and_books(client):
    viewer = UserFactory()
    few, many = UserFactory(), UserFactory()
    account_open(user=few)
    account_open(user=many)
    _fill_profile(few, 3)
    _fill_profile(many, 30)
    assert _profile_queries(client, viewer, few) == _profile_queries(client, viewer, many)
    assert _profile_queries(client, viewer, many) <= 12  # with the viewer's friend ids
