"""A member's year in reading: the chart's arithmetic, and the page as visible as the profile."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from books.models import Shelf
from books.shelves import services as shelf_services
from booky.site.year_chart import year_chart
from meetings import services
from meetings.models import Rsvp
from social.models import ProfileVisibility
from tests.factories import BookFactory, MeetingFactory, UserFactory


def test_the_chart_scales_to_the_busiest_month_and_says_so():
    chart = year_chart(2026, {3: 2, 8: 4}, metric="books")
    heights = {bar.month: bar.height for bar in chart.bars}
    assert heights[8] == pytest.approx(2 * heights[3]) and heights[1] == 0
    assert chart.summary == "6 books finished in 2026; most in August (4)."
    assert chart.bars[2].title == "March: 2 books finished"
    assert year_chart(2026, {}, metric="pages").summary == "No pages read in 2026."
    assert (
        year_chart(2026, {5: 1020, 6: 3190}, metric="pages").summary
        == "4,210 pages read in 2026; most in June (3,190)."
    )
    for bad in ({13: 1}, {2: -1}):
        with pytest.raises(ValueError):
            year_chart(2026, bad)


@pytest.mark.django_db
def test_the_year_counts_books_pages_and_meetings(client, cast):
    reader = cast.member
    this_year = timezone.localdate().year
    entry = shelf_services.shelf_put(user=reader, book=BookFactory(), shelf=Shelf.READ)
    shelf_services.shelf_entry_update(
        user=reader,
        entry=entry,
        shelf=Shelf.READ,
        started_on=None,
        finished_on=date(this_year, 1, 10),
        rating=None,
    )
    meeting = MeetingFactory(club=cast.club)
    services.attendance_rsvp(user=reader, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_progress(user=reader, meeting=meeting, current_page=120)
    client.force_login(reader)
    page = client.get(reverse("people:year", args=[reader.username]))
    assert page.status_code == 200
    assert "1 book finished in" in page.text and "120 pages read in" in page.text
    assert client.get(reverse("people:year_of", args=[reader.username, this_year + 1])).status_code == 404


@pytest.mark.django_db
def test_the_year_is_as_visible_as_the_profile(client):
    hidden = UserFactory(profile_visibility=ProfileVisibility.PRIVATE)
    assert client.get(reverse("people:year", args=[hidden.username])).status_code == 404
    client.force_login(hidden)
    assert client.get(reverse("people:year", args=[hidden.username])).status_code == 200


@pytest.mark.django_db
def test_the_year_page_costs_the_same_queries_for_a_busier_reader(
    client, cast, django_assert_max_num_queries
):
    reader = cast.member
    client.force_login(reader)
    url = reverse("people:year", args=[reader.username])
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for _ in range(5):
        meeting = MeetingFactory(club=cast.club, starts_at=timezone.now() + timedelta(days=3))
        services.attendance_rsvp(user=reader, meeting=meeting, rsvp=Rsvp.GOING)
        services.attendance_progress(user=reader, meeting=meeting, current_page=50)
        shelf_services.shelf_put(user=reader, book=BookFactory(), shelf=Shelf.READ)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
