"""The payout arithmetic, without a database: Hypothesis tries 1000 random meetings per property."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bets.payouts import BetLine, Outcome, odds, settle

HORSES = st.integers(min_value=1, max_value=6)


@st.composite
def meetings(draw):
    stakes = draw(
        st.lists(st.tuples(HORSES, st.integers(min_value=1, max_value=10_000)), min_size=1, max_size=25)
    )
    bets = [
        BetLine(bet_id=i + 1, horse_id=horse, stake=stake, placed_order=i)
        for i, (horse, stake) in enumerate(stakes)
    ]
    winners = draw(st.sets(HORSES, max_size=6))
    declined = draw(st.sets(HORSES, max_size=2))
    return bets, winners, declined


@settings(max_examples=1000, deadline=None)
@given(meetings())
def test_payouts_add_up_to_all_stakes_and_none_is_negative(meeting):
    bets, winners, declined = meeting
    settlements = settle(bets, winners=winners, refunded_horses=declined)
    assert sum(s.payout for s in settlements) == sum(b.stake for b in bets)
    assert all(s.payout >= 0 for s in settlements)
    assert sorted(s.bet_id for s in settlements) == sorted(b.bet_id for b in bets)


@settings(max_examples=1000, deadline=None)
@given(meetings())
def test_every_winner_gets_at_least_the_stake_back(meeting):
    bets, winners, declined = meeting
    stakes = {b.bet_id: b.stake for b in bets}
    for settlement in settle(bets, winners=winners, refunded_horses=declined):
        if settlement.outcome == Outcome.WON:
            assert settlement.payout >= stakes[settlement.bet_id]


@settings(max_examples=1000, deadline=None)
@given(meetings())
def test_without_a_winner_every_stake_is_refunded(meeting):
    bets, _winners, declined = meeting
    for settlement in settle(bets, winners=set(), refunded_horses=declined):
        assert settlement.outcome == Outcome.REFUNDED
    assert {s.bet_id: s.payout for s in settle(bets, winners=set())} == {b.bet_id: b.stake for b in bets}


@settings(max_examples=1000, deadline=None)
@given(meetings())
def test_stakes_on_declined_horses_and_cancelled_meetings_come_back_in_full(meeting):
    bets, winners, declined = meeting
    settled = {s.bet_id: s for s in settle(bets, winners=winners, refunded_horses=declined)}
    for bet in bets:
        if bet.horse_id in declined:
            assert settled[bet.bet_id].outcome == Outcome.REFUNDED
            assert settled[bet.bet_id].payout == bet.stake
    cancelled = settle(bets, winners=winners, cancelled=True)
    assert all(s.outcome == Outcome.REFUNDED for s in cancelled)


def test_the_leftover_point_goes_to_the_largest_then_earliest_winning_stake():
    bets = [
        BetLine(1, horse_id=1, stake=3, placed_order=0),
        BetLine(2, horse_id=1, stake=3, placed_order=1),
        BetLine(3, horse_id=2, stake=4, placed_order=2),
    ]
    settled = {s.bet_id: s.payout for s in settle(bets, winners={1})}
    # pool 10, W 6: floor(3*10/6) = 5 each, nothing left over; losers get nothing.
    assert settled == {1: 5, 2: 5, 3: 0}
    bets = [BetLine(1, 1, 2, 0), BetLine(2, 1, 5, 1), BetLine(3, 2, 4, 2)]
    # pool 11, W 7: floor(22/7)=3, floor(55/7)=7, leftover 1 to the stake of 5.
    assert {s.bet_id: s.payout for s in settle(bets, winners={1})} == {1: 3, 2: 8, 3: 0}


def test_odds_are_what_one_point_returns():
    assert odds({1: 10, 2: 30, 3: 0}) == {1: 4.0, 2: 40 / 30, 3: None}
