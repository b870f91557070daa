"""Pari-mutuel payout arithmetic. Pure: no database, no clock; tested with Hypothesis.

Rules (the points issue): stakes on horses who declined before the start are refunded; of the
rest, the pool is every stake and W the stakes on winning horses; each winning bet gets
floor(stake * pool / W), and what flooring leaves over goes to the winning bet with the largest
stake (earliest placed on a tie), so payouts add up to the pool exactly. With no winner, every
stake is refunded.
"""

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    WON = "won"
    LOST = "lost"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class BetLine:
    bet_id: int
    horse_id: int
    stake: int
    placed_order: int  # smaller = placed earlier; breaks ties for the remainder


@dataclass(frozen=True)
class Settlement:
    bet_id: int
    outcome: Outcome
    payout: int  # points credited back to the bettor (0 for a lost bet)
    remainder: int = 0  # of `payout`, the points flooring left over (only on the bet first in line)


def settle(
    bets: list[BetLine],
    *,
    winners: set[int],
    refunded_horses: set[int] = frozenset(),
    cancelled: bool = False,
) -> list[Settlement]:
    """Settle every bet of one meeting; the payouts of won and refunded bets sum to all stakes when
    anyone wins, or equal each stake when the pool is refunded."""
    for bet in bets:
        if bet.stake <= 0:
            raise ValueError(f"bet {bet.bet_id} has a non-positive stake {bet.stake}")
    refunds = [b for b in bets if cancelled or b.horse_id in refunded_horses]
    in_pool = [b for b in bets if not (cancelled or b.horse_id in refunded_horses)]
    winning = [b for b in in_pool if b.horse_id in winners]
    settlements = [Settlement(b.bet_id, Outcome.REFUNDED, b.stake) for b in refunds]
    if not winning:
        return settlements + [Settlement(b.bet_id, Outcome.REFUNDED, b.stake) for b in in_pool]

    pool = sum(b.stake for b in in_pool)
    winning_stakes = sum(b.stake for b in winning)
    payouts = {b.bet_id: b.stake * pool // winning_stakes for b in winning}
    leftover = pool - sum(payouts.values())
    first_in_line = min(winning, key=lambda b: (-b.stake, b.placed_order, b.bet_id))
    payouts[first_in_line.bet_id] += leftover
    for bet in in_pool:
        if bet.bet_id in payouts:
            remainder = leftover if bet.bet_id == first_in_line.bet_id else 0
            settlements.append(Settlement(bet.bet_id, Outcome.WON, payouts[bet.bet_id], remainder))
        else:
            settlements.append(Settlement(bet.bet_id, Outcome.LOST, 0))
    return settlements


def odds(stakes_by_horse: dict[int, int]) -> dict[int, float | None]:
    """What one point staked on each horse returns if that horse alone finishes (None: no stakes yet)."""
    pool = sum(stakes_by_horse.values())
    return {horse: (pool / staked if staked else None) for horse, staked in stakes_by_horse.items()}
