"""Rating the book after a meeting: who may (each role, over the page, the htmx fragment and the API),
bad input, and the club's average on the book page, for members only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, MeetingReview
from tests.factories import MeetingFactory
from tests.matrix import FORBIDDEN, LOGIN, MISSING, OK, check_api, check_data, check_page, send_api, send_page

pytestmark = pytest.mark.django_db

ROLES = ["owner", "moderator", "member", "outsider", "anonymous"]
MEMBERS = {"owner": OK, "moderator": OK, "member": OK, "outsider": FORBIDDEN, "anonymous": LOGIN}


@pytest.fixture
def started(cast):
    meeting = MeetingFactory(club=cast.club)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    meeting.refresh_from_db()
    return meeting


def snapshot():
    return list(MeetingReview.objects.values_list("meeting_id", "user_id", "rating", "review"))


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "writes"), [("get", False), ("post", True)])
def test_who_may_read_and_rate(client, cast, started, role, htmx, method, writes):
    if role != "anonymous":
        client.force_login(cast.user_for(role))
    before = snapshot()
    url = reverse("meetings:reviews", args=[started.pk])
    response = send_page(
        client, method, url, {"rating": "4", "review": "Loved it"}, htmx=htmx, current_url=url
    )
    check_page(response, MEMBERS[role], htmx=htmx)
    check_data(before, snapshot(), outcome=MEMBERS[role], changes_data=writes)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "payload", "writes"), [("get", None, False), ("put", {"rating": 5}, True)]
)
def test_who_may_read_and_rate_over_the_api(cast, started, role, method, payload, writes):
    before = snapshot()
    response = send_api(cast.user_for(role), method, f"/api/v1/meetings/{started.pk}/reviews/", payload)
    check_api(response, MEMBERS[role])
    check_data(before, snapshot(), outcome=MEMBERS[role], changes_data=writes)


def test_a_private_clubs_meeting_is_missing_for_outsiders(client, cast, started):
    cast.club.visibility = "private"
    cast.club.save(update_fields=["visibility"])
    client.force_login(cast.outsider)
    check_page(client.get(reverse("meetings:reviews", args=[started.pk])), MISSING, htmx=False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose 1 to 5 stars."),
        ({"rating": "9"}, "Choose 1 to 5 stars."),
        ({"rating": "3", "review": "x" * 1001}, "at most 1000"),
    ],
)
def test_bad_ratings_are_refused(client, cast, started, data, message):
    client.force_login(cast.member)
    response = client.post(
        reverse("meetings:reviews", args=[started.pk]), data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422 and message in response.text
    assert not MeetingReview.objects.exists()


def test_no_rating_before_the_meeting_starts_or_of_a_cancelled_one(client, cast, meeting):
    client.force_login(cast.member)
    url = reverse("meetings:reviews", args=[meeting.pk])
    early = client.post(url, {"rating": "4"}, headers={"HX-Request": "true"})
    assert early.status_code == 409 and "once the meeting has started" in early.text
    services.meeting_cancel(actor=cast.owner, meeting=meeting)
    api = send_api(cast.member, "put", f"/api/v1/meetings/{meeting.pk}/reviews/", {"rating": 4})
    assert api.status_code == 400 and api.json()["code"] == "cancelled"
    assert not MeetingReview.objects.exists()


def test_rating_again_replaces_it_and_the_book_page_shows_the_average_to_members(client, cast, started):
    services.review_save(user=cast.member, meeting=started, rating=2)
    services.review_save(user=cast.member, meeting=started, rating=4, review="Better on reflection")
    services.review_save(user=cast.owner, meeting=started, rating=5)
    assert MeetingReview.objects.count() == 2
    client.force_login(cast.moderator)
    page = client.get(reverse("meetings:reviews", args=[started.pk]))
    assert "4.5 out of 5 from 2 members" in page.text and "Better on reflection" in page.text
    book_page = client.get(started.book.get_absolute_url())
    assert f"{cast.club.name}</a> rated it 4.5 out of 5" in book_page.text
    client.force_login(cast.outsider)
    assert "rated it" not in client.get(started.book.get_absolute_url()).text
    client.logout()
    assert "rated it" not in client.get(started.book.get_absolute_url()).text


def test_my_meetings_lists_past_meetings_too(client, cast, started, meeting):
    Meeting.objects.filter(pk=started.pk).update(
        starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=3, hours=-2)
    )
    client.force_login(cast.member)
    upcoming = client.get(reverse("meetings:mine"))
    assert meeting.display_title in upcoming.text and f"/meetings/{started.pk}/" not in upcoming.text
    past = client.get(reverse("meetings:mine"), {"when": "past"})
    assert f"/meetings/{started.pk}/" in past.text and f"/meetings/{meeting.pk}/" not in past.text
