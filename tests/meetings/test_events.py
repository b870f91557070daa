"""meetings announces its changes as domain events (meetings/events.py), from inside the service's
transaction and with the arguments the events document; an error in a receiver reaches the caller
and undoes the change (sent with `send`, not `send_robust`). What bets does with them:
tests/bets/test_meeting_events.py."""

from datetime import timedelta

import pytest
from django.db import transaction

from meetings import events, services
from meetings.models import Attendance, Meeting, MeetingStatus, Rsvp
from tests.factories import BookFactory, add_member

pytestmark = pytest.mark.django_db


class Received(Exception):
    """Raised by a test receiver that must break the sender's transaction."""


@pytest.fixture
def listen(request):
    """listen(signal) -> the list of the keyword arguments of every send, each with `in_atomic_block`."""

    def connect(signal, *, fail=False):
        sent = []

        def receiver(sender, signal, **kwargs):
            sent.append(
                {"sender": sender, **kwargs, "in_atomic_block": transaction.get_connection().in_atomic_block}
            )
            if fail:
                raise Received

        uid = f"test.listen.{id(sent)}"
        signal.connect(receiver, weak=False, dispatch_uid=uid)
        request.addfinalizer(lambda: signal.disconnect(dispatch_uid=uid))
        return sent

    return connect


def _update(cast, meeting, **changes):
    meeting.refresh_from_db()
    return services.meeting_update(
        actor=cast.owner, meeting=meeting, expected_version=meeting.version, **changes
    )


def _started(meeting):
    starts_at = meeting.starts_at - timedelta(days=8)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
    meeting.refresh_from_db()
    return starts_at + timedelta(minutes=5)


# --- meeting_start_set ----------------------------------------------------------------------------


def test_scheduling_a_meeting_announces_its_start_inside_the_transaction(cast, listen, meeting):
    sent = listen(events.meeting_start_set)
    created = services.meeting_create(
        actor=cast.owner, club=cast.club, book=meeting.book, starts_at=meeting.starts_at, place="Library"
    )
    assert sent == [{"sender": Meeting, "meeting": created, "in_atomic_block": True}]
    assert sent[0]["meeting"].pk is not None


def test_an_edit_naming_the_start_announces_it_and_one_that_does_not_is_silent(cast, listen, meeting):
    sent = listen(events.meeting_start_set)
    _update(cast, meeting, place="Pub")
    assert sent == []
    later = meeting.starts_at + timedelta(days=1)
    edited = _update(cast, meeting, starts_at=later)
    assert sent == [{"sender": Meeting, "meeting": edited, "in_atomic_block": True}]
    assert sent[0]["meeting"].starts_at == later
    _update(cast, meeting, starts_at=later)  # named but unchanged: announced again, as it always was
    assert len(sent) == 2


def test_a_failing_receiver_of_the_start_undoes_the_new_meeting(cast, listen, meeting):
    listen(events.meeting_start_set, fail=True)
    with pytest.raises(Received):
        services.meeting_create(
            actor=cast.owner, club=cast.club, book=meeting.book, starts_at=meeting.starts_at, place="Attic"
        )
    assert not Meeting.objects.filter(place="Attic").exists()


# --- race_changed ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda m: {"starts_at": m.starts_at - timedelta(days=1)}, "The hosts moved the start earlier"),
        (lambda m: {"target_page": 200}, "The hosts lowered the target page from 300 to 200"),
        (lambda m: {"book": BookFactory(page_count=300)}, "The hosts changed the book"),
        (
            lambda m: {"starts_at": m.starts_at - timedelta(days=1), "book": BookFactory(page_count=400)},
            "The hosts moved the start earlier and changed the book and raised the target page from 300 to 400",
        ),
    ],
    ids=["earlier", "lower-target", "book", "several"],
)
def test_an_edit_that_changes_the_race_says_why(cast, listen, meeting, change, why):
    sent = listen(events.race_changed)
    edited = _update(cast, meeting, **change(meeting))
    assert sent == [{"sender": Meeting, "meeting": edited, "why": why, "in_atomic_block": True}]


def test_an_edit_that_keeps_the_race_is_silent(cast, listen, meeting):
    sent = listen(events.race_changed)
    _update(cast, meeting, starts_at=meeting.starts_at + timedelta(days=1), place="Pub", title="Later")
    assert sent == []


def test_a_failing_receiver_of_the_race_change_undoes_the_edit(cast, listen, meeting):
    listen(events.race_changed, fail=True)
    with pytest.raises(Received):
        _update(cast, meeting, target_page=200)
    meeting.refresh_from_db()
    assert (meeting.target_page, meeting.version) == (300, 1)


# --- meeting_cancelled ----------------------------------------------------------------------------


def test_cancelling_announces_the_cancelled_meeting(cast, listen, meeting):
    sent = listen(events.meeting_cancelled)
    cancelled = services.meeting_cancel(actor=cast.owner, meeting=meeting, reason="Flu")
    assert sent == [{"sender": Meeting, "meeting": cancelled, "in_atomic_block": True}]
    assert sent[0]["meeting"].status == MeetingStatus.CANCELLED


def test_a_refused_cancellation_is_not_announced(cast, listen, meeting):
    sent = listen(events.meeting_cancelled)
    _started(meeting)
    with pytest.raises(services.Conflict):
        services.meeting_cancel(actor=cast.owner, meeting=meeting)
    assert sent == []


def test_a_failing_receiver_of_the_cancellation_keeps_the_meeting_scheduled(cast, listen, meeting):
    listen(events.meeting_cancelled, fail=True)
    with pytest.raises(Received):
        services.meeting_cancel(actor=cast.owner, meeting=meeting, reason="Flu")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


# --- attendee_declined ----------------------------------------------------------------------------


def test_answering_not_going_announces_the_member_each_time(cast, listen, meeting):
    sent = listen(events.attendee_declined)
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.MAYBE)
    assert sent == []
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.DECLINED)
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.DECLINED)
    assert sent == [{"sender": Meeting, "meeting": meeting, "user": cast.member, "in_atomic_block": True}] * 2


def test_a_failing_receiver_of_not_going_keeps_the_old_answer(cast, listen, meeting):
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    listen(events.attendee_declined, fail=True)
    with pytest.raises(Received):
        services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.DECLINED)
    assert Attendance.objects.get(meeting=meeting, user=cast.member).rsvp == Rsvp.GOING


# --- members_checked_in ---------------------------------------------------------------------------


def test_check_in_announces_the_members_in_user_id_order_and_who_walked_in(cast, listen, meeting):
    sent = listen(events.members_checked_in)
    walker = add_member(cast.club).user
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    services.attendance_rsvp(user=cast.owner, meeting=meeting, rsvp=Rsvp.MAYBE)
    now = _started(meeting)
    names = [walker.username, cast.member.username, cast.owner.username.upper()]
    services.meeting_check_in(actor=cast.owner, meeting=meeting, usernames=names, now=now)
    assert sent == [
        {
            "sender": Meeting,
            "meeting": meeting,
            "users": sorted([walker, cast.member, cast.owner], key=lambda user: user.pk),
            "walk_ins": [walker],
            "in_atomic_block": True,
        }
    ]
    # Checked in again, nobody walks in: every attendance exists now.
    services.meeting_check_in(actor=cast.owner, meeting=meeting, usernames=[walker.username], now=now)
    assert sent[1]["users"] == [walker] and sent[1]["walk_ins"] == []


def test_a_refused_check_in_is_not_announced(cast, listen, meeting):
    sent = listen(events.members_checked_in)
    with pytest.raises(services.Conflict):
        services.meeting_check_in(actor=cast.owner, meeting=meeting, usernames=[cast.member.username])
    assert sent == []


def test_a_failing_receiver_of_the_check_in_checks_nobody_in(cast, listen, meeting):
    services.attendance_rsvp(user=cast.member, meeting=meeting, rsvp=Rsvp.GOING)
    listen(events.members_checked_in, fail=True)
    now = _started(meeting)
    with pytest.raises(Received):
        services.meeting_check_in(
            actor=cast.owner, meeting=meeting, usernames=[cast.member.username, cast.owner.username], now=now
        )
    assert not Attendance.objects.filter(meeting=meeting, checked_in=True).exists()
    assert not Attendance.objects.filter(meeting=meeting, user=cast.owner).exists()
