"""After a row's action on the friends page, every list on it agrees: an accepted request leaves
"Requests for you" and the person shows under "Your friends" in the same response."""

import re

import pytest

from social import friends
from social.relationships import are_friends
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def me(client):
    user = UserFactory(username="me", display_name="Mia Me")
    client.force_login(user)
    return user


def _section(html: str, heading_id: str) -> str:
    """The HTML of one <section> of the lists, by its heading's id."""
    match = re.search(rf'<section aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, heading_id
    return match.group(0)


def test_rows_in_the_lists_act_on_the_whole_lists_region(client, me):
    friends.friend_request_send(sender=UserFactory(username="ivan"), to_user=me)
    page = client.get("/friends/").text
    incoming = _section(page, "incoming-heading")
    assert 'data-hx-target="#friends-lists"' in incoming and 'name="view" value="lists"' in incoming


def test_accepting_moves_the_person_to_your_friends_in_one_response(client, me):
    ivan = UserFactory(username="ivan", display_name="Ivan Ivanov")
    friends.friend_request_send(sender=ivan, to_user=me)
    response = client.post("/u/ivan/accept/", {"view": "lists", "next": "/friends/"}, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    assert html.lstrip().startswith('<div class="friends-main" id="friends-lists"')
    assert "You and Ivan Ivanov are now friends." in html
    assert 'id="incoming-heading"' not in html  # no request left for me
    mine = _section(html, "friends-heading")
    assert "Ivan Ivanov" in mine and "(1)" in mine and "Unfriend" in mine
    assert are_friends(me, ivan)


def test_a_failed_action_in_the_lists_says_why_and_changes_nothing(client, me):
    UserFactory(username="ivan", display_name="Ivan Ivanov")
    response = client.post("/u/ivan/accept/", {"view": "lists", "next": "/friends/"}, headers=HTMX)
    assert response.status_code == 409
    assert "no pending friend request" in response.text
    assert 'id="friends-lists"' in response.text


def test_accepting_from_a_search_result_updates_the_lists_out_of_band(client, me):
    ivan = UserFactory(username="ivan", display_name="Ivan Ivanov")
    friends.friend_request_send(sender=ivan, to_user=me)
    response = client.post("/u/ivan/accept/", {"view": "row", "next": "/friends/?q=ivan"}, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith(f'<li id="person-{ivan.pk}" class="person-row"')
    assert '<div class="friends-main" id="friends-lists" data-hx-swap-oob="true">' in html
    lists = html[html.index('id="friends-lists"') :]
    assert "Ivan Ivanov" in _section(lists, "friends-heading")
    assert lists.count("You and Ivan Ivanov are now friends.") == 0  # the message stays on the row


def test_the_lists_keep_the_friends_page_the_row_was_on(client, me, monkeypatch):
    monkeypatch.setattr("social.views.FRIENDS_PER_PAGE", 2)
    for number in range(3):
        friend = UserFactory(username=f"friend{number:02}")
        friends.friend_request_send(sender=friend, to_user=me)
        friends.friend_request_accept(user=me, friend_request=friend.friend_requests_sent.get())
    friends.friend_request_send(sender=UserFactory(username="ivan"), to_user=me)
    response = client.post("/u/ivan/accept/", {"view": "lists", "next": "/friends/?page=2"}, headers=HTMX)
    assert 'aria-current="page" aria-label="Page 2, current page"' in response.text
    assert 'href="/friends/?page=1"' in response.text  # page links point at the friends page, not here


def test_without_javascript_a_lists_row_goes_back_to_the_friends_page(client, me):
    friends.friend_request_send(sender=UserFactory(username="ivan"), to_user=me)
    response = client.post("/u/ivan/accept/", {"view": "lists", "next": "/friends/?page=1"})
    assert response.status_code == 302 and response.url == "/friends/?page=1"
