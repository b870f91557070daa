"""Club rules as the services enforce them, whichever door (page, API, admin) the request came through."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from booky.core.errors import Conflict, NotAllowed
from clubs import services
from clubs.models import Club, JoinPolicy, JoinRequest, JoinRequestStatus, Membership, Role, Visibility
from tests.factories import ClubFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db


def test_creating_a_club_makes_the_creator_its_only_owner():
    founder = UserFactory()
    club = services.club_create(owner=founder, name="  The Night Readers ", city="Porto")
    assert club.name == "The Night Readers"
    assert list(club.memberships.values_list("user__username", "role")) == [(founder.username, Role.OWNER)]


def test_equal_names_get_distinct_slugs():
    first = services.club_create(owner=UserFactory(), name="Moby Dick Fans")
    second = services.club_create(owner=UserFactory(), name="Moby Dick Fans")
    third = services.club_create(owner=UserFactory(), name="Moby-Dick fans!")
    assert [first.slug, second.slug, third.slug] == ["moby-dick-fans", "moby-dick-fans-2", "moby-dick-fans-3"]


def test_a_name_without_letters_still_gets_a_slug():
    assert services.club_create(owner=UserFactory(), name="📚📚").slug == "club"


@pytest.mark.parametrize(
    "name", ["", "   ", "x" * 81, "Nul\x00Club"], ids=["empty", "blank", "overlong", "nul-byte"]
)
def test_invalid_names_are_refused_and_nothing_is_created(name):
    with pytest.raises(ValidationError):
        services.club_create(owner=UserFactory(), name=name)
    assert not Club.objects.exists()
    assert not Membership.objects.exists()


def test_unknown_visibility_is_refused():
    with pytest.raises(ValidationError):
        services.club_create(owner=UserFactory(), name="Club", visibility="secret")
    assert not Club.objects.exists()


def test_the_database_refuses_a_second_owner():
    club = ClubFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        add_member(club, role=Role.OWNER)


def test_joining_an_open_club_makes_a_member():
    club = ClubFactory(join_policy=JoinPolicy.OPEN)
    reader = UserFactory()
    outcome = services.club_join(user=reader, club=club)
    assert outcome.joined
    assert club.memberships.get(user=reader).role == Role.MEMBER


def test_joining_twice_is_a_conflict():
    club = ClubFactory()
    reader = UserFactory()
    services.club_join(user=reader, club=club)
    with pytest.raises(Conflict, match="already a member"):
        services.club_join(user=reader, club=club)
    assert club.memberships.count() == 2


def test_approval_club_takes_a_request_once():
    club = ClubFactory(join_policy=JoinPolicy.APPROVAL)
    reader = UserFactory()
    outcome = services.club_join(user=reader, club=club)
    assert outcome.join_request.status == JoinRequestStatus.PENDING
    with pytest.raises(Conflict, match="already waiting"):
        services.club_join(user=reader, club=club)
    assert JoinRequest.objects.count() == 1
    assert not club.memberships.filter(user=reader).exists()


def test_invite_only_club_refuses_a_join_without_the_code():
    club = ClubFactory(join_policy=JoinPolicy.INVITE)
    with pytest.raises(NotAllowed, match="invite link only"):
        services.club_join(user=UserFactory(), club=club)


def test_current_invite_code_lets_anyone_into_a_private_club():
    club = ClubFactory(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)
    reader = UserFactory()
    services.club_join(user=reader, club=club, invite_code=club.invite_code)
    assert club.memberships.filter(user=reader).exists()


def test_rotated_invite_code_stops_working():
    club = ClubFactory(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)
    old_code = club.invite_code
    owner = club.memberships.get(role=Role.OWNER).user
    club = services.club_rotate_invite_code(actor=owner, club=club)
    assert club.invite_code != old_code
    with pytest.raises(NotAllowed, match="no longer valid"):
        services.club_join(user=UserFactory(), club=club, invite_code=old_code)
    assert club.memberships.count() == 1


def test_moderator_cannot_rotate_the_invite_code(cast):
    old_code = cast.club.invite_code
    with pytest.raises(NotAllowed):
        services.club_rotate_invite_code(actor=cast.moderator, club=cast.club)
    cast.club.refresh_from_db()
    assert cast.club.invite_code == old_code


def test_moderator_approves_a_request_and_the_requester_becomes_a_member(cast):
    join_request = JoinRequest.objects.get(user=cast.requester)
    services.join_request_approve(actor=cast.moderator, join_request=join_request)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.APPROVED
    assert join_request.decided_by == cast.moderator
    assert cast.club.memberships.filter(user=cast.requester, role=Role.MEMBER).exists()


def test_a_request_is_decided_only_once(cast):
    join_request = JoinRequest.objects.get(user=cast.requester)
    services.join_request_decline(actor=cast.owner, join_request=join_request)
    with pytest.raises(Conflict, match="already declined"):
        services.join_request_approve(actor=cast.owner, join_request=join_request)
    assert not cast.club.memberships.filter(user=cast.requester).exists()


def test_a_member_cannot_decide_requests(cast):
    join_request = JoinRequest.objects.get(user=cast.requester)
    with pytest.raises(NotAllowed):
        services.join_request_approve(actor=cast.member, join_request=join_request)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING


def test_owner_cannot_leave_without_transferring(cast):
    with pytest.raises(Conflict, match="transfer ownership"):
        services.club_leave(user=cast.owner, club=cast.club)
    assert cast.club.memberships.filter(user=cast.owner, role=Role.OWNER).exists()


def test_after_transfer_the_old_owner_is_a_moderator_and_may_leave(cast):
    services.club_transfer_ownership(actor=cast.owner, club=cast.club, new_owner=cast.member)
    roles = dict(cast.club.memberships.values_list("user__username", "role"))
    assert roles[cast.member.username] == Role.OWNER
    assert roles[cast.owner.username] == Role.MODERATOR
    services.club_leave(user=cast.owner, club=cast.club)
    assert not cast.club.memberships.filter(user=cast.owner).exists()
    assert cast.club.memberships.filter(role=Role.OWNER).count() == 1


def test_ownership_goes_only_to_members(cast):
    with pytest.raises(Conflict, match="member of the club"):
        services.club_transfer_ownership(actor=cast.owner, club=cast.club, new_owner=cast.outsider)
    assert cast.club.memberships.get(role=Role.OWNER).user == cast.owner


def test_the_owner_cannot_be_demoted(cast):
    owner_membership = cast.club.memberships.get(user=cast.owner)
    with pytest.raises(Conflict, match="cannot be demoted"):
        services.membership_set_role(actor=cast.owner, membership=owner_membership, role=Role.MEMBER)
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER


def test_only_the_owner_promotes(cast):
    member_membership = cast.club.memberships.get(user=cast.member)
    with pytest.raises(NotAllowed):
        services.membership_set_role(actor=cast.moderator, membership=member_membership, role=Role.MODERATOR)
    services.membership_set_role(actor=cast.owner, membership=member_membership, role=Role.MODERATOR)
    member_membership.refresh_from_db()
    assert member_membership.role == Role.MODERATOR


def test_moderator_removes_members_but_not_other_moderators(cast):
    other_moderator = add_member(cast.club, role=Role.MODERATOR)
    with pytest.raises(NotAllowed):
        services.membership_remove(actor=cast.moderator, membership=other_moderator)
    services.membership_remove(actor=cast.moderator, membership=cast.club.memberships.get(user=cast.member))
    assert not cast.club.memberships.filter(user=cast.member).exists()
    assert cast.club.memberships.filter(pk=other_moderator.pk).exists()


def test_a_removed_member_may_ask_again():
    club = ClubFactory(join_policy=JoinPolicy.APPROVAL)
    owner = club.memberships.get(role=Role.OWNER).user
    reader = UserFactory()
    services.join_request_approve(
        actor=owner, join_request=services.club_join(user=reader, club=club).join_request
    )
    services.membership_remove(actor=owner, membership=club.memberships.get(user=reader))
    outcome = services.club_join(user=reader, club=club)
    assert outcome.join_request.status == JoinRequestStatus.PENDING


def test_only_the_owner_deletes_the_club(cast):
    with pytest.raises(NotAllowed):
        services.club_delete(actor=cast.moderator, club=cast.club)
    services.club_delete(actor=cast.owner, club=cast.club)
    assert not Club.objects.filter(pk=cast.club.pk).exists()


def test_editing_keeps_the_slug_and_refuses_unknown_fields(cast):
    club = services.club_update(actor=cast.moderator, club=cast.club, name="Renamed", city="Faro")
    assert (club.name, club.city, club.slug) == ("Renamed", "Faro", cast.club.slug)
    with pytest.raises(Exception, match="cannot be changed"):
        services.club_update(actor=cast.owner, club=cast.club, invite_code="mine")


def test_site_staff_with_club_permission_may_moderate_any_club(cast):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_club"))
    join_request = JoinRequest.objects.get(user=cast.requester)
    services.join_request_decline(actor=staff, join_request=join_request)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.DECLINED


@pytest.mark.parametrize("name", ["New", "Mine", "Join"])
def test_names_of_fixed_pages_get_a_slug_that_does_not_shadow_them(name):
    club = services.club_create(owner=UserFactory(), name=name)
    assert club.slug == f"{name.lower()}-club"


def test_acting_on_a_club_deleted_meanwhile_is_a_clear_not_found(cast):
    stale = Club.objects.get(pk=cast.club.pk)
    services.club_delete(actor=cast.owner, club=cast.club)
    from booky.core.errors import NotFound

    with pytest.raises(NotFound, match="no longer exists"):
        services.club_join(user=UserFactory(), club=stale)
