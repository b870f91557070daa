"""A member's year in reading as a small bar chart, drawn as server-side SVG by the template.

Pure: geometry in viewBox units from twelve monthly numbers, with a title per bar and a summary
sentence for screen readers (the SVG is role="img" and labelled by it)."""

from collections.abc import Mapping
from dataclasses import dataclass

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WIDTH, HEIGHT, LABEL_SPACE = 300, 120, 14
METRICS = {"books": ("book finished", "books finished"), "pages": ("page read", "pages read")}


@dataclass(frozen=True)
class Bar:
    month: int
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class YearChart:
    year: int
    metric: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    max_value: int
    total: int
    summary: str

    @property
    def label_y(self) -> int:
        return self.height - 2


def _words(metric: str, value: int) -> str:
    one, many = METRICS[metric]
    return f"{value:,} {one if value == 1 else many}"


def year_chart(year: int, per_month: Mapping[int, int], *, metric: str = "books") -> YearChart:
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    if any(month not in range(1, 13) for month in per_month) or any(
        value < 0 for value in per_month.values()
    ):
        raise ValueError("months are 1..12 and values are not negative")
    values = [int(per_month.get(month, 0)) for month in range(1, 13)]
    top = max(values)
    slot = WIDTH / 12
    plot = HEIGHT - LABEL_SPACE
    bars = []
    for index, value in enumerate(values):
        height = round(plot * value / top, 2) if top else 0.0
        bars.append(
            Bar(
                month=index + 1,
                label=MONTHS[index],
                value=value,
                x=round(index * slot + slot * 0.15, 2),
                y=round(plot - height, 2),
                width=round(slot * 0.7, 2),
                height=height,
                title=f"{MONTH_NAMES[index]}: {_words(metric, value)}",
            )
        )
    total = sum(values)
    if total:
        best = max(range(12), key=lambda i: (values[i], -i))
        summary = f"{_words(metric, total)} in {year}; most in {MONTH_NAMES[best]} ({values[best]:,})."
    else:
        summary = f"No {METRICS[metric][1]} in {year}."
    return YearChart(
        year=year,
        metric=metric,
        bars=tuple(bars),
        width=WIDTH,
        height=HEIGHT,
        max_value=top,
        total=total,
        summary=summary,
    )
