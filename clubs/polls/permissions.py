"""Who may do what with a club's next-book polls. One place, used by the pages, the API and the admin."""

from clubs.permissions import can_view_club, is_member, is_staff_of
from clubs.polls.models import Nomination, NominationRule, Poll, PollPhase


def can_view_poll(user, poll: Poll) -> bool:
    """Whoever may see the club sees its polls; only members take part."""
    return can_view_club(user, poll.club)


def can_open_poll(user, club) -> bool:
    return is_staff_of(user, club)


def can_nominate(user, poll: Poll, now=None) -> bool:
    if poll.phase(now) != PollPhase.NOMINATING:
        return False
    if poll.nominations_by == NominationRule.HOSTS:
        return is_staff_of(user, poll.club)
    return is_member(user, poll.club)


def can_withdraw(user, nomination: Nomination) -> bool:
    poll = nomination.poll
    if poll.phase() != PollPhase.NOMINATING or not is_member(user, poll.club):
        return False
    return nomination.nominated_by_id == user.pk or is_staff_of(user, poll.club)


def can_vote(user, poll: Poll, now=None) -> bool:
    return poll.phase(now) == PollPhase.VOTING and is_member(user, poll.club)


def can_see_results(user, poll: Poll) -> bool:
    """After closing, everyone who sees the poll; before, only with live results and only members."""
    if not can_view_poll(user, poll):
        return False
    if poll.phase() == PollPhase.CLOSED:
        return True
    return poll.show_live_results and poll.phase() == PollPhase.VOTING and is_member(user, poll.club)


def can_see_turnout(user, poll: Poll) -> bool:
    """How many have voted (never what): the hosts, throughout."""
    return is_staff_of(user, poll.club)


def can_schedule_winner(user, poll: Poll) -> bool:
    return poll.phase() == PollPhase.CLOSED and poll.winner_id is not None and is_staff_of(user, poll.club)
