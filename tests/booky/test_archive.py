"""The club's "Books we have read": past meetings with who came and finished, the bets and the ratings;
filtered by year, paged with constant queries; its CSV for the owner only."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, Meeting, Rsvp
from tests.factories import BookFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def past_meeting(club, *, days_ago: int, title: str = "", book=None, readers=()):
    meeting = MeetingFactory(club=club, title=title, book=book or BookFactory())
    starts = timezone.now() - timedelta(days=days_ago)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=2))
    meeting.refresh_from_db()
    for user, page in readers:
        Attendance.objects.create(
            meeting=meeting,
            user=user,
            rsvp=Rsvp.GOING,
            current_page=page,
            finished=page >= meeting.target_page,
            finished_at=starts - timedelta(days=1) if page >= meeting.target_page else None,
        )
    return meeting


def test_members_see_the_past_meetings_with_who_finished_and_the_ratings(client, cast):
    done = past_meeting(
        cast.club, days_ago=10, title="Autumn read", readers=[(cast.member, 300), (cast.owner, 120)]
    )
    services.review_save(user=cast.member, meeting=done, rating=4)
    MeetingFactory(club=cast.club, title="Still to come")
    cancelled = past_meeting(cast.club, days_ago=5, title="Called off")
    Meeting.objects.filter(pk=cancelled.pk).update(status="cancelled")
    client.force_login(cast.moderator)
    page = client.get(reverse("clubs:archive", args=[cast.club.slug]))
    assert page.status_code == 200
    assert "Autumn read" in page.text and "Still to come" not in page.text and "Called off" not in page.text
    assert "2 going · 1 finished in time" in page.text and "rated 4.0 out of 5" in page.text
    assert "Members' record" in page.text
    client.force_login(cast.outsider)
    outsider_page = client.get(reverse("clubs:archive", args=[cast.club.slug]))
    assert "Autumn read" in outsider_page.text and "rated 4.0" not in outsider_page.text
    assert "Members' record" not in outsider_page.text


def test_the_year_filter_and_the_empty_state(client, cast):
    past_meeting(cast.club, days_ago=400, title="Long ago")
    past_meeting(cast.club, days_ago=3, title="Recently")
    client.force_login(cast.member)
    url = reverse("clubs:archive", args=[cast.club.slug])
    this_year = (timezone.now() - timedelta(days=3)).year
    filtered = client.get(url, {"year": this_year})
    assert "Recently" in filtered.text and (
        "Long ago" not in filtered.text or (timezone.now() - timedelta(days=400)).year == this_year
    )
    assert client.get(url, {"year": "nonsense"}).status_code == 200
    cast.club.meetings.all().delete()
    assert "No past meetings yet" in client.get(url).text


def test_the_archive_pages_cost_the_same_queries_for_more_meetings(
    client, cast, django_assert_max_num_queries
):
    for days in range(1, 4):
        past_meeting(cast.club, days_ago=days, readers=[(cast.member, 50)])
    client.force_login(cast.member)
    url = reverse("clubs:archive", args=[cast.club.slug])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for days in range(4, 30):
        past_meeting(cast.club, days_ago=days, readers=[(cast.member, 50), (cast.owner, 300)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "Pages of the archive" in page.text


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 200), ("moderator", 403), ("member", 403), ("outsider", 403), ("anonymous", 302)],
)
def test_only_the_owner_downloads_the_csv(client, cast, role, status):
    past_meeting(cast.club, days_ago=2, title='=HYPERLINK("http://evil")', readers=[(cast.member, 300)])
    if role != "anonymous":
        client.force_login(cast.user_for(role))
    response = client.get(reverse("clubs:archive_csv", args=[cast.club.slug]))
    assert response.status_code == status
    if status == 200:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["date", "title", "book"]
        assert rows[1][1].startswith("'=HYPERLINK") and rows[1][4] == "1" and rows[1][5] == "1"


def test_a_private_clubs_archive_is_missing_for_outsiders(client, cast):
    cast.club.visibility = "private"
    cast.club.save(update_fields=["visibility"])
    client.force_login(cast.outsider)
    assert client.get(reverse("clubs:archive", args=[cast.club.slug])).status_code == 404
