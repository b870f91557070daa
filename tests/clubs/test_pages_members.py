"""The members page: roles, removals and ownership transfer, each swapping its row in place."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clubs.models import Membership, Role, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _membership(cast, role):
    return Membership.objects.get(club=cast.club, user=cast.user_for(role))


def _member_url(cast, role, action):
    return f"/clubs/{cast.club.slug}/members/{_membership(cast, role).pk}/{action}/"


def _role_of(cast, person):
    return Membership.objects.get(club=cast.club, user=person).role


def test_members_page_lists_everyone_with_role_badges_owner_first(client, cast):
    response = client.get(f"/clubs/{cast.club.slug}/members/")
    assert response.status_code == 200
    assert "<html" in response.text
    text = response.text
    assert text.index(cast.owner.name) < text.index(cast.moderator.name) < text.index(cast.member.name)
    assert 'class="badge owner">Owner' in text and 'class="badge moderator">Moderator' in text
    assert cast.requester.name not in text
    assert "3 members in" in text


def test_members_page_of_a_private_club_is_404_for_outsiders(client, cast):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    client.force_login(cast.outsider)
    assert client.get(f"/clubs/{cast.club.slug}/members/").status_code == 404


def test_owner_sees_role_and_transfer_controls(client, cast):
    client.force_login(cast.owner)
    text = client.get(f"/clubs/{cast.club.slug}/members/").text
    assert "Make moderator" in text and "Make member" in text and "Make owner…" in text
    assert text.count('class="contrast outline">Remove<span class="visually-hidden">') == 2


def test_moderators_may_remove_plain_members_only(client, cast):
    client.force_login(cast.moderator)
    text = client.get(f"/clubs/{cast.club.slug}/members/").text
    assert "Make moderator" not in text and "Make owner" not in text
    assert text.count('class="contrast outline">Remove<span class="visually-hidden">') == 1
    assert f'action="{_member_url(cast, "member", "remove")}"' in text


def test_members_see_no_controls(client, cast):
    client.force_login(cast.member)
    text = client.get(f"/clubs/{cast.club.slug}/members/").text
    assert "Remove</button>" not in text and "Make moderator" not in text


def test_members_page_shows_50_per_page(client, cast):
    for _ in range(50):
        add_member(cast.club)
    first = client.get(f"/clubs/{cast.club.slug}/members/")
    second = client.get(f"/clubs/{cast.club.slug}/members/", {"page": 2})
    assert first.text.count('<tr id="member-') == 50
    assert second.text.count('<tr id="member-') == 3
    assert f'href="/clubs/{cast.club.slug}/members/?page=2"' in first.text


# --- promote / demote -----------------------------------------------------------------------------


def test_owner_promotes_a_member_and_the_row_is_swapped(client, cast):
    client.force_login(cast.owner)
    response = client.post(_member_url(cast, "member", "role"), {"role": "moderator"}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.strip().startswith(f'<tr id="member-{_membership(cast, "member").pk}"')
    assert f"{cast.member.name} is now a moderator." in response.text
    assert "Make member" in response.text
    assert _role_of(cast, cast.member) == Role.MODERATOR


def test_owner_demotes_a_moderator_without_javascript(client, cast):
    client.force_login(cast.owner)
    response = client.post(_member_url(cast, "moderator", "role"), {"role": "member"}, follow=True)
    assert response.redirect_chain == [(f"/clubs/{cast.club.slug}/members/", 302)]
    assert f"{cast.moderator.name} is now a member." in response.text
    assert _role_of(cast, cast.moderator) == Role.MEMBER


def test_demoting_the_owner_is_refused_and_nothing_changes(client, cast):
    client.force_login(cast.owner)
    response = client.post(_member_url(cast, "owner", "role"), {"role": "member"}, headers=HX)
    assert response.status_code == 409
    assert "The owner cannot be demoted. Transfer ownership first." in response.text
    assert _role_of(cast, cast.owner) == Role.OWNER


@pytest.mark.parametrize(
    ("role", "status", "message"),
    [
        ("owner", 409, "To make someone the owner, transfer ownership."),
        ("overlord", 422, "Unknown role &#x27;overlord&#x27;: choose moderator or member."),
        ("", 422, "Unknown role &#x27;&#x27;"),
        ("mod\x00erator", 422, "Unknown role"),
    ],
)
def test_unknown_or_owner_role_values_are_refused(client, cast, role, status, message):
    client.force_login(cast.owner)
    response = client.post(_member_url(cast, "member", "role"), {"role": role}, headers=HX)
    assert response.status_code == status
    assert message in response.text
    assert _role_of(cast, cast.member) == Role.MEMBER


@pytest.mark.parametrize("role", ["moderator", "member", "outsider"])
def test_only_the_owner_changes_roles(client, cast, role):
    client.force_login(cast.user_for(role))
    response = client.post(_member_url(cast, "member", "role"), {"role": "moderator"})
    assert response.status_code == 403
    assert _role_of(cast, cast.member) == Role.MEMBER


def test_a_membership_of_another_club_is_404(client, cast):
    stranger = add_member(ClubFactory())
    client.force_login(cast.owner)
    response = client.post(f"/clubs/{cast.club.slug}/members/{stranger.pk}/role/", {"role": "moderator"})
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.role == Role.MEMBER


# --- remove -------------------------------------------------------------------------------------------


def test_moderator_removes_a_member_and_the_row_says_so(client, cast):
    client.force_login(cast.moderator)
    response = client.post(_member_url(cast, "member", "remove"), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f"{cast.member.name} was removed from the club." in response.text
    assert not Membership.objects.filter(club=cast.club, user=cast.member).exists()


def test_owner_removes_a_moderator_without_javascript(client, cast):
    client.force_login(cast.owner)
    response = client.post(_member_url(cast, "moderator", "remove"), follow=True)
    assert response.redirect_chain == [(f"/clubs/{cast.club.slug}/members/", 302)]
    assert "was removed from the club." in response.text
    assert not Membership.objects.filter(club=cast.club, user=cast.moderator).exists()


def test_a_moderator_cannot_remove_another_moderator(client, cast):
    other_moderator = add_member(cast.club, role=Role.MODERATOR)
    client.force_login(cast.moderator)
    response = client.post(f"/clubs/{cast.club.slug}/members/{other_moderator.pk}/remove/", headers=HX)
    assert response.status_code == 422
    assert "only the owner can remove moderators" in response.text
    assert Membership.objects.filter(pk=other_moderator.pk).exists()


def test_the_owner_cannot_be_removed(client, cast):
    client.force_login(cast.moderator)
    response = client.post(_member_url(cast, "owner", "remove"), headers=HX)
    assert response.status_code == 409
    assert "The owner cannot be removed." in response.text
    assert _role_of(cast, cast.owner) == Role.OWNER


def test_members_and_anonymous_cannot_remove_anyone(client, cast):
    url = _member_url(cast, "moderator", "remove")
    assert client.post(url)["Location"].startswith("/accounts/login/")
    client.force_login(cast.member)
    assert client.post(url).status_code == 403
    assert Membership.objects.filter(club=cast.club, user=cast.moderator).exists()


def test_removing_someone_already_gone_is_404(client, cast):
    url = _member_url(cast, "member", "remove")
    client.force_login(cast.owner)
    client.post(url)
    assert client.post(url).status_code == 404


# --- transfer ownership ---------------------------------------------------------------------------------


def test_transfer_asks_for_confirmation_first(client, cast):
    client.force_login(cast.owner)
    response = client.get(_member_url(cast, "member", "transfer"))
    assert response.status_code == 200
    assert f"Make {cast.member.name} the owner?" in response.text
    assert _role_of(cast, cast.owner) == Role.OWNER


def test_confirmed_transfer_makes_the_member_owner_and_me_a_moderator(client, cast):
    client.force_login(cast.owner)
    response = client.post(_member_url(cast, "member", "transfer"), follow=True)
    assert response.redirect_chain == [(f"/clubs/{cast.club.slug}/members/", 302)]
    assert f"{cast.member.name} now owns {cast.club.name}." in response.text
    assert _role_of(cast, cast.member) == Role.OWNER
    assert _role_of(cast, cast.owner) == Role.MODERATOR
    # The former owner has lost the owner controls.
    assert "Make owner…" not in response.text


def test_transfer_with_htmx_redirects(client, cast):
    client.force_login(cast.owner)
    response = client.post(_member_url(cast, "moderator", "transfer"), headers=HX)
    assert response["HX-Redirect"] == f"/clubs/{cast.club.slug}/members/"
    assert _role_of(cast, cast.moderator) == Role.OWNER


def test_transferring_to_myself_is_refused(client, cast):
    client.force_login(cast.owner)
    response = client.post(_member_url(cast, "owner", "transfer"))
    assert response.status_code == 409
    assert "This member already owns the club." in response.text
    assert _role_of(cast, cast.owner) == Role.OWNER


@pytest.mark.parametrize("role", ["moderator", "member", "outsider"])
def test_only_the_owner_transfers_ownership(client, cast, role):
    client.force_login(cast.user_for(role))
    assert client.get(_member_url(cast, "member", "transfer")).status_code == 403
    assert client.post(_member_url(cast, "member", "transfer")).status_code == 403
    assert _role_of(cast, cast.owner) == Role.OWNER


# --- query budget -----------------------------------------------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer_role", ["owner", "moderator", "anonymous"])
def test_members_page_queries_do_not_grow_with_members(client, viewer_role):
    club = ClubFactory()
    owner = club.memberships.get().user
    moderator = add_member(club, role=Role.MODERATOR).user
    if viewer_role != "anonymous":
        client.force_login(owner if viewer_role == "owner" else moderator)
    for _ in range(3):
        add_member(club)
    url = f"/clubs/{club.slug}/members/"
    with_few = _count_queries(client, url)
    for _ in range(27):
        add_member(club, UserFactory())
    assert _count_queries(client, url) == with_few
