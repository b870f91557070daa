"""Recurring meetings: patterns, RRULEs and the instants they fall on, without the database."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.recurrence import (
    Pattern,
    RecurrenceError,
    build_rrule,
    describe,
    next_occurrence,
    occurrences,
    parse_rrule,
    validate_rrule,
)

LISBON = ZoneInfo("Europe/Lisbon")
NEW_YORK = ZoneInfo("America/New_York")
SECOND_TUESDAY_LISBON = Pattern(
    "monthly", weekday=1, week_of_month=2, hour=19, minute=0, zone="Europe/Lisbon"
)


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


# Known cases


def test_second_tuesday_in_lisbon_stays_at_19_local_across_both_dst_changes():
    rule = build_rrule(SECOND_TUESDAY_LISBON)
    assert rule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;BYHOUR=19;BYMINUTE=0;BYSECOND=0"
    found = occurrences(rule, "Europe/Lisbon", datetime(2026, 3, 1, tzinfo=UTC), limit=9)
    assert [instant.date().isoformat() for instant in found] == [
        "2026-03-10",
        "2026-04-14",
        "2026-05-12",
        "2026-06-09",
        "2026-07-14",
        "2026-08-11",
        "2026-09-08",
        "2026-10-13",
        "2026-11-10",
    ]
    assert all(instant.tzinfo is UTC for instant in found)
    assert {(local(i, "Europe/Lisbon").hour, local(i, "Europe/Lisbon").minute) for i in found} == {(19, 0)}
    # Summer time runs from 29 March to 25 October 2026: 19:00 WET is 19:00 UTC, 19:00 WEST is 18:00 UTC.
    assert [instant.hour for instant in found] == [19, 18, 18, 18, 18, 18, 18, 18, 19]


def test_next_after_the_march_change_is_an_hour_earlier_in_utc():
    rule = build_rrule(SECOND_TUESDAY_LISBON)
    march = next_occurrence(rule, "Europe/Lisbon", datetime(2026, 3, 1, tzinfo=UTC))
    april = next_occurrence(rule, "Europe/Lisbon", march)
    assert march == datetime(2026, 3, 10, 19, 0, tzinfo=UTC)
    assert april == datetime(2026, 4, 14, 18, 0, tzinfo=UTC)


def test_new_york_weekly_keeps_its_wall_clock_time_across_both_changes():
    rule = build_rrule(Pattern("weekly", weekday=3, hour=18, minute=30, zone="America/New_York"))
    spring = occurrences(rule, "America/New_York", datetime(2026, 3, 1, tzinfo=UTC), limit=3)
    assert spring == [
        datetime(2026, 3, 5, 23, 30, tzinfo=UTC),  # EST, UTC-5
        datetime(2026, 3, 12, 22, 30, tzinfo=UTC),  # EDT from 8 March, UTC-4
        datetime(2026, 3, 19, 22, 30, tzinfo=UTC),
    ]
    autumn = occurrences(rule, "America/New_York", datetime(2026, 10, 25, tzinfo=UTC), limit=2)
    assert autumn == [datetime(2026, 10, 29, 22, 30, tzinfo=UTC), datetime(2026, 11, 5, 23, 30, tzinfo=UTC)]
    assert {local(i, "America/New_York").strftime("%a %H:%M") for i in spring + autumn} == {"Thu 18:30"}


def test_a_time_that_does_not_exist_on_the_spring_forward_day_moves_forward_by_the_gap():
    rule = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=30"
    found = next_occurrence(rule, "America/New_York", datetime(2026, 3, 7, tzinfo=UTC))
    assert local(found, "America/New_York").replace(tzinfo=None) == datetime(2026, 3, 8, 3, 30)
    assert found == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    # Just before it, it is still the next one; the week after is 02:30 again.
    assert next_occurrence(rule, "America/New_York", found - timedelta(microseconds=1)) == found
    following = next_occurrence(rule, "America/New_York", found)
    assert local(following, "America/New_York").replace(tzinfo=None) == datetime(2026, 3, 15, 2, 30)


@pytest.mark.parametrize(
    ("zone", "rule", "after", "wall", "then"),
    [
        # Lord Howe springs forward by 30 minutes, 02:00 -> 02:30, on the first Sunday of October.
        (
            "Australia/Lord_Howe",
            "FREQ=MONTHLY;BYDAY=1SU;BYHOUR=2;BYMINUTE=15",
            datetime(2026, 9, 30),
            "02:45",
            "02:15",
        ),
        # Chatham goes from 02:45 to 03:45 on the last Sunday of September.
        (
            "Pacific/Chatham",
            "FREQ=MONTHLY;BYDAY=-1SU;BYHOUR=3;BYMINUTE=0",
            datetime(2026, 9, 20),
            "04:00",
            "03:00",
        ),
        (
            "Europe/Lisbon",
            "FREQ=MONTHLY;BYDAY=-1SU;BYHOUR=1;BYMINUTE=30",
            datetime(2026, 3, 20),
            "02:30",
            "01:30",
        ),
        # Santiago skips from Saturday 24:00 to Sunday 01:00: the meeting stays on its Sunday.
        (
            "America/Santiago",
            "FREQ=WEEKLY;BYDAY=SU;BYHOUR=0;BYMINUTE=30",
            datetime(2026, 9, 1),
            "01:30",
            "00:30",
        ),
    ],
)
def test_gaps_of_every_size_move_the_meeting_forward_on_its_own_day(zone, rule, after, wall, then):
    first, second = occurrences(rule, zone, after.replace(tzinfo=UTC), limit=2)
    assert local(first, zone).strftime("%a %H:%M") == f"Sun {wall}"
    assert local(second, zone).strftime("%a %H:%M") == f"Sun {then}"


def test_an_ambiguous_time_on_the_fall_back_day_is_the_first_of_the_two():
    rule = "FREQ=WEEKLY;BYDAY=SU;BYHOUR=1;BYMINUTE=30"
    found = next_occurrence(rule, "America/New_York", datetime(2026, 10, 31, tzinfo=UTC))
    assert found == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not 01:30 EST (06:30 UTC)


def test_the_last_friday_of_the_month():
    pattern = Pattern("monthly", weekday=4, week_of_month=-1, hour=20, minute=15)
    found = occurrences(build_rrule(pattern), "UTC", datetime(2026, 1, 1, tzinfo=UTC), limit=4)
    assert found == [
        datetime(2026, 1, 30, 20, 15, tzinfo=UTC),
        datetime(2026, 2, 27, 20, 15, tzinfo=UTC),
        datetime(2026, 3, 27, 20, 15, tzinfo=UTC),
        datetime(2026, 4, 24, 20, 15, tzinfo=UTC),
    ]


def test_every_two_weeks_counts_from_the_first_meeting():
    rule = build_rrule(Pattern("weekly", interval=2, weekday=3, hour=18, minute=30, zone="America/Toronto"))
    starts = datetime(2026, 1, 8, 23, 30, tzinfo=UTC)  # Thursday 8 January, 18:30 in Toronto
    found = occurrences(rule, "America/Toronto", starts, limit=3)
    assert [instant.date().isoformat() for instant in found] == ["2026-01-08", "2026-01-22", "2026-02-05"]
    # The Thursday between is skipped; with no first meeting given, the next Thursday is the next one.
    after = datetime(2026, 1, 10, tzinfo=UTC)
    assert next_occurrence(rule, "America/Toronto", after, starts=starts) == found[1]
    assert next_occurrence(rule, "America/Toronto", after) == datetime(2026, 1, 15, 23, 30, tzinfo=UTC)


def test_the_start_itself_is_included_when_it_is_an_occurrence():
    rule = "FREQ=WEEKLY;BYDAY=MO;BYHOUR=19;BYMINUTE=0"
    starts = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)
    assert occurrences(rule, "UTC", starts, limit=2) == [starts, starts + timedelta(weeks=1)]
    assert next_occurrence(rule, "UTC", starts - timedelta(seconds=1), starts=starts) == starts
    assert next_occurrence(rule, "UTC", starts, starts=starts) == starts + timedelta(weeks=1)
    assert occurrences(rule, "UTC", starts, limit=0) == []


def test_after_may_be_in_any_zone():
    rule = "FREQ=WEEKLY;BYDAY=MO;BYHOUR=19;BYMINUTE=0"
    after = datetime(2026, 6, 1, 20, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # Monday 11:00 UTC
    assert next_occurrence(rule, "UTC", after) == datetime(2026, 6, 1, 19, 0, tzinfo=UTC)


def test_until_ends_the_series():
    rule = "FREQ=WEEKLY;BYDAY=TU;BYHOUR=19;BYMINUTE=0;UNTIL=20260317T190000Z"
    starts = datetime(2026, 3, 3, 19, 0, tzinfo=UTC)
    assert len(occurrences(rule, "UTC", starts, limit=10)) == 3  # UNTIL is included: 3, 10 and 17 March
    assert next_occurrence(rule, "UTC", datetime(2026, 3, 16, tzinfo=UTC)) == datetime(
        2026, 3, 17, 19, 0, tzinfo=UTC
    )
    assert next_occurrence(rule, "UTC", datetime(2026, 3, 17, 19, 0, tzinfo=UTC)) is None
    assert next_occurrence(rule, "UTC", datetime(2027, 1, 1, tzinfo=UTC), starts=starts) is None


def test_until_is_compared_as_an_instant_not_as_wall_clock_time():
    # 19:00 in Lisbon on 17 March is 19:00 UTC (winter); an UNTIL of 18:30 UTC ends before it.
    rule = "FREQ=WEEKLY;BYDAY=TU;BYHOUR=19;BYMINUTE=0;UNTIL=20260317T183000Z"
    assert next_occurrence(rule, "Europe/Lisbon", datetime(2026, 3, 16, tzinfo=UTC)) is None


def test_count_ends_the_series_counted_from_the_first_meeting():
    rule = "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=19;BYMINUTE=0;COUNT=3"
    starts = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)
    found = occurrences(rule, "UTC", starts, limit=10)
    assert found == [starts, datetime(2026, 2, 2, 19, tzinfo=UTC), datetime(2026, 3, 2, 19, tzinfo=UTC)]
    assert next_occurrence(rule, "UTC", found[1], starts=starts) == found[2]
    assert next_occurrence(rule, "UTC", found[2], starts=starts) is None
    # Without the first meeting the series starts at the next matching day: none of COUNT is used up.
    assert next_occurrence(rule, "UTC", found[2]) == datetime(2026, 4, 6, 19, tzinfo=UTC)


def test_a_start_long_ago_does_not_lose_the_interval():
    rule = "FREQ=WEEKLY;INTERVAL=3;BYDAY=WE;BYHOUR=12;BYMINUTE=0"
    starts = datetime(1990, 1, 3, 12, 0, tzinfo=UTC)
    found = next_occurrence(rule, "UTC", datetime(2030, 6, 1, tzinfo=UTC), starts=starts)
    assert (found - starts) % timedelta(weeks=3) == timedelta(0)
    assert timedelta(0) < found - datetime(2030, 6, 1, tzinfo=UTC) <= timedelta(weeks=3)


# Patterns, rules and descriptions


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (SECOND_TUESDAY_LISBON, "Every 2nd Tuesday of the month at 19:00 (Europe/Lisbon)"),
        (
            Pattern("weekly", interval=2, weekday=3, hour=18, minute=30, zone="America/Toronto"),
            "Every 2 weeks on Thursday at 18:30 (America/Toronto)",
        ),
        (Pattern("weekly", weekday=0), "Every week on Monday at 19:00 (UTC)"),
        (
            Pattern("monthly", weekday=4, week_of_month=-1, hour=9, minute=5),
            "Every last Friday of the month at 09:05 (UTC)",
        ),
        (
            Pattern("monthly", interval=3, weekday=6, week_of_month=1, hour=11),
            "Every 3 months on the 1st Sunday at 11:00 (UTC)",
        ),
    ],
)
def test_describe(pattern, text):
    assert describe(pattern) == text


@pytest.mark.parametrize(
    "pattern",
    [
        SECOND_TUESDAY_LISBON,
        Pattern("weekly", interval=12, weekday=6, hour=0, minute=59, zone="Pacific/Chatham"),
        Pattern("monthly", interval=5, weekday=4, week_of_month=-1, hour=23, minute=0, zone="Asia/Kolkata"),
    ],
)
def test_build_then_parse_is_the_same_pattern(pattern):
    assert parse_rrule(build_rrule(pattern), zone=pattern.zone) == pattern
    assert parse_rrule(build_rrule(pattern)).zone == "UTC"


def test_parse_reads_other_spellings_of_the_same_rule():
    assert parse_rrule("rrule:freq=weekly;byday=fr;byhour=7;byminute=5;") == Pattern(
        "weekly", weekday=4, hour=7, minute=5
    )


def test_parse_refuses_a_rule_with_an_end():
    with pytest.raises(RecurrenceError, match="ends"):
        parse_rrule("FREQ=WEEKLY;BYDAY=FR;BYHOUR=7;BYMINUTE=5;COUNT=4")


def test_validate_normalizes():
    assert validate_rrule(" RRULE:BYMINUTE=30;BYHOUR=18;FREQ=MONTHLY;BYDAY=+1WE;UNTIL=20301231T000000Z ") == (
        "FREQ=MONTHLY;INTERVAL=1;BYDAY=1WE;BYHOUR=18;BYMINUTE=30;BYSECOND=0;UNTIL=20301231T000000Z"
    )
    assert validate_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;BYHOUR=9;BYMINUTE=0;BYSECOND=0;COUNT=520") == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;BYHOUR=9;BYMINUTE=0;BYSECOND=0;COUNT=520"
    )


TIME = ";BYHOUR=19;BYMINUTE=0"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY;BYDAY=TU" + TIME, "Booky repeats meetings weekly or monthly."),
        ("FREQ=HOURLY;BYDAY=TU" + TIME, "Booky repeats meetings weekly or monthly."),
        ("FREQ=MINUTELY;BYDAY=TU" + TIME, "Booky repeats meetings weekly or monthly."),
        ("FREQ=SECONDLY;BYDAY=TU" + TIME, "Booky repeats meetings weekly or monthly."),
        ("FREQ=YEARLY;BYDAY=TU" + TIME, "Booky repeats meetings weekly or monthly."),
        ("BYDAY=TU" + TIME, "must say how often it repeats"),
        ("FREQ=MONTHLY;BYDAY=2TU;BYSETPOS=2" + TIME, "BYSETPOS"),
        ("FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=2TU" + TIME, "BYMONTHDAY"),
        ("FREQ=WEEKLY;BYDAY=TU;WKST=SU" + TIME, "WKST"),
        ("FREQ=WEEKLY;BYDAY=TU;X-NAME=1" + TIME, "can't use X-NAME"),
        ("FREQ=WEEKLY;BYDAY=TU,TH" + TIME, "one day of the week"),
        ("FREQ=WEEKLY;BYDAY=XX" + TIME, "must be MO, TU"),
        ("FREQ=WEEKLY" + TIME, "must give the day of the week"),
        ("FREQ=WEEKLY;BYDAY=2TU" + TIME, "Only a monthly meeting"),
        ("FREQ=MONTHLY;BYDAY=TU" + TIME, "1st, 2nd, 3rd, 4th or last"),
        ("FREQ=MONTHLY;BYDAY=5TU" + TIME, "1st, 2nd, 3rd, 4th or last"),
        ("FREQ=MONTHLY;BYDAY=-2TU" + TIME, "1st, 2nd, 3rd, 4th or last"),
        ("FREQ=WEEKLY;INTERVAL=0;BYDAY=TU" + TIME, "every 1 to 12 weeks or months"),
        ("FREQ=WEEKLY;INTERVAL=13;BYDAY=TU" + TIME, "every 1 to 12 weeks or months"),
        ("FREQ=WEEKLY;INTERVAL=-1;BYDAY=TU" + TIME, "every 1 to 12 weeks or months"),
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=19", "BYHOUR and BYMINUTE"),
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=24;BYMINUTE=0", "from 0 to 23"),
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=19,20;BYMINUTE=0", "one hour"),
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=19;BYMINUTE=60", "from 0 to 59"),
        ("FREQ=WEEKLY;BYDAY=TU;BYSECOND=30" + TIME, "BYSECOND=0"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=521" + TIME, "from 1 to 520 meetings"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=0" + TIME, "from 1 to 520 meetings"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=99999999999" + TIME, "from 1 to 520 meetings"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261231T190000" + TIME, "UTC time ending in Z"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261231" + TIME, "UTC time ending in Z"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261331T190000Z" + TIME, "UTC time ending in Z"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=3;UNTIL=20261231T190000Z" + TIME, "either after a number"),
        ("FREQ=WEEKLY;FREQ=MONTHLY;BYDAY=TU" + TIME, "FREQ twice"),
        ("FREQ=WEEKLY;BYDAY=TU\x00" + TIME, "NUL"),
        ("FREQ=WEEKLY;BYDAY=TU" + TIME + ";" * 200, "too long"),
        ("", "must say how often"),
        ("hello world", "isn't a repeat rule Booky can read"),
        ("FREQ=;BYDAY=TU" + TIME, "isn't a repeat rule Booky can read"),
        ("FREQ=WEEKLY;BYDAY=TU;BYHOUR=١٩;BYMINUTE=0", "from 0 to 23"),
    ],
)
def test_refused_rules_say_why(rule, message):
    with pytest.raises(RecurrenceError, match=message.replace("(", r"\(").replace(")", r"\)")) as refused:
        validate_rrule(rule)
    assert str(refused.value).endswith(".")
    with pytest.raises(RecurrenceError):
        next_occurrence(rule, "UTC", datetime(2026, 1, 1, tzinfo=UTC))


def test_a_rule_that_is_not_text_is_refused():
    with pytest.raises(RecurrenceError, match="is text"):
        validate_rrule(None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"frequency": "daily"}, "weekly or monthly"),
        ({"interval": 0}, "every 1 to 12"),
        ({"interval": 13}, "every 1 to 12"),
        ({"interval": True}, "every 1 to 12"),
        ({"weekday": 7}, "Monday to Sunday"),
        ({"week_of_month": None}, "week of the month"),
        ({"week_of_month": 5}, "week of the month"),
        ({"week_of_month": 0}, "week of the month"),
        ({"frequency": "weekly"}, "Only a monthly meeting"),
        ({"hour": 24}, "hour must be from 0 to 23"),
        ({"minute": -1}, "minute must be from 0 to 59"),
        ({"zone": "Mars/Olympus_Mons"}, "“Mars/Olympus_Mons” is not a time zone we know."),
        ({"zone": "utc"}, "not a time zone we know"),
        ({"zone": "America"}, "not a time zone we know"),
        ({"zone": "../../etc/passwd"}, "not a time zone we know"),
        ({"zone": ""}, "not a time zone we know"),
    ],
)
def test_refused_patterns_say_why(changes, message):
    pattern = Pattern(**{**SECOND_TUESDAY_LISBON.__dict__, **changes})
    with pytest.raises(RecurrenceError, match=message):
        build_rrule(pattern)
    with pytest.raises(RecurrenceError, match=message):
        describe(pattern)


def test_an_unknown_zone_for_occurrences_is_refused():
    with pytest.raises(RecurrenceError, match="not a time zone we know"):
        next_occurrence(
            build_rrule(SECOND_TUESDAY_LISBON), "Europe/Atlantis", datetime(2026, 1, 1, tzinfo=UTC)
        )


def test_naive_datetimes_are_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        next_occurrence(build_rrule(SECOND_TUESDAY_LISBON), "UTC", datetime(2026, 1, 1))


# Properties

ZONES = [
    "UTC",
    "Europe/Lisbon",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Santiago",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kolkata",
    "Pacific/Chatham",  # UTC+12:45 / +13:45
    "Asia/Tokyo",
]

patterns = st.builds(
    lambda frequency, interval, weekday, week, hour, minute, zone: Pattern(
        frequency, interval, weekday, week if frequency == "monthly" else None, hour, minute, zone
    ),
    st.sampled_from(["weekly", "monthly"]),
    st.integers(1, 12),
    st.integers(0, 6),
    st.sampled_from([1, 2, 3, 4, -1]),
    st.sampled_from([0, 1, 2, 3, 19, 23]) | st.integers(0, 23),  # the hours DST changes happen in, often
    st.sampled_from([0, 30, 45]) | st.integers(0, 59),
    st.sampled_from(ZONES),
)
instants = st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC))


def exists(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether the naive wall-clock time `wall` happens in `zone` (it is not in a spring-forward gap)."""
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def assert_is_an_occurrence_of(instant: datetime, pattern: Pattern) -> None:
    zone = ZoneInfo(pattern.zone)
    wall = instant.astimezone(zone)
    intended = wall.replace(hour=pattern.hour, minute=pattern.minute, tzinfo=None)
    assert (wall.hour, wall.minute) == (pattern.hour, pattern.minute) or not exists(intended, zone)
    assert wall.weekday() == pattern.weekday
    assert (wall.second, wall.microsecond) == (0, 0)
    if pattern.week_of_month == -1:
        assert (wall + timedelta(weeks=1)).month != wall.month
    elif pattern.week_of_month is not None:
        assert (wall.day - 1) // 7 + 1 == pattern.week_of_month


@settings(max_examples=150, deadline=None)
@given(patterns, instants)
def test_next_occurrence_is_later_and_matches_the_pattern(pattern, after):
    rule = build_rrule(pattern)
    found = next_occurrence(rule, pattern.zone, after)
    assert found.tzinfo is UTC
    assert found > after
    assert_is_an_occurrence_of(found, pattern)
    assert next_occurrence(rule, pattern.zone, found - timedelta(microseconds=1)) == found
    # The next matching day and time, whatever the interval: at most a week or about a month away.
    assert found - after <= timedelta(days=7 if pattern.frequency == "weekly" else 36)


@settings(max_examples=150, deadline=None)
@given(patterns, instants)
def test_occurrences_increase_and_keep_their_spacing(pattern, starts):
    rule = build_rrule(pattern)
    found = occurrences(rule, pattern.zone, starts, limit=6)
    assert len(found) == 6
    assert found[0] >= starts
    for instant in found:
        assert_is_an_occurrence_of(instant, pattern)
    for earlier, later in zip(found, found[1:], strict=False):
        assert later - earlier >= timedelta(days=6)
        if pattern.frequency == "weekly":  # a whole number of weeks, give or take a DST change
            assert abs(later - earlier - timedelta(weeks=pattern.interval)) <= timedelta(hours=2)
        # Each is the next occurrence after the one before, in the series that starts at `starts`.
        assert next_occurrence(rule, pattern.zone, earlier, starts=starts) == later


@settings(max_examples=150, deadline=None)
@given(patterns, instants, st.integers(1, 8))
def test_count_and_until_end_the_series(pattern, starts, count):
    rule = build_rrule(pattern)
    first = occurrences(rule, pattern.zone, starts, limit=count)
    counted = f"{rule};COUNT={count}"
    assert occurrences(counted, pattern.zone, starts, limit=20) == first
    assert next_occurrence(counted, pattern.zone, first[-1], starts=starts) is None
    until = f"{rule};UNTIL={first[-1]:%Y%m%dT%H%M%SZ}"
    assert occurrences(until, pattern.zone, starts, limit=20) == first
    assert next_occurrence(until, pattern.zone, first[-1]) is None


@settings(max_examples=150, deadline=None)
@given(patterns)
def test_build_parse_round_trip(pattern):
    rule = build_rrule(pattern)
    assert validate_rrule(rule) == rule
    assert parse_rrule(rule, zone=pattern.zone) == pattern
    assert describe(pattern).startswith("Every ")


def slow_next(pattern: Pattern, after: datetime) -> datetime:
    """The next occurrence found day by day, without dateutil: the oracle for next_occurrence."""
    zone = ZoneInfo(pattern.zone)
    day = after.astimezone(zone).date() - timedelta(days=1)
    while True:
        wall = datetime(day.year, day.month, day.day, pattern.hour, pattern.minute)
        week = (day.day - 1) // 7 + 1 if (day + timedelta(weeks=1)).month == day.month else -1
        matches = day.weekday() == pattern.weekday and (
            pattern.week_of_month is None
            or pattern.week_of_month == week
            or (pattern.week_of_month == 4 and (day.day - 1) // 7 + 1 == 4)
        )
        instant = wall.replace(tzinfo=zone).astimezone(UTC)
        if matches and instant > after:
            return instant
        day += timedelta(days=1)


@settings(max_examples=150, deadline=None)
@given(patterns, instants)
def test_next_occurrence_agrees_with_a_day_by_day_search(pattern, after):
    assert next_occurrence(build_rrule(pattern), pattern.zone, after) == slow_next(pattern, after)


@settings(max_examples=150, deadline=None)
@given(patterns, instants, instants)
def test_a_series_keeps_its_interval_years_after_it_started(pattern, starts, after):
    rule = build_rrule(pattern)
    first = occurrences(rule, pattern.zone, starts, limit=1)[0]
    found = next_occurrence(rule, pattern.zone, after, starts=starts)
    assert found > after and found >= first
    assert_is_an_occurrence_of(found, pattern)
    zone = ZoneInfo(pattern.zone)
    a, b = first.astimezone(zone).date(), found.astimezone(zone).date()
    if pattern.frequency == "weekly":
        assert (b - a).days % (7 * pattern.interval) == 0
        assert found - max(after, first) <= timedelta(weeks=pattern.interval, hours=2)
    else:
        assert ((b.year - a.year) * 12 + b.month - a.month) % pattern.interval == 0
        assert found - max(after, first) <= timedelta(days=31 * pattern.interval + 5)


def test_the_end_of_the_calendar_ends_the_series():
    rule = "FREQ=WEEKLY;BYDAY=FR;BYHOUR=23;BYMINUTE=0"
    assert next_occurrence(rule, "America/New_York", datetime(9999, 12, 25, 5, tzinfo=UTC)) is None
    assert next_occurrence(rule, "Pacific/Chatham", datetime(9999, 12, 31, 22, tzinfo=UTC)) is None
