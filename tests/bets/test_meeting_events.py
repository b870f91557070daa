"""bets' side of meetings' domain events (bets/receivers.py): each event moves the points it did when
meetings called bets directly, inside the meeting's transaction, so the ledger rows and the
notifications roll back with the meeting's change when the change fails after them."""

from datetime import timedelta

import pytest
from django.tasks import default_task_backend
from django.utils import timezone

from bets import services, tasks
from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry, Reason
from meetings import events, reminders
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, MeetingStatus, Rsvp
from social.models import Notification, NotificationKind
from tests.factories import BookFactory, ClubFactory, MeetingFactory, add_member

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def fail_after(request):
    """fail_after(signal): a receiver connected after bets' own, raising, so the sender's transaction fails
    once bets has done its part."""

    def connect(signal):
        def boom(sender, **kwargs):
            raise Boom

        uid = f"test.boom.{id(signal)}"
        signal.connect(boom, weak=False, dispatch_uid=uid)
        request.addfinalizer(lambda: signal.disconnect(dispatch_uid=uid))

    return connect


@pytest.fixture
def deferring_tasks(settings):
    """A task backend that supports run_after and keeps what was enqueued (the tests' own runs inline)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    return default_task_backend


def _settlements_queued(backend) -> list:
    return [result for result in backend.results if result.task.func is tasks.resolve_meeting_bets.func]


def _balance(user) -> int:
    return Account.objects.get(user=user).balance


def _bets(cast, race):
    """The member backs the owner with 20, the moderator backs the member with 10."""
    return (
        services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=20),
        services.bet_place(bettor=cast.moderator, meeting=race, horse=cast.member, amount=10),
    )


def _update(cast, race, **changes):
    race.refresh_from_db()
    return meeting_services.meeting_update(
        actor=cast.owner, meeting=race, expected_version=race.version, **changes
    )


def _money_untouched(cast, race):
    assert (_balance(cast.member), _balance(cast.moderator)) == (80, 90)
    assert set(Bet.objects.values_list("status", flat=True)) == {BetStatus.OPEN}
    assert not LedgerEntry.objects.filter(reason=Reason.REFUND).exists()
    assert not Notification.objects.filter(kind=NotificationKind.BET_REFUNDED).exists()
    assert not audit_points().problems


def test_every_meeting_event_has_bets_receiver_connected():
    for signal in (
        events.meeting_start_set,
        events.race_changed,
        events.meeting_cancelled,
        events.attendee_declined,
        events.members_checked_in,
    ):
        assert signal.has_listeners(Meeting)


# --- meeting_start_set: the settlement is queued for the start, after commit ----------------------


def test_a_new_meeting_queues_its_settlement_for_its_start_after_commit(
    cast, deferring_tasks, django_capture_on_commit_callbacks
):
    starts_at = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        meeting = meeting_services.meeting_create(
            actor=cast.owner, club=cast.club, book=BookFactory(), starts_at=starts_at, place="Pub"
        )
        assert _settlements_queued(deferring_tasks) == []  # nothing before the commit
    assert callbacks
    [queued] = _settlements_queued(deferring_tasks)
    assert queued.args == [meeting.pk]
    assert queued.task.run_after == starts_at


def test_a_moved_start_queues_the_settlement_for_the_new_start(
    cast, race, deferring_tasks, django_capture_on_commit_callbacks
):
    later = race.starts_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        _update(cast, race, starts_at=later)
    [queued] = _settlements_queued(deferring_tasks)
    assert (queued.args, queued.task.run_after) == ([race.pk], later)


def test_a_failed_edit_queues_no_settlement(
    cast, race, deferring_tasks, fail_after, django_capture_on_commit_callbacks
):
    fail_after(events.meeting_start_set)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Boom):
        _update(cast, race, starts_at=race.starts_at + timedelta(days=1))
    assert _settlements_queued(deferring_tasks) == []


# --- race_changed: open bets refunded with the hosts' reason -------------------------------------


def test_a_changed_race_refunds_every_open_bet_with_the_reason(cast, race):
    member_bet, moderator_bet = _bets(cast, race)
    _update(cast, race, target_page=150)
    why = "The hosts lowered the target page from 300 to 150"
    assert (_balance(cast.member), _balance(cast.moderator)) == (100, 100)
    assert set(Bet.objects.values_list("status", flat=True)) == {BetStatus.REFUNDED}
    assert sorted(
        LedgerEntry.objects.filter(reason=Reason.REFUND).values_list("bet_id", "amount", "note")
    ) == [
        (member_bet.pk, 20, why),
        (moderator_bet.pk, 10, why),
    ]
    assert Notification.objects.filter(kind=NotificationKind.BET_REFUNDED, message__contains=why).count() == 2


def test_refunds_of_a_changed_race_roll_back_with_the_failed_edit(cast, race, fail_after):
    _bets(cast, race)
    fail_after(events.race_changed)
    with pytest.raises(Boom):
        _update(cast, race, starts_at=race.starts_at - timedelta(days=1))
    _money_untouched(cast, race)
    assert Meeting.objects.get(pk=race.pk).version == race.version


def test_refunds_of_a_changed_race_roll_back_when_the_edit_fails_later(cast, race, monkeypatch):
    _bets(cast, race)

    def reminder_fails(**kwargs):
        raise Boom

    monkeypatch.setattr(reminders, "meeting_rescheduled", reminder_fails)
    with pytest.raises(Boom):
        _update(cast, race, starts_at=race.starts_at - timedelta(days=1))
    _money_untouched(cast, race)


# --- meeting_cancelled: settled at once, every stake back ----------------------------------------


def test_a_cancelled_meeting_is_settled_in_the_same_transaction(cast, race):
    _bets(cast, race)
    meeting_services.meeting_cancel(actor=cast.owner, meeting=race, reason="Flu")
    race.refresh_from_db()
    assert race.bets_resolved_at is not None
    assert (_balance(cast.member), _balance(cast.moderator)) == (100, 100)
    assert set(Bet.objects.values_list("status", flat=True)) == {BetStatus.REFUNDED}
    assert (
        Notification.objects.filter(
            kind=NotificationKind.BET_REFUNDED, message__contains="the meeting was cancelled"
        ).count()
        == 2
    )


def test_the_settlement_of_a_cancellation_rolls_back_when_the_cancellation_fails(cast, race, monkeypatch):
    _bets(cast, race)

    def reminder_fails(**kwargs):
        raise Boom

    monkeypatch.setattr(reminders, "meeting_cancelled", reminder_fails)
    with pytest.raises(Boom):
        meeting_services.meeting_cancel(actor=cast.owner, meeting=race, reason="Flu")
    race.refresh_from_db()
    assert (race.status, race.bets_resolved_at) == (MeetingStatus.SCHEDULED, None)
    _money_untouched(cast, race)


# --- attendee_declined: the stakes on that member come back now ----------------------------------


def test_not_going_refunds_the_bets_on_that_member_only(cast, race):
    member_bet, moderator_bet = _bets(cast, race)
    meeting_services.attendance_rsvp(user=cast.member, meeting=race, rsvp=Rsvp.DECLINED)
    why = f"{cast.member.name} said they are not going"
    assert (_balance(cast.member), _balance(cast.moderator)) == (80, 100)
    assert Bet.objects.get(pk=moderator_bet.pk).status == BetStatus.REFUNDED
    assert Bet.objects.get(pk=member_bet.pk).status == BetStatus.OPEN
    assert list(LedgerEntry.objects.filter(reason=Reason.REFUND).values_list("bet_id", "note")) == [
        (moderator_bet.pk, why)
    ]
    assert Notification.objects.get(kind=NotificationKind.BET_REFUNDED).message.endswith(
        f"{why}. You can bet again."
    )


def test_refunds_on_not_going_roll_back_with_the_failed_answer(cast, race, fail_after):
    _bets(cast, race)
    fail_after(events.attendee_declined)
    with pytest.raises(Boom):
        meeting_services.attendance_rsvp(user=cast.member, meeting=race, rsvp=Rsvp.DECLINED)
    assert Attendance.objects.get(meeting=race, user=cast.member).rsvp == Rsvp.GOING
    _money_untouched(cast, race)


# --- members_checked_in: the check-in award, when there is a race --------------------------------


def _check_in(race, actor, *users):
    return meeting_services.meeting_check_in(
        actor=actor,
        meeting=race,
        usernames=[user.username for user in users],
        now=race.starts_at + timedelta(minutes=5),
    )


def test_checked_in_members_of_a_race_get_the_award_once(cast, race):
    _check_in(race, cast.owner, cast.member, cast.moderator)
    _check_in(race, cast.owner, cast.member)
    assert (_balance(cast.member), _balance(cast.moderator), _balance(cast.owner)) == (110, 110, 100)
    assert LedgerEntry.objects.filter(reason=Reason.CHECK_IN, meeting=race).count() == 2


def test_a_member_checked_in_without_an_rsvp_does_not_make_a_race():
    club = ClubFactory()
    owner = club.memberships.get().user
    walker = add_member(club).user
    meeting = MeetingFactory(club=club)
    meeting_services.attendance_rsvp(user=owner, meeting=meeting, rsvp=Rsvp.GOING)
    _check_in(meeting, owner, owner, walker)
    assert Attendance.objects.filter(meeting=meeting, checked_in=True).count() == 2
    assert not LedgerEntry.objects.filter(reason=Reason.CHECK_IN).exists()


def test_check_in_awards_roll_back_with_the_failed_check_in(cast, race, fail_after):
    fail_after(events.members_checked_in)
    with pytest.raises(Boom):
        _check_in(race, cast.owner, cast.member, cast.moderator)
    assert not LedgerEntry.objects.filter(reason=Reason.CHECK_IN).exists()
    assert (_balance(cast.member), _balance(cast.moderator)) == (100, 100)
    assert not Attendance.objects.filter(meeting=race, checked_in=True).exists()
