"""Reads of polls for the pages and the API: nominees with their shelf counts, my ballot, the result."""

from dataclasses import dataclass

from django.db.models import Count

from books.shelves.selectors import readers_among
from clubs.models import Membership
from clubs.polls import permissions
from clubs.polls.models import Ballot, BallotRank, Nomination, Poll, PollPhase
from clubs.polls.services import count_ballots, rounds_as_json


def nominations_for_page(poll: Poll) -> list[Nomination]:
    """The nominees in nomination order, each with `want_count` (members who want to read it) and
    `read_count` (members who have read it). Three queries whatever their number."""
    nominations = list(poll.nominations.select_related("book", "nominated_by").order_by("created_at", "pk"))
    member_ids = Membership.objects.filter(club_id=poll.club_id).values("user_id")
    counts = readers_among(member_ids, [n.book_id for n in nominations])
    for nomination in nominations:
        nomination.want_count = counts.get(nomination.book_id, {}).get("want", 0)
        nomination.read_count = counts.get(nomination.book_id, {}).get("read", 0)
    return nominations


def my_ranking(user, poll: Poll) -> list[int]:
    """The nomination ids of the member's ballot, best first (empty when they have not voted)."""
    if not user.is_authenticated:
        return []
    return list(
        BallotRank.objects.filter(ballot__poll=poll, ballot__voter=user)
        .order_by("rank")
        .values_list("nomination_id", flat=True)
    )


def turnout(poll: Poll) -> tuple[int, int]:
    """(ballots cast, members of the club)."""
    return Ballot.objects.filter(poll=poll).count(), Membership.objects.filter(club_id=poll.club_id).count()


@dataclass(frozen=True)
class RoundRow:
    number: int
    tallies: list[tuple[Nomination, int]]
    exhausted: int
    eliminated: Nomination | None
    tie_break: str


@dataclass(frozen=True)
class Result:
    winner: Nomination | None
    rounds: list[RoundRow]
    ballots_counted: int
    final: bool  # counted at close (False: the running count of an open poll)


def result_for(user, poll: Poll, nominations: list[Nomination]) -> Result | None:
    """The result the user may see: the stored one after close, the running count when live results are
    on; None otherwise."""
    if not permissions.can_see_results(user, poll):
        return None
    if poll.phase() == PollPhase.CLOSED:
        rounds, counted, winner_id, final = poll.rounds, poll.ballots_counted, poll.winner_id, True
    else:
        outcome = count_ballots(poll)
        rounds, counted, winner_id, final = (
            rounds_as_json(outcome),
            outcome.ballots_counted,
            outcome.winner,
            False,
        )
    by_id = {n.pk: n for n in nominations}
    rows = []
    for number, data in enumerate(rounds, start=1):
        tallies = [(by_id[int(key)], votes) for key, votes in data["tallies"].items() if int(key) in by_id]
        tallies.sort(key=lambda item: -item[1])
        rows.append(
            RoundRow(
                number=number,
                tallies=tallies,
                exhausted=data["exhausted"],
                eliminated=by_id.get(data["eliminated"]),
                tie_break=data["tie_break"],
            )
        )
    return Result(winner=by_id.get(winner_id), rounds=rows, ballots_counted=counted, final=final)


def polls_of(club):
    return (
        Poll.objects.filter(club=club)
        .select_related("winner__book")
        .annotate(nomination_count=Count("nominations"))
        .order_by("-created_at", "-pk")
    )
