"""Buttons name their object for screen readers ("Unfriend Bruno", "Accept Bruno's request") while the
visible text stays short: the name is the visible text plus visually hidden words, so it contains it."""

import re
from html import unescape

import pytest

from clubs.models import JoinPolicy, JoinRequest, Role
from social import friends
from tests.factories import ClubFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


def button_names(html: str) -> list[str]:
    """The accessible names of the page's buttons: their text, tags (the hidden spans) dropped."""
    names = []
    for match in re.finditer(r"<button\b[^>]*>(.*?)</button>", html, re.S):
        names.append(" ".join(unescape(re.sub(r"<[^>]+>", "", match[1])).split()))
    return names


@pytest.fixture
def bruno():
    return UserFactory(username="bruno", display_name="Bruno")


def test_friend_buttons_name_the_person(client, bruno):
    me = UserFactory()
    friends.friend_request_send(sender=bruno, to_user=me)
    client.force_login(me)
    names = button_names(client.get("/friends/").text)
    assert "Accept Bruno's request" in names and "Decline Bruno's request" in names

    befriend(me, UserFactory(username="carla", display_name="Carla"))
    names = button_names(client.get("/friends/").text)
    assert "Unfriend Carla" in names
    assert "Unfriend Carla" in button_names(client.get("/u/carla/").text)
    assert "Block Carla" in button_names(client.get("/u/carla/").text)
    assert "Add friend Bruno" not in names  # a pending request shows Accept, not Add
    assert "Add friend Dora" in button_names(
        client.get(f"/u/{UserFactory(username='dora', display_name='Dora').username}/").text
    )


def test_member_and_request_buttons_name_the_person(client, bruno):
    club = ClubFactory(join_policy=JoinPolicy.APPROVAL)
    owner = club.memberships.get().user
    add_member(club, bruno)
    add_member(club, UserFactory(display_name="Mo"), role=Role.MODERATOR)
    JoinRequest.objects.create(club=club, user=UserFactory(display_name="Rita"))
    client.force_login(owner)

    members = button_names(client.get(f"/clubs/{club.slug}/members/").text)
    assert "Remove Bruno" in members and "Make moderator Bruno" in members and "Make member Mo" in members
    requests = button_names(client.get(f"/clubs/{club.slug}/requests/").text)
    assert "Approve Rita's request" in requests and "Decline Rita's request" in requests


def test_the_visible_text_stays_short(client, bruno):
    me = UserFactory()
    befriend(me, bruno)
    client.force_login(me)
    html = client.get("/friends/").text
    assert 'class="secondary outline">Unfriend<span class="visually-hidden"> Bruno</span></button>' in html
