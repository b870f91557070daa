"""The clubs API: joining, leaving, invite links, ownership, members and requests to join."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clubs.models import JoinPolicy, JoinRequest, JoinRequestStatus, Membership, Role, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def club_url(club, suffix: str = "") -> str:
    return f"/api/v1/clubs/{club.slug}/{suffix}"


def role_of(club, user) -> str | None:
    return Membership.objects.filter(club=club, user=user).values_list("role", flat=True).first()


# Joining -------------------------------------------------------------------------------------------


def test_joining_an_open_club_makes_me_a_member_at_once(api_client, user):
    club = ClubFactory(join_policy=JoinPolicy.OPEN)
    api_client.force_authenticate(user)

    response = api_client.post(club_url(club, "join/"), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "joined"
    assert body["membership"]["username"] == user.username
    assert body["membership"]["role"] == "member"
    assert role_of(club, user) == Role.MEMBER


def test_joining_an_approval_club_files_a_request(api_client, user):
    club = ClubFactory(join_policy=JoinPolicy.APPROVAL)
    api_client.force_authenticate(user)

    response = api_client.post(club_url(club, "join/"), {}, format="json")

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "requested"
    request = JoinRequest.objects.get(club=club, user=user)
    assert body["join_request"]["id"] == request.pk
    assert body["join_request"]["status"] == "pending"
    assert role_of(club, user) is None


def test_the_invite_code_lets_me_into_a_private_club_i_cannot_see(api_client, user):
    club = ClubFactory(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)
    api_client.force_authenticate(user)

    response = api_client.post(club_url(club, "join/"), {"invite_code": club.invite_code}, format="json")

    assert response.status_code == 201
    assert role_of(club, user) == Role.MEMBER
    assert api_client.get(club_url(club)).json()["my_role"] == "member"


def test_a_wrong_invite_code_does_not_reveal_a_private_club(api_client, user):
    club = ClubFactory(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)
    api_client.force_authenticate(user)

    response = api_client.post(club_url(club, "join/"), {"invite_code": "guessed"}, format="json")

    assert response.status_code == 404
    assert role_of(club, user) is None


def test_an_old_invite_code_is_refused_for_a_public_club(api_client, user):
    club = ClubFactory(join_policy=JoinPolicy.INVITE)
    api_client.force_authenticate(user)

    response = api_client.post(club_url(club, "join/"), {"invite_code": "old-code"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "invite_invalid"
    assert role_of(club, user) is None


def test_an_invite_only_club_refuses_a_join_without_code(api_client, user):
    club = ClubFactory(join_policy=JoinPolicy.INVITE)
    api_client.force_authenticate(user)
    response = api_client.post(club_url(club, "join/"), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "invite_only"


def test_i_can_withdraw_my_pending_request(api_client, cast):
    api_client.force_authenticate(cast.requester)

    response = api_client.delete(club_url(cast.club, "join-request/"))

    assert response.status_code == 204
    assert not JoinRequest.objects.filter(user=cast.requester).exists()


# Leaving -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["moderator", "member"])
def test_members_and_moderators_can_leave(api_client, cast, role):
    leaver = cast.user_for(role)
    api_client.force_authenticate(leaver)

    response = api_client.post(club_url(cast.club, "leave/"))

    assert response.status_code == 204
    assert role_of(cast.club, leaver) is None
    assert cast.club.memberships.count() == 2


# Invite code and ownership -------------------------------------------------------------------------


def test_the_owner_rotates_the_invite_code_and_the_old_one_stops_working(api_client, cast):
    old_code = cast.club.invite_code
    api_client.force_authenticate(cast.owner)

    response = api_client.post(club_url(cast.club, "rotate-invite/"))

    assert response.status_code == 200
    cast.club.refresh_from_db()
    assert cast.club.invite_code != old_code
    assert response.json()["invite_code"] == cast.club.invite_code

    api_client.force_authenticate(cast.outsider)
    refused = api_client.post(club_url(cast.club, "join/"), {"invite_code": old_code}, format="json")
    assert refused.status_code == 403


def test_the_owner_hands_the_club_to_a_member_and_stays_as_moderator(api_client, cast):
    api_client.force_authenticate(cast.owner)

    response = api_client.post(
        club_url(cast.club, "transfer/"), {"username": cast.member.username.upper()}, format="json"
    )

    assert response.status_code == 200
    assert role_of(cast.club, cast.member) == Role.OWNER
    assert role_of(cast.club, cast.owner) == Role.MODERATOR
    assert response.json()["my_role"] == "moderator"


# Members -------------------------------------------------------------------------------------------


def test_members_are_listed_owner_first_then_moderators_then_members(api_client, cast):
    cast.member.display_name = ""
    cast.member.save()

    response = api_client.get(club_url(cast.club, "members/"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(row["username"], row["role"]) for row in body["results"]] == [
        (cast.owner.username, "owner"),
        (cast.moderator.username, "moderator"),
        (cast.member.username, "member"),
    ]
    assert body["results"][0]["display_name"] == cast.owner.display_name
    assert body["results"][2]["display_name"] == cast.member.username
    assert set(body["results"][0]) == {"username", "display_name", "role", "joined_at"}


def test_members_can_be_searched_by_username_or_display_name(api_client, cast):
    cast.member.display_name = "Zadie Smith"
    cast.member.save()
    response = api_client.get(club_url(cast.club, "members/"), {"search": "zadie"})
    assert [row["username"] for row in response.json()["results"]] == [cast.member.username]
    response = api_client.get(club_url(cast.club, "members/"), {"search": cast.owner.username})
    assert [row["username"] for row in response.json()["results"]] == [cast.owner.username]


def test_listing_members_costs_the_same_queries_for_3_or_30_members(api_client, django_assert_num_queries):
    club = ClubFactory()
    add_member(club, role=Role.MODERATOR)
    add_member(club)
    path = club_url(club, "members/?page_size=50")

    with django_assert_num_queries(3):  # the club, the count, the page
        assert len(api_client.get(path).json()["results"]) == 3
    for _ in range(27):
        add_member(club)
    with django_assert_num_queries(3):
        assert len(api_client.get(path).json()["results"]) == 30


def test_listing_a_private_clubs_members_costs_the_same_queries_for_3_or_30(api_client):
    club = ClubFactory(visibility=Visibility.PRIVATE)
    reader = add_member(club).user
    add_member(club)
    api_client.force_authenticate(reader)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(club_url(club, "members/?page_size=50")).status_code == 200
        return len(queries)

    with_three = count_queries()
    for _ in range(27):
        add_member(club)
    assert count_queries() == with_three


@pytest.mark.parametrize(("start", "target"), [("member", "moderator"), ("moderator", "member")])
def test_the_owner_promotes_and_demotes(api_client, cast, start, target):
    person = cast.user_for(start)
    api_client.force_authenticate(cast.owner)

    response = api_client.patch(
        club_url(cast.club, f"members/{person.username}/"), {"role": target}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["role"] == target
    assert response.json()["username"] == person.username
    assert role_of(cast.club, person) == target


def test_usernames_with_dots_work_in_member_urls(api_client, cast):
    dotted = add_member(cast.club, UserFactory(username="ann.lee")).user
    api_client.force_authenticate(cast.owner)
    response = api_client.patch(club_url(cast.club, "members/ann.lee/"), {"role": "moderator"}, format="json")
    assert response.status_code == 200
    assert role_of(cast.club, dotted) == Role.MODERATOR


@pytest.mark.parametrize(
    ("remover", "removed"), [("owner", "moderator"), ("owner", "member"), ("moderator", "member")]
)
def test_owner_and_moderators_remove_members_below_them(api_client, cast, remover, removed):
    api_client.force_authenticate(cast.user_for(remover))
    gone = cast.user_for(removed)

    response = api_client.delete(club_url(cast.club, f"members/{gone.username}/"))

    assert response.status_code == 204
    assert role_of(cast.club, gone) is None


def test_a_moderator_cannot_remove_another_moderator(api_client, cast):
    other = add_member(cast.club, role=Role.MODERATOR).user
    api_client.force_authenticate(cast.moderator)
    response = api_client.delete(club_url(cast.club, f"members/{other.username}/"))
    assert response.status_code == 403
    assert role_of(cast.club, other) == Role.MODERATOR


# Requests to join ----------------------------------------------------------------------------------


def test_moderators_list_pending_requests_oldest_first(api_client, cast):
    later = UserFactory()
    JoinRequest.objects.create(club=cast.club, user=later)
    decided = JoinRequest.objects.create(
        club=cast.club, user=UserFactory(), status=JoinRequestStatus.DECLINED
    )
    api_client.force_authenticate(cast.moderator)

    pending = api_client.get(club_url(cast.club, "join-requests/"))
    declined = api_client.get(club_url(cast.club, "join-requests/"), {"status": "declined"})
    searched = api_client.get(club_url(cast.club, "join-requests/"), {"search": later.username})

    assert pending.status_code == 200
    assert [row["username"] for row in pending.json()["results"]] == [cast.requester.username, later.username]
    assert [row["id"] for row in declined.json()["results"]] == [decided.pk]
    assert [row["username"] for row in searched.json()["results"]] == [later.username]


def test_approving_a_request_makes_the_requester_a_member(api_client, cast):
    request = JoinRequest.objects.get(user=cast.requester)
    api_client.force_authenticate(cast.moderator)

    response = api_client.post(club_url(cast.club, f"join-requests/{request.pk}/approve/"))

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (JoinRequestStatus.APPROVED, cast.moderator)
    assert role_of(cast.club, cast.requester) == Role.MEMBER


def test_declining_a_request_keeps_the_requester_out(api_client, cast):
    request = JoinRequest.objects.get(user=cast.requester)
    api_client.force_authenticate(cast.owner)

    response = api_client.post(club_url(cast.club, f"join-requests/{request.pk}/decline/"))

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    request.refresh_from_db()
    assert request.status == JoinRequestStatus.DECLINED
    assert role_of(cast.club, cast.requester) is None


def test_one_member_can_be_read_by_username(api_client, cast):
    response = api_client.get(club_url(cast.club, f"members/{cast.moderator.username.upper()}/"))
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["role"]) == (cast.moderator.username, "moderator")
