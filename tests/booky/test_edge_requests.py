"""Requests that once produced server errors, now answered with a clear 4xx or a safe redirect."""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_a_malformed_next_address_is_ignored(client, path):
    assert client.get(path, {"next": "http://[::1"}).status_code == 200


def test_a_relative_next_after_a_profile_action_goes_to_the_profile(client):
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    client.force_login(ana)
    response = client.post(f"/u/{ben.username}/add/", {"view": "row", "next": "abc"})
    assert response.status_code == 302
    assert not response["Location"].startswith("abc")


def test_a_missing_csrf_token_gets_a_clear_page_and_json_for_the_api(db):
    browser = Client(enforce_csrf_checks=True)
    user = UserFactory()
    browser.force_login(user)
    page = browser.post("/clubs/new/", {"name": "No token"})
    assert page.status_code == 403
    assert "Reload the page and try again" in page.text
    api = browser.post("/api/v1/clubs/", {"name": "No token"}, content_type="application/json")
    assert api.status_code == 403
    assert set(api.json()) >= {"detail", "code"}


def test_the_friends_leaderboard_asks_visitors_to_log_in(client):
    response = client.get("/leaderboards/friends/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
