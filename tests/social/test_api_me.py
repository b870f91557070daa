"""/api/v1/me/ with a session or with allauth headless JWTs, from sign-up to refresh."""

import pytest
from django.test import Client

from social.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
HEADLESS = "/_allauth/app/v1"


@pytest.fixture
def app_client():
    """A native app: no cookies carried between requests, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def headless_signup(client, **data):
    body = {"username": "ada", "email": "ada@example.com", "password": "a-long-secret-phrase", **data}
    return client.post(f"{HEADLESS}/auth/signup", body, content_type="application/json")


def test_headless_signup_returns_tokens_that_open_the_api(app_client):
    response = headless_signup(app_client)
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"]["user"]["username"] == "ada"
    meta = payload["meta"]
    assert meta["is_authenticated"] is True
    assert meta["access_token"] and meta["refresh_token"]

    me = Client().get(ME, headers=bearer(meta["access_token"]))
    assert me.status_code == 200
    assert me.json() | {"id": None, "date_joined": None} == {
        "id": None,
        "username": "ada",
        "email": "ada@example.com",
        "display_name": "",
        "bio": "",
        "timezone": "UTC",
        "profile_visibility": "public",
        "email_muted_kinds": [],
        "avatar_url": None,
        "date_joined": None,
    }


def test_headless_signup_with_an_email_taken_in_another_case_is_refused(app_client):
    UserFactory(username="first", email="Ada@Example.com")
    response = headless_signup(app_client, email="ada@example.com")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "A user is already registered with this email address."
    assert User.objects.count() == 1


def test_refreshed_access_token_works(app_client):
    meta = headless_signup(app_client).json()["meta"]
    response = Client().post(
        f"{HEADLESS}/tokens/refresh",
        {"refresh_token": meta["refresh_token"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    new_access = response.json()["data"]["access_token"]
    assert new_access and new_access != meta["access_token"]
    assert Client().get(ME, headers=bearer(new_access)).json()["username"] == "ada"


def test_a_forged_refresh_token_is_refused(app_client):
    response = app_client.post(
        f"{HEADLESS}/tokens/refresh", {"refresh_token": "not-a-token"}, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("login_field, value", [("username", "reader"), ("email", "reader@example.com")])
def test_headless_login_by_username_or_email_gives_a_working_access_token(app_client, login_field, value):
    UserFactory(username="reader", email="reader@example.com")
    response = app_client.post(
        f"{HEADLESS}/auth/login", {login_field: value, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    access = response.json()["meta"]["access_token"]
    assert Client().get(ME, headers=bearer(access)).json()["username"] == "reader"


def test_headless_login_with_a_wrong_password_is_refused(app_client):
    UserFactory(username="reader")
    response = app_client.post(
        f"{HEADLESS}/auth/login", {"username": "reader", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "access_token" not in response.json().get("meta", {})


@pytest.mark.parametrize(
    "headers", [{}, bearer("not.a.jwt"), bearer("")], ids=["anonymous", "bad-token", "empty"]
)
def test_without_valid_credentials_me_is_401_json(api_client, headers):
    response = api_client.get(ME, headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_login_works_for_me_including_the_browsable_api(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(ME).json()["username"] == user.username
    browsable = client.get(ME, headers={"Accept": "text/html"})
    assert browsable.status_code == 200
    assert user.username in browsable.content.decode()


def test_patch_with_a_token_updates_the_profile_through_the_service(app_client):
    access = headless_signup(app_client).json()["meta"]["access_token"]
    response = Client().patch(
        ME,
        {"display_name": " Ada L. ", "timezone": "Asia/Tokyo"},
        content_type="application/json",
        headers=bearer(access),
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Ada L."
    user = User.objects.get(username="ada")
    assert (user.display_name, user.bio, user.timezone) == ("Ada L.", "", "Asia/Tokyo")


def test_patch_with_a_session_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.patch(ME, {"bio": "Hello"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    user.refresh_from_db()
    assert user.bio == ""


def test_patch_with_a_session_and_csrf_token_works(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/settings/")
    token = client.cookies["csrftoken"].value
    response = client.patch(
        ME, {"bio": "Hello"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.bio == "Hello"


@pytest.mark.parametrize(
    "body, detail",
    [
        ({"timezone": "Mars/Base"}, "Choose a time zone from the list, e.g. Europe/Lisbon."),
        ({"display_name": "x" * 81}, "Display name can be at most 80 characters (it has 81)."),
        ({"bio": "Nul\x00"}, "bio: Null characters are not allowed."),
        ({"display_name": ["Ada"]}, "display_name: Not a valid string."),
    ],
)
def test_invalid_patch_is_400_json_and_changes_nothing(api_client, user, body, detail):
    api_client.force_authenticate(user)
    response = api_client.patch(ME, body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == detail
    before = (user.display_name, user.bio, user.timezone)
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.timezone) == before


def test_put_and_delete_are_not_allowed(api_client, user):
    api_client.force_authenticate(user)
    assert api_client.put(ME, {}, format="json").status_code == 405
    assert api_client.delete(ME).status_code == 405
    assert User.objects.filter(pk=user.pk).exists()


def test_email_preferences_change_through_me(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.patch("/api/v1/me/", {"email_muted_kinds": ["meeting_reminder"]}, format="json")
    assert response.status_code == 200
    assert response.json()["email_muted_kinds"] == ["meeting_reminder"]
    user.refresh_from_db()
    assert user.email_muted_kinds == ["meeting_reminder"]
    bad = api_client.patch("/api/v1/me/", {"email_muted_kinds": ["spam"]}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    user.refresh_from_db()
    assert user.email_muted_kinds == ["meeting_reminder"]
