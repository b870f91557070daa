"""A member reading another edition gives a percent of their own book: it is kept with the page it
stands for in the club's book, over the HTML form, htmx and the API, and the race shows that page."""

import pytest
from rest_framework.test import APIClient

from meetings import services
from meetings.models import Attendance, ProgressEntry, Rsvp
from tests.factories import BookFactory, MeetingFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def half_book_meeting(cast):
    """Read to page 160 of a 320-page book."""
    return MeetingFactory(club=cast.club, book=BookFactory(page_count=320), target_page=160)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_percent_of_my_book_is_kept_and_counted_in_the_clubs_pages(cast, half_book_meeting):
    attendance = services.attendance_progress(
        user=cast.member, meeting=half_book_meeting, own_edition_percent=25
    )
    assert (attendance.own_edition_percent, attendance.current_page) == (25, 80)  # 25 % of 320 pages

    attendance = services.attendance_progress(user=cast.member, meeting=half_book_meeting, current_page=90)
    assert (attendance.own_edition_percent, attendance.current_page) == (None, 90)


def test_half_my_book_reaches_a_target_of_half_the_book(cast, half_book_meeting):
    attendance = services.attendance_progress(
        user=cast.member, meeting=half_book_meeting, own_edition_percent=60
    )
    assert attendance.current_page == 160 and attendance.finished


def test_the_form_takes_a_percent_and_the_box_says_what_it_is_a_percent_of(client, cast, half_book_meeting):
    client.force_login(cast.member)
    response = client.post(
        f"/meetings/{half_book_meeting.pk}/progress/", {"current_page": "0", "percent": "25"}, headers=HX
    )

    assert response.status_code == 200
    assert "Saved: page 80 of 160." in response.text
    assert "50 % of 160 pages" in response.text
    assert "From 25 % of your own edition, counted in this book's 320 pages." in response.text
    race = response.text[response.text.index('<section id="race"') :]
    assert "≈ p. 80 · 50%" in race
    assert Attendance.objects.get(user=cast.member).own_edition_percent == 25


def test_without_javascript_the_percent_is_saved_and_the_page_redirects(client, cast, half_book_meeting):
    client.force_login(cast.member)
    response = client.post(
        f"/meetings/{half_book_meeting.pk}/progress/", {"current_page": "", "percent": "10"}
    )
    assert response.status_code == 302
    assert Attendance.objects.get(user=cast.member).current_page == 32


def test_a_percent_over_100_in_the_form_is_422_and_changes_nothing(client, cast, half_book_meeting):
    client.force_login(cast.member)
    response = client.post(
        f"/meetings/{half_book_meeting.pk}/progress/", {"current_page": "", "percent": "101"}, headers=HX
    )
    assert response.status_code == 422
    assert "Enter a percentage from 0 to 100." in response.text
    assert not ProgressEntry.objects.exists()


def test_the_api_takes_a_percent_and_reads_it_back(cast, half_book_meeting):
    response = _api(cast.member).put(
        f"/api/v1/meetings/{half_book_meeting.pk}/progress/", {"own_edition_percent": 25}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["own_edition_percent"] == 25 and body["current_page"] == 80 and body["percent"] == 50

    body = (
        _api(cast.member)
        .put(f"/api/v1/meetings/{half_book_meeting.pk}/progress/", {"current_page": 100}, format="json")
        .json()
    )
    assert body["own_edition_percent"] is None and body["current_page"] == 100


def test_the_api_refuses_a_percent_over_100_with_a_clear_400(cast, half_book_meeting):
    response = _api(cast.member).put(
        f"/api/v1/meetings/{half_book_meeting.pk}/progress/", {"own_edition_percent": 150}, format="json"
    )
    assert response.status_code == 400
    assert "Give a percent of your book from 0 to 100." in response.json()["detail"]
    assert not Attendance.objects.filter(user=cast.member).exclude(current_page=0).exists()


def test_the_service_refuses_a_percent_out_of_range(cast, half_book_meeting):
    from booky.core.errors import DomainError

    services.attendance_rsvp(user=cast.member, meeting=half_book_meeting, rsvp=Rsvp.GOING)
    with pytest.raises(DomainError, match="from 0 to 100"):
        services.attendance_progress(user=cast.member, meeting=half_book_meeting, own_edition_percent=101)
    assert Attendance.objects.get(user=cast.member).current_page == 0


def test_a_raised_target_puts_a_percent_reader_back_at_their_share_of_the_book(cast, half_book_meeting):
    services.attendance_progress(user=cast.member, meeting=half_book_meeting, own_edition_percent=60)
    half_book_meeting.refresh_from_db()

    services.meeting_update(
        actor=cast.owner,
        meeting=half_book_meeting,
        expected_version=half_book_meeting.version,
        target_page=320,
    )

    attendance = Attendance.objects.get(user=cast.member)
    assert attendance.current_page == 192 and not attendance.finished  # 60 % of 320, no longer capped at 160
