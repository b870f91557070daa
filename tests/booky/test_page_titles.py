"""Every leaderboard view and search result page has its own <title>; an htmx swap brings its title along
(htmx sets the tab's title from a <title> at the top of the fragment)."""

import re
from html import unescape

import pytest

from tests.factories import ClubFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _title(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1])


def test_each_leaderboard_view_has_its_own_title(client, user):
    club = ClubFactory(name="Lisbon Readers")
    add_member(club, user)
    client.force_login(user)
    assert _title(client.get("/leaderboards/")) == "Everyone's leaderboard · Booky"
    assert _title(client.get("/leaderboards/friends/")) == "Friends leaderboard · Booky"
    assert _title(client.get("/leaderboards/clubs/")) == "Clubs leaderboard · Booky"
    assert _title(client.get(f"/leaderboards/club-{club.slug}/")) == "Lisbon Readers leaderboard · Booky"
    assert _title(client.get("/leaderboards/?period=30d")) == "Everyone's leaderboard · last 30 days · Booky"


def test_a_leaderboard_swap_carries_its_title(client, user):
    client.force_login(user)
    fragment = client.get("/leaderboards/friends/?period=30d", headers=HX).content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith("<title>Friends leaderboard · last 30 days · Booky</title>")


def test_the_full_leaderboard_page_has_one_title(client, user):
    client.force_login(user)
    assert client.get("/leaderboards/").content.decode().count("<title>") == 1


def test_search_result_pages_name_the_search(client, user):
    assert _title(client.get("/books/", {"q": "dune"})) == "Books matching “dune” · Booky"
    assert _title(client.get("/clubs/", {"q": "lisbon"})) == "Clubs matching “lisbon” · Booky"
    client.force_login(user)
    assert _title(client.get("/friends/", {"q": "bruno"})) == "People matching “bruno” · Friends · Booky"


def test_search_swaps_carry_their_title(client, user):
    assert _title(client.get("/clubs/", {"q": "lisbon"}, headers=HX)) == "Clubs matching “lisbon” · Booky"
    assert _title(client.get("/books/", {"q": "dune"}, headers=HX)) == "Books matching “dune” · Booky"
    client.force_login(user)
    people = client.get("/friends/", {"q": "bruno"}, headers={**HX, "HX-Target": "people-results"})
    assert _title(people) == "People matching “bruno” · Friends · Booky"
