"""A meeting's reading plan: milestones ("page 120 by Sat 12 Dec") and where a member stands against it.

Pure functions on plain values (dates, pages), tested without the database. The plan is a line from
page 0 on the day it was set to each milestone in turn; after the last milestone it stays there. A
member's days behind are how many days ago the plan expected the page they are on (negative: ahead).
The plan never touches the race's settlement: bets stay about the target page.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MAX_MILESTONES = 52
LABEL_MAX_LENGTH = 80
MAX_DAYS = 365


class PlanError(ValueError):
    """str(error) is a sentence a user can read."""


@dataclass(frozen=True)
class Milestone:
    page: int
    due: date
    label: str = ""


def check_milestones(
    milestones: Sequence[Milestone], *, target_page: int, starts_on: date, today: date | None = None
) -> list[Milestone]:
    """The milestones in order of their dates, or PlanError saying what is wrong with them."""
    if len(milestones) > MAX_MILESTONES:
        raise PlanError(f"A plan has at most {MAX_MILESTONES} milestones.")
    ordered = sorted(milestones, key=lambda m: (m.due, m.page))
    previous: Milestone | None = None
    for milestone in ordered:
        if milestone.page < 1:
            raise PlanError("Milestone pages start at page 1.")
        if milestone.page > target_page:
            raise PlanError(f"Milestone pages go up to the target page, {target_page}.")
        if milestone.due > starts_on:
            raise PlanError(f"Every milestone is due by the meeting's day, {starts_on:%a %d %b %Y}.")
        if today is not None and milestone.due < today - timedelta(days=MAX_DAYS):
            raise PlanError("A milestone is due at most a year before today.")
        if "\x00" in milestone.label or len(milestone.label) > LABEL_MAX_LENGTH:
            raise PlanError(f"A milestone's name has at most {LABEL_MAX_LENGTH} characters.")
        if previous is not None and (milestone.due == previous.due or milestone.page <= previous.page):
            raise PlanError("Each milestone is further into the book, and later, than the one before.")
        previous = milestone
    return ordered


@dataclass(frozen=True)
class PlanStatus:
    expected_page: int
    days_behind: int  # > 0 behind, < 0 ahead, 0 on plan
    next_milestone: Milestone | None
    pages_per_day_needed: float | None
    missed: tuple[Milestone, ...]

    @property
    def summary(self) -> str:
        days = abs(self.days_behind)
        if days == 0:
            return "On plan"
        return f"{days} day{'s' if days != 1 else ''} {'behind' if self.days_behind > 0 else 'ahead of'} the plan"


def _points(milestones: Sequence[Milestone], plan_starts: date) -> list[tuple[date, int]]:
    start = min(plan_starts, milestones[0].due) if milestones else plan_starts
    return [(start, 0), *((m.due, m.page) for m in milestones)]


def expected_page_on(milestones: Sequence[Milestone], *, plan_starts: date, day: date) -> int:
    """Where the plan has a reader on `day`: linear between its points, flat after the last."""
    points = _points(milestones, plan_starts)
    if day <= points[0][0]:
        return 0
    for (day_a, page_a), (day_b, page_b) in zip(points, points[1:], strict=False):
        if day <= day_b:
            span = (day_b - day_a).days
            return page_b if span <= 0 else page_a + round((page_b - page_a) * (day - day_a).days / span)
    return points[-1][1]


def _day_plan_reaches(milestones: Sequence[Milestone], *, plan_starts: date, page: int) -> date | None:
    """The first day the plan expects `page`; None when the plan never gets that far."""
    points = _points(milestones, plan_starts)
    if page <= 0:
        return points[0][0]
    for (day_a, page_a), (day_b, page_b) in zip(points, points[1:], strict=False):
        if page <= page_b:
            span = (day_b - day_a).days
            if page_b == page_a or span <= 0:
                return day_b
            # The first whole day whose rounded expected page reaches `page`.
            for offset in range(span + 1):
                day = day_a + timedelta(days=offset)
                if page_a + round((page_b - page_a) * offset / span) >= page:
                    return day
            return day_b
    return None


def plan_status(
    milestones: Sequence[Milestone], *, plan_starts: date, today: date, current_page: int
) -> PlanStatus:
    expected = expected_page_on(milestones, plan_starts=plan_starts, day=today)
    next_milestone = next((m for m in milestones if current_page < m.page), None)
    missed = tuple(m for m in milestones if m.due < today and current_page < m.page)
    if current_page == expected:
        days_behind = 0
    elif current_page < expected:
        reached_on = _day_plan_reaches(milestones, plan_starts=plan_starts, page=current_page) or today
        days_behind = max(1, (today - reached_on).days)
    else:
        reached_on = _day_plan_reaches(milestones, plan_starts=plan_starts, page=current_page)
        if reached_on is None:  # past the plan's last page: ahead by however long the rest would take
            reached_on = milestones[-1].due if milestones else today
        days_behind = -max(1, (reached_on - today).days) if reached_on > today else 0
    days_behind = max(-MAX_DAYS, min(MAX_DAYS, days_behind))
    needed = None
    if next_milestone is not None:
        days_left = (next_milestone.due - today).days
        pages_left = next_milestone.page - current_page
        needed = float(pages_left) if days_left <= 0 else math.ceil(10 * pages_left / days_left) / 10
    return PlanStatus(
        expected_page=expected,
        days_behind=days_behind,
        next_milestone=next_milestone,
        pages_per_day_needed=needed,
        missed=missed,
    )


def marker_positions(milestones: Sequence[Milestone], target_page: int) -> list[tuple[Milestone, int]]:
    """Each milestone with its place along the race track, in percent of the target page."""
    target = max(1, target_page)
    return [(m, max(0, min(100, round(100 * m.page / target)))) for m in milestones]
