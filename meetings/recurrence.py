"""A club's recurring meetings: "every 2nd Tuesday of the month at 19:00 in Lisbon" as a Pattern, as an
RFC 5545 RRULE, and as the instants it falls on.

The rule is applied to wall-clock time in the meeting's zone (dateutil.rrule on naive local datetimes),
then each local occurrence is placed in the zone: 19:00 stays 19:00 across daylight-saving changes. A
local time that does not exist (02:30 on a spring-forward day) moves forward by the gap, an ambiguous one
(01:30 on a fall-back day) is the first of the two (zoneinfo's fold=0). COUNT and UNTIL are applied here,
after that placement: UNTIL is a UTC instant, compared with the occurrence's instant (RFC 5545 §3.3.10).

Pure functions on plain values, tested without the database.
"""

import functools
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from dateutil import rrule as du
from dateutil.relativedelta import relativedelta

MAX_LENGTH = 200
MAX_COUNT = 520
MAX_INTERVAL = 12
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}

_NOT_SUPPORTED = {
    "BYSETPOS": "Booky can't pick a meeting by position (BYSETPOS); choose a week of the month instead.",
    "BYMONTHDAY": "Booky repeats meetings on a day of the week, not a date of the month (BYMONTHDAY).",
    "BYYEARDAY": "Booky repeats meetings on a day of the week, not a day of the year (BYYEARDAY).",
    "BYWEEKNO": "Booky can't repeat meetings on numbered weeks of the year (BYWEEKNO).",
    "BYMONTH": "Booky repeats meetings in every month; it can't skip months by name (BYMONTH).",
    "WKST": "Booky's weeks start on Monday; leave out WKST.",
    "RDATE": "Booky can't add single extra dates to a repeating meeting.",
    "EXDATE": "Booky can't leave single dates out of a repeating meeting.",
}
_FREQUENCY_MESSAGE = "Booky repeats meetings weekly or monthly."
_INTERVAL_MESSAGE = f"A meeting repeats every 1 to {MAX_INTERVAL} weeks or months."
_UNTIL_MESSAGE = "The end of the series (UNTIL) must be a UTC time ending in Z, like 20261231T190000Z."
_UNTIL = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z")
_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")


class RecurrenceError(ValueError):
    """str(error) is a sentence a user can read."""


@dataclass(frozen=True)
class Pattern:
    frequency: str  # "weekly" | "monthly"
    interval: int = 1  # every N weeks / months (1..12)
    weekday: int = 1  # 0=Monday .. 6=Sunday
    week_of_month: int | None = None  # monthly only: 1..4 or -1 (last); e.g. 2 = "2nd Tuesday"
    hour: int = 19
    minute: int = 0
    zone: str = "UTC"  # IANA name


@dataclass(frozen=True)
class _Rule:
    """A checked RRULE: a Pattern's fields without the zone, and how the series ends."""

    frequency: str
    interval: int
    weekday: int
    week_of_month: int | None
    hour: int
    minute: int
    count: int | None = None
    until: datetime | None = None  # aware, UTC


# Building and reading rules


def build_rrule(pattern: Pattern) -> str:
    """The RRULE value for `pattern`, e.g. "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;BYHOUR=19;BYMINUTE=0;BYSECOND=0".
    The zone is not part of the rule: it goes with it (the meeting's time zone)."""
    _check_pattern(pattern)
    rule = _Rule(
        pattern.frequency,
        pattern.interval,
        pattern.weekday,
        pattern.week_of_month,
        pattern.hour,
        pattern.minute,
    )
    return _format(rule)


def parse_rrule(text: str, *, zone: str = "UTC") -> Pattern:
    """The Pattern of a rule build_rrule makes (in any spelling validate_rrule accepts), in `zone`. A rule
    with an end (COUNT or UNTIL) is not a Pattern: RecurrenceError, as for anything validate_rrule refuses."""
    rule = _parse(text)
    if rule.count is not None or rule.until is not None:
        raise RecurrenceError("This rule ends (COUNT or UNTIL); a meeting pattern repeats without an end.")
    pattern = Pattern(
        rule.frequency, rule.interval, rule.weekday, rule.week_of_month, rule.hour, rule.minute, zone
    )
    _check_pattern(pattern)
    return pattern


def validate_rrule(text: str) -> str:
    """`text` (with or without "RRULE:") normalized: FREQ;INTERVAL;BYDAY;BYHOUR;BYMINUTE;BYSECOND, then
    COUNT or UNTIL. RecurrenceError, with the reason, for a rule Booky can't hold."""
    return _format(_parse(text))


def describe(pattern: Pattern) -> str:
    """ "Every 2nd Tuesday of the month at 19:00 (Europe/Lisbon)", "Every 2 weeks on Thursday at 18:30
    (America/Toronto)", "Every 3 months on the last Friday at 19:00 (UTC)"."""
    _check_pattern(pattern)
    day = DAY_NAMES[pattern.weekday]
    at = f"at {pattern.hour:02d}:{pattern.minute:02d} ({pattern.zone})"
    if pattern.frequency == "weekly":
        every = "Every week" if pattern.interval == 1 else f"Every {pattern.interval} weeks"
        return f"{every} on {day} {at}"
    which = f"{ORDINALS[pattern.week_of_month]} {day}"
    if pattern.interval == 1:
        return f"Every {which} of the month {at}"
    return f"Every {pattern.interval} months on the {which} {at}"


# Occurrences


def next_occurrence(
    rrule: str, zone: str, after: datetime, *, starts: datetime | None = None
) -> datetime | None:
    """The first occurrence strictly after `after` (aware, any zone), as an aware UTC datetime; None once
    the series has ended (UNTIL, COUNT).

    `starts` is the first meeting's start (aware): INTERVAL and COUNT count from it. Without it the series
    starts at the first occurrence after `after`: the next matching day and time (an INTERVAL has no
    phase to keep and a COUNT has not been used up), unless that is past UNTIL."""
    rule = _parse(rrule)
    tz = _zone(zone)
    after = _aware("after", after).astimezone(UTC)
    if starts is None:
        open_rule = replace(rule, interval=1, count=None, until=None)
        first = next((instant for instant in _series(open_rule, tz, after) if instant > after), None)
        if first is None or (rule.until is not None and first > rule.until):
            return None
        return first
    starts = _aware("starts", starts).astimezone(UTC)
    for occurrence in _series(rule, tz, starts, after):
        if occurrence > after:
            return occurrence
    return None


def occurrences(rrule: str, zone: str, starts: datetime, limit: int = 10) -> list[datetime]:
    """The first `limit` occurrences from `starts` (aware; included when it is one), as aware UTC datetimes."""
    rule = _parse(rrule)
    tz = _zone(zone)
    starts = _aware("starts", starts).astimezone(UTC)
    if limit < 0:
        raise ValueError("limit must not be negative")
    found: list[datetime] = []
    if limit == 0:
        return found
    for occurrence in _series(rule, tz, starts):
        found.append(occurrence)
        if len(found) == limit:
            break
    return found


def _series(
    rule: _Rule, tz: zoneinfo.ZoneInfo, starts: datetime, near: datetime | None = None
) -> Iterator[datetime]:
    """The series' instants (UTC) from `starts` on, in order, ended by COUNT and UNTIL.

    dateutil runs on naive wall-clock time from the start of `starts`' local week or month (so the
    INTERVAL keeps the phase RFC 5545 gives it with DTSTART = starts, and a time on `starts`' own day that
    moved forward out of a DST gap is still found); occurrences before `starts` are dropped here, before
    COUNT counts. With no COUNT, the start jumps whole intervals ahead to just before `near`."""
    try:
        local_start = starts.astimezone(tz).replace(tzinfo=None)
    except OverflowError:  # the edge of the calendar
        return
    if rule.frequency == "weekly":
        period_start = datetime.combine(
            local_start.date() - timedelta(days=local_start.weekday()), datetime.min.time()
        )
    else:
        period_start = datetime.combine(local_start.date().replace(day=1), datetime.min.time())
    if near is not None and rule.count is None and near > starts:
        period_start = _jump(rule, period_start, near.astimezone(tz).replace(tzinfo=None))
    weekday = du.weekday(rule.weekday)
    generator = du.rrule(
        du.WEEKLY if rule.frequency == "weekly" else du.MONTHLY,
        dtstart=period_start,
        interval=rule.interval,
        wkst=du.MO,
        byweekday=weekday(rule.week_of_month) if rule.week_of_month else weekday,
        byhour=rule.hour,
        byminute=rule.minute,
        bysecond=0,
        cache=False,
    )
    counted = 0
    for local in generator:
        try:
            instant = local.replace(tzinfo=tz).astimezone(UTC)  # fold=0: a gap moves forward, overlap first
        except OverflowError:  # the edge of the calendar
            return
        if instant < starts:
            continue
        if rule.until is not None and instant > rule.until:
            return
        counted += 1
        if rule.count is not None and counted > rule.count:
            return
        yield instant


def _jump(rule: _Rule, period_start: datetime, near: datetime) -> datetime:
    """`period_start` moved ahead by whole intervals, staying at least one interval before `near`."""
    if rule.frequency == "weekly":
        intervals = (near - period_start).days // (7 * rule.interval) - 1
        return period_start + timedelta(weeks=max(intervals, 0) * rule.interval)
    months = (near.year - period_start.year) * 12 + near.month - period_start.month
    intervals = months // rule.interval - 1
    return period_start + relativedelta(months=max(intervals, 0) * rule.interval)


# Checking


def _check_pattern(pattern: Pattern) -> None:
    if pattern.frequency not in ("weekly", "monthly"):
        raise RecurrenceError(_FREQUENCY_MESSAGE)
    if not _is_int(pattern.interval) or not 1 <= pattern.interval <= MAX_INTERVAL:
        raise RecurrenceError(_INTERVAL_MESSAGE)
    if not _is_int(pattern.weekday) or not 0 <= pattern.weekday <= 6:
        raise RecurrenceError("Choose a day of the week from Monday to Sunday.")
    if pattern.frequency == "weekly" and pattern.week_of_month is not None:
        raise RecurrenceError("Only a monthly meeting has a week of the month.")
    if pattern.frequency == "monthly" and (
        not _is_int(pattern.week_of_month) or pattern.week_of_month not in WEEKS_OF_MONTH
    ):
        raise RecurrenceError("Choose the week of the month: the 1st, 2nd, 3rd, 4th or last.")
    if not _is_int(pattern.hour) or not 0 <= pattern.hour <= 23:
        raise RecurrenceError("The hour must be from 0 to 23.")
    if not _is_int(pattern.minute) or not 0 <= pattern.minute <= 59:
        raise RecurrenceError("The minute must be from 0 to 59.")
    _zone(pattern.zone)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _zone(name: str) -> zoneinfo.ZoneInfo:
    if isinstance(name, str) and name in _zone_names():
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    shown = name if isinstance(name, str) and len(name) <= 64 and name.isprintable() else "That"
    raise RecurrenceError(f"“{shown}” is not a time zone we know.")


def _aware(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value


def _parse(text: str) -> _Rule:
    if not isinstance(text, str):
        raise RecurrenceError("A repeat rule is text, like FREQ=WEEKLY;BYDAY=TU;BYHOUR=19;BYMINUTE=0.")
    if "\x00" in text:
        raise RecurrenceError("The repeat rule contains a NUL character.")
    if len(text) > MAX_LENGTH:
        raise RecurrenceError(f"The repeat rule is too long (at most {MAX_LENGTH} characters).")
    body = text.strip()
    if body[:6].upper() == "RRULE:":
        body = body[6:]
    parts: dict[str, str] = {}
    for part in body.split(";"):
        if not part.strip():
            continue  # "...;BYMINUTE=0;" as some calendars write it
        name, equals, value = part.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not equals or not re.fullmatch(r"[A-Z-]+", name) or not value:
            raise RecurrenceError("That isn't a repeat rule Booky can read (NAME=VALUE parts joined by “;”).")
        if name in parts:
            raise RecurrenceError(f"The repeat rule gives {name} twice.")
        parts[name] = value
    for name in parts:
        if name in _NOT_SUPPORTED:
            raise RecurrenceError(_NOT_SUPPORTED[name])
        if name not in ("FREQ", "INTERVAL", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "COUNT", "UNTIL"):
            raise RecurrenceError(f"Booky can't use {name[:20]} in a repeat rule.")
    if "FREQ" not in parts:
        raise RecurrenceError("The repeat rule must say how often it repeats (FREQ=WEEKLY or FREQ=MONTHLY).")
    frequency = {"WEEKLY": "weekly", "MONTHLY": "monthly"}.get(parts["FREQ"])
    if frequency is None:
        raise RecurrenceError(_FREQUENCY_MESSAGE)
    interval = _number(parts.get("INTERVAL", "1"), 1, MAX_INTERVAL, _INTERVAL_MESSAGE)
    weekday, week_of_month = _byday(parts.get("BYDAY"), frequency)
    if "BYHOUR" not in parts or "BYMINUTE" not in parts:
        raise RecurrenceError("The repeat rule must give the meeting's time (BYHOUR and BYMINUTE).")
    hour = _number(parts["BYHOUR"], 0, 23, "A meeting starts at one hour, from 0 to 23 (BYHOUR).")
    minute = _number(parts["BYMINUTE"], 0, 59, "A meeting starts at one minute, from 0 to 59 (BYMINUTE).")
    if "BYSECOND" in parts and parts["BYSECOND"] not in ("0", "00"):
        raise RecurrenceError("A meeting starts on the minute (BYSECOND=0).")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError("A series ends either after a number of meetings (COUNT) or at a date (UNTIL).")
    count = None
    if "COUNT" in parts:
        count = _number(
            parts["COUNT"], 1, MAX_COUNT, f"A series has from 1 to {MAX_COUNT} meetings (COUNT).", digits=6
        )
    until = _until(parts["UNTIL"]) if "UNTIL" in parts else None
    return _Rule(frequency, interval, weekday, week_of_month, hour, minute, count, until)


def _number(value: str, low: int, high: int, message: str, *, digits: int = 2) -> int:
    if not re.fullmatch(rf"[0-9]{{1,{digits}}}", value) or not low <= int(value) <= high:
        raise RecurrenceError(message)
    return int(value)


def _byday(value: str | None, frequency: str) -> tuple[int, int | None]:
    if value is None:
        raise RecurrenceError("The repeat rule must give the day of the week (BYDAY, like BYDAY=TU).")
    if "," in value:
        raise RecurrenceError("A meeting repeats on one day of the week (one BYDAY).")
    match = _BYDAY.fullmatch(value)
    if match is None:
        raise RecurrenceError("The day of the week (BYDAY) must be MO, TU, WE, TH, FR, SA or SU.")
    ordinal, code = match.groups()
    weekday = DAY_CODES.index(code)
    if frequency == "weekly":
        if ordinal is not None:
            raise RecurrenceError("Only a monthly meeting has a week of the month (like BYDAY=2TU).")
        return weekday, None
    if ordinal is None or int(ordinal) not in WEEKS_OF_MONTH:
        raise RecurrenceError(
            "A monthly meeting is on the 1st, 2nd, 3rd, 4th or last day of its kind (BYDAY=2TU, BYDAY=-1FR)."
        )
    return weekday, int(ordinal)


def _until(value: str) -> datetime:
    match = _UNTIL.fullmatch(value)
    if match is None:
        raise RecurrenceError(_UNTIL_MESSAGE)
    try:
        return datetime(*map(int, match.groups()), tzinfo=UTC)
    except ValueError:
        raise RecurrenceError(_UNTIL_MESSAGE) from None


def _format(rule: _Rule) -> str:
    day = DAY_CODES[rule.weekday]
    if rule.week_of_month is not None:
        day = f"{rule.week_of_month}{day}"
    text = (
        f"FREQ={rule.frequency.upper()};INTERVAL={rule.interval};BYDAY={day};"
        f"BYHOUR={rule.hour};BYMINUTE={rule.minute};BYSECOND=0"
    )
    if rule.count is not None:
        text += f";COUNT={rule.count}"
    if rule.until is not None:
        text += f";UNTIL={rule.until:%Y%m%dT%H%M%SZ}"
    return text
