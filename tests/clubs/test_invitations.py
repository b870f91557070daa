"""Club invitations: members invite friends (only friends, not blocked, not members, one pending per
club and friend); accepting follows the club's policy; the invitee answers from /clubs/invitations/."""

import pytest

from booky.core.errors import Conflict, DomainError, NotAllowed
from clubs import invitations
from clubs.models import (
    ClubInvitation,
    InvitationStatus,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    Visibility,
)
from social.models import Block, Notification, NotificationKind
from tests.factories import ClubFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def _club(policy=JoinPolicy.OPEN, **kwargs):
    club = ClubFactory(join_policy=policy, **kwargs)
    return club, club.memberships.get().user


def _friend_of(user):
    friend = UserFactory()
    befriend(user, friend)
    return friend


# --- sending ---------------------------------------------------------------------------------------


def test_a_member_invites_a_friend():
    club, owner = _club()
    member = add_member(club).user
    friend = _friend_of(member)
    invitation = invitations.invitation_send(inviter=member, club=club, invitee=friend)
    assert (invitation.inviter, invitation.invitee, invitation.status) == (
        member,
        friend,
        InvitationStatus.PENDING,
    )


def test_only_friends_can_be_invited():
    club, owner = _club()
    with pytest.raises(NotAllowed, match="only invite your friends"):
        invitations.invitation_send(inviter=owner, club=club, invitee=UserFactory())
    assert ClubInvitation.objects.count() == 0


@pytest.mark.parametrize("direction", ["inviter_blocked", "invitee_blocked"])
def test_a_block_either_way_prevents_inviting(direction):
    club, owner = _club()
    friend = _friend_of(owner)
    blocker, blocked = (friend, owner) if direction == "inviter_blocked" else (owner, friend)
    Block.objects.create(blocker=blocker, blocked=blocked)
    with pytest.raises(NotAllowed):
        invitations.invitation_send(inviter=owner, club=club, invitee=friend)


def test_outsiders_cannot_invite_to_a_club():
    club, _owner = _club()
    outsider = UserFactory()
    friend = _friend_of(outsider)
    with pytest.raises(NotAllowed, match="Only members"):
        invitations.invitation_send(inviter=outsider, club=club, invitee=friend)


def test_members_cannot_be_invited_again():
    club, owner = _club()
    friend = _friend_of(owner)
    add_member(club, friend)
    with pytest.raises(Conflict, match="already a member"):
        invitations.invitation_send(inviter=owner, club=club, invitee=friend)


def test_one_pending_invitation_per_club_and_friend_whoever_invites():
    club, owner = _club()
    moderator = add_member(club, role=Role.MODERATOR).user
    friend = _friend_of(owner)
    befriend(moderator, friend)
    invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    with pytest.raises(Conflict, match="already has an invitation"):
        invitations.invitation_send(inviter=moderator, club=club, invitee=friend)
    assert Notification.objects.filter(kind=NotificationKind.CLUB_INVITATION).count() == 1


def test_inviting_yourself_is_refused():
    club, owner = _club()
    with pytest.raises(DomainError):
        invitations.invitation_send(inviter=owner, club=club, invitee=owner)


# --- accepting and declining -----------------------------------------------------------------------


@pytest.mark.parametrize("policy", [JoinPolicy.OPEN, JoinPolicy.INVITE])
def test_accepting_joins_open_and_invite_only_clubs(policy):
    club, _owner = _club(policy)
    member = add_member(club).user
    friend = _friend_of(member)
    invitation = invitations.invitation_send(inviter=member, club=club, invitee=friend)
    outcome = invitations.invitation_accept(user=friend, invitation=invitation)
    assert outcome.joined
    assert Membership.objects.filter(club=club, user=friend, role=Role.MEMBER).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_accepting_a_private_clubs_invitation_joins_it():
    club, owner = _club(JoinPolicy.INVITE, visibility=Visibility.PRIVATE)
    friend = _friend_of(owner)
    invitation = invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    assert invitations.invitation_accept(user=friend, invitation=invitation).joined


def test_in_approval_clubs_a_plain_members_invitation_becomes_a_join_request_for_the_moderators():
    club, owner = _club(JoinPolicy.APPROVAL)
    moderator = add_member(club, role=Role.MODERATOR).user
    member = add_member(club).user
    friend = _friend_of(member)
    invitation = invitations.invitation_send(inviter=member, club=club, invitee=friend)
    outcome = invitations.invitation_accept(user=friend, invitation=invitation)
    assert not outcome.joined
    assert not Membership.objects.filter(club=club, user=friend).exists()
    request = JoinRequest.objects.get(club=club, user=friend)
    assert request.status == "pending"
    assert sorted(
        Notification.objects.filter(kind=NotificationKind.JOIN_REQUEST).values_list("recipient_id", flat=True)
    ) == sorted([owner.pk, moderator.pk])


@pytest.mark.parametrize("role", [Role.OWNER, Role.MODERATOR])
def test_in_approval_clubs_an_invitation_from_the_staff_lets_the_friend_in(role):
    club, owner = _club(JoinPolicy.APPROVAL)
    inviter = owner if role == Role.OWNER else add_member(club, role=Role.MODERATOR).user
    friend = _friend_of(inviter)
    invitation = invitations.invitation_send(inviter=inviter, club=club, invitee=friend)
    assert invitations.invitation_accept(user=friend, invitation=invitation).joined
    assert not JoinRequest.objects.filter(club=club, user=friend).exists()


def test_declining_closes_the_invitation_and_allows_a_new_one_later():
    club, owner = _club()
    friend = _friend_of(owner)
    invitation = invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    invitations.invitation_decline(user=friend, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not Membership.objects.filter(club=club, user=friend).exists()
    invitations.invitation_send(inviter=owner, club=club, invitee=friend)


def test_an_invitation_is_answered_once_and_only_by_its_invitee():
    club, owner = _club()
    friend = _friend_of(owner)
    invitation = invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    with pytest.raises(DomainError):
        invitations.invitation_accept(user=UserFactory(), invitation=invitation)
    invitations.invitation_accept(user=friend, invitation=invitation)
    with pytest.raises(Conflict):
        invitations.invitation_decline(user=friend, invitation=invitation)


# --- pages -----------------------------------------------------------------------------------------


def test_club_page_offers_members_the_invite_form_with_invitable_friends_only(client):
    club, owner = _club()
    invitable, member_friend = _friend_of(owner), _friend_of(owner)
    add_member(club, member_friend)
    client.force_login(owner)
    page = client.get(f"/clubs/{club.slug}/").text
    assert 'id="invite-friend"' in page
    assert f'value="{invitable.username}"' in page
    assert f'value="{member_friend.username}"' not in page


def test_club_page_has_no_invite_form_for_outsiders(client):
    club, _owner = _club()
    client.force_login(UserFactory())
    assert 'id="invite-friend"' not in client.get(f"/clubs/{club.slug}/").text


def test_sending_an_invitation_swaps_the_form_in_place(client):
    club, owner = _club()
    friend = _friend_of(owner)
    client.force_login(owner)
    response = client.post(f"/clubs/invitations/send/{club.slug}/", {"invitee": friend.username}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f"Invitation sent to {friend.name}." in response.text
    assert ClubInvitation.objects.filter(club=club, invitee=friend).exists()


def test_inviting_a_stranger_re_renders_the_form_with_422(client):
    club, owner = _club()
    stranger = UserFactory()
    client.force_login(owner)
    response = client.post(
        f"/clubs/invitations/send/{club.slug}/", {"invitee": stranger.username}, headers=HX
    )
    assert response.status_code == 422
    assert "Choose one of your friends" in response.text
    assert ClubInvitation.objects.count() == 0


def test_sending_without_javascript_redirects_to_the_club_with_a_message(client):
    club, owner = _club()
    friend = _friend_of(owner)
    client.force_login(owner)
    response = client.post(f"/clubs/invitations/send/{club.slug}/", {"invitee": friend.username}, follow=True)
    assert response.redirect_chain[-1][0] == f"/clubs/{club.slug}/"
    assert f"Invitation sent to {friend.name}." in response.text


def test_invitations_page_lists_my_pending_invitations(client):
    club, owner = _club(visibility=Visibility.PRIVATE, policy=JoinPolicy.INVITE)
    friend = _friend_of(owner)
    invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    client.force_login(friend)
    page = client.get("/clubs/invitations/").text
    assert club.name in page and owner.name in page
    assert "Accept" in page and "Decline" in page


def test_invitations_page_empty_state(client):
    client.force_login(UserFactory())
    assert "No invitations waiting." in client.get("/clubs/invitations/").text


def test_accepting_from_the_page_swaps_the_invitation_with_a_link_to_the_club(client):
    club, owner = _club()
    friend = _friend_of(owner)
    invitation = invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    client.force_login(friend)
    response = client.post(f"/clubs/invitations/{invitation.pk}/accept/", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f"Welcome to {club.name}!" in response.text
    assert f'href="/clubs/{club.slug}/"' in response.text


def test_declining_from_the_page_without_javascript_redirects_back(client):
    club, owner = _club()
    friend = _friend_of(owner)
    invitation = invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    client.force_login(friend)
    response = client.post(f"/clubs/invitations/{invitation.pk}/decline/")
    assert response.status_code == 302 and response["Location"] == "/clubs/invitations/"


def test_answering_twice_gets_409_with_the_reason(client):
    club, owner = _club()
    friend = _friend_of(owner)
    invitation = invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    client.force_login(friend)
    client.post(f"/clubs/invitations/{invitation.pk}/decline/", headers=HX)
    response = client.post(f"/clubs/invitations/{invitation.pk}/accept/", headers=HX)
    assert response.status_code == 409
    assert "already declined" in response.text


def test_someone_elses_invitation_is_a_404(client):
    club, owner = _club()
    friend = _friend_of(owner)
    invitation = invitations.invitation_send(inviter=owner, club=club, invitee=friend)
    client.force_login(UserFactory())
    assert client.post(f"/clubs/invitations/{invitation.pk}/accept/", headers=HX).status_code == 404


def test_a_club_cannot_take_the_invitations_address():
    from clubs.services import club_create

    club = club_create(owner=UserFactory(), name="Invitations")
    assert club.slug != "invitations"
