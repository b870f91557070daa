"""Recurring meetings over the API: who makes a meeting repeat, edits the series from one, reads and
stops it; bad input changes nothing."""

import pytest

from clubs.models import Visibility
from meetings import services
from meetings.models import Meeting, MeetingSeries
from tests.factories import ClubFactory, MeetingFactory
from tests.matrix import FORBIDDEN, LOGIN, MISSING, OK, check_api, check_data, send_api

HOSTS = {"owner": OK, "moderator": OK, "member": FORBIDDEN, "outsider": FORBIDDEN, "anonymous": LOGIN}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOSTS))
def test_who_makes_a_meeting_repeat(cast, meeting, role):
    before = MeetingSeries.objects.count()
    response = send_api(
        cast.user_for(role), "post", f"/api/v1/meetings/{meeting.pk}/series/", {"repeat": "fortnightly"}
    )
    check_api(response, HOSTS[role])
    check_data(before, MeetingSeries.objects.count(), outcome=HOSTS[role], changes_data=True)
    if HOSTS[role] == OK:
        body = response.json()
        assert response.status_code == 201
        assert body["club"] == cast.club.slug and body["active"] and body["meetings"] == [meeting.pk]
        assert "INTERVAL=2" in body["rrule"] and body["days_ahead"] == 14 and body["description"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"repeat": "daily"},
        {"repeat": "weekly", "days_ahead": 0},
        {"repeat": "weekly", "days_ahead": 10**30},
    ],
)
def test_bad_repeats_are_400_and_change_nothing(cast, meeting, payload):
    response = send_api(cast.owner, "post", f"/api/v1/meetings/{meeting.pk}/series/", payload)
    assert response.status_code == 400, response.content
    assert {"detail", "code"} <= set(response.json())
    assert not MeetingSeries.objects.exists()


@pytest.mark.django_db
def test_a_meeting_repeats_once(cast, meeting):
    url = f"/api/v1/meetings/{meeting.pk}/series/"
    assert send_api(cast.owner, "post", url, {"repeat": "weekly"}).status_code == 201
    again = send_api(cast.owner, "post", url, {"repeat": "monthly"})
    assert again.status_code == 409 and again.json()["code"] == "already_series"
    assert MeetingSeries.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOSTS))
def test_who_makes_the_series_follow_this_meeting(cast, meeting, role):
    series = services.series_start(actor=cast.owner, meeting=meeting, repeat="weekly")
    Meeting.objects.filter(pk=meeting.pk).update(place="The lighthouse")
    before = MeetingSeries.objects.values_list("place", flat=True).get(pk=series.pk)
    response = send_api(cast.user_for(role), "put", f"/api/v1/meetings/{meeting.pk}/series/", None)
    check_api(response, HOSTS[role])
    after = MeetingSeries.objects.values_list("place", flat=True).get(pk=series.pk)
    check_data(before, after, outcome=HOSTS[role], changes_data=True)


@pytest.mark.django_db
def test_a_meeting_that_does_not_repeat_has_no_series_to_follow(cast, meeting):
    response = send_api(cast.owner, "put", f"/api/v1/meetings/{meeting.pk}/series/", None)
    check_api(response, MISSING)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "moderator", "member", "outsider", "anonymous"])
def test_everyone_who_sees_the_club_reads_its_series(cast, meeting, role):
    series = services.series_start(actor=cast.owner, meeting=meeting, repeat="monthly")
    response = send_api(cast.user_for(role), "get", f"/api/v1/series/{series.pk}/", None)
    assert response.status_code == 200 and response.json()["id"] == series.pk


@pytest.mark.django_db
def test_a_private_clubs_series_is_missing_for_outsiders(cast):
    private = ClubFactory(visibility=Visibility.PRIVATE)
    first = MeetingFactory(club=private)
    owner = private.memberships.get().user
    series = services.series_start(actor=owner, meeting=first, repeat="weekly")
    for method, path in (
        ("get", f"/api/v1/series/{series.pk}/"),
        ("post", f"/api/v1/series/{series.pk}/stop/"),
    ):
        check_api(send_api(cast.outsider, method, path, None), MISSING)
    assert MeetingSeries.objects.get(pk=series.pk).active


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(HOSTS))
def test_who_stops_a_series(cast, meeting, role):
    series = services.series_start(actor=cast.owner, meeting=meeting, repeat="weekly")
    response = send_api(cast.user_for(role), "post", f"/api/v1/series/{series.pk}/stop/", None)
    check_api(response, HOSTS[role])
    active = MeetingSeries.objects.values_list("active", flat=True).get(pk=series.pk)
    check_data(True, active, outcome=HOSTS[role], changes_data=True)
    if HOSTS[role] == OK:
        assert response.json()["active"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("series_id", ["abc", "0", str(10**30), "-1"])
def test_unknown_series_are_404(cast, series_id):
    for method, path in (
        ("get", f"/api/v1/series/{series_id}/"),
        ("post", f"/api/v1/series/{series_id}/stop/"),
    ):
        response = send_api(cast.owner, method, path, None)
        assert response.status_code == 404, (path, response.status_code)
