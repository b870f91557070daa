"""Responses the OpenAPI schema once described wrongly now match it (what `make schemathesis` checks).

Each test makes a real request through the WSGI app and has schemathesis validate the response
against the schema the site serves: status code documented, body valid for that status.
"""

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.utils.encoders import JSONEncoder
from werkzeug.test import Client

from bets.services import account_open, bet_place
from meetings.models import Meeting, MeetingStatus, Rsvp
from meetings.services import attendance_rsvp
from tests.factories import PASSWORD, BookFactory, MeetingFactory

pytestmark = pytest.mark.django_db


class WsgiClient(Client):
    """werkzeug's client (whose responses schemathesis reads), from an address as a server gives one.

    Like Django's test client, it keeps the request from closing the database connection, which
    holds the test's transaction (PostgreSQL would lose it).
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": "127.0.0.1"})
        kwargs["buffered"] = True  # the response is closed (request_finished sent) within this call
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            return super().open(*args, **kwargs)
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi():
    return WsgiClient(get_wsgi_application())


@pytest.fixture(scope="module")
def raw_schema():
    # What /api/schema/ serves (generating it takes seconds, so once per module).
    return SchemaGenerator().get_schema(request=None, public=True)


class ApiSchema:
    def __init__(self, raw: dict):
        self.raw = json.loads(json.dumps(raw, cls=JSONEncoder))
        self.checker = schemathesis.openapi.from_dict(self.raw)

    def assert_conforms(self, method: str, template: str, response, status: int) -> None:
        assert response.status_code == status, response.get_data(as_text=True)
        documented = self.raw["paths"][template][method.lower()]["responses"]
        assert str(status) in documented, f"{method} {template} does not document {status}"
        # Raises, naming the mismatch, for a body the schema does not allow for this status.
        self.checker[template][method].validate_response(response)


@pytest.fixture
def api_schema(raw_schema):
    return ApiSchema(raw_schema)


@pytest.fixture
def meeting(cast):
    return MeetingFactory(club=cast.club)


def bearer(wsgi, user) -> dict:
    """An Authorization header with an access token from allauth's headless login, as a client gets it."""
    login = wsgi.post("/_allauth/app/v1/auth/login", json={"username": user.username, "password": PASSWORD})
    assert login.status_code == 200, login.get_data(as_text=True)
    return {"Authorization": f"Bearer {login.get_json()['meta']['access_token']}"}


def test_members_and_attendees_without_a_hidden_key_match_the_schema(wsgi, api_schema, cast, meeting):
    """`hidden` is sent only when true, so the schema must not require it."""
    attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)

    members = wsgi.get(f"/api/v1/clubs/{cast.club.slug}/members/")
    attendees = wsgi.get(f"/api/v1/meetings/{meeting.pk}/attendees/")

    assert all("hidden" not in row for row in members.get_json()["results"])
    api_schema.assert_conforms("GET", "/api/v1/clubs/{club_slug}/members/", members, 200)
    api_schema.assert_conforms("GET", "/api/v1/meetings/{id}/attendees/", attendees, 200)
    one = wsgi.get(f"/api/v1/clubs/{cast.club.slug}/members/{cast.member.username}/")
    api_schema.assert_conforms("GET", "/api/v1/clubs/{club_slug}/members/{username}/", one, 200)


def test_the_odds_board_with_my_bet_matches_the_schema(wsgi, api_schema, cast, meeting):
    for user in (cast.member, cast.owner):
        account_open(user=user)
        attendance_rsvp(user=user, meeting=meeting, rsvp=Rsvp.GOING)
    bet_place(bettor=cast.member, meeting=meeting, horse=cast.owner, amount=10)

    board = wsgi.get(f"/api/v1/meetings/{meeting.pk}/bets/", headers=bearer(wsgi, cast.member))

    assert board.get_json()["my_bet"]["amount"] == 10 and board.get_json()["bets"] is None
    api_schema.assert_conforms("GET", "/api/v1/meetings/{meeting_pk}/bets/", board, 200)


def test_a_meeting_without_a_link_and_a_book_without_a_cover_match_the_schema(wsgi, api_schema, cast):
    """A blank URL is "", which is not a `uri`: the schema allows the empty string too."""
    meeting = MeetingFactory(club=cast.club, online_link="", book=BookFactory(cover_url=""))

    shown = wsgi.get(f"/api/v1/meetings/{meeting.pk}/", headers=bearer(wsgi, cast.member))
    to_outsider = wsgi.get(f"/api/v1/meetings/{meeting.pk}/")
    book = wsgi.get(f"/api/v1/books/{meeting.book.pk}/")

    assert shown.get_json()["online_link"] == "" and book.get_json()["cover_url"] == ""
    assert to_outsider.get_json()["online_link"] is None  # where the club meets is for members
    api_schema.assert_conforms("GET", "/api/v1/meetings/{id}/", shown, 200)
    api_schema.assert_conforms("GET", "/api/v1/meetings/{id}/", to_outsider, 200)
    api_schema.assert_conforms("GET", "/api/v1/books/{id}/", book, 200)


def test_me_without_an_avatar_matches_the_schema(wsgi, api_schema, user):
    me = wsgi.get("/api/v1/me/", headers=bearer(wsgi, user))

    assert me.get_json()["avatar_url"] is None
    api_schema.assert_conforms("GET", "/api/v1/me/", me, 200)


def test_a_check_in_refused_per_list_item_matches_the_error_schema(wsgi, api_schema, cast):
    started = MeetingFactory(club=cast.club, starts_at=timezone.now() - timedelta(minutes=5))

    refused = wsgi.post(
        f"/api/v1/meetings/{started.pk}/check-in/",
        json={"usernames": ["x" * 151]},
        headers=bearer(wsgi, cast.owner),
    )

    assert refused.get_json()["errors"] == {
        "usernames": {"0": ["Ensure this field has no more than 150 characters."]}
    }
    api_schema.assert_conforms("POST", "/api/v1/meetings/{id}/check-in/", refused, 400)


def test_errors_any_operation_can_answer_are_documented(wsgi, api_schema, user):
    past_the_last_page = wsgi.get("/api/v1/clubs/?page=9")
    bad_token = wsgi.get("/api/v1/clubs/", headers={"Authorization": "Bearer not-a-token"})
    anonymous_me = wsgi.get("/api/v1/me/")
    no_title = wsgi.post("/api/v1/books/", json={"authors": ["A"]}, headers=bearer(wsgi, user))
    unknown_book = wsgi.get("/api/v1/books/999999/")

    assert past_the_last_page.get_json() == {"detail": "Invalid page.", "code": "not_found"}
    api_schema.assert_conforms("GET", "/api/v1/clubs/", past_the_last_page, 404)
    api_schema.assert_conforms("GET", "/api/v1/clubs/", bad_token, 401)
    api_schema.assert_conforms("GET", "/api/v1/me/", anonymous_me, 401)
    api_schema.assert_conforms("POST", "/api/v1/books/", no_title, 400)
    api_schema.assert_conforms("GET", "/api/v1/books/{id}/", unknown_book, 404)


def test_every_operation_documents_the_errors_it_can_always_answer(raw_schema):
    schema = json.loads(json.dumps(raw_schema, cls=JSONEncoder))
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses, label = operation["responses"], f"{method.upper()} {path}"
            # Any call with an expired or invalid token answers 401, public reads included.
            assert "401" in responses, label
            if "{" in path:
                assert "404" in responses, label
            if "requestBody" in operation:
                assert "400" in responses, label
            for code, response in responses.items():
                if code >= "400":  # every error says what it means, as {"detail", "code"} (or more)
                    assert response["description"], (label, code)
                    reference = response["content"]["application/json"]["schema"]["$ref"]
                    error = schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]
                    assert {"detail", "code"} <= set(error["required"]), (label, code)


def test_progress_on_a_cancelled_meeting_is_a_409_without_current_as_documented(
    wsgi, api_schema, cast, meeting
):
    """409 is stale_version (with `current`) or not_scheduled (without): `current` is optional."""
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)

    refused = wsgi.put(
        f"/api/v1/meetings/{meeting.pk}/progress/",
        json={"current_page": 3},
        headers=bearer(wsgi, cast.member),
    )

    assert refused.get_json()["code"] == "not_scheduled" and "current" not in refused.get_json()
    api_schema.assert_conforms("PUT", "/api/v1/meetings/{id}/progress/", refused, 409)
