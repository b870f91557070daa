"""Bad input to the meetings API: a clear JSON error with the right status, and nothing changes."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from clubs.models import Club, Membership, Visibility
from clubs.services import club_leave
from meetings.models import Attendance, Meeting, ProgressEntry
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _rows() -> tuple:
    return tuple(
        list(model.objects.order_by("pk").values()) for model in (Meeting, Attendance, ProgressEntry)
    )


@contextmanager
def nothing_changes():
    before = _rows()
    yield
    assert _rows() == before, "a refused request changed data"


def assert_error(response, status: int, code: str | None = None, says: str = "") -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code:
        assert body["code"] == code, body
    assert says in body["detail"], body
    return body


def future(days: int = 3) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


@pytest.fixture
def started_progress(cast, meeting):
    """The member is on page 40 of the `meeting`."""
    client_for(cast.member).put(
        f"/api/v1/meetings/{meeting.pk}/progress/", {"current_page": 40}, format="json"
    )
    return meeting


PROGRESS_CASES = {
    "page beyond the target": (
        {"current_page": 301},
        400,
        "page_out_of_range",
        "between 0 and the target page 300",
    ),
    "negative page": ({"current_page": -1}, 400, "page_out_of_range", "between 0 and the target page"),
    "page not a number": ({"current_page": "soon"}, 400, "invalid", "current_page: A valid integer"),
    "page with a fraction": ({"current_page": 3.5}, 400, "invalid", "current_page"),
    "a huge page": ({"current_page": 10**15}, 400, "page_out_of_range", "between 0"),
    "nothing said": ({}, 400, "invalid", "Give the page you are on"),
    "page and finished": ({"current_page": 3, "finished": True}, 400, "invalid", "either"),
    "finished false alone": ({"finished": False}, 400, "invalid", "Give the page"),
    "a version that is not a number": ({"current_page": 3, "version": "new"}, 400, "invalid", "version"),
    "a stale version": ({"current_page": 50, "version": 1}, 409, "stale_version", "another tab"),
    "percent over 100": ({"own_edition_percent": 101}, 400, "invalid", "from 0 to 100"),
    "negative percent": ({"own_edition_percent": -5}, 400, "invalid", "from 0 to 100"),
    "percent not a number": ({"own_edition_percent": "half"}, 400, "invalid", "own_edition_percent"),
    "percent and page": ({"own_edition_percent": 50, "current_page": 3}, 400, "invalid", "either"),
    "percent and finished": ({"own_edition_percent": 50, "finished": True}, 400, "invalid", "either"),
}


@pytest.mark.parametrize(("payload", "status", "code", "says"), PROGRESS_CASES.values(), ids=PROGRESS_CASES)
def test_bad_progress_is_refused(cast, started_progress, payload, status, code, says):
    with nothing_changes():
        response = client_for(cast.member).put(
            f"/api/v1/meetings/{started_progress.pk}/progress/", payload, format="json"
        )
    assert_error(response, status, code, says)


def test_a_wrong_if_match_on_progress_is_409_with_the_saved_page(cast, started_progress):
    with nothing_changes():
        response = client_for(cast.member).put(
            f"/api/v1/meetings/{started_progress.pk}/progress/",
            {"current_page": 50},
            format="json",
            headers={"If-Match": 'W/"7"'},
        )
    body = assert_error(response, 409, "stale_version")
    assert body["current"]["current_page"] == 40


def _create_payload(**overrides) -> dict:
    payload = {"book": BookFactory(page_count=300).pk, "starts_at": future(), "place": "Library"}
    payload.update(overrides)
    return payload


CREATE_CASES = {
    "target beyond the book": ({"target_page": 301}, "invalid_target", "beyond the book's last page (300)"),
    "target zero": ({"target_page": 0}, "invalid_target", "at least 1"),
    "start in the past": ({"starts_at": "2020-01-01T19:00:00+01:00"}, "start_in_past", "in the future"),
    "start without offset": ({"starts_at": "2099-01-01T19:00:00"}, "invalid", "UTC offset"),
    "start not a date": ({"starts_at": "next tuesday"}, "invalid", "starts_at"),
    "javascript link": ({"online_link": "javascript:alert(1)"}, "invalid", "online_link"),
    "ftp link": ({"online_link": "ftp://example.com/room"}, "invalid", "online_link"),
    "unknown book": ({"book": 987654}, "invalid", "book"),
    "zero duration": ({"duration_minutes": 0}, "invalid", "duration_minutes"),
    "two-day duration": ({"duration_minutes": 2881}, "invalid", "duration_minutes"),
    "neither place nor link": (
        {"place": "  ", "online_link": ""},
        "place_required",
        "a place, an online link",
    ),
    "null character": ({"place": "Room\x00 1"}, "invalid", "place"),
    "title too long": ({"title": "x" * 201}, "invalid", "title"),
}


@pytest.mark.parametrize(("overrides", "code", "says"), CREATE_CASES.values(), ids=CREATE_CASES)
def test_bad_meeting_input_is_refused_on_create(cast, overrides, code, says):
    with nothing_changes():
        response = client_for(cast.owner).post(
            f"/api/v1/clubs/{cast.club.slug}/meetings/", _create_payload(**overrides), format="json"
        )
    assert_error(response, 400, code, says)


EDIT_CASES = {
    "target beyond the book": ({"target_page": 301}, "invalid_target"),
    "start moved into the past": ({"starts_at": "2020-01-01T19:00:00Z"}, "start_in_past"),
    "javascript link": ({"online_link": "javascript:alert(1)"}, "invalid"),
    "place removed, no link": ({"place": ""}, "place_required"),
    "version not a number": ({"place": "Pub", "version": "latest"}, "invalid"),
}


@pytest.mark.parametrize(("changes", "code"), EDIT_CASES.values(), ids=EDIT_CASES)
def test_bad_meeting_input_is_refused_on_edit(cast, meeting, changes, code):
    with nothing_changes():
        response = client_for(cast.owner).patch(
            f"/api/v1/meetings/{meeting.pk}/", {"version": 1, **changes}, format="json"
        )
    assert_error(response, 400, code)


@pytest.mark.parametrize("answer", ["perhaps", "GOING", "", 5])
def test_unknown_rsvp_values_are_refused(cast, meeting, answer):
    with nothing_changes():
        response = client_for(cast.member).put(
            f"/api/v1/meetings/{meeting.pk}/rsvp/", {"rsvp": answer}, format="json"
        )
    assert_error(response, 400)
    assert "going" in response.json()["detail"] or "blank" in response.json()["detail"]


def test_a_member_who_left_the_club_can_no_longer_take_part(cast, meeting):
    member = client_for(cast.member)
    member.put(f"/api/v1/meetings/{meeting.pk}/progress/", {"current_page": 10}, format="json")
    club_leave(user=cast.member, club=cast.club)

    with nothing_changes():
        rsvp = member.put(f"/api/v1/meetings/{meeting.pk}/rsvp/", {"rsvp": "declined"}, format="json")
        progress = member.put(f"/api/v1/meetings/{meeting.pk}/progress/", {"current_page": 99}, format="json")

    assert_error(rsvp, 403, "permission_denied", "Only members")
    assert_error(progress, 403, "permission_denied", "Only members")


def test_a_private_club_one_left_hides_its_meetings(cast, meeting):
    Club.objects.filter(pk=cast.club.pk).update(visibility=Visibility.PRIVATE)
    Membership.objects.filter(club=cast.club, user=cast.member).delete()
    with nothing_changes():
        response = client_for(cast.member).put(
            f"/api/v1/meetings/{meeting.pk}/progress/", {"current_page": 99}, format="json"
        )
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("put", "progress/"), ("put", "rsvp/"), ("patch", ""), ("post", "check-in/"), ("delete", "")],
)
def test_malformed_json_is_a_clear_400(cast, meeting, method, suffix):
    with nothing_changes():
        response = getattr(client_for(cast.owner), method)(
            f"/api/v1/meetings/{meeting.pk}/{suffix}", '{"current_page": 12', content_type="application/json"
        )
    assert_error(response, 400, "parse_error", "JSON parse error")


@pytest.mark.parametrize("body", ["[1, 2]", '"cancel"', "42"])
def test_a_json_body_that_is_not_an_object_is_refused(cast, meeting, body):
    host = client_for(cast.owner)
    with nothing_changes():
        for method, suffix in (("put", "progress/"), ("patch", ""), ("delete", "")):
            response = getattr(host, method)(
                f"/api/v1/meetings/{meeting.pk}/{suffix}", body, content_type="application/json"
            )
            assert_error(response, 400)


@pytest.mark.parametrize("usernames", [[], "everyone", [None], ["a", "A"]])
def test_bad_check_in_lists_are_refused(cast, usernames):
    from tests.factories import MeetingFactory

    started = MeetingFactory(club=cast.club, starts_at=timezone.now() - timedelta(minutes=5))
    with nothing_changes():
        response = client_for(cast.owner).post(
            f"/api/v1/meetings/{started.pk}/check-in/", {"usernames": usernames}, format="json"
        )
    assert_error(response, 400)
