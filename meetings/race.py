"""Geometry for the race track and the progress chart, drawn as server-side SVG in the templates.

Pure functions on plain values. Positions along a lane are percentages of its width, so each lane's
SVG scales to any screen without stretching the runners (no viewBox, no inline styles); lanes are
stacked by the page's HTML, in em, so they grow with the reader's font size.
"""

from dataclasses import dataclass
from datetime import datetime

from meetings.models import FinishStatus
from social.permissions import name_as_listed

CHART_WIDTH = 300
CHART_HEIGHT = 100
# While a meeting is scheduled its page re-reads the race (and the bets section) this often.
RACE_POLL_SECONDS = 30


@dataclass(frozen=True)
class Runner:
    name: str
    username: str
    page: int
    percent: int
    finished: bool  # in time: at or before the start (Attendance.finish_status)
    late: bool  # reached the target after the start: on the line, but no finisher of the race
    is_me: bool
    lane: int
    from_own_edition: bool = False  # the page stands for a percent the reader gave of another edition

    @property
    def x(self) -> str:
        return f"{self.percent}%"

    @property
    def initial(self) -> str:
        return (self.name.removeprefix("@")[:1] or "?").upper()


def runners(attendances, *, target_page: int, me_id: int | None) -> list[Runner]:
    """One lane per going attendee, in the order given (leaders first); finished ones sit on the line,
    late finishers too but marked apart. `attendances` must have their meeting cached.

    A runner is named as the viewer may see them: "@username" when the user is marked
    `profile_visible=False` (social.permissions.mark_profile_visibility)."""
    lanes = []
    for lane, attendance in enumerate(attendances):
        status = attendance.finish_status
        percent = 100 if status else attendance.percent_of(target_page)
        lanes.append(
            Runner(
                name=name_as_listed(attendance.user),
                username=attendance.user.username,
                page=attendance.current_page,
                percent=percent,
                finished=status == FinishStatus.IN_TIME,
                late=status == FinishStatus.LATE,
                is_me=attendance.user_id == me_id,
                lane=lane,
                from_own_edition=getattr(attendance, "own_edition_percent", None) is not None,
            )
        )
    return lanes


@dataclass(frozen=True)
class Chart:
    points: str  # "x,y x,y ..." for a <polyline>, in a CHART_WIDTH x CHART_HEIGHT box
    last_x: float
    last_y: float
    plan_end_x: float  # where the meeting falls on the time axis (the "on pace" line ends there)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def progress_chart(
    history: list[tuple[datetime, int]],
    *,
    target_page: int,
    started_at: datetime,
    meeting_starts_at: datetime,
    now: datetime,
) -> Chart:
    """A step line of pages over time, from the start of reading to the meeting (or now, if later)."""
    end = max(meeting_starts_at, now)
    span = max((end - started_at).total_seconds(), 1.0)
    target = max(target_page, 1)

    def x(moment: datetime) -> float:
        return round(CHART_WIDTH * min(max((moment - started_at).total_seconds() / span, 0.0), 1.0), 1)

    def y(page: int) -> float:
        return round(CHART_HEIGHT * (1 - min(max(page, 0), target) / target), 1)

    points = [(x(started_at), y(0))]
    page = 0
    for moment, new_page in sorted(history, key=lambda entry: entry[0]):
        points.append((x(moment), y(page)))  # steps: the page holds until it changes
        page = new_page
        points.append((x(moment), y(page)))
    points.append((x(now), y(page)))
    return Chart(
        points=" ".join(f"{px:g},{py:g}" for px, py in points),
        last_x=x(now),
        last_y=y(page),
        plan_end_x=x(meeting_starts_at),
    )
