"""Hostile input on the pages added for shelves, polls, plans, reminders and the archive: every answer is
a page or a 4xx, never a server error, and nothing changes."""

import pytest
from django.urls import reverse

from meetings.models import Meeting
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    "\x00",
    "-1",
    "0",
    "99999999999999999999",
    "abc",
    "<script>alert(1)</script>",
    "1" * 5000,
    "１２",
]


@pytest.mark.parametrize("value", NASTY)
def test_nasty_values_never_break_the_new_forms(client, cast, value):
    meeting = MeetingFactory(club=cast.club)
    client.force_login(cast.owner)
    posts = [
        (reverse("meetings:plan", args=[meeting.pk]), {"milestones": value}),
        (reverse("meetings:announce", args=[meeting.pk]), {"message": value}),
        (reverse("meetings:reviews", args=[meeting.pk]), {"rating": value, "review": value}),
        (reverse("social:reminders"), {"club": value, f"club-{cast.club.pk}-leads": value}),
        (reverse("clubs:reminders", args=[cast.club.slug]), {"leads": value}),
        (
            reverse("clubs:poll_create", args=[cast.club.slug]),
            {
                "nominations_close_at": value,
                "voting_closes_at": value,
                "max_nominations": value,
                "mode": value,
            },
        ),
        (reverse("meetings:rsvp", args=[meeting.pk]), {"rsvp": value}),
        (
            reverse("meetings:edit", args=[meeting.pk]),
            {"attendance_limit": value, "repeat": value, "apply_to": value, "version": value},
        ),
        (reverse("meetings:create", args=[cast.club.slug]), {"repeat": value, "attendance_limit": value}),
        (reverse("books:shelf_put", args=[meeting.book.pk]), {"shelf": value}),
    ]
    before = list(Meeting.objects.values_list("pk", "reading_plan", "attendance_limit", "series_id"))
    for url, data in posts:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, data, headers=headers)
            assert response.status_code < 500, (url, value, response.status_code)
    gets = [
        reverse("clubs:archive", args=[cast.club.slug]) + "?year=" + value[:50] + "&page=" + value[:50],
        reverse("meetings:mine") + "?when=" + value[:50] + "&page=" + value[:50],
        reverse("books:shelves", args=[cast.owner.username]) + "?shelf=" + value[:50],
    ]
    for url in gets:
        assert client.get(url).status_code < 500, url
    assert (
        list(Meeting.objects.values_list("pk", "reading_plan", "attendance_limit", "series_id")) == before
        or value == ""
    )
