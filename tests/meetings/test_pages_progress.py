"""My progress form on the meeting page: page or percent, "finished", optimistic locking, pace and chart."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, ProgressEntry, Rsvp
from tests.factories import add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _url(meeting):
    return f"/meetings/{meeting.pk}/progress/"


def test_member_sees_the_progress_form_with_page_zero(client, cast, meeting):
    client.force_login(cast.member)
    response = client.get(f"/meetings/{meeting.pk}/")
    assert 'id="progress-form"' in response.text
    assert 'name="current_page" value="0"' in response.text
    assert "I finished it" in response.text


def test_saving_a_page_swaps_the_progress_box_and_the_race_in_one_response(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(_url(meeting), {"current_page": "120"}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<article id="progress"')
    assert "Saved: page 120 of 300." in response.text
    # The race comes along out of band, already at the new page: no second request to go stale.
    race = response.text[response.text.index('<section id="race"') :]
    assert race.startswith(
        '<section id="race" class="race" aria-labelledby="race-heading" data-hx-swap-oob="true"'
    )
    assert f'data-runner="{cast.member.username}" data-percent="40"' in race
    assert "p. 120 · 40%" in race
    assert "HX-Trigger" not in response  # no post opened at the new page: the discussion stays
    attendance = Attendance.objects.get(user=cast.member)
    assert attendance.current_page == 120 and attendance.rsvp == Rsvp.GOING
    assert f'name="version" value="{attendance.version}"' in response.text


def test_a_typed_percent_wins_over_the_prefilled_page_and_becomes_a_page_of_the_target(client, cast, meeting):
    client.force_login(cast.member)
    client.post(_url(meeting), {"current_page": "0", "percent": "25"}, headers=HX)
    assert Attendance.objects.get(user=cast.member).current_page == 75


def test_finished_shortcut_jumps_to_the_target(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(_url(meeting), {"current_page": "", "finished": "1"}, headers=HX)
    assert "Finished! Your runner is at the finish line." in response.text
    attendance = Attendance.objects.get(user=cast.member)
    assert attendance.finished and attendance.current_page == 300


def test_progress_without_htmx_redirects_to_the_meeting(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(_url(meeting), {"current_page": "10"})
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/#progress"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current_page": "301"}, "between 0 and the target page 300"),
        ({"current_page": "-1"}, "The page cannot be negative."),
        ({"current_page": "ten"}, "Enter a page number."),
        ({"current_page": "", "percent": "150"}, "Enter a percentage from 0 to 100."),
        ({"current_page": ""}, "Give the page you are on, or a percentage"),
    ],
    ids=["beyond-target", "negative", "not-a-number", "percent-too-big", "empty"],
)
def test_bad_progress_is_422_and_changes_nothing(client, cast, meeting, data, message):
    client.force_login(cast.member)
    response = client.post(_url(meeting), data, headers=HX)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert message in response.text
    assert not ProgressEntry.objects.exists()


def test_bad_progress_without_htmx_is_a_full_page_with_422(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(_url(meeting), {"current_page": "999"})
    assert response.status_code == 422
    assert "<html" in response.text
    assert "between 0 and the target page 300" in response.text


def test_stale_version_is_409_with_the_saved_page_and_a_clear_message(client, cast, meeting):
    attendance = services.attendance_progress(user=cast.member, meeting=meeting, current_page=50)
    seen_version = attendance.version
    services.attendance_progress(
        user=cast.member, meeting=meeting, current_page=80, expected_version=seen_version
    )
    client.force_login(cast.member)

    response = client.post(_url(meeting), {"current_page": "60", "version": str(seen_version)}, headers=HX)

    assert response.status_code == 409
    assert "Your progress changed in another tab or device." in response.text
    assert 'name="current_page" value="80"' in response.text
    assert f'name="version" value="{seen_version + 1}"' in response.text
    assert Attendance.objects.get(user=cast.member).current_page == 80


def test_pace_and_chart_show_after_some_reading(client, cast, meeting):
    start = timezone.now() - timedelta(days=4)
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    Attendance.objects.filter(user=cast.member).update(created_at=start)
    services.attendance_progress(
        user=cast.member, meeting=meeting, current_page=20, now=start + timedelta(days=1)
    )
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=100)
    client.force_login(cast.member)

    response = client.get(f"/meetings/{meeting.pk}/")

    assert "25 pages a day" in response.text  # 100 pages in 4 days
    assert "pages a day to finish before the meeting" in response.text  # 200 pages in 7 days: 29
    assert "29 pages a day" in response.text
    # 25 a day finishes in 8 days, after the meeting in 7: said once, with the date, not as "Finish: around".
    finish = timezone.localtime(timezone.now() + timedelta(days=8)).strftime("%a %-d %b")
    assert f"At this pace you finish after the meeting, around {finish}." in response.text
    assert "<dt>Finish</dt>" not in response.text
    assert '<polyline points="' in response.text


def test_outsider_progress_is_403_and_anonymous_goes_to_login(client, cast, meeting):
    client.force_login(cast.outsider)
    assert client.post(_url(meeting), {"current_page": "5"}).status_code == 403
    client.logout()
    response = client.post(_url(meeting), {"current_page": "5"}, headers=HX)
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert not Attendance.objects.exists()


def test_progress_on_a_cancelled_meeting_is_409(client, cast, meeting):
    services.meeting_cancel(actor=cast.owner, meeting=meeting)
    client.force_login(cast.member)
    response = client.post(_url(meeting), {"current_page": "5"}, headers=HX)
    assert response.status_code == 409
    assert "This meeting is cancelled." in response.text


def test_saving_progress_answers_with_both_regions_agreeing_on_finishers(client, cast, meeting):
    other = cast.moderator
    services.attendance_progress(user=other, meeting=meeting, current_page=300)
    client.force_login(cast.member)
    response = client.post(_url(meeting), {"current_page": "", "finished": "1"}, headers=HX)
    progress, race = response.text.split('<section id="race"', 1)
    assert "Finished! Your runner is at the finish line." in progress
    assert "2 going · 2 finished" in race


def test_an_invalid_progress_answer_does_not_send_the_race(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(_url(meeting), {"current_page": "301"}, headers=HX)
    assert response.status_code == 422
    assert 'id="race"' not in response.text and "HX-Trigger" not in response


def _queries_of_a_save(client, meeting, user, page: int) -> int:
    version = Attendance.objects.get(meeting=meeting, user=user).version
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            _url(meeting), {"current_page": str(page), "version": str(version)}, headers=HX
        )
    assert response.status_code == 200
    return len(queries)


def test_saving_progress_with_the_race_costs_the_same_queries_however_many_run(client, cast, meeting):
    client.force_login(cast.member)
    client.post(_url(meeting), {"current_page": "10"}, headers=HX)
    for _ in range(3):
        services.attendance_progress(user=add_member(cast.club).user, meeting=meeting, current_page=50)
    few = _queries_of_a_save(client, meeting, cast.member, 20)
    for _ in range(4):
        services.attendance_progress(user=add_member(cast.club).user, meeting=meeting, current_page=60)
    assert _queries_of_a_save(client, meeting, cast.member, 30) == few
