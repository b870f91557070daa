"""The meetings API: listing, scheduling, reading one meeting with its ETag, editing with a version,
cancelling, completing, and "my meetings"."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from clubs.models import Visibility
from meetings import services
from meetings.models import Meeting, MeetingStatus, Rsvp
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def meetings_url(club) -> str:
    return f"/api/v1/clubs/{club.slug}/meetings/"


def meeting_url(meeting, suffix: str = "") -> str:
    return f"/api/v1/meetings/{meeting.pk}/{suffix}"


def in_days(days: float) -> datetime:
    return timezone.now() + timedelta(days=days)


# Listing -------------------------------------------------------------------------------------------


def test_club_meetings_list_upcoming_soonest_first_by_default(cast):
    later = MeetingFactory(club=cast.club, starts_at=in_days(10))
    sooner = MeetingFactory(club=cast.club, starts_at=in_days(2))
    MeetingFactory(club=cast.club, starts_at=in_days(-10))  # past
    MeetingFactory(club=cast.club, starts_at=in_days(3), status=MeetingStatus.CANCELLED)
    MeetingFactory(starts_at=in_days(1))  # another club

    response = client_for(cast.member).get(meetings_url(cast.club))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [sooner.pk, later.pk]


def test_club_meetings_past_lists_ended_and_cancelled_latest_first(cast):
    MeetingFactory(club=cast.club, starts_at=in_days(2))
    old = MeetingFactory(club=cast.club, starts_at=in_days(-30))
    cancelled = MeetingFactory(club=cast.club, starts_at=in_days(3), status=MeetingStatus.CANCELLED)

    response = client_for(cast.member).get(meetings_url(cast.club), {"when": "past"})

    assert [row["id"] for row in response.json()["results"]] == [cancelled.pk, old.pk]


def test_an_unknown_when_filter_is_a_clear_400(cast):
    response = client_for(cast.member).get(meetings_url(cast.club), {"when": "tomorrow"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"].startswith("when:")


def test_club_meetings_are_paginated(cast):
    for day in range(1, 23):
        MeetingFactory(club=cast.club, starts_at=in_days(day))
    first = client_for(cast.member).get(meetings_url(cast.club)).json()
    second = client_for(cast.member).get(meetings_url(cast.club), {"page": 2}).json()
    assert first["count"] == 22
    assert len(first["results"]) == 20 and len(second["results"]) == 2


def test_outsiders_and_anonymous_visitors_see_a_public_clubs_meetings(cast, meeting):
    for client in (client_for(cast.outsider), client_for()):
        assert client.get(meetings_url(cast.club)).json()["count"] == 1
        assert client.get(meeting_url(meeting)).status_code == 200


def test_a_private_clubs_meetings_are_404_to_outsiders(cast, meeting):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    for client in (client_for(cast.outsider), client_for()):
        for url in (meetings_url(cast.club), meeting_url(meeting), meeting_url(meeting, "attendees/")):
            response = client.get(url)
            assert response.status_code == 404, url
            assert response.json()["code"] == "not_found"
    assert client_for(cast.member).get(meeting_url(meeting)).status_code == 200


# One meeting ---------------------------------------------------------------------------------------


def test_a_meeting_shows_its_book_times_in_utc_and_the_version_as_etag(cast, meeting):
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=150)

    response = client_for(cast.member).get(meeting_url(meeting))

    body = response.json()
    assert response["ETag"] == 'W/"1"'
    assert body["version"] == 1
    assert body["book"]["title"] == meeting.book.title
    assert body["club"] == cast.club.slug
    assert body["starts_at"].endswith("Z")
    assert datetime.fromisoformat(body["starts_at"]) == meeting.starts_at
    assert body["going_count"] == 1
    assert body["my_attendance"]["rsvp"] == "going"
    assert body["my_attendance"]["current_page"] == 150
    assert body["my_attendance"]["percent"] == 50


def test_a_meeting_seen_by_an_outsider_has_no_attendance_of_theirs(cast, meeting):
    body = client_for(cast.outsider).get(meeting_url(meeting)).json()
    assert body["my_attendance"] is None


def test_an_unknown_meeting_is_404(cast):
    response = client_for(cast.member).get("/api/v1/meetings/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Scheduling ----------------------------------------------------------------------------------------


def test_a_moderator_schedules_a_meeting_and_the_time_comes_back_in_utc(cast):
    book = BookFactory(page_count=420)
    starts = (
        (timezone.now() + timedelta(days=5))
        .astimezone(UTC)
        .replace(hour=17, minute=0, second=0, microsecond=0)
    )
    local = starts.astimezone(timezone.get_fixed_timezone(120)).isoformat()  # "...T19:00:00+02:00"

    response = client_for(cast.moderator).post(
        meetings_url(cast.club), {"book": book.pk, "starts_at": local, "place": "Library"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["starts_at"] == starts.strftime("%Y-%m-%dT17:00:00Z")
    assert body["target_page"] == 420
    assert body["status"] == "scheduled"
    assert response["ETag"] == 'W/"1"'
    meeting = Meeting.objects.get(pk=body["id"])
    assert meeting.starts_at == starts and meeting.created_by == cast.moderator


def test_a_time_without_offset_is_refused(cast):
    naive = (timezone.now() + timedelta(days=5)).replace(tzinfo=None).isoformat(timespec="seconds")
    response = client_for(cast.owner).post(
        meetings_url(cast.club), {"book": BookFactory().pk, "starts_at": naive}, format="json"
    )
    assert response.status_code == 400
    assert "UTC offset" in response.json()["detail"]
    assert not Meeting.objects.exists()


def test_members_cannot_schedule_even_with_bad_input(cast):
    response = client_for(cast.member).post(meetings_url(cast.club), {"book": "nonsense"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_writes_are_401(cast, meeting):
    anonymous = client_for()
    assert anonymous.post(meetings_url(cast.club), {}, format="json").status_code == 401
    assert anonymous.patch(meeting_url(meeting), {"place": "x"}, format="json").status_code == 401
    assert anonymous.put(meeting_url(meeting, "rsvp/"), {"rsvp": "going"}, format="json").status_code == 401


# Editing with a version ----------------------------------------------------------------------------


def test_patch_with_the_etag_as_if_match_edits_and_returns_the_next_etag(cast, meeting):
    host = client_for(cast.owner)
    tag = host.get(meeting_url(meeting))["ETag"]

    response = host.patch(
        meeting_url(meeting), {"place": "The park"}, format="json", headers={"If-Match": tag}
    )

    assert response.status_code == 200, response.content
    assert response.json()["place"] == "The park"
    assert response.json()["version"] == 2
    assert response["ETag"] == 'W/"2"'


@pytest.mark.parametrize("header", ['"1"', "1", 'W/"1"'])
def test_if_match_takes_strong_weak_or_bare_versions(cast, meeting, header):
    response = client_for(cast.owner).patch(
        meeting_url(meeting), {"title": "Spring read"}, format="json", headers={"If-Match": header}
    )
    assert response.status_code == 200, response.content


def test_patch_with_a_version_field_edits(cast, meeting):
    response = client_for(cast.moderator).patch(
        meeting_url(meeting), {"version": 1, "duration_minutes": 90}, format="json"
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 90 and meeting.ends_at == meeting.starts_at + timedelta(minutes=90)


def test_patch_without_a_version_is_428_and_changes_nothing(cast, meeting):
    response = client_for(cast.owner).patch(meeting_url(meeting), {"place": "Pub"}, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "version_required"
    assert "If-Match" in response.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.place != "Pub" and meeting.version == 1


def test_a_stale_patch_is_409_with_the_current_meeting(cast, meeting):
    first, second = client_for(cast.owner), client_for(cast.moderator)
    first.patch(meeting_url(meeting), {"place": "Park"}, format="json", headers={"If-Match": 'W/"1"'})

    response = second.patch(
        meeting_url(meeting), {"place": "Pub"}, format="json", headers={"If-Match": 'W/"1"'}
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert "Someone else changed this meeting" in body["detail"]
    assert body["current"]["place"] == "Park"
    assert body["current"]["version"] == 2
    assert response["ETag"] == 'W/"2"'
    meeting.refresh_from_db()
    assert meeting.place == "Park" and meeting.version == 2


@pytest.mark.parametrize("header", ["*", "abc", 'W/"x"', '"1", "2"'])
def test_a_malformed_if_match_is_400(cast, meeting, header):
    response = client_for(cast.owner).patch(
        meeting_url(meeting), {"place": "Pub"}, format="json", headers={"If-Match": header}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_if_match"
    assert Meeting.objects.get(pk=meeting.pk).version == 1


def test_if_match_and_version_field_must_agree(cast, meeting):
    response = client_for(cast.owner).patch(
        meeting_url(meeting), {"place": "Pub", "version": 2}, format="json", headers={"If-Match": 'W/"1"'}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "version_mismatch"


def test_rescheduling_moves_the_end_too(cast, meeting):
    new_start = (meeting.starts_at + timedelta(days=1)).isoformat()
    response = client_for(cast.owner).patch(
        meeting_url(meeting), {"starts_at": new_start, "version": 1}, format="json"
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.ends_at == meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


# Cancelling and completing -------------------------------------------------------------------------


def test_delete_cancels_with_the_reason_from_the_body(cast, meeting):
    response = client_for(cast.moderator).delete(meeting_url(meeting), {"reason": "Snowstorm"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Snowstorm"
    assert Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.CANCELLED).exists()


def test_delete_takes_the_reason_from_the_query_too(cast, meeting):
    response = client_for(cast.owner).delete(meeting_url(meeting) + "?reason=Host+is+ill")
    assert response.status_code == 200
    assert Meeting.objects.get(pk=meeting.pk).cancel_reason == "Host is ill"


def test_cancelling_twice_is_409(cast, meeting):
    host = client_for(cast.owner)
    host.delete(meeting_url(meeting))
    response = host.delete(meeting_url(meeting))
    assert response.status_code == 409
    assert response.json()["code"] == "not_scheduled"


def test_a_cancelled_meeting_can_no_longer_be_edited(cast, meeting):
    host = client_for(cast.owner)
    host.delete(meeting_url(meeting))
    response = host.patch(meeting_url(meeting), {"place": "x", "version": 2}, format="json")
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]


def test_complete_only_after_the_meeting_started(cast):
    upcoming = MeetingFactory(club=cast.club)
    started = MeetingFactory(club=cast.club, starts_at=timezone.now() - timedelta(minutes=30))
    host = client_for(cast.owner)

    early = host.post(meeting_url(upcoming, "complete/"))
    done = host.post(meeting_url(started, "complete/"))

    assert early.status_code == 409 and early.json()["code"] == "not_started"
    assert done.status_code == 200 and done.json()["status"] == "completed"


# My meetings ---------------------------------------------------------------------------------------


def test_my_meetings_lists_upcoming_meetings_of_all_my_clubs_with_my_rsvp_and_progress(cast, meeting):
    other_club = ClubFactory()
    add_member(other_club, cast.member)
    elsewhere = MeetingFactory(club=other_club, starts_at=in_days(1))
    MeetingFactory(starts_at=in_days(2))  # a club I am not in
    MeetingFactory(club=cast.club, starts_at=in_days(-5))  # past
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.MAYBE)
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=30)

    response = client_for(cast.member).get("/api/v1/me/meetings/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [elsewhere.pk, meeting.pk]
    assert rows[0]["my_attendance"] is None
    assert rows[1]["my_attendance"]["rsvp"] == "maybe"
    assert rows[1]["my_attendance"]["current_page"] == 30
    assert rows[1]["my_attendance"]["percent"] == 10


def test_my_meetings_needs_an_account(db):
    response = client_for().get("/api/v1/me/meetings/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_my_meetings_costs_the_same_queries_for_3_or_30_meetings(db):
    reader = UserFactory()
    clubs = [ClubFactory() for _ in range(3)]
    for club in clubs:
        add_member(club, reader)
    meetings = [MeetingFactory(club=clubs[index % 3], starts_at=in_days(index + 1)) for index in range(30)]
    for meeting in meetings[:3]:
        services.attendance_progress(user=reader, meeting=meeting, current_page=10)
    client = client_for(reader)
    few_meetings = Meeting.objects.exclude(pk__in=[m.pk for m in meetings[:3]])
    ids = list(few_meetings.values_list("pk", flat=True))

    with_30 = _queries(client, "/api/v1/me/meetings/")
    Meeting.objects.filter(pk__in=ids).delete()
    with_3 = _queries(client, "/api/v1/me/meetings/")

    assert with_3 == with_30 <= 4
