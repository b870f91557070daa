"""Bodies no view can read correctly (JSON nested 20,000 deep, form data that is not valid UTF-8) are
answered 400 with a clear message, never a 500 or a silently mangled save."""

import io

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from booky.core.parsers import JSONParser
from booky.core.request_bodies import MAX_JSON_DEPTH, json_nesting_depth
from clubs.models import Club
from social.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 20_000 + "]" * 20_000
DEEP_OBJECT = '{"a":' * 20_000 + "1" + "}" * 20_000
BOUNDARY = "BoUnDaRy"


@pytest.fixture
def api_member():
    client = APIClient()
    user = UserFactory()
    client.force_authenticate(user)
    return client, user


@pytest.mark.parametrize("body", [DEEP_JSON, DEEP_OBJECT])
def test_deeply_nested_json_to_the_api_is_a_400_with_a_json_error(api_member, body):
    client, _user = api_member
    response = client.generic("POST", "/api/v1/clubs/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "nested too deeply" in response.json()["detail"]
    assert not Club.objects.exists()


def test_deeply_nested_json_in_a_patch_is_a_400(api_member):
    client, _user = api_member
    response = client.generic("PATCH", "/api/v1/me/", DEEP_JSON, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) >= {"detail", "code"}


@pytest.mark.parametrize(
    "path",
    ["/_allauth/app/v1/auth/login", "/_allauth/app/v1/auth/signup", "/_allauth/app/v1/auth/password/request"],
)
@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "application/x-www-form-urlencoded"]
)
def test_deeply_nested_json_to_allauth_headless_is_a_400(client, path, content_type):
    """allauth parses the body as JSON whatever the content type says."""
    response = client.generic("POST", path, DEEP_OBJECT, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_ordinary_json_still_reaches_allauth_and_the_api(client, api_member):
    UserFactory(username="ada", password="correct horse battery")
    login = client.post(
        "/_allauth/app/v1/auth/login",
        {"username": "ada", "password": "correct horse battery"},
        content_type="application/json",
    )
    assert login.status_code == 200, login.content
    api, _user = api_member
    nested = {"name": "Nested but fine", "description": "[[[{{{ brackets in a string do not count"}
    assert api.post("/api/v1/clubs/", nested, format="json").status_code == 201


def test_the_json_parser_turns_a_recursion_error_into_a_parse_error():
    """The API's parser stands on its own too, for a body that reaches it some other way."""
    with pytest.raises(ParseError, match="nested too deeply"):
        JSONParser().parse(io.BytesIO(DEEP_JSON.encode()), "application/json", {})


def test_nesting_depth_ignores_brackets_in_strings_and_stops_early():
    assert json_nesting_depth(b'{"a": [1, {"b": "]]]{{{"}]}') == 3
    assert json_nesting_depth(b'"an unterminated \\" string [[[') == 3  # not JSON; json.loads refuses it
    assert json_nesting_depth(DEEP_JSON.encode()) == MAX_JSON_DEPTH + 1


# --- form bodies that are not valid UTF-8 -----------------------------------------------------------


def _multipart(fields: dict[str, bytes]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in fields.items()
    ]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def test_an_urlencoded_form_with_invalid_utf8_is_a_400_and_saves_nothing(client):
    user = UserFactory(display_name="Ada")
    client.force_login(user)
    body = "display_name=Ad%FF%FEa&timezone=UTC&bio="
    response = client.generic("POST", "/settings/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "The form data is not valid UTF-8 text." in response.text  # the site's 400 page
    assert User.objects.get(pk=user.pk).display_name == "Ada"


def test_a_multipart_form_with_invalid_utf8_is_a_400_and_saves_nothing(client):
    user = UserFactory(display_name="Ada")
    client.force_login(user)
    body = _multipart({"display_name": b"Ad\xff\xfea", "timezone": b"UTC", "bio": b""})
    response = client.generic(
        "POST", "/settings/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).display_name == "Ada"


def test_invalid_utf8_in_a_form_body_to_the_api_is_a_json_400(api_member):
    client, _user = api_member
    response = client.generic(
        "POST", "/api/v1/clubs/", "name=Caf%E9", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_encoding"
    assert not Club.objects.exists()


def test_valid_utf8_forms_still_save(client):
    user = UserFactory()
    client.force_login(user)
    client.generic(
        "POST",
        "/settings/",
        "display_name=Caf%C3%A9+%F0%9F%93%9A&timezone=UTC",
        content_type="application/x-www-form-urlencoded",
    )
    assert User.objects.get(pk=user.pk).display_name == "Café 📚"
    body = _multipart({"display_name": "Zoë".encode(), "timezone": b"UTC"})
    client.generic("POST", "/settings/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert User.objects.get(pk=user.pk).display_name == "Zoë"
