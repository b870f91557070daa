"""Recurring meetings: a meeting made to repeat creates its next one when it has taken place (or days
ahead), once, keeping the local time across daylight-saving changes; "this one" or "the series"."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from booky.core.errors import DomainError, NotAllowed
from meetings import services
from meetings.models import Meeting, MeetingSeries, MeetingStatus
from tests.factories import BookFactory, MeetingFactory

pytestmark = pytest.mark.django_db
LISBON = ZoneInfo("Europe/Lisbon")


def lisbon_meeting(cast, when: datetime):
    return MeetingFactory(club=cast.club, starts_at=when, timezone="Europe/Lisbon")


def test_a_monthly_series_keeps_19_00_in_lisbon_across_the_clock_change(cast):
    # The 2nd Tuesday of October 2026 at 19:00 Lisbon (summer time, 18:00 UTC); November's is in winter time.
    first = lisbon_meeting(cast, datetime(2026, 10, 13, 19, 0, tzinfo=LISBON))
    series = services.series_start(actor=cast.owner, meeting=first, repeat="monthly")
    assert "2nd Tuesday" in services.series_description(series)
    created = services.series_advance(series_id=series.pk, now=datetime(2026, 11, 1, tzinfo=UTC))
    assert created.starts_at == datetime(
        2026, 11, 10, 19, 0, tzinfo=UTC
    )  # 19:00 Lisbon in winter is 19:00 UTC
    assert created.starts_at.astimezone(LISBON).hour == 19
    assert created.book == first.book and created.series == series


def test_the_next_meeting_comes_when_the_latest_took_place_or_days_ahead_and_only_once(cast):
    start = timezone.now() + timedelta(days=30)
    first = lisbon_meeting(cast, start)
    series = services.series_start(actor=cast.owner, meeting=first, repeat="weekly", days_ahead=3)
    assert services.series_advance(series_id=series.pk) is None  # a month away: not yet
    assert services.series_advance_due(now=start + timedelta(days=5)) == 1  # within 3 days of the next
    assert services.series_advance_due(now=start + timedelta(days=5)) == 0
    second = Meeting.objects.filter(series=series).order_by("-starts_at").first()
    assert second.starts_at - first.starts_at.replace(second=0, microsecond=0) == timedelta(days=7)


def test_completing_a_meeting_of_a_series_creates_the_next(cast, django_capture_on_commit_callbacks):
    first = lisbon_meeting(cast, timezone.now() + timedelta(days=1))
    series = services.series_start(actor=cast.owner, meeting=first, repeat="fortnightly", days_ahead=1)
    Meeting.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_complete(actor=cast.owner, meeting=first)
    assert Meeting.objects.filter(series=series, status=MeetingStatus.SCHEDULED).count() == 1


def test_only_hosts_make_a_meeting_repeat_and_only_once(cast, meeting):
    with pytest.raises(NotAllowed):
        services.series_start(actor=cast.member, meeting=meeting, repeat="weekly")
    with pytest.raises(DomainError, match="every week, every two weeks or every month"):
        services.series_start(actor=cast.owner, meeting=meeting, repeat="daily")
    services.series_start(actor=cast.owner, meeting=meeting, repeat="weekly")
    with pytest.raises(DomainError, match="already repeats"):
        services.series_start(actor=cast.owner, meeting=meeting, repeat="weekly")
    assert MeetingSeries.objects.count() == 1


def test_a_stopped_series_creates_nothing_more(client, cast):
    first = lisbon_meeting(cast, timezone.now() + timedelta(days=2))
    series = services.series_start(actor=cast.owner, meeting=first, repeat="weekly")
    client.force_login(cast.member)
    page = client.get(reverse("meetings:series", args=[series.pk]))
    assert page.status_code == 200 and "Every week" in page.text and "Stop repeating" not in page.text
    assert client.post(reverse("meetings:series", args=[series.pk])).status_code == 403
    client.force_login(cast.owner)
    assert client.post(reverse("meetings:series", args=[series.pk])).status_code == 302
    assert services.series_advance(series_id=series.pk, now=timezone.now() + timedelta(days=8)) is None


def test_scheduling_with_repeat_and_editing_this_one_or_the_series(client, cast):
    client.force_login(cast.owner)
    starts = (timezone.now() + timedelta(days=10)).replace(hour=19, minute=0, second=0, microsecond=0)
    response = client.post(
        reverse("meetings:create", args=[cast.club.slug]),
        {
            "book": BookFactory().pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "120",
            "place": "Library",
            "repeat": "weekly",
        },
    )
    assert response.status_code == 302, response.content[:300]
    meeting = Meeting.objects.get(club=cast.club)
    series = meeting.series
    assert series is not None and series.place == "Library"
    edit = client.get(reverse("meetings:edit", args=[meeting.pk]))
    assert "This and the following meetings" in edit.text
    data = {
        "book": meeting.book_id,
        "starts_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "place": "Café",
        "version": meeting.version,
        "apply_to": "this",
    }
    assert client.post(reverse("meetings:edit", args=[meeting.pk]), data).status_code == 302
    series.refresh_from_db()
    assert series.place == "Library" and "BYHOUR=19" in series.rrule
    meeting.refresh_from_db()
    data.update(version=meeting.version, apply_to="series")
    assert client.post(reverse("meetings:edit", args=[meeting.pk]), data).status_code == 302
    series.refresh_from_db()
    assert series.place == "Café" and series.duration_minutes == 90 and "BYHOUR=20" in series.rrule


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_sweeps_create_the_next_meeting_once():
    from tests.bets.test_concurrency import run_at_once
    from tests.factories import ClubFactory

    club = ClubFactory()
    owner = club.memberships.get().user
    first = MeetingFactory(club=club, starts_at=timezone.now() + timedelta(days=2), timezone="Europe/Lisbon")
    series = services.series_start(actor=owner, meeting=first, repeat="weekly", days_ahead=10)
    results, refusals = run_at_once([lambda: services.series_advance(series_id=series.pk) for _ in range(6)])
    assert refusals == [] and sum(result is not None for result in results) == 1
    assert Meeting.objects.filter(series=series).count() == 2
