"""Meeting reminders 24 hours before: exactly once per member, meeting and start time; moving the
meeting moves the reminder, cancelling removes it."""

import threading
import zoneinfo
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, Rsvp
from meetings.reminders import send_due_reminders, starts_in_words
from social.models import Notification, NotificationKind
from tests.factories import ClubFactory, MeetingFactory, UserFactory, add_member

REMINDER = NotificationKind.MEETING_REMINDER


def _reminders(meeting=None):
    rows = Notification.objects.filter(kind=REMINDER)
    if meeting is not None:
        rows = rows.filter(url=meeting.get_absolute_url())
    return rows


@pytest.fixture
def club_and_members(db):
    club = ClubFactory()
    owner = club.memberships.get().user
    members = [add_member(club).user for _ in range(3)]
    return club, [owner, *members]


def _meeting_in(club, hours: float):
    return MeetingFactory(club=club, starts_at=timezone.now() + timedelta(hours=hours))


def test_members_are_reminded_once_of_a_meeting_within_24_hours(club_and_members):
    club, people = club_and_members
    meeting = _meeting_in(club, 20)
    assert send_due_reminders() == len(people)
    assert sorted(_reminders(meeting).values_list("recipient_id", flat=True)) == sorted(p.pk for p in people)
    assert "Reminder:" in _reminders(meeting).first().message


def test_running_the_sweep_again_or_after_a_restart_reminds_nobody_twice(club_and_members):
    club, people = club_and_members
    meeting = _meeting_in(club, 20)
    send_due_reminders()
    assert send_due_reminders() == 0
    assert send_due_reminders(now=timezone.now() + timedelta(hours=1)) == 0
    assert _reminders(meeting).count() == len(people)


def test_meetings_further_than_24_hours_or_already_started_get_no_reminder(club_and_members):
    club, _people = club_and_members
    _meeting_in(club, 30)
    started = _meeting_in(club, 2)
    assert send_due_reminders(now=started.starts_at + timedelta(minutes=1)) == 0
    assert Notification.objects.count() == 0


def test_members_who_said_they_will_not_come_are_not_reminded(club_and_members):
    club, people = club_and_members
    meeting = _meeting_in(club, 20)
    Attendance.objects.create(meeting=meeting, user=people[1], rsvp=Rsvp.DECLINED)
    send_due_reminders()
    assert people[1].pk not in _reminders(meeting).values_list("recipient_id", flat=True)
    assert _reminders(meeting).count() == len(people) - 1


def test_cancelled_meetings_get_no_reminder_and_cancelling_removes_unread_ones(club_and_members):
    club, people = club_and_members
    owner = people[0]
    meeting = _meeting_in(club, 20)
    send_due_reminders()
    read = _reminders(meeting).exclude(recipient=owner).first()
    read.read_at = timezone.now()
    read.save()
    services.meeting_cancel(actor=owner, meeting=meeting)
    assert list(_reminders(meeting)) == [read]  # what a member already read stays in their history
    assert send_due_reminders() == 0


def test_rescheduling_moves_the_reminder_to_the_new_time(club_and_members):
    club, people = club_and_members
    owner = people[0]
    meeting = _meeting_in(club, 20)
    send_due_reminders()
    new_start = meeting.starts_at + timedelta(hours=2)
    services.meeting_update(actor=owner, meeting=meeting, expected_version=1, starts_at=new_start)
    assert _reminders(meeting).count() == 0  # the old time's reminders are withdrawn
    assert send_due_reminders() == len(people)  # and the new time is reminded, once
    assert send_due_reminders() == 0
    assert all(
        new_start.isoformat() in key for key in _reminders(meeting).values_list("dedupe_key", flat=True)
    )


def test_moving_a_meeting_beyond_24_hours_reminds_again_only_when_it_is_due(club_and_members):
    club, people = club_and_members
    meeting = _meeting_in(club, 20)
    send_due_reminders()
    services.meeting_update(
        actor=people[0], meeting=meeting, expected_version=1, starts_at=meeting.starts_at + timedelta(days=3)
    )
    assert send_due_reminders() == 0
    assert send_due_reminders(now=timezone.now() + timedelta(days=3)) == len(people)


def test_reminders_are_emailed_after_commit(club_and_members, django_capture_on_commit_callbacks):
    club, people = club_and_members
    _meeting_in(club, 20)
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in people)


def test_the_sweep_command_sends_reminders_beside_settling_bets(club_and_members):
    club, people = club_and_members
    _meeting_in(club, 20)
    out = StringIO()
    call_command("resolve_due_meetings", stdout=out)
    assert f"Sent {len(people)} meeting reminder(s)." in out.getvalue()
    out = StringIO()
    call_command("resolve_due_meetings", stdout=out)
    assert "Sent 0 meeting reminder(s)." in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_running_at_once_remind_each_member_exactly_once():
    club = ClubFactory()
    people = [club.memberships.get().user, *(add_member(club).user for _ in range(5))]
    meetings = [_meeting_in(club, hours) for hours in (3, 10, 20)]
    barrier = threading.Barrier(2, timeout=10)
    counts, errors = [], []

    def sweep():
        try:
            barrier.wait()
            counts.append(send_due_reminders())
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sum(counts) == len(people) * len(meetings)
    for meeting in meetings:
        assert sorted(_reminders(meeting).values_list("recipient_id", flat=True)) == sorted(
            p.pk for p in people
        )


# --- what the reminder says -------------------------------------------------------------------------

BERLIN, TOKYO, LOS_ANGELES = (
    zoneinfo.ZoneInfo(name) for name in ("Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles")
)
STARTS = datetime(2030, 2, 10, 18, 0, tzinfo=UTC)  # 19:00 in Berlin, 03:00 next day in Tokyo, 10:00 in LA


@pytest.mark.parametrize(
    ("now", "zone", "words"),
    [
        (STARTS - timedelta(minutes=23), BERLIN, "in 23 minutes"),
        (STARTS - timedelta(seconds=50), BERLIN, "in 1 minute"),
        (STARTS - timedelta(hours=10), BERLIN, "tonight at 19:00 (CET)"),
        (STARTS - timedelta(hours=10), TOKYO, "tomorrow at 03:00 (JST)"),
        (STARTS - timedelta(hours=2), TOKYO, "today at 03:00 (JST)"),
        (STARTS - timedelta(hours=10), LOS_ANGELES, "today at 10:00 (PST)"),
        (STARTS - timedelta(hours=20), BERLIN, "tomorrow at 19:00 (CET)"),
        (STARTS - timedelta(hours=20), LOS_ANGELES, "tomorrow at 10:00 (PST)"),
        (STARTS - timedelta(days=2), BERLIN, "on Sunday 10 February at 19:00 (CET)"),
    ],
)
def test_reminder_says_when_in_the_readers_own_time_zone(now, zone, words):
    assert starts_in_words(STARTS, now=now, zone=zone) == words


def test_reminder_says_tomorrow_only_to_whom_it_is_tomorrow_and_carries_place_and_link(db):
    club = ClubFactory(name="Night Owls")
    berlin = add_member(club, UserFactory(timezone="Europe/Berlin")).user
    tokyo = add_member(club, UserFactory(timezone="Asia/Tokyo")).user
    meeting = MeetingFactory(
        club=club,
        title="Dune",
        starts_at=STARTS,
        place="Café Livro, Rua Nova 12",
        online_link="https://meet.example.com/night-owls",
    )
    assert send_due_reminders(now=STARTS - timedelta(hours=10)) == 3  # the owner, Berlin and Tokyo
    message_to = {row.recipient_id: row.message for row in _reminders(meeting)}
    assert message_to[berlin.pk] == (
        "Reminder: “Dune” (Night Owls) starts tonight at 19:00 (CET). Where: Café Livro, Rua Nova 12."
        " Online: https://meet.example.com/night-owls"
    )
    assert "starts tomorrow at 03:00 (JST)." in message_to[tokyo.pk]
    assert "Tomorrow" not in message_to[berlin.pk] and "tomorrow" not in message_to[berlin.pk]


def test_the_reminder_email_carries_the_place_and_the_link(db, django_capture_on_commit_callbacks):
    club = ClubFactory()
    meeting = MeetingFactory(
        club=club, starts_at=STARTS, place="x" * 300, online_link="https://meet.example.com/" + "a" * 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders(now=STARTS - timedelta(minutes=23))
    [message] = mail.outbox
    assert "starts in 23 minutes" in message.body
    assert "x" * 300 in message.body and meeting.online_link in message.body
