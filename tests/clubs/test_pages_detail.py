"""The club page and its membership box: join, request, cancel, leave."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clubs.models import JoinPolicy, JoinRequest, JoinRequestStatus, Membership, Role, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _url(club, action=""):
    return f"/clubs/{club.slug}/{action}"


def test_club_page_shows_about_location_badges_members_and_meetings(client, cast):
    response = client.get(_url(cast.club))
    assert response.status_code == 200
    assert "<html" in response.text
    assert cast.club.name in response.text
    assert "We read and we talk." in response.text
    assert "Lisbon, Portugal" in response.text
    assert "Public" in response.text and "Open to join" in response.text
    assert "No meetings are scheduled yet." in response.text
    assert "See all 3 members" in response.text
    # Owner first in the preview.
    preview = response.text.split('id="members-heading"')[1]
    assert preview.index(cast.owner.name) < preview.index(cast.member.name)


def test_members_preview_shows_at_most_eight(client, cast):
    for _ in range(10):
        add_member(cast.club)
    response = client.get(_url(cast.club))
    preview = response.text.split('id="members-heading"')[1].split("</ul>")[0]
    assert preview.count("<li>") == 8
    assert "See all 13 members" in response.text


def test_htmx_get_answers_with_the_membership_fragment(client, cast):
    client.force_login(cast.outsider)
    response = client.get(_url(cast.club), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="membership"' in response.text
    assert "Join " in response.text


def test_private_club_is_404_for_outsiders_and_visible_to_members(client, cast):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    assert client.get(_url(cast.club)).status_code == 404
    client.force_login(cast.outsider)
    assert client.get(_url(cast.club)).status_code == 404
    client.force_login(cast.member)
    assert client.get(_url(cast.club)).status_code == 200


def test_unknown_club_is_404(client, db):
    assert client.get("/clubs/no-such-club/").status_code == 404


def test_anonymous_visitors_are_invited_to_log_in_to_join(client, cast):
    response = client.get(_url(cast.club))
    assert "Log in to join" in response.text
    assert f"/accounts/login/?next=%2Fclubs%2F{cast.club.slug}%2F" in response.text


def test_staff_see_management_links_with_the_pending_count(client, cast):
    client.force_login(cast.moderator)
    response = client.get(_url(cast.club))
    for link in ("edit/", "members/", "requests/", "invite/"):
        assert f'href="/clubs/{cast.club.slug}/{link}"' in response.text
    assert 'Join requests <span class="badge owner">1' in response.text
    assert "Delete club" not in response.text
    client.force_login(cast.owner)
    assert "Delete club" in client.get(_url(cast.club)).text


def test_members_do_not_see_management_links(client, cast):
    client.force_login(cast.member)
    response = client.get(_url(cast.club))
    assert f'href="/clubs/{cast.club.slug}/edit/"' not in response.text
    assert "Leave club" in response.text


def test_owner_sees_the_transfer_note_instead_of_leave(client, cast):
    client.force_login(cast.owner)
    response = client.get(_url(cast.club))
    assert "transfer ownership before leaving" in response.text
    assert "Leave club" not in response.text


# --- join --------------------------------------------------------------------------------------------


def test_joining_an_open_club_makes_me_a_member(client, cast):
    client.force_login(cast.outsider)
    response = client.post(_url(cast.club, "join/"), follow=True)
    assert Membership.objects.filter(club=cast.club, user=cast.outsider, role=Role.MEMBER).exists()
    assert response.redirect_chain == [(_url(cast.club), 302)]
    assert f"Welcome to {cast.club.name}!" in response.text


def test_joining_with_htmx_swaps_the_membership_box(client, cast):
    client.force_login(cast.outsider)
    response = client.post(_url(cast.club, "join/"), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="membership"' in response.text
    assert "Welcome to" in response.text
    assert "Leave club" in response.text
    assert Membership.objects.filter(club=cast.club, user=cast.outsider).exists()


def test_joining_twice_says_so_and_changes_nothing(client, cast):
    client.force_login(cast.member)
    response = client.post(_url(cast.club, "join/"), headers=HX)
    assert response.status_code == 409
    assert f"You are already a member of {cast.club.name}." in response.text
    assert Membership.objects.filter(club=cast.club, user=cast.member).count() == 1


def test_requesting_to_join_an_approval_club_leaves_a_pending_request(client, cast):
    cast.club.join_policy = JoinPolicy.APPROVAL
    cast.club.save()
    client.force_login(cast.outsider)
    assert "Request to join" in client.get(_url(cast.club)).text

    response = client.post(_url(cast.club, "join/"), headers=HX)

    assert response.status_code == 200
    assert "Request sent." in response.text
    assert "Request pending" in response.text and "Cancel request" in response.text
    assert JoinRequest.objects.filter(
        club=cast.club, user=cast.outsider, status=JoinRequestStatus.PENDING
    ).exists()
    assert not Membership.objects.filter(club=cast.club, user=cast.outsider).exists()


def test_requesting_twice_is_refused(client, cast):
    cast.club.join_policy = JoinPolicy.APPROVAL
    cast.club.save()
    client.force_login(cast.requester)
    response = client.post(_url(cast.club, "join/"), headers=HX)
    assert response.status_code == 409
    assert "already waiting for approval" in response.text
    assert JoinRequest.objects.filter(club=cast.club, user=cast.requester).count() == 1


def test_requester_sees_pending_state_and_can_cancel(client, cast):
    client.force_login(cast.requester)
    assert "Request pending" in client.get(_url(cast.club)).text

    response = client.post(_url(cast.club, "request/cancel/"), headers=HX)

    assert response.status_code == 200
    assert "Your request was cancelled." in response.text
    assert not JoinRequest.objects.filter(club=cast.club, user=cast.requester).exists()


def test_cancel_without_htmx_redirects_back_to_the_club(client, cast):
    client.force_login(cast.requester)
    response = client.post(_url(cast.club, "request/cancel/"), follow=True)
    assert response.redirect_chain == [(_url(cast.club), 302)]
    assert "Your request was cancelled." in response.text


def test_invite_only_club_shows_a_note_and_refuses_direct_joins(client, cast):
    cast.club.join_policy = JoinPolicy.INVITE
    cast.club.save()
    client.force_login(cast.outsider)
    assert "takes new members by invite link only" in client.get(_url(cast.club)).text

    response = client.post(_url(cast.club, "join/"), headers=HX)

    assert response.status_code == 422
    assert "takes new members by invite link only" in response.text
    assert not Membership.objects.filter(club=cast.club, user=cast.outsider).exists()


def test_anonymous_join_is_sent_to_log_in(client, cast):
    response = client.post(
        _url(cast.club, "join/"), headers={"Referer": f"http://testserver{_url(cast.club)}"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=%2Fclubs%2F{cast.club.slug}%2F"
    htmx = client.post(
        _url(cast.club, "join/"), headers={**HX, "HX-Current-URL": f"http://testserver{_url(cast.club)}"}
    )
    assert htmx["HX-Redirect"] == f"/accounts/login/?next=%2Fclubs%2F{cast.club.slug}%2F"


def test_anonymous_post_ignores_a_foreign_referer(client, cast):
    response = client.post(_url(cast.club, "join/"), headers={"Referer": "https://evil.example/phish"})
    assert response["Location"] == "/accounts/login/?next=%2F"


def test_membership_actions_refuse_get(client, cast):
    """Leave answers a GET with the page that asks first (tests/clubs/test_confirm_pages.py)."""
    client.force_login(cast.outsider)
    for action in ("join/", "request/cancel/"):
        assert client.get(_url(cast.club, action)).status_code == 405


def test_joining_a_private_club_i_cannot_see_is_404(client, cast):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    client.force_login(cast.outsider)
    assert client.post(_url(cast.club, "join/")).status_code == 404
    assert not Membership.objects.filter(club=cast.club, user=cast.outsider).exists()


# --- leave -------------------------------------------------------------------------------------------


def test_leaving_removes_my_membership(client, cast):
    client.force_login(cast.member)
    response = client.post(_url(cast.club, "leave/"), headers=HX)
    assert response.status_code == 200
    assert f"You left {cast.club.name}." in response.text
    assert "Join " in response.text
    assert not Membership.objects.filter(club=cast.club, user=cast.member).exists()


def test_leaving_without_htmx_redirects_with_a_message(client, cast):
    client.force_login(cast.moderator)
    response = client.post(_url(cast.club, "leave/"), follow=True)
    assert response.redirect_chain == [(_url(cast.club), 302)]
    assert f"You left {cast.club.name}." in response.text


def test_the_owner_cannot_leave(client, cast):
    client.force_login(cast.owner)
    response = client.post(_url(cast.club, "leave/"), headers=HX)
    assert response.status_code == 409
    assert "transfer ownership to another member before leaving" in response.text
    assert Membership.objects.get(club=cast.club, user=cast.owner).role == Role.OWNER


def test_leaving_a_club_i_am_not_in_says_so(client, cast):
    client.force_login(cast.outsider)
    response = client.post(_url(cast.club, "leave/"), follow=True)
    assert f"You are not a member of {cast.club.name}." in response.text


# --- query budget ------------------------------------------------------------------------------------


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["owner", "member", "outsider"])
def test_club_page_queries_do_not_grow_with_members(client, role):
    club = ClubFactory()
    viewer = club.memberships.get().user if role == "owner" else UserFactory()
    if role == "member":
        add_member(club, viewer)
    for _ in range(3):
        add_member(club)
    client.force_login(viewer)
    with_few = _count_queries(client, _url(club))
    for _ in range(27):
        add_member(club, role=Role.MODERATOR)
    assert _count_queries(client, _url(club)) == with_few
