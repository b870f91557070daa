"""Invite links: the staff page that shows and resets the link, and the page the link opens."""

import pytest

from clubs.models import JoinPolicy, JoinRequest, JoinRequestStatus, Membership, Visibility

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def private_cast(cast):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.join_policy = JoinPolicy.INVITE
    cast.club.save()
    return cast


# --- the staff page -----------------------------------------------------------------------------------


def test_owner_sees_the_invite_url_with_copy_and_reset(client, cast):
    client.force_login(cast.owner)
    response = client.get(f"/clubs/{cast.club.slug}/invite/")
    assert response.status_code == 200
    assert f"http://testserver/clubs/join/{cast.club.invite_code}/" in response.text
    assert 'data-copy="#invite-url"' in response.text
    assert "Reset link" in response.text


def test_moderator_sees_the_url_but_cannot_reset(client, cast):
    client.force_login(cast.moderator)
    response = client.get(f"/clubs/{cast.club.slug}/invite/")
    assert cast.club.invite_code in response.text
    assert "Reset link" not in response.text
    old_code = cast.club.invite_code
    assert client.post(f"/clubs/{cast.club.slug}/invite/reset/").status_code == 403
    cast.club.refresh_from_db()
    assert cast.club.invite_code == old_code


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_members_and_outsiders_do_not_see_the_invite_link(client, cast, role):
    client.force_login(cast.user_for(role))
    response = client.get(f"/clubs/{cast.club.slug}/invite/")
    assert response.status_code == 403
    assert cast.club.invite_code not in response.text


def test_resetting_with_htmx_shows_the_new_link_in_place(client, cast):
    old_code = cast.club.invite_code
    client.force_login(cast.owner)
    response = client.post(f"/clubs/{cast.club.slug}/invite/reset/", headers=HX)
    cast.club.refresh_from_db()
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="invite"' in response.text
    assert cast.club.invite_code != old_code
    assert cast.club.invite_code in response.text and old_code not in response.text
    assert "The old link no longer works." in response.text


def test_resetting_without_javascript_redirects_back(client, cast):
    client.force_login(cast.owner)
    response = client.post(f"/clubs/{cast.club.slug}/invite/reset/", follow=True)
    assert response.redirect_chain == [(f"/clubs/{cast.club.slug}/invite/", 302)]
    assert "a new invite link is ready" in response.text


# --- the link itself ---------------------------------------------------------------------------------------


def test_invite_link_shows_a_private_club_to_an_outsider(client, private_cast):
    client.force_login(private_cast.outsider)
    response = client.get(f"/clubs/join/{private_cast.club.invite_code}/")
    assert response.status_code == 200
    assert private_cast.club.name in response.text
    assert f"Join {private_cast.club.name}</button>" in response.text


def test_joining_through_the_invite_link_makes_me_a_member(client, private_cast):
    client.force_login(private_cast.outsider)
    response = client.post(f"/clubs/join/{private_cast.club.invite_code}/", follow=True)
    assert Membership.objects.filter(club=private_cast.club, user=private_cast.outsider).exists()
    assert response.redirect_chain == [(f"/clubs/{private_cast.club.slug}/", 302)]
    assert f"Welcome to {private_cast.club.name}!" in response.text


def test_the_invite_link_approves_a_pending_request(client, cast):
    client.force_login(cast.requester)
    client.post(f"/clubs/join/{cast.club.invite_code}/")
    assert Membership.objects.filter(club=cast.club, user=cast.requester).exists()
    assert JoinRequest.objects.get(club=cast.club, user=cast.requester).status == JoinRequestStatus.APPROVED


def test_members_opening_the_link_are_told_they_already_belong(client, private_cast):
    client.force_login(private_cast.member)
    response = client.get(f"/clubs/join/{private_cast.club.invite_code}/")
    assert f"You are already a member of {private_cast.club.name}." in response.text
    assert f'href="/clubs/{private_cast.club.slug}/"' in response.text


def test_joining_twice_through_the_link_changes_nothing(client, private_cast):
    client.force_login(private_cast.member)
    response = client.post(f"/clubs/join/{private_cast.club.invite_code}/", follow=True)
    assert f"You are already a member of {private_cast.club.name}." in response.text
    assert Membership.objects.filter(club=private_cast.club, user=private_cast.member).count() == 1


def test_anonymous_visitors_are_asked_to_log_in_or_sign_up(client, private_cast):
    code = private_cast.club.invite_code
    response = client.get(f"/clubs/join/{code}/")
    assert response.status_code == 200
    assert "Log in or sign up to join" in response.text
    assert f"/accounts/login/?next=%2Fclubs%2Fjoin%2F{code}%2F" in response.text
    assert f"/accounts/signup/?next=%2Fclubs%2Fjoin%2F{code}%2F" in response.text
    post = client.post(f"/clubs/join/{code}/")
    assert post["Location"] == f"/accounts/login/?next=%2Fclubs%2Fjoin%2F{code}%2F"


@pytest.mark.parametrize("code", ["not-a-real-code1", "x", "a" * 200])
def test_unknown_codes_say_the_link_is_invalid(client, cast, code):
    client.force_login(cast.outsider)
    response = client.get(f"/clubs/join/{code}/")
    assert response.status_code == 404
    assert "invalid or has been replaced" in response.text
    assert client.post(f"/clubs/join/{code}/").status_code == 404
    assert not Membership.objects.filter(user=cast.outsider).exists()


def test_a_nul_byte_in_the_code_is_just_an_invalid_link(client, cast):
    response = client.get(f"/clubs/join/{cast.club.invite_code}%00/")
    assert response.status_code == 404


def test_a_rotated_code_stops_working_at_once(client, private_cast):
    old_code = private_cast.club.invite_code
    client.force_login(private_cast.owner)
    client.post(f"/clubs/{private_cast.club.slug}/invite/reset/")

    client.force_login(private_cast.outsider)
    page = client.get(f"/clubs/join/{old_code}/")
    join = client.post(f"/clubs/join/{old_code}/")

    assert page.status_code == 404 and "invalid or has been replaced" in page.text
    assert join.status_code == 404
    assert not Membership.objects.filter(club=private_cast.club, user=private_cast.outsider).exists()
