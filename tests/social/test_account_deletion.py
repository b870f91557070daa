"""Deleting an account: password confirmation, owners hand over first, the member is anonymized and
logged out, and every point and bet stays consistent (the points audit stays clean)."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry
from bets.services import account_open, bet_place, meeting_resolve_bets
from clubs.models import Membership, Role
from meetings.models import Attendance, Rsvp
from social import friends
from social.models import Block, FriendRequest, Friendship, Notification, User
from tests.factories import PASSWORD, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db
URL = "/settings/delete/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def me(client):
    user = UserFactory(username="leaving", display_name="Lea Ving", bio="Bye.", email="lea@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client.force_login(user)
    return user


def confirm(password=PASSWORD):
    return {"password": password, "confirm": "on"}


def test_the_page_explains_and_asks_for_the_password(client, me):
    html = client.get(URL).content.decode()
    assert "cannot be undone" in html and 'type="password"' in html and "Delete my account" in html
    assert 'aria-current="page">Delete account</a>' in html


def test_htmx_get_returns_only_the_form(client, me):
    html = client.get(URL, headers=HTMX).content.decode()
    assert "<html" not in html and html.lstrip().startswith('<form id="delete-form"')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (confirm("wrong-password"), "That is not your password. Nothing was deleted."),
        ({"password": PASSWORD}, "Tick the box to confirm that you want to delete your account."),
        ({"confirm": "on"}, "This field is required."),
    ],
)
def test_a_wrong_or_missing_confirmation_is_refused_with_422_and_deletes_nothing(client, me, data, message):
    response = client.post(URL, data, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    me.refresh_from_db()
    assert me.is_active and me.username == "leaving" and me.deleted_at is None


def test_password_guessing_on_this_form_is_rate_limited(client, me):
    for _ in range(10):
        client.post(URL, confirm("guess"), headers=HTMX)
    response = client.post(URL, confirm(), headers=HTMX)
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active


def test_an_owner_must_hand_over_their_clubs_first(client, me):
    ClubFactory(name="Zeta Readers", owner=me)
    ClubFactory(name="Alpha Readers", owner=me)
    page = client.get(URL).content.decode()
    assert "You own 2 clubs." in page and "Alpha Readers" in page and "/members/" in page
    response = client.post(URL, confirm(), headers=HTMX)
    assert response.status_code == 409
    assert "You own Alpha Readers, Zeta Readers. Make another member the owner" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active and Membership.objects.filter(user=me, role=Role.OWNER).count() == 2


def test_deletion_anonymizes_logs_out_and_removes_every_social_tie(client, me):
    other = UserFactory()
    Friendship.objects.create(
        user_low=min(me, other, key=lambda u: u.pk), user_high=max(me, other, key=lambda u: u.pk)
    )
    friends.friend_request_send(sender=UserFactory(), to_user=me)
    friends.block_create(blocker=me, blocked=UserFactory())
    friends.block_create(blocker=UserFactory(), blocked=me)
    add_member(ClubFactory(), me)
    assert Notification.objects.filter(recipient=me).exists()

    response = client.post(URL, confirm(), headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/"

    user = User.objects.get(pk=me.pk)
    assert user.username == f"deleted-{me.pk}" and user.email == "" and user.display_name == "Deleted member"
    assert user.bio == "" and not user.avatar and not user.has_usable_password()
    assert not user.is_active and user.deleted_at is not None
    assert not Friendship.objects.of(user).exists()
    assert not FriendRequest.objects.filter(from_user=user).exists()
    assert not FriendRequest.objects.filter(to_user=user).exists()
    assert not Block.objects.filter(blocker=user).exists() and not Block.objects.filter(blocked=user).exists()
    assert not Membership.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()

    # Logged out, cannot log back in, and the old profile is gone.
    assert client.get("/settings/").status_code == 302
    assert not client.login(username="leaving", password=PASSWORD)
    assert client.get("/u/leaving/").status_code == 404
    assert client.get(f"/u/deleted-{me.pk}/").status_code == 404
    # The old username and email are free again.
    UserFactory(username="leaving", email="lea@example.com")


def test_without_javascript_deletion_redirects_home_with_a_goodbye(client, me):
    response = client.post(URL, confirm(), follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account is deleted." in response.content.decode()


def test_points_and_bets_stay_consistent_and_the_audit_stays_clean(client, me):
    club = ClubFactory()
    rival = add_member(club).user
    add_member(club, me)
    meeting = MeetingFactory(club=club)
    for person in (me, rival):
        account_open(user=person)
        Attendance.objects.create(meeting=meeting, user=person, rsvp=Rsvp.GOING)
    bet_place(bettor=me, meeting=meeting, horse=rival, amount=30)
    bet_place(bettor=rival, meeting=meeting, horse=me, amount=20)
    entries_before = list(
        LedgerEntry.objects.order_by("pk").values_list("pk", "account_id", "amount", "balance_after")
    )
    balance_before = Account.objects.get(user=me).balance
    assert audit_points().problems == []

    assert client.post(URL, confirm(), headers=HTMX).status_code == 200

    # Every earlier ledger row is untouched; the new rows refund the bet on the deleted member at once
    # (not going any more) and return their own open stake, as leaving the club would.
    entries_after = list(
        LedgerEntry.objects.order_by("pk").values_list("pk", "account_id", "amount", "balance_after")
    )
    assert entries_after[: len(entries_before)] == entries_before
    assert [row[2] for row in entries_after[len(entries_before) :]] == [20, 30]
    assert Account.objects.get(user_id=me.pk).balance == balance_before + 30
    assert not Bet.objects.filter(bettor_id=me.pk, status=BetStatus.OPEN).exists()
    assert Attendance.objects.get(meeting=meeting, user_id=me.pk).rsvp == Rsvp.DECLINED
    assert audit_points().problems == []
    call_command("audit_points")  # the management command agrees (it exits non-zero on problems)

    # The meeting still resolves afterwards, and every point is still accounted for.
    assert meeting_resolve_bets(meeting_id=meeting.pk, now=meeting.starts_at + timedelta(minutes=1))
    assert not Bet.objects.filter(status=BetStatus.OPEN).exists()
    assert Bet.objects.get(horse_id=me.pk).status == BetStatus.REFUNDED
    assert audit_points().problems == []


def test_a_deleted_member_drops_off_the_leaderboard_ranks(client, me):
    from bets.leaderboards import GLOBAL, board_for, rank_of

    account_open(user=me)
    Account.objects.filter(user=me).update(balance=999)
    rival = UserFactory()
    account_open(user=rival)
    assert rank_of(rival, board_for(GLOBAL, "all", viewer=rival)).rank == 2
    client.post(URL, confirm(), headers=HTMX)
    assert rank_of(rival, board_for(GLOBAL, "all", viewer=rival)).rank == 1


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.post(URL, confirm())
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
