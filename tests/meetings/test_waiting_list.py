"""An attendance limit with a waiting list: "going" to a full meeting joins the list, first come first
served; a place given up goes to the first on it, who is told; more places move the list up."""

import pytest
from django.urls import reverse

from booky.core.errors import DomainError
from meetings import services
from meetings.models import Attendance, Meeting, Rsvp
from meetings.selectors import waitlist_position
from social.models import Notification, NotificationKind
from tests.factories import MeetingFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(cast):
    """A meeting with 2 places, both taken (owner, moderator); two more members waiting."""
    meeting = MeetingFactory(club=cast.club, attendance_limit=2)
    services.attendance_rsvp(user=cast.owner, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_rsvp(user=cast.moderator, meeting=meeting, rsvp=Rsvp.GOING)
    return meeting


def rsvp_of(user, meeting) -> str:
    return Attendance.objects.get(user=user, meeting=meeting).rsvp


def test_going_to_a_full_meeting_joins_the_waiting_list_in_order(cast, full):
    late = add_member(cast.club).user
    first = services.attendance_rsvp(user=cast.member, meeting=full, rsvp=Rsvp.GOING)
    second = services.attendance_rsvp(user=late, meeting=full, rsvp=Rsvp.GOING)
    assert first.rsvp == second.rsvp == Rsvp.WAITLIST
    assert waitlist_position(first) == 1 and waitlist_position(second) == 2
    assert Attendance.objects.filter(meeting=full, rsvp=Rsvp.GOING).count() == 2


def test_a_place_given_up_goes_to_the_first_waiting_who_is_told(cast, full):
    late = add_member(cast.club).user
    services.attendance_rsvp(user=cast.member, meeting=full, rsvp=Rsvp.GOING)
    services.attendance_rsvp(user=late, meeting=full, rsvp=Rsvp.GOING)
    services.attendance_rsvp(user=cast.moderator, meeting=full, rsvp=Rsvp.DECLINED)
    assert rsvp_of(cast.member, full) == Rsvp.GOING and rsvp_of(late, full) == Rsvp.WAITLIST
    told = Notification.objects.get(kind=NotificationKind.WAITLIST_PROMOTED)
    assert told.recipient == cast.member and "A place opened up" in told.message
    assert waitlist_position(Attendance.objects.get(user=late, meeting=full)) == 1


def test_leaving_the_list_or_answering_maybe_frees_nothing(cast, full):
    services.attendance_rsvp(user=cast.member, meeting=full, rsvp=Rsvp.GOING)
    services.attendance_rsvp(user=cast.member, meeting=full, rsvp=Rsvp.MAYBE)
    assert rsvp_of(cast.member, full) == Rsvp.MAYBE
    assert not Notification.objects.filter(kind=NotificationKind.WAITLIST_PROMOTED).exists()


def test_more_places_move_the_list_up(cast, full):
    services.attendance_rsvp(user=cast.member, meeting=full, rsvp=Rsvp.GOING)
    meeting = Meeting.objects.get(pk=full.pk)
    services.meeting_update(
        actor=cast.owner, meeting=meeting, expected_version=meeting.version, attendance_limit=3
    )
    assert rsvp_of(cast.member, full) == Rsvp.GOING


def test_nobody_answers_waitlist_directly(cast, meeting):
    with pytest.raises(DomainError, match="choose going, maybe or declined"):
        services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.WAITLIST)


def test_the_meeting_page_says_where_i_am_on_the_list(client, cast, full):
    client.force_login(cast.member)
    response = client.post(
        reverse("meetings:rsvp", args=[full.pk]), {"rsvp": "going"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "you are number 1 on the waiting list" in response.text
    page = client.get(full.get_absolute_url())
    assert "2 of 2 places taken" in page.text
    bad = client.post(
        reverse("meetings:rsvp", args=[full.pk]), {"rsvp": "waitlist"}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 422


def test_the_limit_is_set_on_the_meeting_form(client, cast, meeting):
    client.force_login(cast.owner)
    page = client.get(reverse("meetings:edit", args=[meeting.pk]))
    assert "Attendance limit" in page.text
