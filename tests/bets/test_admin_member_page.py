"""Moderators in the admin: a member's page shows their balance and recent ledger, clubs and roles, and
bets; the "Moderators" group holds exactly the permissions moderation needs; admin pages carry the
favicon and Booky's header; staff adjusting points tells the member why."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bets import services
from clubs.models import Role
from meetings.models import Attendance, Rsvp
from social.models import Notification, NotificationKind
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

EXPECTED_MODERATOR_PERMISSIONS = {
    "social.view_user",
    "clubs.view_club",
    "clubs.change_club",
    "clubs.delete_club",
    "clubs.view_membership",
    "clubs.delete_membership",
    "clubs.view_joinrequest",
    "meetings.view_meeting",
    "meetings.change_meeting",
    "meetings.view_attendance",
    "meetings.view_progressentry",
    "bets.view_account",
    "bets.view_ledgerentry",
    "bets.add_ledgerentry",
    "bets.view_bet",
    "books.view_book",
    "books.change_book",
    "books.delete_book",
}


@pytest.fixture
def moderator(client):
    staff = UserFactory(username="modesta", is_staff=True)
    staff.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(staff)
    return staff


def _user_page(user) -> str:
    return f"/admin/social/user/{user.pk}/change/"


def test_the_moderators_group_has_exactly_what_moderation_needs():
    group = Group.objects.get(name="Moderators")
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert granted == EXPECTED_MODERATOR_PERMISSIONS


def test_a_moderator_sees_a_member_s_balance_ledger_clubs_and_bets(client, moderator, cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    add_member(ClubFactory(name="Second Shelf"), cast.member, role=Role.MODERATOR)

    response = client.get(_user_page(cast.member))

    assert response.status_code == 200
    html = response.text
    assert "70 points" in html and "Adjust points" in html
    assert cast.club.name in html and "Second Shelf" in html and ">Moderator<" in html
    assert "Welcome bonus" in html or "welcome" in html.lower()
    assert f">{race.display_title}</a>" in html and ">30<" in html and ">Open<" in html


def test_a_moderator_may_look_but_not_change_a_member(client, moderator, user):
    page = client.get(_user_page(user))
    assert page.status_code == 200 and "View user" in page.text
    response = client.post(_user_page(user), {"username": "renamed", "is_superuser": "on"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.username != "renamed" and not user.is_superuser


def test_the_member_page_costs_the_same_with_more_rows(client, moderator, cast, race):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_user_page(cast.member)).status_code == 200
        return len(queries)

    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=5)
    few = count()
    for _ in range(4):
        add_member(ClubFactory(), cast.member)
        other = MeetingFactory(club=cast.club)
        for person in (cast.member, cast.owner):
            Attendance.objects.create(meeting=other, user=person, rsvp=Rsvp.GOING)
        services.bet_place(bettor=cast.member, meeting=other, horse=cast.owner, amount=5)
    assert count() == few


def test_adjusting_points_tells_the_member_why(client, moderator, user):
    services.account_open(user=user)
    client.post(
        "/admin/bets/ledgerentry/adjust/", {"user": user.username, "amount": "-40", "reason": "Spam bets"}
    )

    [notice] = Notification.objects.filter(recipient=user, kind=NotificationKind.POINTS_ADJUSTED)
    assert (
        notice.message == "Booky's moderators took 40 points from you: “Spam bets”. Your balance is now 60."
    )
    assert notice.url == "/points/"


def test_a_grant_says_so(moderator, user):
    services.account_open(user=user)
    services.points_adjust(actor=moderator, user=user, amount=1, note="Found a bug")
    [notice] = Notification.objects.filter(recipient=user, kind=NotificationKind.POINTS_ADJUSTED)
    assert notice.message.startswith("Booky's moderators gave you 1 point: “Found a bug”.")


def test_the_adjust_form_starts_with_the_member_from_their_page(client, moderator, user):
    response = client.get("/admin/bets/ledgerentry/adjust/", {"user": user.username})
    assert f'value="{user.username}"' in response.text


def test_admin_pages_carry_the_favicon_and_booky_s_header(client, moderator):
    html = client.get("/admin/").text
    assert '<link rel="icon" href="/static/booky/favicon.svg" type="image/svg+xml">' in html
    assert "Booky moderation" in html
    assert "<title>Site administration | Booky moderation</title>" in html
