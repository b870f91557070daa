"""The welcome bonus follows allauth's account events: it is minted when the member's email address
is verified, or at sign-up when the site verifies no addresses (ACCOUNT_EMAIL_VERIFICATION=none).

A throwaway account that never proves an address gets no points, so it cannot feed another account
through losing bets. Either event may come more than once (a second address verified, an admin
marking an address verified): the award key makes the bonus exactly once per user.
"""

from allauth.account import app_settings as allauth_settings
from allauth.account.signals import email_confirmed, user_signed_up

from bets.models import Bet, LedgerEntry
from bets.services import (
    bets_refund_not_running,
    meeting_has_a_race,
    meeting_refund_open_bets,
    meeting_resolve_bets,
    member_left_club,
    points_award_check_ins,
    points_award_signup,
)
from bets.tasks import schedule_resolution
from booky.core.errors import Conflict
from clubs import events as club_events
from meetings import events


def award_on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    points_award_signup(user=email_address.user)


def award_on_signup_without_verification(sender, request, user, **kwargs) -> None:
    if allauth_settings.EMAIL_VERIFICATION == allauth_settings.EmailVerificationMethod.NONE:
        points_award_signup(user=user)


def connect() -> None:
    email_confirmed.connect(award_on_email_confirmed, dispatch_uid="bets.signup_bonus.email_confirmed")
    user_signed_up.connect(
        award_on_signup_without_verification, dispatch_uid="bets.signup_bonus.user_signed_up"
    )


# --- meetings' domain events (meetings/events.py) ---------------------------------------------------
# meetings sits below bets and cannot call it; these receivers are bets' side of each meeting change.
# They run inside the sender's transaction (connected for `send`, so an error propagates and rolls
# the meeting's change back with any ledger rows written here).


def schedule_settlement(sender, meeting, **kwargs) -> None:
    schedule_resolution(meeting)  # defers the task to after commit


def refund_bets_on_changed_race(sender, meeting, why, **kwargs) -> None:
    meeting_refund_open_bets(meeting=meeting, why=why)


def settle_cancelled_meeting(sender, meeting, **kwargs) -> None:
    meeting_resolve_bets(meeting_id=meeting.pk)


def refund_bets_on_declined(sender, meeting, user, **kwargs) -> None:
    bets_refund_not_running(meeting=meeting, horse=user, why=f"{user.name} said they are not going")


def award_check_in_points(sender, meeting, users, walk_ins, **kwargs) -> None:
    # The race is the one signed up for: members checked in without an RSVP do not make one.
    if not meeting_has_a_race(meeting, not_counting=walk_ins):
        return  # a club of one earns no points alone
    points_award_check_ins(users=users, meeting=meeting)


def connect_meeting_events() -> None:
    events.meeting_start_set.connect(schedule_settlement, dispatch_uid="bets.meeting_start_set")
    events.race_changed.connect(refund_bets_on_changed_race, dispatch_uid="bets.race_changed")
    events.meeting_cancelled.connect(settle_cancelled_meeting, dispatch_uid="bets.meeting_cancelled")
    events.attendee_declined.connect(refund_bets_on_declined, dispatch_uid="bets.attendee_declined")
    events.members_checked_in.connect(award_check_in_points, dispatch_uid="bets.members_checked_in")


# --- club events (clubs/events.py) -----------------------------------------------------------------
# Both run inside the clubs service's transaction, with the club row locked: the refunds and
# withdrawals below commit or roll back with the membership change, and a veto stops the deletion.


def release_from_club_meetings(sender, club, user, **kwargs) -> None:
    """A member left or was removed: not going to the club's coming meetings, nor betting on them."""
    member_left_club(user=user, club=club)


def keep_club_with_points_history(sender, club, **kwargs) -> None:
    """A club whose meetings ever had points staked or earned stays: the ledger keeps every row."""
    if (
        Bet.objects.filter(meeting__club=club).exists()
        or LedgerEntry.objects.filter(meeting__club=club).exists()
    ):
        raise Conflict(
            f"{club.name} cannot be deleted: points were bet or earned at its meetings, and the points "
            "history is kept for good. Cancel its upcoming meetings instead.",
            code="club_has_points_history",
        )


def connect_club_events() -> None:
    club_events.member_left.connect(release_from_club_meetings, dispatch_uid="bets.club.member_left")
    club_events.club_deleting.connect(keep_club_with_points_history, dispatch_uid="bets.club.club_deleting")
