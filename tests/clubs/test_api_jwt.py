"""A mobile app signs in through allauth's headless API and uses the clubs API with a JWT."""

import pytest

from clubs.models import Club, Role
from tests.factories import PASSWORD, ClubFactory, UserFactory

pytestmark = pytest.mark.django_db


def access_token(api_client, user) -> str:
    response = api_client.post(
        "/_allauth/app/v1/auth/login", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["access_token"]


def test_a_bearer_token_from_the_app_login_authenticates_api_calls(api_client):
    reader = UserFactory()
    ClubFactory(name="Existing", owner=reader)
    token = access_token(api_client, reader)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    listed = api_client.get("/api/v1/clubs/")
    created = api_client.post("/api/v1/clubs/", {"name": "Made On The Phone"}, format="json")

    assert listed.json()["results"][0]["my_role"] == "owner"
    assert created.status_code == 201
    assert created.json()["my_role"] == "owner"
    club = Club.objects.get(name="Made On The Phone")
    assert club.memberships.get().user == reader
    assert club.memberships.get().role == Role.OWNER


def test_without_the_token_the_same_write_is_401(api_client):
    response = api_client.post("/api/v1/clubs/", {"name": "Made On The Phone"}, format="json")
    assert response.status_code == 401
    assert not Club.objects.exists()
