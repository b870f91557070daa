"""Leave the club, remove a member, reset the invite link: without JavaScript each asks on a page first.

The button's form is a GET to the action's URL, which answers "Leave Book Club 1?" with a POST form;
with JavaScript, htmx asks in a dialog (`data-hx-confirm`) and posts straight away."""

import pytest

from clubs.models import Club, Membership, Visibility
from tests.confirm_pages import confirmation, form_with_button
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _login(client, cast, role):
    user = cast.user_for(role)
    if user is not None:
        client.force_login(user)
    return user


def _membership(cast, role) -> Membership:
    return Membership.objects.get(club=cast.club, user=cast.user_for(role))


def _is_member(cast, user) -> bool:
    return Membership.objects.filter(club=cast.club, user=user).exists()


# --- leave -------------------------------------------------------------------------------------------


def test_leaving_without_javascript_asks_first_then_leaves(client, cast):
    client.force_login(cast.member)
    club_page = client.get(cast.club.get_absolute_url()).text
    form = form_with_button(club_page, "Leave club")
    assert form.method == "get" and form.action == f"/clubs/{cast.club.slug}/leave/"
    assert f'data-hx-confirm="Leave {cast.club.name}?"' in form.attributes  # with JavaScript: the dialog

    asked = client.get(form.action, form.fields)

    assert asked.status_code == 200
    page = confirmation(asked)
    assert page.question == f"Leave {cast.club.name}?"
    assert page.button == "Leave club"
    assert "upcoming meetings" in asked.text
    assert _is_member(cast, cast.member), "asking changed something"

    done = client.post(page.action, page.fields, follow=True)

    assert not _is_member(cast, cast.member)
    assert f"You left {cast.club.name}." in done.text


def test_cancelling_the_leave_page_keeps_the_membership(client, cast):
    client.force_login(cast.member)
    page = confirmation(client.get(f"/clubs/{cast.club.slug}/leave/"))
    assert page.cancel_url == cast.club.get_absolute_url()

    back = client.get(page.cancel_url)

    assert back.status_code == 200 and "You are a member of this club." in back.text
    assert _is_member(cast, cast.member)


LEAVE_PAGE = {
    "owner": 403,
    "moderator": 200,
    "member": 200,
    "requester": 403,
    "outsider": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_gets_the_leave_page(client, cast, role):
    _login(client, cast, role)
    response = client.get(f"/clubs/{cast.club.slug}/leave/")
    assert response.status_code == LEAVE_PAGE[role]
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    assert Membership.objects.filter(club=cast.club).count() == 3


def test_the_leave_page_of_a_private_club_is_404_for_outsiders(client, cast):
    Club.objects.filter(pk=cast.club.pk).update(visibility=Visibility.PRIVATE)
    client.force_login(cast.outsider)
    assert client.get(f"/clubs/{cast.club.slug}/leave/").status_code == 404


def test_the_owner_is_told_why_they_cannot_leave(client, cast):
    client.force_login(cast.owner)
    response = client.get(f"/clubs/{cast.club.slug}/leave/")
    assert response.status_code == 403
    assert _is_member(cast, cast.owner)


def test_leaving_with_htmx_still_needs_no_second_step(client, cast):
    client.force_login(cast.member)
    response = client.post(f"/clubs/{cast.club.slug}/leave/", headers=HX)
    assert response.status_code == 200 and f"You left {cast.club.name}." in response.text
    assert not _is_member(cast, cast.member)


# --- remove a member -------------------------------------------------------------------------------


def test_removing_a_member_without_javascript_asks_first_then_removes(client, cast):
    client.force_login(cast.moderator)
    target = _membership(cast, "member")
    members_page = client.get(f"/clubs/{cast.club.slug}/members/").text
    form = form_with_button(members_page, "Remove")
    assert form.method == "get" and form.action == f"/clubs/{cast.club.slug}/members/{target.pk}/remove/"
    assert "data-hx-confirm=" in form.attributes

    asked = client.get(form.action)

    assert asked.status_code == 200
    page = confirmation(asked)
    assert page.question == f"Remove {cast.member.name} from {cast.club.name}?"
    assert page.button == f"Remove {cast.member.name}"
    assert _is_member(cast, cast.member)

    done = client.post(page.action, page.fields, follow=True)

    assert not _is_member(cast, cast.member)
    assert f"{cast.member.name} was removed from the club." in done.text


def test_cancelling_the_remove_page_keeps_the_member(client, cast):
    client.force_login(cast.owner)
    page = confirmation(
        client.get(f"/clubs/{cast.club.slug}/members/{_membership(cast, 'member').pk}/remove/")
    )
    assert page.cancel_url == f"/clubs/{cast.club.slug}/members/"
    assert client.get(page.cancel_url).status_code == 200
    assert _is_member(cast, cast.member)


# Removing the plain member: the owner and moderators may; nobody else.
REMOVE_MEMBER_PAGE = {
    "owner": 200,
    "moderator": 200,
    "member": 403,
    "requester": 403,
    "outsider": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_gets_the_page_to_remove_a_member(client, cast, role):
    target = _membership(cast, "member")
    _login(client, cast, role)
    response = client.get(f"/clubs/{cast.club.slug}/members/{target.pk}/remove/")
    assert response.status_code == REMOVE_MEMBER_PAGE[role]
    assert _is_member(cast, cast.member)


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("moderator", 403)])
def test_only_the_owner_gets_the_page_to_remove_a_moderator(client, cast, role, status):
    target = _membership(cast, "moderator")
    _login(client, cast, role)
    assert client.get(f"/clubs/{cast.club.slug}/members/{target.pk}/remove/").status_code == status


def test_nobody_gets_a_page_to_remove_the_owner(client, cast):
    client.force_login(cast.owner)
    target = _membership(cast, "owner")
    assert client.get(f"/clubs/{cast.club.slug}/members/{target.pk}/remove/").status_code == 403


# --- reset the invite link -------------------------------------------------------------------------


def test_resetting_the_invite_link_without_javascript_asks_first_then_resets(client, cast):
    client.force_login(cast.owner)
    old_code = cast.club.invite_code
    form = form_with_button(client.get(f"/clubs/{cast.club.slug}/invite/").text, "Reset link")
    assert form.method == "get" and form.action == f"/clubs/{cast.club.slug}/invite/reset/"
    assert "data-hx-confirm=" in form.attributes

    asked = client.get(form.action)

    page = confirmation(asked)
    assert page.question == f"Reset the invite link of {cast.club.name}?"
    assert Club.objects.get(pk=cast.club.pk).invite_code == old_code
    assert client.get(page.cancel_url).status_code == 200
    assert Club.objects.get(pk=cast.club.pk).invite_code == old_code

    done = client.post(page.action, page.fields, follow=True)

    assert Club.objects.get(pk=cast.club.pk).invite_code != old_code
    assert "Done: a new invite link is ready." in done.text


INVITE_RESET_PAGE = {
    "owner": 200,
    "moderator": 403,
    "member": 403,
    "requester": 403,
    "outsider": 403,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_gets_the_invite_reset_page(client, cast, role):
    old_code = cast.club.invite_code
    _login(client, cast, role)
    assert client.get(f"/clubs/{cast.club.slug}/invite/reset/").status_code == INVITE_RESET_PAGE[role]
    assert Club.objects.get(pk=cast.club.pk).invite_code == old_code
