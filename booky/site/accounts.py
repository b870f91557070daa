"""Deleting an account: it reaches into every app (clubs, bets, meetings, social), so the site composes it.

Each app's part runs in one transaction, in the lock order documented at the top of bets/services.py:
the member's row first (social.services.account_lock_for_delete), then each club's coming meetings
(bets.services.member_left_club), before the member's attendances, bets and points account.
"""

from django.db import transaction
from django.db.models import Q

from bets.services import member_left_club
from booky.core.errors import Conflict
from clubs.models import Club, ClubInvitation, JoinRequest, Membership, Role
from meetings.models import CalendarFeed
from social.models import User
from social.services import account_anonymize, account_lock_for_delete, account_ties_delete


def owned_clubs(user: User):
    """The clubs `user` owns, which they must hand over (or delete) before deleting their account."""
    owner_of = Membership.objects.filter(user=user, role=Role.OWNER).values("club")
    return Club.objects.filter(pk__in=owner_of).order_by("name", "pk")


@transaction.atomic
def account_delete(*, user: User, password: str) -> User:
    """Anonymize the member for good: nothing that names them stays, every point and bet stays.

    The user row is kept (its points account, ledger entries and bets point at it, PROTECTed), with
    the username "deleted-<id>", no email, no password and no way to log in. Friends, requests,
    blocks, memberships, join requests, invitations, notifications and the calendar link go. Owners
    hand their clubs over (or delete them) first, so no club is left without an owner.
    """
    user = account_lock_for_delete(user=user, password=password)
    clubs = list(owned_clubs(user))
    if clubs:
        names = ", ".join(club.name for club in clubs)
        raise Conflict(
            f"You own {names}. Make another member the owner (or delete the club) first; "
            "then you can delete your account.",
            code="owns_clubs",
        )
    account_ties_delete(user=user)
    # Like leaving each club: not going to coming meetings, open bets withdrawn (stakes returned).
    for club in Club.objects.filter(memberships__user=user).order_by("pk"):  # lock order: by id
        member_left_club(user=user, club=club)
    Membership.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user).delete()
    ClubInvitation.objects.filter(Q(inviter=user) | Q(invitee=user)).delete()
    CalendarFeed.objects.filter(user=user).delete()
    return account_anonymize(user=user)
