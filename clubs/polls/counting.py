"""Vote counting for a club's "next book" poll. Pure: no database, no Django; tested with Hypothesis.

Nominees are ids in nomination order, earliest first. A ballot ranks nominee ids, best first. Before
counting, each ballot drops ids that are not nominees and repeats of an id it already ranked (the
first occurrence stays); a ballot left empty is not counted at all.

Instant runoff (`count_instant_runoff`):

- Each round, every ballot counts for its highest-ranked continuing nominee; a ballot that ranks no
  continuing nominee is exhausted for that round.
- A nominee with more than half of the round's non-exhausted ballots wins. When only one nominee
  continues, it wins.
- Otherwise the continuing nominee with the fewest votes is eliminated. Among nominees tied for
  fewest, the one with fewer second-choice votes is eliminated, where a nominee's second-choice
  votes are the ballots on which it is the second-highest-ranked continuing nominee; if still tied,
  the one nominated later is eliminated. The count depends only on the multiset of ballots, never
  on their order.

One vote each (`count_single_vote`): each ballot's first choice counts, in a single round; the most
votes wins, and a tie goes to the earlier nomination (the later one loses, as in instant runoff).

Either way, with no nominees or no counted ballots there is no winner and no round.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Round:
    # Every continuing nominee, in nomination order, with its votes this round (0 allowed).
    tallies: dict[int, int]
    exhausted: int  # counted ballots that rank no continuing nominee
    eliminated: int | None  # None in the deciding round
    tie_break: str  # "" unless a tie for elimination (or, one vote each, for the win) was broken


@dataclass(frozen=True)
class Outcome:
    winner: int | None  # None only when there are no nominees or no counted ballots
    rounds: tuple[Round, ...]
    ballots_counted: int


def count_instant_runoff(nominees: Sequence[int], ballots: Iterable[Sequence[int]]) -> Outcome:
    """Count the ballots by instant runoff; the winner is a nominee whenever a ballot counts."""
    nomination_order = _distinct_nominees(nominees)
    counted = _cleaned_ballots(nomination_order, ballots)
    if not nomination_order or not counted:
        return Outcome(winner=None, rounds=(), ballots_counted=len(counted))

    continuing = list(nomination_order)
    rounds = []
    while True:
        continuing_ids = set(continuing)
        tallies = dict.fromkeys(continuing, 0)
        second_choices = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ballot in counted:
            preferences = [nominee for nominee in ballot if nominee in continuing_ids]
            if not preferences:
                exhausted += 1
                continue
            tallies[preferences[0]] += 1
            if len(preferences) > 1:
                second_choices[preferences[1]] += 1
        active = len(counted) - exhausted
        majority_holders = [nominee for nominee, votes in tallies.items() if 2 * votes > active]
        if majority_holders or len(continuing) == 1:
            # More than half can hold for one nominee at most, so the deciding round has no tie.
            winner = majority_holders[0] if majority_holders else continuing[0]
            rounds.append(Round(tallies=tallies, exhausted=exhausted, eliminated=None, tie_break=""))
            return Outcome(winner=winner, rounds=tuple(rounds), ballots_counted=len(counted))

        eliminated, tie_break = _choose_elimination(tallies, second_choices)
        rounds.append(Round(tallies=tallies, exhausted=exhausted, eliminated=eliminated, tie_break=tie_break))
        continuing.remove(eliminated)


def count_single_vote(nominees: Sequence[int], ballots: Iterable[Sequence[int]]) -> Outcome:
    """Count each ballot's first choice once; the most votes win, the earlier nomination on a tie."""
    nomination_order = _distinct_nominees(nominees)
    counted = _cleaned_ballots(nomination_order, ballots)
    if not nomination_order or not counted:
        return Outcome(winner=None, rounds=(), ballots_counted=len(counted))

    tallies = dict.fromkeys(nomination_order, 0)
    for ballot in counted:
        tallies[ballot[0]] += 1
    most = max(tallies.values())
    leaders = [nominee for nominee, votes in tallies.items() if votes == most]
    tie_break = ""
    if len(leaders) > 1:
        tie_break = f"nominees {_listed(leaders)} tied on {_votes(most)}; broken by earlier nomination"
    only_round = Round(tallies=tallies, exhausted=0, eliminated=None, tie_break=tie_break)
    return Outcome(winner=leaders[0], rounds=(only_round,), ballots_counted=len(counted))


def _distinct_nominees(nominees: Sequence[int]) -> list[int]:
    # A nominee listed twice keeps its first (earliest) place in the nomination order.
    return list(dict.fromkeys(nominees))


def _cleaned_ballots(nomination_order: list[int], ballots: Iterable[Sequence[int]]) -> list[tuple[int, ...]]:
    known = set(nomination_order)
    cleaned = []
    for ballot in ballots:
        ranking = tuple(dict.fromkeys(nominee for nominee in ballot if nominee in known))
        if ranking:
            cleaned.append(ranking)
    return cleaned


def _choose_elimination(tallies: dict[int, int], second_choices: dict[int, int]) -> tuple[int, str]:
    """The nominee to eliminate and, when a tie decided it, the sentence saying how."""
    fewest = min(tallies.values())
    # Both dicts are in nomination order, so the last of a tied group is the one nominated latest.
    tied_on_votes = [nominee for nominee, votes in tallies.items() if votes == fewest]
    if len(tied_on_votes) == 1:
        return tied_on_votes[0], ""
    tie = f"nominees {_listed(tied_on_votes)} tied on {_votes(fewest)}"
    fewest_seconds = min(second_choices[nominee] for nominee in tied_on_votes)
    tied_on_seconds = [nominee for nominee in tied_on_votes if second_choices[nominee] == fewest_seconds]
    if len(tied_on_seconds) == 1:
        return tied_on_seconds[0], f"{tie}; broken by fewer second choices"
    seconds = f"{fewest_seconds} second choice" + ("" if fewest_seconds == 1 else "s")
    if tied_on_seconds == tied_on_votes:
        return tied_on_seconds[-1], f"{tie} and {seconds}; broken by later nomination"
    return (
        tied_on_seconds[-1],
        f"{tie}; nominees {_listed(tied_on_seconds)} also on {seconds}; broken by later nomination",
    )


def _listed(nominees: list[int]) -> str:
    return ", ".join(str(nominee) for nominee in nominees)


def _votes(count: int) -> str:
    return f"{count} vote" if count == 1 else f"{count} votes"
