"""The "My points" chart: a balance-over-time step line as SVG coordinates. Pure: no database, no clock."""

from dataclasses import dataclass
from datetime import datetime

CHART_WIDTH = 600
CHART_HEIGHT = 160


@dataclass(frozen=True)
class BalanceChart:
    width: int
    height: int
    line: str  # polyline points "x,y x,y ..."
    area: str  # the same line closed along the bottom, for a light fill under it
    highest: int
    first_at: datetime
    last_balance: int


def balance_chart(history: list[tuple[datetime, int]], *, now: datetime) -> BalanceChart | None:
    """A step line of the balance from the first entry in `history` (moment, balance after) to `now`;
    None when there is nothing to draw."""
    if not history:
        return None
    history = sorted(history, key=lambda entry: entry[0])
    start = history[0][0]
    end = max(now, history[-1][0])
    span = max((end - start).total_seconds(), 1.0)
    highest = max(max(balance for _moment, balance in history), 1)

    def x(moment: datetime) -> float:
        return round(CHART_WIDTH * min(max((moment - start).total_seconds() / span, 0.0), 1.0), 1)

    def y(balance: int) -> float:
        # A little headroom, so the highest point is not drawn on the top edge.
        return round(CHART_HEIGHT * (1 - max(balance, 0) / (highest * 1.1)), 1)

    points = [(x(start), y(history[0][1]))]
    balance = history[0][1]
    for moment, new_balance in history[1:]:
        points.append((x(moment), y(balance)))  # steps: the balance holds until it changes
        balance = new_balance
        points.append((x(moment), y(balance)))
    points.append((x(end), y(balance)))
    line = " ".join(f"{px:g},{py:g}" for px, py in points)
    area = f"{points[0][0]:g},{CHART_HEIGHT} {line} {points[-1][0]:g},{CHART_HEIGHT}"
    return BalanceChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        line=line,
        area=area,
        highest=highest,
        first_at=start,
        last_balance=balance,
    )
