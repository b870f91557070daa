"""Meetings where people look for them: "My meetings", the club page, the home dashboard, calendar settings."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clubs.models import Visibility
from meetings import services
from meetings.models import CalendarFeed, Rsvp
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_my_meetings_lists_upcoming_meetings_of_all_my_clubs_with_my_progress(client):
    reader = UserFactory()
    poets, attic = (
        ClubFactory(name="Porto Poets"),
        ClubFactory(name="Secret Attic", visibility=Visibility.PRIVATE),
    )
    add_member(poets, reader)
    add_member(attic, reader)
    soon = MeetingFactory(club=poets, title="Soon", starts_at=timezone.now() + timedelta(days=2))
    MeetingFactory(club=attic, title="Later", starts_at=timezone.now() + timedelta(days=9))
    MeetingFactory(club=ClubFactory(), title="Not my club")
    past = MeetingFactory(club=poets, title="Long ago")
    past.starts_at = timezone.now() - timedelta(days=3)
    past.save()
    services.attendance_progress(user=reader, meeting=soon, current_page=150)
    client.force_login(reader)

    response = client.get("/meetings/mine/")

    assert response.status_code == 200 and "<html" in response.text
    text = response.text
    assert text.index("Soon") < text.index("Later")
    assert "Not my club" not in text and "Long ago" not in text
    assert "Page 150 of 300 (50%)" in text
    assert "No answer yet" in text  # the Secret Attic meeting


def test_my_meetings_fragment_and_empty_state(client, user):
    client.force_login(user)
    response = client.get("/meetings/mine/", headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "No upcoming meetings in your clubs." in response.text


def test_my_meetings_needs_login(client):
    response = client.get("/meetings/mine/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_my_meetings_queries_do_not_grow_with_meetings(client):
    reader = UserFactory()
    club = ClubFactory()
    add_member(club, reader)
    client.force_login(reader)

    def add_meetings(count):
        for _ in range(count):
            meeting = MeetingFactory(club=club)
            services.attendance_rsvp(user=reader, meeting=meeting, rsvp=Rsvp.MAYBE)

    add_meetings(3)
    with CaptureQueriesContext(connection) as few:
        client.get("/meetings/mine/")
    add_meetings(10)
    with CaptureQueriesContext(connection) as many:
        client.get("/meetings/mine/")
    assert len(few) == len(many)


def test_club_page_lists_upcoming_and_past_meetings(client, cast):
    MeetingFactory(club=cast.club, title="Next month's read")
    past = MeetingFactory(club=cast.club, title="The one we did")
    past.starts_at = timezone.now() - timedelta(days=30)
    past.save()
    response = client.get(f"/clubs/{cast.club.slug}/")
    assert "Next month&#x27;s read" in response.text
    assert "Past meetings" in response.text and "The one we did" in response.text
    assert "Schedule a meeting" not in response.text


def test_club_page_offers_scheduling_to_owner_and_moderators(client, cast):
    client.force_login(cast.moderator)
    response = client.get(f"/clubs/{cast.club.slug}/")
    assert f'href="/clubs/{cast.club.slug}/meetings/new/"' in response.text
    assert "No meetings are scheduled yet." in response.text
    client.force_login(cast.member)
    assert "Schedule a meeting" not in client.get(f"/clubs/{cast.club.slug}/").text


def test_dashboard_shows_my_next_meeting_and_my_progress(client, cast):
    meeting = MeetingFactory(club=cast.club, title="Spring gathering")
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=30)
    client.force_login(cast.member)
    response = client.get("/")
    assert "Next meeting" in response.text
    assert "Spring gathering" in response.text
    assert "Page 30 of 300 (10%)" in response.text
    assert f'href="/meetings/{meeting.pk}/"' in response.text


def test_dashboard_without_meetings_says_so(client, cast):
    client.force_login(cast.member)
    response = client.get("/")
    assert "No meetings scheduled in your clubs yet." in response.text
    assert "Next meeting: none scheduled yet" in response.text


# --- calendar settings ------------------------------------------------------------------------------


def test_opening_calendar_settings_creates_no_link(client, user):
    """GET never changes state: the page offers a button, and only its POST mints the token."""
    client.force_login(user)
    for method in (client.get, client.head):
        assert method("/settings/calendar/").status_code == 200
    assert not CalendarFeed.objects.exists()
    response = client.get("/settings/calendar/")
    assert "You have no calendar link yet." in response.text
    assert 'name="action" value="create"' in response.text
    assert 'aria-current="page">Calendar' in response.text


def test_creating_the_calendar_link_shows_the_private_feed_url(client, user):
    client.force_login(user)
    response = client.post("/settings/calendar/", {"action": "create"}, headers=HX)
    assert response.status_code == 200 and "<html" not in response.text
    feed = CalendarFeed.objects.get(user=user)
    assert f"http://testserver/calendar/{feed.token}.ics" in response.text
    assert "Your calendar link is ready" in response.text
    page = client.get("/settings/calendar/")
    assert f"http://testserver/calendar/{feed.token}.ics" in page.text


def test_creating_twice_keeps_the_first_link(client, user):
    client.force_login(user)
    client.post("/settings/calendar/", {"action": "create"})
    token = CalendarFeed.objects.get(user=user).token
    response = client.post("/settings/calendar/", {"action": "create"}, follow=True)
    assert CalendarFeed.objects.get(user=user).token == token
    assert "Your calendar link is ready" in response.text


def test_resetting_the_calendar_link_swaps_in_a_new_url(client, user):
    client.force_login(user)
    client.post("/settings/calendar/", {"action": "create"})
    old_token = CalendarFeed.objects.get(user=user).token
    response = client.post("/settings/calendar/", {"action": "reset"}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    new_token = CalendarFeed.objects.get(user=user).token
    assert new_token != old_token
    assert new_token in response.text and old_token not in response.text
    assert "Done: your calendar link is new." in response.text
    assert client.get(f"/calendar/{old_token}.ics").status_code == 404


def test_resetting_without_htmx_redirects_with_a_message(client, user):
    client.force_login(user)
    response = client.post("/settings/calendar/", follow=True)
    assert response.redirect_chain[-1][0] == "/settings/calendar/"
    assert "Done: your calendar link is new." in response.text


def test_calendar_settings_need_login(client):
    assert client.get("/settings/calendar/").status_code == 302
    assert client.post("/settings/calendar/").status_code == 302
    assert not CalendarFeed.objects.exists()
