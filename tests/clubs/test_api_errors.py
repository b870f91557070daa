"""Bad requests to the clubs API get the right status, a JSON {"detail", "code"} body, and change nothing."""

from contextlib import contextmanager

import pytest

from clubs.models import Club, JoinRequest, JoinRequestStatus, Membership, Role
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

CLUBS = "/api/v1/clubs/"


def club_url(club, suffix: str = "") -> str:
    return f"{CLUBS}{club.slug}/{suffix}"


def _rows() -> tuple:
    return tuple(list(model.objects.order_by("pk").values()) for model in (Club, Membership, JoinRequest))


@contextmanager
def nothing_changes():
    before = _rows()
    yield
    assert _rows() == before


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code:
        assert body["code"] == code
    return body


# Creating ------------------------------------------------------------------------------------------

INVALID_CLUBS = {
    "missing-name": {"city": "Porto"},
    "empty-name": {"name": ""},
    "blank-name": {"name": "   "},
    "overlong-name": {"name": "x" * 81},
    "nul-in-name": {"name": "Nul\x00Club"},
    "nul-in-description": {"name": "Fine", "description": "a\x00b"},
    "nul-in-city": {"name": "Fine", "city": "\x00"},
    "overlong-description": {"name": "Fine", "description": "x" * 4001},
    "unknown-visibility": {"name": "Fine", "visibility": "secret"},
    "unknown-join-policy": {"name": "Fine", "join_policy": "sometimes"},
    "null-name": {"name": None},
    "list-as-name": {"name": ["Fine"]},
}


@pytest.mark.parametrize("payload", INVALID_CLUBS.values(), ids=INVALID_CLUBS.keys())
def test_invalid_new_clubs_are_refused_with_400(api_client, user, payload):
    api_client.force_authenticate(user)
    with nothing_changes():
        body = assert_error(api_client.post(CLUBS, payload, format="json"), 400, "invalid")
    assert body["errors"]


def test_the_validation_message_names_the_field(api_client, user):
    api_client.force_authenticate(user)
    body = assert_error(api_client.post(CLUBS, {"name": "x" * 81}, format="json"), 400)
    assert body["detail"] == "name: Ensure this field has no more than 80 characters."
    assert set(body["errors"]) == {"name"}


def test_an_overlong_name_of_exactly_80_characters_is_fine(api_client, user):
    api_client.force_authenticate(user)
    assert api_client.post(CLUBS, {"name": "x" * 80}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"name": "Broken', "application/json", 400, "parse_error"),
        ("[]", "application/json", 400, "invalid"),
        ('"just a string"', "application/json", 400, "invalid"),
        ("name=Plain text", "text/plain", 415, "unsupported_media_type"),
        ("<club><name>X</name></club>", "application/xml", 415, "unsupported_media_type"),
    ],
    ids=["malformed-json", "json-list", "json-string", "text-plain", "xml"],
)
def test_unreadable_bodies_are_refused(api_client, user, body, content_type, status, code):
    api_client.force_authenticate(user)
    with nothing_changes():
        assert_error(api_client.post(CLUBS, body, content_type=content_type), status, code)


def test_multipart_bodies_are_refused_with_415(api_client, user):
    api_client.force_authenticate(user)
    with nothing_changes():
        assert_error(api_client.post(CLUBS, {"name": "Multipart"}, format="multipart"), 415)


def test_anonymous_cannot_create_and_is_told_to_authenticate(api_client, db):
    with nothing_changes():
        response = api_client.post(CLUBS, {"name": "Sneaky"}, format="json")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_bad_bearer_token_is_401(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    with nothing_changes():
        response = api_client.post(CLUBS, {"name": "Sneaky"}, format="json")
    assert_error(response, 401)
    assert "WWW-Authenticate" in response


# Editing -------------------------------------------------------------------------------------------

INVALID_EDITS = {
    "empty-name": {"name": ""},
    "overlong-name": {"name": "x" * 81},
    "nul-in-name": {"name": "a\x00"},
    "unknown-visibility": {"visibility": "nope"},
    "unknown-join-policy": {"join_policy": 3},
    "overlong-country": {"country": "x" * 81},
}


@pytest.mark.parametrize("payload", INVALID_EDITS.values(), ids=INVALID_EDITS.keys())
def test_invalid_edits_are_refused_with_400(api_client, cast, payload):
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        assert_error(api_client.patch(club_url(cast.club), payload, format="json"), 400, "invalid")


def test_put_is_not_offered(api_client, cast):
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        assert_error(api_client.put(club_url(cast.club), {"name": "Whole"}, format="json"), 405)


# Conflicts -----------------------------------------------------------------------------------------


def test_joining_twice_is_a_conflict(api_client, cast):
    api_client.force_authenticate(cast.member)
    with nothing_changes():
        assert_error(api_client.post(club_url(cast.club, "join/"), format="json"), 409, "already_member")


def test_asking_twice_is_a_conflict(api_client, cast):
    cast.club.join_policy = "approval"
    cast.club.save()
    api_client.force_authenticate(cast.requester)
    with nothing_changes():
        assert_error(api_client.post(club_url(cast.club, "join/"), format="json"), 409, "already_requested")


def test_the_owner_cannot_leave(api_client, cast):
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        body = assert_error(api_client.post(club_url(cast.club, "leave/")), 409, "owner_cannot_leave")
    assert "transfer ownership" in body["detail"]


def test_leaving_a_club_i_am_not_in_is_a_conflict(api_client, cast):
    api_client.force_authenticate(cast.outsider)
    with nothing_changes():
        assert_error(api_client.post(club_url(cast.club, "leave/")), 409, "not_member")


def test_withdrawing_a_request_i_never_made_is_a_conflict(api_client, cast):
    api_client.force_authenticate(cast.outsider)
    with nothing_changes():
        assert_error(api_client.delete(club_url(cast.club, "join-request/")), 409, "no_pending_request")


@pytest.mark.parametrize(
    ("target", "role", "code"),
    [("owner", "member", "owner_cannot_be_demoted"), ("member", "owner", "use_transfer")],
    ids=["demote-owner", "promote-to-owner"],
)
def test_the_owner_role_changes_only_by_transfer(api_client, cast, target, role, code):
    api_client.force_authenticate(cast.owner)
    path = club_url(cast.club, f"members/{cast.user_for(target).username}/")
    with nothing_changes():
        assert_error(api_client.patch(path, {"role": role}, format="json"), 409, code)


def test_the_owner_cannot_be_removed(api_client, cast):
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        response = api_client.delete(club_url(cast.club, f"members/{cast.owner.username}/"))
    assert_error(response, 409, "owner_cannot_be_removed")


@pytest.mark.parametrize(
    ("username", "code"),
    [("outsider", "not_member"), ("nobody-at-all", "not_member"), ("owner", "already_owner")],
)
def test_ownership_goes_only_to_another_member(api_client, cast, username, code):
    if username in ("outsider", "owner"):
        username = cast.user_for(username).username
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        response = api_client.post(club_url(cast.club, "transfer/"), {"username": username}, format="json")
    assert_error(response, 409, code)


def test_a_request_is_decided_only_once(api_client, cast):
    join_request = JoinRequest.objects.get(user=cast.requester)
    api_client.force_authenticate(cast.owner)
    assert (
        api_client.post(club_url(cast.club, f"join-requests/{join_request.pk}/approve/")).status_code == 200
    )
    with nothing_changes():
        response = api_client.post(club_url(cast.club, f"join-requests/{join_request.pk}/decline/"))
    assert_error(response, 409, "already_decided")
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.APPROVED


# Other bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [{}, {"role": "admin"}, {"role": ""}, {"role": None}],
    ids=["missing", "unknown", "empty", "null"],
)
def test_an_unknown_role_is_refused(api_client, cast, payload):
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        response = api_client.patch(
            club_url(cast.club, f"members/{cast.member.username}/"), payload, format="json"
        )
    assert_error(response, 400, "invalid")


@pytest.mark.parametrize(
    "payload", [{}, {"username": ""}, {"username": "a\x00b"}], ids=["missing", "empty", "nul"]
)
def test_a_transfer_needs_a_username(api_client, cast, payload):
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        assert_error(
            api_client.post(club_url(cast.club, "transfer/"), payload, format="json"), 400, "invalid"
        )


@pytest.mark.parametrize("code", ["", "a\x00b", "x" * 65], ids=["empty", "nul", "overlong"])
def test_a_malformed_invite_code_is_refused(api_client, cast, code):
    api_client.force_authenticate(cast.outsider)
    with nothing_changes():
        assert_error(api_client.post(club_url(cast.club, "join/"), {"invite_code": code}, format="json"), 400)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("", {"search": "a\x00b"}),
        ("", {"search": "x" * 101}),
        ("{slug}/members/", {"search": "\x00"}),
        ("{slug}/join-requests/", {"status": "maybe"}),
        ("{slug}/join-requests/", {"search": "\x00"}),
    ],
    ids=[
        "club-search-nul",
        "club-search-overlong",
        "member-search-nul",
        "unknown-status",
        "request-search-nul",
    ],
)
def test_bad_query_parameters_are_400(api_client, cast, path, params):
    api_client.force_authenticate(cast.owner)
    assert_error(api_client.get(CLUBS + path.format(slug=cast.club.slug), params), 400, "invalid")


@pytest.mark.parametrize(
    "path",
    [
        "no-such-club/",
        "no-such-club/members/",
        "{slug}/members/nobody/",
        "{slug}/join-requests/abc/approve/",
        "{slug}/join-requests/999999/approve/",
        "{slug}/nonsense/",
        "bad%00slug/",
    ],
)
def test_unknown_things_are_json_404s(api_client, cast, path):
    api_client.force_authenticate(cast.owner)
    path = CLUBS + path.format(slug=cast.club.slug)
    with nothing_changes():
        response = api_client.post(path) if path.endswith("approve/") else api_client.get(path)
    assert_error(response, 404, "not_found")


def test_a_member_of_another_club_is_not_found_here(api_client, cast):
    stranger = add_member(ClubFactory()).user
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        response = api_client.patch(
            club_url(cast.club, f"members/{stranger.username}/"), {"role": "moderator"}, format="json"
        )
    assert_error(response, 404)
    assert Membership.objects.get(user=stranger).role == Role.MEMBER


def test_a_request_to_another_club_cannot_be_decided_here(api_client, cast):
    elsewhere = JoinRequest.objects.create(club=ClubFactory(), user=UserFactory())
    api_client.force_authenticate(cast.owner)
    with nothing_changes():
        response = api_client.post(club_url(cast.club, f"join-requests/{elsewhere.pk}/approve/"))
    assert_error(response, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", ""),
        ("post", "join/"),
        ("post", "transfer/"),
        ("patch", "members/{member}/"),
    ],
)
@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [('{"role": ', "application/json", 400), ("role=member", "text/plain", 415)],
    ids=["malformed-json", "text-plain"],
)
def test_every_write_that_reads_a_body_refuses_unreadable_ones(
    api_client, cast, method, path, body, content_type, status
):
    api_client.force_authenticate(cast.owner)
    url = club_url(cast.club, path.format(member=cast.member.username))
    with nothing_changes():
        assert_error(getattr(api_client, method)(url, body, content_type=content_type), status)


@pytest.mark.parametrize(
    "path",
    ["", "{slug}/", "{slug}/join/", "{slug}/members/", "{slug}/members/{member}/", "{slug}/join-requests/"],
)
@pytest.mark.parametrize("role", ["owner", "anonymous"])
def test_options_and_head_requests_answer_without_errors(api_client, cast, path, role):
    if role == "owner":
        api_client.force_authenticate(cast.owner)
    url = CLUBS + path.format(slug=cast.club.slug, member=cast.member.username)
    needs_login = role == "anonymous" and path.endswith("join-requests/")
    assert api_client.options(url).status_code == (401 if needs_login else 200)
    expected_head = 401 if needs_login else 405 if path.endswith("join/") else 200
    assert api_client.head(url).status_code == expected_head
