"""A meeting's own time zone beside the viewer's: the pure formatting, and the pages and API that show it."""

import zoneinfo
from datetime import datetime

import pytest

from meetings import services, zones
from tests.factories import BookFactory, MeetingFactory

TORONTO = zoneinfo.ZoneInfo("America/Toronto")
LISBON = zoneinfo.ZoneInfo("Europe/Lisbon")
STARTS = datetime(2030, 12, 11, 0, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))  # 19:00 on the 10th in Toronto


def test_the_meetings_zone_comes_first_then_the_viewers_time_and_day():
    text = zones.start_text(STARTS, meeting_zone=TORONTO, viewer_zone=LISBON, fmt="D j M Y, H:i")
    assert text == "Tue 10 Dec 2030, 19:00 in Toronto, 00:00 your time (Wed 11 Dec)"


def test_on_the_same_day_the_viewers_time_needs_no_date():
    text = zones.start_text(
        datetime(2030, 12, 10, 23, 0, tzinfo=TORONTO),
        meeting_zone=TORONTO,
        viewer_zone=zoneinfo.ZoneInfo("America/Vancouver"),
        fmt="H:i",
    )
    assert text == "23:00 in Toronto, 20:00 your time"


def test_one_time_only_when_both_zones_read_the_same_clock():
    same_clock = zoneinfo.ZoneInfo("Europe/London")  # Lisbon and London agree in December
    assert zones.start_text(STARTS, meeting_zone=same_clock, viewer_zone=LISBON, fmt="H:i") == "00:00"
    assert zones.start_text(STARTS, meeting_zone=None, viewer_zone=LISBON, fmt="H:i") == "00:00"


def test_a_zone_reads_as_its_place():
    assert zones.place_of(zoneinfo.ZoneInfo("America/Argentina/Buenos_Aires")) == "Buenos Aires"
    assert zones.place_of(zoneinfo.ZoneInfo("UTC")) == "UTC"


def test_unknown_zone_names_are_none_and_refused():
    assert zones.zone_or_none("Mars/Olympus_Mons") is None and zones.zone_or_none("") is None
    with pytest.raises(Exception, match="not a time zone we know"):
        zones.validate_timezone_name("Mars/Olympus_Mons")


@pytest.mark.django_db
def test_a_new_meeting_keeps_its_hosts_zone(cast):
    cast.owner.timezone = "America/Toronto"
    cast.owner.save()
    meeting = services.meeting_create(
        actor=cast.owner, club=cast.club, book=BookFactory(), starts_at=STARTS, place="Library"
    )
    assert meeting.timezone == "America/Toronto"


@pytest.mark.django_db
def test_the_meeting_page_and_lists_show_the_meetings_time_and_the_viewers(client, cast):
    meeting = MeetingFactory(club=cast.club, starts_at=STARTS, timezone="America/Toronto")
    cast.member.timezone = "Europe/Lisbon"
    cast.member.save()
    client.force_login(cast.member)

    page = client.get(f"/meetings/{meeting.pk}/").text
    mine = client.get("/meetings/mine/").text
    club = client.get(cast.club.get_absolute_url()).text

    assert "Tuesday 10 December 2030, 19:00 in Toronto, 00:00 your time (Wed 11 Dec)" in page
    assert "Your time zone: Europe/Lisbon" in page
    for listing in (mine, club):
        assert "Tue 10 Dec 2030, 19:00 in Toronto, 00:00 your time (Wed 11 Dec)" in listing


@pytest.mark.django_db
def test_a_viewer_in_the_meetings_zone_sees_one_time(client, cast):
    meeting = MeetingFactory(club=cast.club, starts_at=STARTS, timezone="America/Toronto")
    cast.member.timezone = "America/Toronto"
    cast.member.save()
    client.force_login(cast.member)
    page = client.get(f"/meetings/{meeting.pk}/").text
    assert "Tuesday 10 December 2030, 19:00<" in page and "your time (" not in page


@pytest.mark.django_db
def test_the_api_gives_the_meetings_zone_and_keeps_the_start_in_utc(cast):
    from rest_framework.test import APIClient

    meeting = MeetingFactory(club=cast.club, starts_at=STARTS, timezone="America/Toronto")
    api = APIClient()
    api.force_authenticate(cast.member)
    body = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert body["timezone"] == "America/Toronto"
    assert body["starts_at"] == "2030-12-11T00:00:00Z"


@pytest.mark.django_db
def test_the_dashboards_club_cards_show_the_next_meeting_in_both_zones(client, cast):
    MeetingFactory(club=cast.club, starts_at=STARTS, timezone="America/Toronto")
    cast.member.timezone = "Europe/Lisbon"
    cast.member.save()
    client.force_login(cast.member)
    home = client.get("/").text
    assert "Tue 10 Dec, 19:00 in Toronto, 00:00 your time (Wed 11 Dec)" in home
