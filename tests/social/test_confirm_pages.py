"""Unfriend and block ask first without JavaScript: the button's GET form lands on a page that asks
"Unfriend Bruno?", whose POST does it; with JavaScript, htmx asks in a dialog and posts at once."""

import pytest
from django.utils import timezone

from social.models import Block, ProfileVisibility
from social.relationships import are_friends
from tests.confirm_pages import confirmation, form_with_button
from tests.factories import UserFactory
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = UserFactory(username="mia", display_name="Mia Me")
    client.force_login(user)
    return user


@pytest.fixture
def bruno():
    return UserFactory(username="bruno", display_name="Bruno Brandão")


def test_unfriending_from_the_profile_without_javascript_asks_first_then_unfriends(client, me, bruno):
    befriend(me, bruno)
    form = form_with_button(client.get("/u/bruno/").text, "Unfriend")
    assert form.method == "get" and form.action == "/u/bruno/unfriend/"
    assert 'data-hx-confirm="Stop being friends with Bruno Brandão?"' in form.attributes

    asked = client.get(form.action, form.fields)

    assert asked.status_code == 200
    page = confirmation(asked)
    assert page.question == "Unfriend Bruno Brandão?"
    assert page.button == "Unfriend Bruno Brandão"
    assert are_friends(me, bruno), "asking changed something"

    done = client.post(page.action, page.fields, follow=True)

    assert not are_friends(me, bruno)
    assert "You and Bruno Brandão are no longer friends." in done.text


def test_unfriending_from_the_friends_list_comes_back_to_the_list(client, me, bruno):
    befriend(me, bruno)
    form = form_with_button(client.get("/friends/").text, "Unfriend")
    assert form.fields == {"view": "lists", "next": "/friends/"}

    page = confirmation(client.get(form.action, form.fields))
    assert page.cancel_url == "/friends/"
    assert page.fields == {"view": "lists", "next": "/friends/"}

    done = client.post(page.action, page.fields)
    assert done.status_code == 302 and done["Location"] == "/friends/"
    assert not are_friends(me, bruno)


def test_cancelling_the_unfriend_page_keeps_the_friendship(client, me, bruno):
    befriend(me, bruno)
    page = confirmation(client.get("/u/bruno/unfriend/"))
    assert page.cancel_url == "/u/bruno/"
    assert client.get(page.cancel_url).status_code == 200
    assert are_friends(me, bruno)


def test_the_unfriend_page_says_so_when_we_are_not_friends(client, me, bruno):
    response = client.get("/u/bruno/unfriend/")
    assert response.status_code == 409
    assert "You and Bruno Brandão are not friends." in response.text
    assert 'id="confirm-action"' not in response.text


def test_blocking_without_javascript_asks_first_then_blocks(client, me, bruno):
    befriend(me, bruno)
    form = form_with_button(client.get("/u/bruno/").text, "Block")
    assert form.method == "get" and form.action == "/u/bruno/block/"

    page = confirmation(client.get(form.action, form.fields))
    assert page.question == "Block Bruno Brandão?"
    assert not Block.objects.exists()
    assert client.get(page.cancel_url).status_code == 200
    assert not Block.objects.exists() and are_friends(me, bruno)

    client.post(page.action, page.fields)

    assert Block.objects.filter(blocker=me, blocked=bruno).exists()
    assert not are_friends(me, bruno)


def test_the_block_page_refuses_myself_and_someone_already_blocked(client, me, bruno):
    assert client.get("/u/mia/block/").status_code == 409
    Block.objects.create(blocker=me, blocked=bruno)
    response = client.get("/u/bruno/block/")
    assert response.status_code == 409 and "You have already blocked Bruno Brandão." in response.text


def test_a_hidden_profile_is_named_by_username_on_the_page(client, me):
    hidden = UserFactory(
        username="hidda", display_name="Hidden Name", profile_visibility=ProfileVisibility.PRIVATE
    )
    befriend(me, hidden)
    response = client.get("/u/hidda/unfriend/")
    assert confirmation(response).question == "Unfriend @hidda?"
    assert "Hidden Name" not in response.text
    assert confirmation(response).cancel_url == "/friends/"  # their profile would be a 404


@pytest.mark.parametrize("action", ["unfriend", "block"])
def test_anonymous_visitors_are_sent_to_log_in(client, bruno, action):
    response = client.get(f"/u/bruno/{action}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("action", ["unfriend", "block"])
def test_the_pages_of_an_unknown_or_deleted_member_are_404(client, me, action):
    UserFactory(username="gone", deleted_at=timezone.now(), is_active=False)
    assert client.get(f"/u/nobody/{action}/").status_code == 404
    assert client.get(f"/u/gone/{action}/").status_code == 404


@pytest.mark.parametrize("action", ["add", "cancel", "accept", "decline", "unblock"])
def test_actions_that_do_not_ask_still_refuse_get(client, me, bruno, action):
    assert client.get(f"/u/bruno/{action}/").status_code == 405
