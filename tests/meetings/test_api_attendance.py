"""The meetings API for members and hosts: RSVP, own progress (with an optional version), the attendee
list, and check-in."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from clubs.models import Role
from meetings import services
from meetings.models import Attendance, ProgressEntry, Rsvp
from tests.factories import MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(meeting, suffix: str = "") -> str:
    return f"/api/v1/meetings/{meeting.pk}/{suffix}"


# RSVP ----------------------------------------------------------------------------------------------


def test_a_member_answers_going_then_maybe(cast, meeting):
    member = client_for(cast.member)

    going = member.put(url(meeting, "rsvp/"), {"rsvp": "going"}, format="json")
    maybe = member.put(url(meeting, "rsvp/"), {"rsvp": "maybe"}, format="json")

    assert going.status_code == 200 and going.json()["rsvp"] == "going"
    assert maybe.json()["rsvp"] == "maybe"
    assert maybe["ETag"] == f'W/"{maybe.json()["version"]}"'
    assert Attendance.objects.get(meeting=meeting, user=cast.member).rsvp == Rsvp.MAYBE


def test_rsvp_is_written_and_read_under_the_one_name_rsvp(cast, meeting):
    member = client_for(cast.member)
    member.put(url(meeting, "rsvp/"), {"rsvp": "maybe"}, format="json")

    # What a client reads back, it can send again unchanged.
    mine = member.get(url(meeting)).json()["my_attendance"]
    again = member.put(url(meeting, "rsvp/"), {"rsvp": mine["rsvp"]}, format="json")
    assert again.status_code == 200 and again.json()["rsvp"] == "maybe"

    # The old write name is not silently ignored: it is refused, naming the field that is missing.
    old = member.put(url(meeting, "rsvp/"), {"status": "going"}, format="json")
    assert old.status_code == 400
    assert old.json()["errors"] == {"rsvp": ["This field is required."]}
    assert Attendance.objects.get(meeting=meeting, user=cast.member).rsvp == Rsvp.MAYBE

    schema = member.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    body = schema["paths"]["/api/v1/meetings/{id}/rsvp/"]["put"]["requestBody"]["content"]
    request_component = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][request_component]["properties"]) == {"rsvp"}
    assert "rsvp" in schema["components"]["schemas"]["MyAttendance"]["properties"]


def test_rsvp_is_closed_once_the_meeting_started(cast):
    started = MeetingFactory(club=cast.club, starts_at=timezone.now() - timedelta(minutes=1))
    response = client_for(cast.member).put(url(started, "rsvp/"), {"rsvp": "going"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "rsvp_closed"
    assert not Attendance.objects.exists()


def test_outsiders_of_a_public_club_cannot_rsvp(cast, meeting):
    response = client_for(cast.outsider).put(url(meeting, "rsvp/"), {"rsvp": "going"}, format="json")
    assert response.status_code == 403
    assert not Attendance.objects.exists()


# Progress ------------------------------------------------------------------------------------------


def test_a_member_records_their_page_and_sees_percent_and_version(cast, meeting):
    response = client_for(cast.member).put(url(meeting, "progress/"), {"current_page": 120}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["current_page"] == 120 and body["percent"] == 40 and body["finished"] is False
    assert response["ETag"] == f'W/"{body["version"]}"'
    assert list(ProgressEntry.objects.values_list("page", flat=True)) == [120]


def test_finished_true_jumps_to_the_target_and_stamps_the_time(cast, meeting):
    response = client_for(cast.member).put(url(meeting, "progress/"), {"finished": True}, format="json")
    body = response.json()
    assert body["current_page"] == meeting.target_page
    assert body["finished"] is True and body["percent"] == 100
    assert body["finished_at"].endswith("Z")


def test_progress_with_the_current_version_as_if_match_is_accepted(cast, meeting):
    member = client_for(cast.member)
    first = member.put(url(meeting, "progress/"), {"current_page": 10}, format="json")
    second = member.put(
        url(meeting, "progress/"), {"current_page": 20}, format="json", headers={"If-Match": first["ETag"]}
    )
    assert second.status_code == 200
    assert second.json()["current_page"] == 20


def test_stale_progress_is_409_with_what_is_saved_now(cast, meeting):
    member = client_for(cast.member)
    first = member.put(url(meeting, "progress/"), {"current_page": 10}, format="json").json()
    member.put(url(meeting, "progress/"), {"current_page": 50}, format="json")  # another tab

    response = member.put(
        url(meeting, "progress/"), {"current_page": 30, "version": first["version"]}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["current"]["current_page"] == 50
    assert body["current"]["version"] == first["version"] + 1
    assert Attendance.objects.get(user=cast.member).current_page == 50
    assert list(ProgressEntry.objects.values_list("page", flat=True)) == [10, 50]


def test_nobody_edits_another_members_progress(cast, meeting):
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=42)
    # The API has no way to name another member: the moderator's call records the moderator's own page.
    client_for(cast.moderator).put(url(meeting, "progress/"), {"current_page": 7}, format="json")
    assert Attendance.objects.get(meeting=meeting, user=cast.member).current_page == 42
    assert Attendance.objects.get(meeting=meeting, user=cast.moderator).current_page == 7


# Attendees -----------------------------------------------------------------------------------------


def test_attendees_show_rsvp_page_percent_and_finish_furthest_first(cast, meeting):
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=75)
    services.attendance_rsvp(user=cast.moderator, meeting=meeting, rsvp=Rsvp.MAYBE)
    services.attendance_progress(user=cast.moderator, meeting=meeting, finished=True)

    response = client_for(cast.outsider).get(url(meeting, "attendees/"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["username"] for row in rows] == [cast.moderator.username, cast.member.username]
    assert rows[0]["finished"] is True and rows[0]["percent"] == 100 and rows[0]["finished_at"]
    assert rows[0]["finish_status"] == "in_time"
    assert rows[1] == {
        "username": cast.member.username,
        "display_name": cast.member.name,
        "rsvp": "going",
        "current_page": 75,
        "percent": 25,
        "finished": False,
        "finished_at": None,
        "finish_status": None,
        "checked_in": False,
    }


def _attendee_queries(meeting) -> int:
    client = client_for(UserFactory())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(meeting, "attendees/")).status_code == 200
    return len(queries)


def test_the_attendee_list_costs_the_same_queries_for_3_or_30_attendees(cast):
    small, large = MeetingFactory(club=cast.club), MeetingFactory(club=cast.club)
    readers = [add_member(cast.club).user for _ in range(30)]
    for index, reader in enumerate(readers):
        if index < 3:
            services.attendance_progress(user=reader, meeting=small, current_page=index * 10)
        services.attendance_progress(user=reader, meeting=large, current_page=index * 10)

    # the attendees; the viewer's role and friend ids, read once for the profile rule
    assert _attendee_queries(small) == _attendee_queries(large) <= 5


# Check-in ------------------------------------------------------------------------------------------


def test_the_host_checks_in_members_once_the_meeting_started(cast):
    started = MeetingFactory(club=cast.club, starts_at=timezone.now() - timedelta(minutes=10))

    response = client_for(cast.moderator).post(
        url(started, "check-in/"), {"usernames": [cast.member.username, cast.owner.username]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"checked_in": sorted([cast.member.username, cast.owner.username])}
    assert set(Attendance.objects.filter(checked_in=True).values_list("user__username", flat=True)) == {
        cast.member.username,
        cast.owner.username,
    }


def test_check_in_opens_at_start(cast, meeting):
    response = client_for(cast.owner).post(
        url(meeting, "check-in/"), {"usernames": [cast.member.username]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "check_in_not_open"
    assert not Attendance.objects.exists()


def test_check_in_refuses_people_outside_the_club(cast):
    started = MeetingFactory(club=cast.club, starts_at=timezone.now() - timedelta(minutes=10))
    response = client_for(cast.owner).post(
        url(started, "check-in/"),
        {"usernames": [cast.member.username, cast.outsider.username]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_members"
    assert cast.outsider.username in response.json()["detail"]
    assert not Attendance.objects.filter(checked_in=True).exists()


def test_plain_members_cannot_check_people_in(cast):
    started = MeetingFactory(club=cast.club, starts_at=timezone.now() - timedelta(minutes=10))
    moderator = add_member(cast.club, role=Role.MODERATOR).user
    response = client_for(cast.member).post(
        url(started, "check-in/"), {"usernames": [moderator.username]}, format="json"
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()
