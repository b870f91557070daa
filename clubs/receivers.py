"""How clubs react to the social app's domain events (social.events); connected in ClubsConfig.ready.

Each runs inside the sender's transaction, so its writes commit or roll back with the change.
"""

from django.db.models import Q
from django.utils import timezone

from clubs.models import ClubInvitation, InvitationStatus


def _withdraw_invitations_between(a, b) -> None:
    """Pending club invitations between the two, either way, end as declined."""
    ClubInvitation.objects.filter(status=InvitationStatus.PENDING).filter(
        Q(inviter=a, invitee=b) | Q(inviter=b, invitee=a)
    ).update(status=InvitationStatus.DECLINED, decided_at=timezone.now())


def withdraw_club_invitations_on_unfriend(sender, *, user, other, **kwargs) -> None:
    """Only friends may invite each other, so ex-friends' pending invitations go."""
    _withdraw_invitations_between(user, other)


def withdraw_club_invitations_on_block(sender, *, blocker, blocked, **kwargs) -> None:
    _withdraw_invitations_between(blocker, blocked)
