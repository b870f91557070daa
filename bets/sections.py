"""The meeting page's "Bets" section: what it shows, read in a fixed number of queries.

Shared by the section's own fragment (bets/views.py) and the meeting page that composes it with the
race (booky/site/views/meeting_page.py).
"""

from django.utils import timezone

from bets import selectors
from bets.forms import BetForm
from bets.models import BetStatus
from clubs.visibility import annotate_profile_visibility, mark_profile_visibility
from meetings import permissions
from meetings.models import Meeting
from meetings.race import RACE_POLL_SECONDS
from social.permissions import with_profile_visibility


def meeting_bets_as_seen(viewer, meeting: Meeting) -> list:
    """Every active bet of the meeting, its bettor and horse marked with what `viewer` may see of them."""
    bets = annotate_profile_visibility(
        selectors.meeting_bets(meeting), viewer, club=meeting.club, user_fields=("bettor", "horse")
    )
    return with_profile_visibility(bets, user_fields=("bettor", "horse"))


def bets_context(request, meeting: Meeting, *, form: BetForm | None = None, now=None) -> dict:
    """Everything the "Bets" section shows, in a fixed number of queries whatever the number of bets."""
    now = now or timezone.now()
    user = request.user
    board = selectors.odds_board(meeting, now)
    going_horses = [row.horse for row in board.horses if row.going]
    my_bet = selectors.bet_of(user, meeting) if user.is_authenticated else None
    open_bet = my_bet if my_bet is not None and my_bet.status == BetStatus.OPEN else None
    balance = selectors.balance_of(user) if user.is_authenticated else 0
    i_am_going = user.is_authenticated and any(horse.pk == user.pk for horse in going_horses)
    if not user.is_authenticated:
        why_not = "anonymous"
    elif board.closed:
        why_not = "closed"
    elif not permissions.can_take_part(user, meeting):
        why_not = "outsider"
    elif not i_am_going:
        why_not = "not_going"
    elif open_bet is None and balance < 1:
        why_not = "broke"
    else:
        why_not = ""
    available = balance + (open_bet.amount if open_bet else 0)
    if form is None and not why_not:
        initial = (
            {
                "horse": open_bet.horse_id,
                "amount": open_bet.amount,
                "bet": open_bet.pk,
                "version": open_bet.version,
            }
            if open_bet
            else {}
        )
        form = BetForm(horses=going_horses, available=available, initial=initial)
    resolved = meeting.bets_resolved_at is not None
    all_bets = meeting_bets_as_seen(user, meeting) if board.closed else None
    mark_profile_visibility(
        user,
        [row.horse for row in board.horses],
        club=meeting.club,
        viewer_is_member=getattr(meeting, "viewer_is_member", None),
    )
    return {
        "meeting": meeting,
        "board": board,
        "my_bet": my_bet,
        "open_bet": open_bet,
        "balance": balance,
        "bet_form": form if not why_not else None,
        "why_not": why_not,
        "bonus_pending": why_not == "broke" and selectors.welcome_bonus_pending(user),
        "all_bets": all_bets,
        "resolved": resolved,
        # The section refreshes with the race until its bets are settled.
        "bets_poll": meeting.is_scheduled() and not resolved and RACE_POLL_SECONDS,
    }
