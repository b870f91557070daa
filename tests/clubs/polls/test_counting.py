"""Counting the "next book" poll, without a database: known elections, then Hypothesis properties."""

from hypothesis import given, settings
from hypothesis import strategies as st

from clubs.polls.counting import Outcome, Round, count_instant_runoff, count_single_vote

# Known elections


def test_a_majority_of_first_choices_wins_in_the_first_round():
    outcome = count_instant_runoff([1, 2, 3], [[1], [1, 2], [1, 3], [2], [3, 2]])
    assert outcome == Outcome(
        winner=1,
        rounds=(Round(tallies={1: 3, 2: 1, 3: 1}, exhausted=0, eliminated=None, tie_break=""),),
        ballots_counted=5,
    )


def test_the_plurality_leader_loses_once_the_last_placed_transfers():
    ballots = [[1, 3]] * 4 + [[2, 3]] * 3 + [[3, 2]] * 2
    outcome = count_instant_runoff([1, 2, 3], ballots)
    assert outcome.winner == 2
    assert outcome.rounds == (
        Round(tallies={1: 4, 2: 3, 3: 2}, exhausted=0, eliminated=3, tie_break=""),
        Round(tallies={1: 4, 2: 5}, exhausted=0, eliminated=None, tie_break=""),
    )
    assert count_single_vote([1, 2, 3], ballots).winner == 1


def test_a_tie_for_fewest_eliminates_the_one_with_fewer_second_choices_even_if_nominated_earlier():
    ballots = [[1]] * 4 + [[2, 3]] * 2 + [[3, 1]] * 2
    outcome = count_instant_runoff([1, 2, 3], ballots)
    assert outcome.winner == 1
    assert outcome.rounds == (
        Round(
            tallies={1: 4, 2: 2, 3: 2},
            exhausted=0,
            eliminated=2,
            tie_break="nominees 2, 3 tied on 2 votes; broken by fewer second choices",
        ),
        # Second choices are recounted among the continuing nominees: [3, 1] now gives 1 a second choice.
        Round(
            tallies={1: 4, 3: 4},
            exhausted=0,
            eliminated=3,
            tie_break="nominees 1, 3 tied on 4 votes; broken by fewer second choices",
        ),
        Round(tallies={1: 6}, exhausted=2, eliminated=None, tie_break=""),
    )
    assert outcome.ballots_counted == 8


def test_a_tie_on_votes_and_second_choices_eliminates_the_later_nomination_not_the_higher_id():
    outcome = count_instant_runoff([3, 2, 1], [[3], [3], [2], [1]])
    assert outcome.winner == 3
    assert outcome.rounds == (
        Round(
            tallies={3: 2, 2: 1, 1: 1},
            exhausted=0,
            eliminated=1,
            tie_break="nominees 2, 1 tied on 1 vote and 0 second choices; broken by later nomination",
        ),
        Round(tallies={3: 2, 2: 1}, exhausted=1, eliminated=None, tie_break=""),
    )


def test_second_choices_narrow_a_three_way_tie_and_nomination_order_settles_the_rest():
    ballots = [[4, 3]] * 3 + [[1, 2], [2, 1], [3]]
    outcome = count_instant_runoff([1, 2, 3, 4], ballots)
    assert outcome.winner == 4
    assert outcome.rounds == (
        Round(
            tallies={1: 1, 2: 1, 3: 1, 4: 3},
            exhausted=0,
            eliminated=2,
            tie_break=(
                "nominees 1, 2, 3 tied on 1 vote; nominees 1, 2 also on 1 second choice; "
                "broken by later nomination"
            ),
        ),
        Round(tallies={1: 2, 3: 1, 4: 3}, exhausted=0, eliminated=3, tie_break=""),
        Round(tallies={1: 2, 4: 3}, exhausted=1, eliminated=None, tie_break=""),
    )


def test_exhausted_ballots_do_not_count_towards_the_majority():
    # 1 has 3 of 7 ballots, but once 3 is out its two ballots rank nobody else, and 3 of 5 is a majority.
    ballots = [[1]] * 3 + [[2]] * 2 + [[3]] * 2
    outcome = count_instant_runoff([1, 2, 3], ballots)
    assert outcome.winner == 1
    assert outcome.rounds[-1] == Round(tallies={1: 3, 2: 2}, exhausted=2, eliminated=None, tie_break="")


def test_unknown_ids_repeats_and_empty_ballots_are_cleaned_before_counting():
    dirty = [[9, 1, 1, 2], [9], [], [2, 2, 9]]
    assert count_instant_runoff([1, 2], dirty) == count_instant_runoff([1, 2], [[1, 2], [2]])
    assert count_instant_runoff([1, 2], dirty).ballots_counted == 2
    assert count_single_vote([1, 2], dirty) == count_single_vote([1, 2], [[1, 2], [2]])


def test_a_nominee_listed_twice_keeps_its_first_place_in_the_nomination_order():
    assert count_instant_runoff([1, 2, 1], [[1], [2]]) == count_instant_runoff([1, 2], [[1], [2]])


def test_without_counted_ballots_or_nominees_nobody_wins():
    for count in (count_instant_runoff, count_single_vote):
        assert count([1, 2], []) == Outcome(winner=None, rounds=(), ballots_counted=0)
        assert count([1, 2], [[], [7]]) == Outcome(winner=None, rounds=(), ballots_counted=0)
        assert count([], [[1, 2]]) == Outcome(winner=None, rounds=(), ballots_counted=0)


def test_a_lone_nominee_wins_in_the_first_round():
    outcome = count_instant_runoff([5], [[5], [5, 6]])
    assert outcome == Outcome(
        winner=5,
        rounds=(Round(tallies={5: 2}, exhausted=0, eliminated=None, tie_break=""),),
        ballots_counted=2,
    )


def test_one_vote_each_counts_first_choices_and_keeps_every_nominee_in_the_tallies():
    outcome = count_single_vote([1, 2, 3], [[2, 1], [2], [1, 2]])
    assert outcome == Outcome(
        winner=2,
        rounds=(Round(tallies={1: 1, 2: 2, 3: 0}, exhausted=0, eliminated=None, tie_break=""),),
        ballots_counted=3,
    )


def test_one_vote_each_gives_a_tie_to_the_earlier_nomination():
    outcome = count_single_vote([7, 5, 6], [[5], [7], [6, 5]] + [[5, 7], [7]])
    assert outcome.winner == 7
    assert outcome.rounds[0].tie_break == "nominees 7, 5 tied on 2 votes; broken by earlier nomination"


# Properties

NOMINEES = st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=6, unique=True)


@st.composite
def elections(draw, min_ballots=0):
    """Nominees and clean ballots: each a non-empty ranking of distinct nominees, possibly truncated."""
    nominees = draw(NOMINEES)
    ballots = []
    for _ in range(draw(st.integers(min_value=min_ballots, max_value=40))):
        ranking = draw(st.permutations(nominees))
        ballots.append(ranking[: draw(st.integers(min_value=1, max_value=len(nominees)))])
    return nominees, ballots


@st.composite
def elections_with_dirty_ballots(draw):
    """Ballots as a careless client might send them: unknown ids (0, 61+), repeats, empty lists."""
    nominees = draw(NOMINEES)
    any_id = st.one_of(st.sampled_from(nominees), st.integers(min_value=61, max_value=65), st.just(0))
    ballots = draw(st.lists(st.lists(any_id, max_size=8), max_size=40))
    return nominees, ballots


def cleaned(nominees, ballots):
    """The cleaning rule, restated independently of the module."""
    result = []
    for ballot in ballots:
        ranking = []
        for nominee in ballot:
            if nominee in nominees and nominee not in ranking:
                ranking.append(nominee)
        if ranking:
            result.append(ranking)
    return result


def prefers(ballot, better, worse):
    return better in ballot and (worse not in ballot or ballot.index(better) < ballot.index(worse))


COUNTS = [count_instant_runoff, count_single_vote]
modest = settings(max_examples=200, deadline=None)


@modest
@given(elections(), st.data())
def test_the_outcome_does_not_depend_on_the_order_ballots_were_cast(election, data):
    nominees, ballots = election
    shuffled = data.draw(st.permutations(ballots))
    for count in COUNTS:
        expected, actual = count(nominees, ballots), count(nominees, shuffled)
        assert actual == expected
        # Equal dicts ignore order; the tallies must also stay in nomination order.
        assert [list(r.tallies) for r in actual.rounds] == [list(r.tallies) for r in expected.rounds]


@modest
@given(elections(), st.data())
def test_a_nominee_first_on_more_than_half_the_ballots_wins_in_the_first_round(election, data):
    nominees, ballots = election
    favourite = data.draw(st.sampled_from(nominees))
    others = [nominee for nominee in nominees if nominee != favourite]
    # One more ballot with the favourite first than there are other ballots: a strict majority.
    for _ in range(len(ballots) + 1):
        ballots = ballots + [[favourite, *data.draw(st.permutations(others))]]
    for count in COUNTS:
        outcome = count(nominees, ballots)
        assert outcome.winner == favourite
        assert len(outcome.rounds) == 1


@modest
@given(elections(min_ballots=1))
def test_a_condorcet_loser_never_wins_instant_runoff(election):
    nominees, ballots = election
    winner = count_instant_runoff(nominees, ballots).winner
    for candidate in nominees:
        rivals = [nominee for nominee in nominees if nominee != candidate]
        loses_to_everyone = rivals and all(
            sum(prefers(b, rival, candidate) for b in ballots)
            > sum(prefers(b, candidate, rival) for b in ballots)
            for rival in rivals
        )
        if loses_to_everyone:
            assert winner != candidate


@modest
@given(elections_with_dirty_ballots())
def test_the_winner_is_a_nominee_exactly_when_some_ballot_counts(election):
    nominees, ballots = election
    counted = cleaned(nominees, ballots)
    for count in COUNTS:
        outcome = count(nominees, ballots)
        assert outcome.ballots_counted == len(counted)
        assert (outcome.winner in nominees) == bool(counted)
        assert (outcome.winner is None) == (not counted)


@modest
@given(elections_with_dirty_ballots())
def test_dirty_ballots_count_exactly_like_their_cleaned_selves(election):
    nominees, ballots = election
    for count in COUNTS:
        assert count(nominees, ballots) == count(nominees, cleaned(nominees, ballots))


@modest
@given(elections())
def test_every_instant_runoff_round_accounts_for_every_ballot_and_eliminates_one_nominee(election):
    nominees, ballots = election
    outcome = count_instant_runoff(nominees, ballots)
    continuing = list(nominees)
    for number, round_ in enumerate(outcome.rounds, start=1):
        assert list(round_.tallies) == continuing
        assert sum(round_.tallies.values()) + round_.exhausted == outcome.ballots_counted
        if number < len(outcome.rounds):
            assert round_.eliminated in continuing
            fewest = min(round_.tallies.values())
            assert round_.tallies[round_.eliminated] == fewest
            tied = [nominee for nominee, votes in round_.tallies.items() if votes == fewest]
            assert (round_.tie_break != "") == (len(tied) > 1)
            continuing.remove(round_.eliminated)
        else:
            assert round_.eliminated is None
            assert round_.tie_break == ""
            assert outcome.winner in continuing
            active = outcome.ballots_counted - round_.exhausted
            assert len(continuing) == 1 or 2 * round_.tallies[outcome.winner] > active


@modest
@given(elections())
def test_one_vote_each_is_a_single_round_won_by_the_earliest_of_the_most_voted(election):
    nominees, ballots = election
    outcome = count_single_vote(nominees, ballots)
    if not ballots:
        assert outcome.rounds == ()
        return
    (only_round,) = outcome.rounds
    assert list(only_round.tallies) == nominees
    assert only_round.exhausted == 0
    assert only_round.eliminated is None
    assert sum(only_round.tallies.values()) == outcome.ballots_counted == len(ballots)
    most = max(only_round.tallies.values())
    leaders = [nominee for nominee in nominees if only_round.tallies[nominee] == most]
    assert outcome.winner == leaders[0]
    assert (only_round.tie_break != "") == (len(leaders) > 1)
