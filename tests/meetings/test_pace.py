"""Pace arithmetic and race geometry, without the database."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from meetings import pace, race

NOW = datetime(2030, 5, 10, 12, 0, tzinfo=UTC)


def test_pages_per_day_is_pages_over_days_since_reading_started():
    assert pace.pages_per_day(current_page=100, started_at=NOW - timedelta(days=4), now=NOW) == 25


def test_the_first_day_counts_as_a_whole_day():
    assert pace.pages_per_day(current_page=30, started_at=NOW - timedelta(hours=2), now=NOW) == 30


def test_projected_finish_at_the_current_pace():
    finish = pace.projected_finish(current_page=100, target_page=300, rate=25, now=NOW)
    assert finish == NOW + timedelta(days=8)


def test_no_projection_without_any_pace_and_now_when_done():
    assert pace.projected_finish(current_page=0, target_page=300, rate=0, now=NOW) is None
    assert pace.projected_finish(current_page=300, target_page=300, rate=0, now=NOW) == NOW


def test_pages_needed_per_day_rounds_up():
    needed = pace.needed_per_day(
        current_page=100, target_page=300, meeting_starts_at=NOW + timedelta(days=7), now=NOW
    )
    assert needed == 29  # 200 / 7 = 28.6


def test_last_day_needs_everything_that_is_left():
    needed = pace.needed_per_day(
        current_page=250, target_page=300, meeting_starts_at=NOW + timedelta(hours=3), now=NOW
    )
    assert needed == 50


def test_nothing_needed_once_finished_or_once_the_meeting_started():
    assert (
        pace.needed_per_day(
            current_page=300, target_page=300, meeting_starts_at=NOW + timedelta(days=1), now=NOW
        )
        is None
    )
    assert (
        pace.needed_per_day(
            current_page=10, target_page=300, meeting_starts_at=NOW - timedelta(hours=1), now=NOW
        )
        is None
    )


def test_pace_for_tells_whether_i_am_on_track():
    meeting = NOW + timedelta(days=7)
    behind = pace.pace_for(
        current_page=100,
        target_page=300,
        started_at=NOW - timedelta(days=4),
        meeting_starts_at=meeting,
        now=NOW,
    )
    ahead = pace.pace_for(
        current_page=200,
        target_page=300,
        started_at=NOW - timedelta(days=4),
        meeting_starts_at=meeting,
        now=NOW,
    )
    assert behind.on_track(meeting) is False and behind.percent == 33 and behind.remaining == 200
    assert ahead.on_track(meeting) is True and ahead.projected_finish == NOW + timedelta(days=2)


def test_finished_pace_is_measured_up_to_the_finish():
    finished_at = NOW - timedelta(days=2)
    result = pace.pace_for(
        current_page=300, target_page=300, started_at=NOW - timedelta(days=12),
        meeting_starts_at=NOW + timedelta(days=1), now=NOW, finished_at=finished_at,
    )  # fmt: skip
    assert result.finished and result.pages_per_day == 30
    assert result.projected_finish == finished_at and result.needed_per_day is None
    assert result.on_track(NOW) is True


def _attendance(name, page, *, finished=False, late=False, user_id=1):
    user = SimpleNamespace(name=name, username=name.lower())
    status = ("late" if late else "in_time") if finished else None
    return SimpleNamespace(
        user=user, user_id=user_id, current_page=page, finished=finished, finish_status=status,
        percent_of=lambda target: min(100, round(100 * page / target)),
    )  # fmt: skip


def test_runners_are_placed_by_percent_with_finished_at_the_line_and_me_marked():
    lanes = race.runners(
        [_attendance("Ana", 300, finished=True, user_id=1), _attendance("Bo", 75, user_id=2)],
        target_page=300,
        me_id=2,
    )
    assert [(runner.name, runner.x, runner.finished, runner.is_me) for runner in lanes] == [
        ("Ana", "100%", True, False),
        ("Bo", "25%", False, True),
    ]
    assert [runner.lane for runner in lanes] == [0, 1]


def test_a_late_finisher_sits_on_the_line_but_is_no_finisher():
    (lane,) = race.runners([_attendance("Cy", 300, finished=True, late=True)], target_page=300, me_id=None)
    assert (lane.x, lane.finished, lane.late) == ("100%", False, True)


def test_progress_chart_steps_from_zero_to_the_current_page():
    chart = race.progress_chart(
        [(NOW - timedelta(days=2), 150)],
        target_page=300,
        started_at=NOW - timedelta(days=4),
        meeting_starts_at=NOW + timedelta(days=4),
        now=NOW,
    )
    assert chart.points == "0,100 75,100 75,50 150,50"
    assert chart.plan_end_x == 300


def test_a_rate_reads_in_words_with_page_in_the_singular_for_one():
    assert str(pace.Rate(1, "day")) == "1 page a day"
    assert str(pace.Rate(1.04, "day")) == "1 page a day"
    assert str(pace.Rate(0.5, "day")) == "0.5 pages a day"
    assert str(pace.Rate(25, "day")) == "25 pages a day"
    assert str(pace.Rate(40, "hour", approximate=True)) == "about 40 pages an hour"


def test_with_more_than_a_day_left_the_pages_needed_are_per_day():
    needed = pace.needed_rate(
        current_page=100, target_page=300, meeting_starts_at=NOW + timedelta(days=7), now=NOW
    )
    assert str(needed) == "29 pages a day"


def test_with_only_hours_left_the_pages_needed_are_about_so_many_an_hour():
    needed = pace.needed_rate(
        current_page=180, target_page=300, meeting_starts_at=NOW + timedelta(hours=3), now=NOW
    )
    assert str(needed) == "about 40 pages an hour"


def test_in_the_last_hour_everything_left_is_needed_in_that_hour():
    needed = pace.needed_rate(
        current_page=290, target_page=300, meeting_starts_at=NOW + timedelta(minutes=20), now=NOW
    )
    assert str(needed) == "about 10 pages an hour"


def test_one_page_a_day_left_is_not_one_pages():
    needed = pace.needed_rate(
        current_page=293, target_page=300, meeting_starts_at=NOW + timedelta(days=7), now=NOW
    )
    assert str(needed) == "1 page a day"


def test_nothing_is_needed_when_done_or_once_the_meeting_started():
    assert (
        pace.needed_rate(
            current_page=300, target_page=300, meeting_starts_at=NOW + timedelta(days=1), now=NOW
        )
        is None
    )
    assert (
        pace.needed_rate(
            current_page=10, target_page=300, meeting_starts_at=NOW - timedelta(hours=1), now=NOW
        )
        is None
    )


def test_pace_for_says_what_is_needed_and_the_pace_so_far():
    result = pace.pace_for(
        current_page=7, target_page=300, started_at=NOW - timedelta(days=7),
        meeting_starts_at=NOW + timedelta(hours=2), now=NOW,
    )  # fmt: skip
    assert str(result.so_far) == "1 page a day"
    assert str(result.needed) == "about 147 pages an hour"
