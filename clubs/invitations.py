"""Club invitations: a member invites a friend; the friend accepts or declines.

Accepting follows the club's policy: in an approval club an invitation from a plain member becomes a
join request for the moderators, while one from the owner or a moderator lets the friend in at once;
in open and invite-only clubs accepting joins.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from booky.core.errors import Conflict, DomainError, NotAllowed, NotFound
from clubs import permissions
from clubs.models import (
    Club,
    ClubInvitation,
    InvitationStatus,
    JoinPolicy,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Role,
)
from clubs.services import _lock_club, notify_join_request
from clubs.visibility import annotate_profile_visibility
from social.models import Block, NotificationKind, User
from social.notifications import notify
from social.permissions import shown_name, with_profile_visibility
from social.relationships import are_friends, friends_of

INVITATIONS_URL = "clubs_invitations:list"


@dataclass(frozen=True)
class InvitationOutcome:
    invitation: ClubInvitation
    membership: Membership | None = None
    join_request: JoinRequest | None = None

    @property
    def joined(self) -> bool:
        return self.membership is not None


def _blocked_between(a: User, b: User) -> bool:
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def invitable_friends(*, inviter: User, club: Club) -> QuerySet:
    """The inviter's friends who could be invited now: not members, not invited yet, no block either way."""
    members = Membership.objects.filter(club=club).values("user")
    pending = ClubInvitation.objects.filter(club=club, status=InvitationStatus.PENDING).values("invitee")
    blocks = Block.objects.filter(Q(blocker=inviter) | Q(blocked=inviter))
    return (
        friends_of(inviter)
        .filter(is_active=True, deleted_at__isnull=True)
        .exclude(pk__in=members)
        .exclude(pk__in=pending)
        .exclude(pk__in=blocks.values("blocked"))
        .exclude(pk__in=blocks.values("blocker"))
        .order_by("display_name", "username")
    )


@transaction.atomic
def invitation_send(*, inviter: User, club: Club, invitee: User) -> ClubInvitation:
    """Invite a friend to a club the inviter belongs to; one pending invitation per club and friend."""
    if not inviter.is_authenticated:
        raise NotAllowed("Log in first.", code="not_authenticated")
    club = _lock_club(club)
    if not permissions.is_member(inviter, club):
        raise NotAllowed(f"Only members of {club.name} can invite people to it.", code="not_member")
    if invitee is None or not invitee.is_active or invitee.deleted_at is not None:
        raise NotFound("There is no member with that username.")
    if invitee.pk == inviter.pk:
        raise DomainError("You are already in this club.", code="self_invite")
    if _blocked_between(inviter, invitee) or not are_friends(inviter, invitee):
        raise NotAllowed("You can only invite your friends.", code="not_friends")
    if Membership.objects.filter(club=club, user=invitee).exists():
        raise Conflict(
            f"{shown_name(inviter, invitee)} is already a member of {club.name}.", code="already_member"
        )
    if ClubInvitation.objects.filter(club=club, invitee=invitee, status=InvitationStatus.PENDING).exists():
        raise Conflict(
            f"{shown_name(inviter, invitee)} already has an invitation to {club.name}.",
            code="already_invited",
        )
    try:
        with transaction.atomic():
            invitation = ClubInvitation.objects.create(club=club, inviter=inviter, invitee=invitee)
    except IntegrityError as error:  # invited by another member at the same moment
        raise Conflict(
            f"{shown_name(inviter, invitee)} already has an invitation to {club.name}.",
            code="already_invited",
        ) from error
    notify(
        recipient=invitee,
        kind=NotificationKind.CLUB_INVITATION,
        actor=inviter,
        message=f"{shown_name(invitee, inviter)} invited you to join {club.name}.",
        url=reverse(INVITATIONS_URL),
    )
    return invitation


def _lock_pending(*, user: User, invitation: ClubInvitation) -> ClubInvitation:
    locked = (
        ClubInvitation.objects.select_for_update()
        .select_related("club", "inviter")
        .filter(pk=invitation.pk, invitee=user)
        .first()
    )
    if locked is None:
        raise NotFound("No such invitation.")
    if locked.status != InvitationStatus.PENDING:
        raise Conflict(
            f"You already {locked.get_status_display().lower()} this invitation.", code="already_decided"
        )
    return locked


def _close(invitation: ClubInvitation, status: str) -> None:
    invitation.status = status
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])


@transaction.atomic
def invitation_accept(*, user: User, invitation: ClubInvitation) -> InvitationOutcome:
    """Say yes: join the club, or, in an approval club invited by a plain member, ask the moderators."""
    if not user.is_authenticated:
        raise NotAllowed("Log in first.", code="not_authenticated")
    invitation = _lock_pending(user=user, invitation=invitation)
    club = _lock_club(invitation.club)
    _close(invitation, InvitationStatus.ACCEPTED)
    existing = Membership.objects.filter(club=club, user=user).first()
    if existing is not None:
        return InvitationOutcome(invitation=invitation, membership=existing)
    inviter_is_staff = permissions.is_staff_of(invitation.inviter, club)
    if club.join_policy == JoinPolicy.APPROVAL and not inviter_is_staff:
        join_request = JoinRequest.objects.filter(
            club=club, user=user, status=JoinRequestStatus.PENDING
        ).first()
        if join_request is None:
            join_request = JoinRequest.objects.create(
                club=club, user=user, message=f"Invited by {invitation.inviter.name}."
            )
            notify_join_request(club=club, join_request=join_request)
        return InvitationOutcome(invitation=invitation, join_request=join_request)
    JoinRequest.objects.filter(club=club, user=user, status=JoinRequestStatus.PENDING).update(
        status=JoinRequestStatus.APPROVED, decided_at=timezone.now()
    )
    membership = Membership.objects.create(club=club, user=user, role=Role.MEMBER)
    permissions.forget_roles(club)
    return InvitationOutcome(invitation=invitation, membership=membership)


@transaction.atomic
def invitation_decline(*, user: User, invitation: ClubInvitation) -> ClubInvitation:
    invitation = _lock_pending(user=user, invitation=invitation)
    _close(invitation, InvitationStatus.DECLINED)
    return invitation


def pending_invitations_of(user: User) -> list:
    """The user's pending invitations, newest first, with club and inviter, the inviter marked with
    what the user may see of them (one query)."""
    invitations = ClubInvitation.objects.filter(invitee=user, status=InvitationStatus.PENDING).select_related(
        "club", "inviter"
    )
    return with_profile_visibility(
        annotate_profile_visibility(invitations, user, user_fields=("inviter",)), user_fields=("inviter",)
    )
