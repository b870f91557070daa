"""Calendar files: one meeting as .ics, and each member's private feed of upcoming meetings."""

from datetime import UTC, datetime, timedelta

import pytest
import vobject
from django.utils import timezone
from icalendar import Calendar

from clubs.models import Visibility
from meetings import services
from meetings.models import CalendarFeed
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.now().year + 1


def _events(response):
    return [component for component in Calendar.from_ical(response.content).walk("VEVENT")]


def test_meeting_ics_has_the_start_in_utc_and_the_details(client, cast):
    meeting = MeetingFactory(
        club=cast.club, title="Winter read", starts_at=datetime(NEXT_YEAR, 1, 15, 18, 0, tzinfo=UTC)
    )
    client.force_login(cast.member)  # only members get the place (tests/meetings/test_where_for_members.py)
    response = client.get(f"/meetings/{meeting.pk}.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    [event] = _events(response)
    assert event.decoded("dtstart") == datetime(NEXT_YEAR, 1, 15, 18, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(NEXT_YEAR, 1, 15, 20, 0, tzinfo=UTC)
    assert f"DTSTART:{NEXT_YEAR}0115T180000Z" in response.content.decode()
    assert str(event["summary"]) == f"{cast.club.name}: Winter read"
    assert str(event["location"]) == "The back room of Café Livro"
    assert str(event["uid"]) == f"meeting-{meeting.pk}@testserver"
    assert str(event["url"]) == f"http://testserver/meetings/{meeting.pk}/"


def test_cancelled_meeting_ics_says_cancelled(client, cast, meeting):
    services.meeting_cancel(actor=cast.owner, meeting=meeting)
    [event] = _events(client.get(f"/meetings/{meeting.pk}.ics"))
    assert str(event["status"]) == "CANCELLED"


def test_feed_lists_upcoming_meetings_of_my_clubs_only_cancelled_ones_as_cancelled(client):
    reader = UserFactory()
    mine, private = ClubFactory(), ClubFactory(visibility=Visibility.PRIVATE)
    add_member(mine, reader)
    add_member(private, reader)
    first = MeetingFactory(club=mine, title="First")
    second = MeetingFactory(club=private, title="Second", starts_at=timezone.now() + timedelta(days=20))
    MeetingFactory(club=ClubFactory(), title="Someone else's")
    cancelled = MeetingFactory(club=mine, title="Called off", starts_at=timezone.now() + timedelta(days=10))
    services.meeting_cancel(actor=mine.memberships.get(role="owner").user, meeting=cancelled)
    feed = services.calendar_feed_get_or_create(user=reader)

    response = client.get(f"/calendar/{feed.token}.ics")

    assert response.status_code == 200
    summaries = [(str(event["summary"]), str(event["status"])) for event in _events(response)]
    assert summaries == [
        (f"{mine.name}: First", "CONFIRMED"),
        (f"{mine.name}: Called off", "CANCELLED"),
        (f"{private.name}: Second", "CONFIRMED"),
    ]
    assert [event.decoded("dtstart") for event in _events(response)] == [
        first.starts_at.replace(microsecond=0),
        cancelled.starts_at.replace(microsecond=0),
        second.starts_at.replace(microsecond=0),
    ]
    # A second iCalendar library (vobject) reads the same feed the same way.
    parsed = vobject.readOne(response.content.decode())
    assert [(event.summary.value, event.status.value) for event in parsed.vevent_list] == summaries
    assert [event.dtstart.value for event in parsed.vevent_list] == [
        first.starts_at.replace(microsecond=0),
        cancelled.starts_at.replace(microsecond=0),
        second.starts_at.replace(microsecond=0),
    ]


def test_feed_with_a_reset_token_is_404(client, user):
    old = services.calendar_feed_get_or_create(user=user).token
    services.calendar_feed_reset(user=user)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{CalendarFeed.objects.get().token}.ics").status_code == 200


def test_feed_with_an_unknown_token_is_404(client, db):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/calendar/%00.ics").status_code == 404
