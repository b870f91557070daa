"""What the poll page and its fragments show, built in one place for the page (booky.site) and the
fragment views (clubs/views/polls.py)."""

import re

from django.shortcuts import get_object_or_404

from books.models import Shelf, ShelfEntry
from books.picker import picker_for
from booky.core.timezones import viewer_timezone
from clubs.page_helpers import visible_club
from clubs.permissions import is_member
from clubs.polls import permissions, selectors
from clubs.polls.forms import BallotForm, NominationForm
from clubs.polls.models import Poll, PollPhase

SHELF_CHOICES = 50
_NOMINEE_IDS = re.compile(r"nominees? ((?:\d+(?:, )?)+)")


def _shelf_books(user, poll: Poll, nominated_ids: set[int]) -> list:
    """The member's want-to-read books not nominated yet, to nominate in one click."""
    if not user.is_authenticated:
        return []
    entries = (
        ShelfEntry.objects.filter(user=user, shelf=Shelf.WANT_TO_READ)
        .exclude(book_id__in=nominated_ids)
        .select_related("book")
        .order_by("-added_at")[:SHELF_CHOICES]
    )
    return [entry.book for entry in entries]


def name_tie_breaks(result, nominations) -> None:
    """The count names nominees by id; the page names them by title."""
    titles = {n.pk: f"“{n.book.title}”" for n in nominations}

    def titled(match):
        ids = [int(value) for value in match.group(1).replace(" ", "").split(",") if value]
        return ", ".join(titles.get(pk, "a withdrawn book") for pk in ids)

    for index, row in enumerate(result.rounds):
        if row.tie_break:
            result.rounds[index] = type(row)(
                **{**row.__dict__, "tie_break": _NOMINEE_IDS.sub(titled, row.tie_break)}
            )


def visible_poll(request, slug: str, pk: int) -> Poll:
    """The poll of a club the request may see (404 otherwise), with its club attached."""
    club = visible_club(request, slug)
    poll = get_object_or_404(Poll.objects.select_related("winner__book"), pk=pk, club=club)
    poll.club = club
    return poll


def poll_context(
    request, poll: Poll, *, nomination_form=None, ballot_form=None, ballot_message: str = ""
) -> dict:
    user = request.user
    nominations = selectors.nominations_for_page(poll)
    phase = poll.phase()
    can_nominate = permissions.can_nominate(user, poll)
    can_vote = permissions.can_vote(user, poll)
    ranking = selectors.my_ranking(user, poll) if is_member(user, poll.club) else []
    context = {
        "club": poll.club,
        "poll": poll,
        "phase": phase,
        "phases": PollPhase,
        "nominations": nominations,
        "is_member": is_member(user, poll.club),
        "can_nominate": can_nominate,
        "can_vote": can_vote,
        "my_ranking": ranking,
        "ballot_message": ballot_message,
        "viewer_tz": viewer_timezone(user),
    }
    if can_nominate:
        mine = sum(1 for n in nominations if n.nominated_by_id == user.pk)
        context["nominations_left"] = max(0, poll.max_nominations - mine)
        context["nomination_form"] = nomination_form or NominationForm()
        context["book_picker"] = picker_for(request, search=request.method in ("GET", "HEAD"))
        context["shelf_books"] = _shelf_books(user, poll, {n.book_id for n in nominations})
    for nomination in nominations:
        nomination.can_withdraw = phase == PollPhase.NOMINATING and permissions.can_withdraw(user, nomination)
    if can_vote and nominations:
        if ballot_form is None:
            initial = (
                {"choice": ranking[0]}
                if not poll.is_ranked and ranking
                else {f"rank_{pk}": rank for rank, pk in enumerate(ranking, start=1)}
            )
            ballot_form = BallotForm(initial=initial, nominations=nominations, single=not poll.is_ranked)
        context["ballot_form"] = ballot_form
        context["ballot_rows"] = (
            [(n, ballot_form.rank_field(n)) for n in nominations] if poll.is_ranked else []
        )
    if permissions.can_see_turnout(user, poll):
        context["turnout"] = selectors.turnout(poll)
    result = selectors.result_for(user, poll, nominations)
    if result is not None:
        name_tie_breaks(result, nominations)
    context["result"] = result
    return context
