"""Reading pace arithmetic: pages per day so far, projected finish, pages still needed, and how a
rate reads ("1 page a day", "about 40 pages an hour").

Pure functions on plain values, so they are tested without the database.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Rate:
    """So many pages per day or per hour, as a reader says it."""

    pages: float
    per: str  # "day" or "hour"
    approximate: bool = False

    def __str__(self) -> str:
        amount = f"{self.pages:.0f}" if self.pages >= 10 else f"{self.pages:.1f}".removesuffix(".0")
        noun = "page" if amount == "1" else "pages"
        about = "about " if self.approximate else ""
        return f"{about}{amount} {noun} {'an hour' if self.per == 'hour' else 'a day'}"


@dataclass(frozen=True)
class Pace:
    current_page: int
    target_page: int
    pages_per_day: float
    projected_finish: datetime | None
    needed_per_day: int | None
    finished: bool
    needed: Rate | None = None  # what is still needed, per hour once less than a day is left

    @property
    def so_far(self) -> Rate:
        return Rate(self.pages_per_day, "day")

    @property
    def remaining(self) -> int:
        return max(0, self.target_page - self.current_page)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.current_page / self.target_page)) if self.target_page else 0

    def on_track(self, meeting_starts_at: datetime) -> bool | None:
        """Whether the projected finish comes before the meeting; None while there is no pace yet."""
        if self.finished:
            return True
        if self.projected_finish is None:
            return None
        return self.projected_finish <= meeting_starts_at


def pages_per_day(*, current_page: int, started_at: datetime, now: datetime) -> float:
    """Pages read per day since reading started; the first day counts as a whole day."""
    elapsed_days = max((now - started_at) / DAY, 1.0)
    return max(current_page, 0) / elapsed_days


def projected_finish(*, current_page: int, target_page: int, rate: float, now: datetime) -> datetime | None:
    """When the target page is reached at `rate` pages per day; None without any pace."""
    remaining = target_page - current_page
    if remaining <= 0:
        return now
    if rate <= 0:
        return None
    return now + timedelta(days=remaining / rate)


def needed_per_day(
    *, current_page: int, target_page: int, meeting_starts_at: datetime, now: datetime
) -> int | None:
    """Whole pages per day to finish before the meeting; None once it has started or when done."""
    remaining = target_page - current_page
    if remaining <= 0 or now >= meeting_starts_at:
        return None
    days_left = max((meeting_starts_at - now) / DAY, 1.0)
    return math.ceil(remaining / days_left)


def needed_rate(
    *, current_page: int, target_page: int, meeting_starts_at: datetime, now: datetime
) -> Rate | None:
    """Pages still needed to finish before the meeting: per day, or about so many an hour when only
    hours remain (the last hour counts as a whole one); None once it has started or when done."""
    remaining = target_page - current_page
    if remaining <= 0 or now >= meeting_starts_at:
        return None
    left = meeting_starts_at - now
    if left < DAY:
        return Rate(math.ceil(remaining / max(left / HOUR, 1.0)), "hour", approximate=True)
    return Rate(math.ceil(remaining / (left / DAY)), "day")


def pace_for(
    *,
    current_page: int,
    target_page: int,
    started_at: datetime,
    meeting_starts_at: datetime,
    now: datetime,
    finished_at: datetime | None = None,
) -> Pace:
    rate = pages_per_day(current_page=current_page, started_at=started_at, now=finished_at or now)
    finished = current_page >= target_page
    return Pace(
        current_page=current_page,
        target_page=target_page,
        pages_per_day=rate,
        projected_finish=finished_at
        if finished and finished_at
        else projected_finish(current_page=current_page, target_page=target_page, rate=rate, now=now),
        needed_per_day=needed_per_day(
            current_page=current_page, target_page=target_page, meeting_starts_at=meeting_starts_at, now=now
        ),
        finished=finished,
        needed=needed_rate(
            current_page=current_page, target_page=target_page, meeting_starts_at=meeting_starts_at, now=now
        ),
    )
