"""The polled fragments (the race, the bets section, the bell) answer 304 Not Modified when what they
show has not changed since the ETag the browser sends back, without reading the rows or rendering;
and a fresh 200 as soon as anything they show changed, for whoever polls."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bets import services as bet_services
from clubs.models import Visibility
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, Rsvp
from social.models import User
from social.notifications import notify
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _race(meeting):
    return f"/meetings/{meeting.pk}/"


def _bets(meeting):
    return f"/meetings/{meeting.pk}/bets/"


BELL = "/notifications/bell/"


def _poll(client, url, etag=None):
    headers = dict(HX, **({"If-None-Match": etag} if etag else {}))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


@pytest.mark.parametrize("url", [_race, _bets])
def test_an_unchanged_race_or_bets_poll_is_304_in_three_queries(client, cast, race, url):
    client.force_login(cast.member)
    first, _ = _poll(client, url(race))
    assert first.status_code == 200
    assert first["ETag"].startswith('W/"')
    assert first["Cache-Control"] == "private, no-cache"  # kept by the browser, revalidated each time

    again, queries = _poll(client, url(race), first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert queries <= 3  # session, user, the fingerprint: no rows, no rendering


def test_the_race_comes_back_when_a_runner_reads_on(client, cast, race):
    client.force_login(cast.member)
    first, _ = _poll(client, _race(race))

    meeting_services.attendance_progress(user=cast.moderator, meeting=race, current_page=42)
    changed, _ = _poll(client, _race(race), first["ETag"])

    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert "42" in changed.text


def test_the_race_comes_back_when_someone_new_is_going(client, cast, race):
    client.force_login(cast.member)
    newcomer = add_member(cast.club, UserFactory(display_name="Newcomer Nell")).user
    first, _ = _poll(client, _race(race))

    meeting_services.attendance_rsvp(user=newcomer, meeting=race, rsvp=Rsvp.GOING)
    changed, _ = _poll(client, _race(race), first["ETag"])

    assert changed.status_code == 200
    assert "Newcomer Nell" in changed.text


def test_the_race_comes_back_when_a_runner_leaves_it(client, cast, race):
    client.force_login(cast.member)
    first, _ = _poll(client, _race(race))

    Attendance.objects.filter(meeting=race, user=cast.moderator).delete()
    changed, _ = _poll(client, _race(race), first["ETag"])

    assert changed.status_code == 200


def test_the_race_comes_back_once_the_meeting_starts(client, cast, race):
    client.force_login(cast.member)
    Meeting.objects.filter(pk=race.pk).update(starts_at=timezone.now() + timedelta(seconds=1))
    first, _ = _poll(client, _race(race))

    Meeting.objects.filter(pk=race.pk).update(starts_at=timezone.now() - timedelta(seconds=1))
    changed, _ = _poll(client, _race(race), first["ETag"])

    assert changed.status_code == 200


def test_the_bets_come_back_when_someone_bets(client, cast, race):
    client.force_login(cast.member)
    first, _ = _poll(client, _bets(race))

    bet_services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.owner, amount=7)
    changed, _ = _poll(client, _bets(race), first["ETag"])

    assert changed.status_code == 200
    assert "Pool: 7 points." in changed.text


def test_the_bets_come_back_when_my_balance_moves(client, cast, race):
    client.force_login(cast.member)
    first, _ = _poll(client, _bets(race))

    moderator = User.objects.create_superuser(
        username="points-mod", email="pm@example.com", password="x-long-pass"
    )
    bet_services.points_adjust(actor=moderator, user=cast.member, amount=-99, note="Testing")
    changed, _ = _poll(client, _bets(race), first["ETag"])

    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


@pytest.mark.parametrize("url", [_race, _bets])
def test_another_viewer_with_my_etag_gets_their_own_fragment(client, cast, race, url):
    client.force_login(cast.member)
    mine, _ = _poll(client, url(race))

    client.force_login(cast.moderator)
    theirs, _ = _poll(client, url(race), mine["ETag"])

    assert theirs.status_code == 200


@pytest.mark.parametrize("url", [_race, _bets])
def test_an_etag_does_not_open_a_private_meeting_to_an_outsider(client, cast, race, url):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    client.force_login(cast.member)
    mine, _ = _poll(client, url(race))

    client.force_login(cast.outsider)
    theirs, _ = _poll(client, url(race), mine["ETag"])

    assert theirs.status_code == 404


def test_a_visitor_polling_a_public_race_gets_304_too(client, race):
    first, _ = _poll(client, _race(race))
    again, queries = _poll(client, _race(race), first["ETag"])

    assert (first.status_code, again.status_code) == (200, 304)
    assert queries <= 2  # no user to read, maybe a session


def test_the_full_meeting_page_is_not_answered_304(client, cast, race):
    client.force_login(cast.member)
    poll, _ = _poll(client, _race(race))

    page = client.get(_race(race), headers={"If-None-Match": poll["ETag"]})

    assert page.status_code == 200
    assert "ETag" not in page


def test_the_bell_is_304_until_a_notification_arrives(client, cast):
    client.force_login(cast.member)
    first, _ = _poll(client, BELL)
    again, queries = _poll(client, BELL, first["ETag"])
    assert (first.status_code, again.status_code) == (200, 304)
    assert queries <= 3  # session, user, the unread count

    notify(recipient=cast.member, kind="friend_request", message="Someone wants to be your friend.")
    changed, _ = _poll(client, BELL, first["ETag"])

    assert changed.status_code == 200
    assert "1 unread" in changed.text
    assert "ETag" in changed
