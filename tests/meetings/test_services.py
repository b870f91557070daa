"""Meeting and progress rules as the services enforce them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from booky.core.errors import Conflict, DomainError, NotAllowed
from meetings import services
from meetings.models import Attendance, Meeting, MeetingStatus, ProgressEntry, Rsvp
from tests.factories import BookFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _create(cast, **overrides):
    values = dict(
        actor=cast.moderator,
        club=cast.club,
        book=BookFactory(page_count=250),
        starts_at=timezone.now() + timedelta(days=3),
        place="Library",
    )
    values.update(overrides)
    return services.meeting_create(**values)


def test_moderator_schedules_a_meeting_with_the_book_length_as_target(cast):
    meeting = _create(cast)
    assert meeting.target_page == 250
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.ends_at == meeting.starts_at + timedelta(minutes=120)


def test_members_cannot_schedule(cast):
    with pytest.raises(NotAllowed):
        _create(cast, actor=cast.member)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": timezone.now() - timedelta(minutes=1)}, "in the future"),
        ({"target_page": 251}, "beyond the book"),
        ({"target_page": 0}, "at least 1"),
    ],
    ids=["start-in-past", "target-beyond-book", "target-zero"],
)
def test_bad_meeting_input_is_refused(cast, overrides, message):
    with pytest.raises(DomainError, match=message):
        _create(cast, **overrides)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.com/x", "not a url"])
def test_online_links_must_be_http(cast, link):
    with pytest.raises(ValidationError):
        _create(cast, online_link=link)
    assert not Meeting.objects.exists()


def test_stale_version_is_refused_with_the_current_values(cast, meeting):
    services.meeting_update(actor=cast.owner, meeting=meeting, expected_version=1, place="Park")
    with pytest.raises(services.StaleVersion) as stale:
        services.meeting_update(actor=cast.moderator, meeting=meeting, expected_version=1, place="Pub")
    assert stale.value.current.place == "Park"
    assert stale.value.current.version == 2
    assert Meeting.objects.get(pk=meeting.pk).place == "Park"


def test_rescheduling_into_the_past_is_refused(cast, meeting):
    with pytest.raises(DomainError, match="in the future"):
        services.meeting_update(
            actor=cast.owner,
            meeting=meeting,
            expected_version=1,
            starts_at=timezone.now() - timedelta(hours=1),
        )


def test_reaching_the_target_finishes_and_going_back_clears_it(cast, meeting):
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=120)
    done = services.attendance_progress(user=cast.member, meeting=meeting, current_page=300)
    assert done.finished and done.finished_at is not None
    first_finish = done.finished_at
    again = services.attendance_progress(user=cast.member, meeting=meeting, finished=True)
    assert again.finished_at == first_finish
    back = services.attendance_progress(user=cast.member, meeting=meeting, current_page=299)
    assert not back.finished and back.finished_at is None
    assert list(ProgressEntry.objects.values_list("page", flat=True)) == [120, 300, 299]


@pytest.mark.parametrize("page", [-1, 301, "12", 3.5, True])
def test_pages_outside_zero_to_target_are_refused(cast, meeting, page):
    with pytest.raises(DomainError):
        services.attendance_progress(user=cast.member, meeting=meeting, current_page=page)
    assert not ProgressEntry.objects.exists()


def test_stale_progress_version_is_refused(cast, meeting):
    first = services.attendance_progress(user=cast.member, meeting=meeting, current_page=10)
    services.attendance_progress(
        user=cast.member, meeting=meeting, current_page=20, expected_version=first.version
    )
    with pytest.raises(services.StaleVersion) as stale:
        services.attendance_progress(
            user=cast.member, meeting=meeting, current_page=15, expected_version=first.version
        )
    assert stale.value.current.current_page == 20


def test_outsiders_and_former_members_cannot_take_part(cast, meeting):
    with pytest.raises(NotAllowed):
        services.attendance_rsvp(user=cast.outsider, meeting=meeting, rsvp=Rsvp.GOING)
    cast.club.memberships.filter(user=cast.member).delete()
    with pytest.raises(NotAllowed):
        services.attendance_progress(user=cast.member, meeting=meeting, current_page=5)
    assert not Attendance.objects.exists()


def test_unknown_rsvp_is_refused(cast, meeting):
    with pytest.raises(DomainError, match="Unknown answer"):
        services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp="perhaps")


def test_rsvp_closes_when_the_meeting_starts(cast):
    meeting = MeetingFactory(club=cast.club)
    with pytest.raises(Conflict, match="RSVP closed"):
        services.attendance_rsvp(
            user=cast.member, meeting=meeting, rsvp=Rsvp.MAYBE, now=meeting.starts_at + timedelta(seconds=1)
        )


def test_check_in_opens_at_start_and_takes_only_members(cast, meeting):
    with pytest.raises(Conflict, match="opens when the meeting starts"):
        services.meeting_check_in(actor=cast.owner, meeting=meeting, usernames=[cast.member.username])
    after_start = meeting.starts_at + timedelta(minutes=5)
    with pytest.raises(DomainError, match="Not members"):
        services.meeting_check_in(
            actor=cast.owner, meeting=meeting, usernames=[cast.outsider.username], now=after_start
        )
    checked = services.meeting_check_in(
        actor=cast.owner, meeting=meeting, usernames=[cast.member.username.upper()], now=after_start
    )
    assert checked == [cast.member.username]
    assert Attendance.objects.get(meeting=meeting, user=cast.member).checked_in


def test_cancel_then_nothing_else_changes_it(cast, meeting):
    services.meeting_cancel(actor=cast.moderator, meeting=meeting, reason="Snowstorm")
    with pytest.raises(Conflict):
        services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    with pytest.raises(Conflict):
        services.meeting_update(actor=cast.owner, meeting=meeting, expected_version=2, place="x")
    assert Meeting.objects.get(pk=meeting.pk).cancel_reason == "Snowstorm"


def test_complete_only_after_start(cast, meeting):
    with pytest.raises(Conflict, match="after it has started"):
        services.meeting_complete(actor=cast.owner, meeting=meeting)
    done = services.meeting_complete(
        actor=cast.owner, meeting=meeting, now=meeting.starts_at + timedelta(hours=3)
    )
    assert done.status == MeetingStatus.COMPLETED


def test_lowering_the_target_finishes_those_past_it(cast, meeting):
    services.attendance_progress(user=cast.member, meeting=meeting, current_page=200)
    services.meeting_update(actor=cast.owner, meeting=meeting, expected_version=1, target_page=150)
    attendance = Attendance.objects.get(meeting=meeting, user=cast.member)
    assert attendance.finished and attendance.current_page == 150
