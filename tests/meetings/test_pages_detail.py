"""The meeting page: time in the viewer's timezone, RSVP, the race, my progress and pace, check-in."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clubs.models import Visibility
from meetings import services
from meetings.models import Attendance, MeetingStatus, Rsvp
from tests.factories import MeetingFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _url(meeting, action=""):
    return f"/meetings/{meeting.pk}/{action}"


def _going(meeting, user, page=0):
    attendance = services.attendance_rsvp(user=user, meeting=meeting, rsvp=Rsvp.GOING)
    if page:
        attendance = services.attendance_progress(user=user, meeting=meeting, current_page=page)
    return attendance


def test_meeting_page_shows_book_time_place_calendar_link_and_rsvp(client, cast, meeting):
    client.force_login(cast.member)
    response = client.get(_url(meeting))
    assert response.status_code == 200
    assert "<html" in response.text
    assert meeting.book.title in response.text
    assert "The back room of Café Livro" in response.text
    assert "in 7 days" in response.text
    assert f'href="/meetings/{meeting.pk}.ics"' in response.text
    assert "Are you coming?" in response.text
    assert 'name="rsvp" value="going"' in response.text
    assert "You have not answered yet." in response.text


def test_meeting_time_is_shown_in_the_viewers_timezone(client, cast):
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    starts_at = datetime(2031, 3, 6, 19, 0, tzinfo=berlin)
    meeting = MeetingFactory(club=cast.club, starts_at=starts_at)
    viewer = cast.member
    viewer.timezone = "America/New_York"
    viewer.save()
    client.force_login(viewer)

    response = client.get(_url(meeting))

    assert "Thursday 6 March 2031, 13:00" in response.text
    assert "America/New York" in response.text


def test_anonymous_visitors_see_times_in_utc_and_a_login_link(client, meeting):
    meeting.starts_at = datetime(2031, 3, 6, 18, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    meeting.save()
    response = client.get(_url(meeting))
    assert response.status_code == 200
    assert "17:00" in response.text
    assert "Log in to RSVP" in response.text
    assert "My progress" not in response.text


def test_outsiders_see_a_public_clubs_meeting_but_no_forms(client, cast, meeting):
    client.force_login(cast.outsider)
    response = client.get(_url(meeting))
    assert response.status_code == 200
    assert "Only members of" in response.text
    assert 'id="progress-form"' not in response.text
    assert 'name="rsvp"' not in response.text


def test_private_club_meetings_are_404_to_outsiders(client, cast, meeting):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    assert client.get(_url(meeting)).status_code == 404
    assert client.get(f"/meetings/{meeting.pk}.ics").status_code == 404
    client.force_login(cast.outsider)
    assert client.get(_url(meeting)).status_code == 404
    assert client.post(_url(meeting, "rsvp/"), {"rsvp": "going"}).status_code == 404
    client.force_login(cast.member)
    assert client.get(_url(meeting)).status_code == 200


def test_unknown_meeting_is_404(client):
    assert client.get("/meetings/999999/").status_code == 404


# --- the race -------------------------------------------------------------------------------------


def test_race_places_going_attendees_by_percent_finished_at_the_line_and_me_highlighted(
    client, cast, meeting
):
    _going(meeting, cast.member, page=150)
    _going(meeting, cast.moderator, page=300)
    maybe = add_member(cast.club).user
    services.attendance_rsvp(user=maybe, meeting=meeting, rsvp=Rsvp.MAYBE)
    client.force_login(cast.member)

    response = client.get(_url(meeting))

    race = response.text.split('id="race"')[1].split("</ol>")[0]
    assert f'data-runner="{cast.member.username}" data-percent="50"' in race
    assert f'class="runner me" data-runner="{cast.member.username}"' in race
    assert f'class="runner finished" data-runner="{cast.moderator.username}" data-percent="100"' in race
    assert maybe.username not in race  # "maybe" answers are listed, not racing
    assert 'cx="50%"' in race and 'cx="100%"' in race
    assert "style=" not in response.text
    assert 'Maybe <span class="muted">(1)</span>' in response.text


def test_race_fragment_is_the_polled_section_alone(client, cast, meeting):
    _going(meeting, cast.member, page=30)
    response = client.get(_url(meeting), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="race"')
    assert 'data-hx-trigger="race-refresh from:body"' in response.text
    assert 'data-race-poll="30"' in response.text
    assert "p. 30 · 10%" in response.text


def test_race_of_a_cancelled_meeting_does_not_poll(client, cast, meeting):
    services.meeting_cancel(actor=cast.owner, meeting=meeting, reason="Flooded café")
    response = client.get(_url(meeting))
    assert "data-race-poll" not in response.text
    assert "This meeting was cancelled. Reason: Flooded café" in response.text


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["owner", "member", "anonymous"])
def test_meeting_page_queries_do_not_grow_with_attendees(client, cast, viewer):
    meeting = MeetingFactory(club=cast.club, starts_at=timezone.now() + timedelta(days=2))
    user = cast.user_for(viewer)
    if user:
        client.force_login(user)
        if viewer == "member":
            _going(meeting, user, page=10)

    def add_attendees(count):
        for _ in range(count):
            _going(meeting, add_member(cast.club).user, page=20)

    add_attendees(3)
    few = _queries(client, _url(meeting))
    add_attendees(27)
    many = _queries(client, _url(meeting))
    assert few == many


def test_meeting_page_with_check_in_queries_do_not_grow_with_attendees(client, cast):
    meeting = MeetingFactory(club=cast.club)
    for _ in range(3):
        _going(meeting, add_member(cast.club).user, page=5)
    meeting.starts_at = timezone.now() - timedelta(minutes=10)
    meeting.save()
    client.force_login(cast.owner)
    few = _queries(client, _url(meeting))
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, user=add_member(cast.club).user, current_page=3) for _ in range(27)
    )
    many = _queries(client, _url(meeting))
    assert few == many


def test_race_fragment_costs_at_most_five_queries(client, cast, meeting, django_assert_max_num_queries):
    for _ in range(30):
        _going(meeting, add_member(cast.club).user, page=40)
    client.force_login(cast.member)
    # session, user, the poll's fingerprint, meeting, my role, attendances
    with django_assert_max_num_queries(6):
        response = client.get(_url(meeting), headers=HX)
    assert response.text.count('class="runner') == 30


# --- RSVP -------------------------------------------------------------------------------------------


def test_rsvp_swaps_the_buttons_in_place_and_asks_the_race_to_refresh(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(_url(meeting, "rsvp/"), {"rsvp": "going"}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<article id="rsvp"')
    assert 'value="going" id="rsvp-going"\n                      aria-pressed="true"' in response.text
    assert "See you there!" in response.text
    assert response["HX-Trigger"] == "race-refresh"
    assert Attendance.objects.get(meeting=meeting, user=cast.member).rsvp == Rsvp.GOING


def test_rsvp_without_htmx_redirects_back_with_a_message(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(_url(meeting, "rsvp/"), {"rsvp": "maybe"}, follow=True)
    assert response.redirect_chain[-1][0] == _url(meeting)
    assert "Noted: maybe." in response.text


def test_unknown_rsvp_value_is_refused_with_422(client, cast, meeting):
    client.force_login(cast.member)
    response = client.post(_url(meeting, "rsvp/"), {"rsvp": "perhaps"}, headers=HX)
    assert response.status_code == 422
    assert "Choose going, maybe or not going." in response.text
    assert not Attendance.objects.exists()


def test_rsvp_after_the_start_is_409(client, cast, meeting):
    meeting.starts_at = timezone.now() - timedelta(minutes=5)
    meeting.save()
    client.force_login(cast.member)
    response = client.post(_url(meeting, "rsvp/"), {"rsvp": "going"}, headers=HX)
    assert response.status_code == 409
    assert "RSVP closed when the meeting started." in response.text


def test_outsider_rsvp_is_403_and_anonymous_goes_to_login(client, cast, meeting):
    client.force_login(cast.outsider)
    assert client.post(_url(meeting, "rsvp/"), {"rsvp": "going"}).status_code == 403
    client.logout()
    response = client.post(_url(meeting, "rsvp/"), {"rsvp": "going"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(_url(meeting, "rsvp/"), {"rsvp": "going"}, headers=HX)
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert not Attendance.objects.exists()


def test_member_who_left_the_club_cannot_rsvp(client, cast, meeting):
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    cast.club.memberships.filter(user=cast.member).delete()
    client.force_login(cast.member)
    response = client.post(_url(meeting, "rsvp/"), {"rsvp": "declined"})
    assert response.status_code == 403
    assert Attendance.objects.get(user=cast.member).rsvp == Rsvp.GOING


# --- check-in -----------------------------------------------------------------------------------------


def test_host_checks_people_in_after_the_start(client, cast, meeting):
    _going(meeting, cast.member)
    meeting.starts_at = timezone.now() - timedelta(minutes=10)
    meeting.save()
    client.force_login(cast.owner)
    page = client.get(_url(meeting))
    assert "Who came?" in page.text
    response = client.post(_url(meeting, "check-in/"), {"username": [cast.member.username]}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Checked in: 1 person." in response.text
    assert Attendance.objects.get(user=cast.member).checked_in


def test_check_in_is_not_offered_before_the_start_and_refused_with_409(client, cast, meeting):
    client.force_login(cast.owner)
    assert "Who came?" not in client.get(_url(meeting)).text
    response = client.post(_url(meeting, "check-in/"), {"username": [cast.member.username]}, headers=HX)
    assert response.status_code == 409
    assert "Check-in opens when the meeting starts." in response.text


def test_check_in_with_nobody_ticked_is_422(client, cast, meeting):
    meeting.starts_at = timezone.now() - timedelta(minutes=10)
    meeting.save()
    client.force_login(cast.owner)
    response = client.post(_url(meeting, "check-in/"), {}, headers=HX)
    assert response.status_code == 422
    assert "Tick the people who came" in response.text


def test_members_cannot_check_in(client, cast, meeting):
    meeting.starts_at = timezone.now() - timedelta(minutes=10)
    meeting.save()
    client.force_login(cast.member)
    assert "Who came?" not in client.get(_url(meeting)).text
    assert client.post(_url(meeting, "check-in/"), {"username": [cast.member.username]}).status_code == 403


# --- complete ---------------------------------------------------------------------------------------


def test_host_completes_a_meeting_after_it_started(client, cast, meeting):
    client.force_login(cast.owner)
    response = client.post(_url(meeting, "complete/"), follow=True)
    assert "A meeting can be completed only after it has started." in response.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED

    meeting.starts_at = timezone.now() - timedelta(hours=1)
    meeting.save()
    response = client.post(_url(meeting, "complete/"), headers=HX)
    assert response["HX-Redirect"] == _url(meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.COMPLETED


def test_members_cannot_complete(client, cast, meeting):
    client.force_login(cast.member)
    assert client.post(_url(meeting, "complete/")).status_code == 403
    assert client.get(_url(meeting, "complete/")).status_code == 405
