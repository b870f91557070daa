"""The home page as clubs show up on it: the dashboard for members, featured clubs for visitors."""

import pytest

from clubs.models import Role, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def test_dashboard_lists_my_clubs_with_my_role(client):
    reader = UserFactory()
    add_member(ClubFactory(name="Porto Poets"), reader, role=Role.MODERATOR)
    add_member(ClubFactory(name="Secret Attic", visibility=Visibility.PRIVATE), reader)
    ClubFactory(name="Not Mine")
    client.force_login(reader)

    response = client.get("/")

    assert "Porto Poets" in response.text and "Secret Attic" in response.text
    assert "Not Mine" not in response.text
    assert 'class="badge moderator">Moderator' in response.text
    assert 'class="badge private">Private' in response.text


def test_dashboard_without_clubs_points_to_the_directory(client, user):
    client.force_login(user)
    response = client.get("/")
    assert "You are not in any club yet." in response.text
    assert 'href="/clubs/"' in response.text and 'href="/clubs/new/"' in response.text


def test_a_new_user_is_welcomed_not_welcomed_back(client):
    newcomer = UserFactory(display_name="Maya Reis")
    client.force_login(newcomer)
    first = client.get("/")
    assert "Welcome, Maya Reis" in first.text and "Welcome back" not in first.text

    add_member(ClubFactory(name="Porto Poets"), newcomer)
    assert "Welcome back, Maya Reis" in client.get("/").text


def test_landing_page_features_public_clubs_only(client):
    ClubFactory(name="Porto Poets")
    ClubFactory(name="Secret Attic", visibility=Visibility.PRIVATE)
    response = client.get("/")
    assert "Porto Poets" in response.text
    assert "Secret Attic" not in response.text
    assert "1 member" in response.text
