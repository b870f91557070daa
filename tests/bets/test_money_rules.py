"""Rules that keep points from being created, lost or steered once bets have closed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bets import services
from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry, Reason
from booky.core.errors import Conflict, DomainError, NotAllowed
from clubs import services as club_services
from meetings import services as meeting_services
from meetings.models import Attendance, Meeting, ProgressEntry, Rsvp
from tests.factories import ClubFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def balance(user) -> int:
    return Account.objects.get(user=user).balance


def test_a_started_meeting_cannot_be_rescheduled_retargeted_or_cancelled(cast, race):
    after_start = race.starts_at + timedelta(minutes=1)
    with pytest.raises(Conflict, match="has started"):
        meeting_services.meeting_update(
            actor=cast.owner,
            meeting=race,
            expected_version=race.version,
            now=after_start,
            starts_at=after_start + timedelta(days=3),
        )
    with pytest.raises(Conflict, match="has started"):
        meeting_services.meeting_update(
            actor=cast.owner, meeting=race, expected_version=race.version, now=after_start, target_page=10
        )
    with pytest.raises(Conflict, match="cannot be cancelled"):
        meeting_services._change_status(actor=cast.owner, meeting=race, status="cancelled", now=after_start)
    assert Meeting.objects.get(pk=race.pk).starts_at == race.starts_at


def test_no_bet_is_taken_on_a_settled_meeting(cast, race):
    Meeting.objects.filter(pk=race.pk).update(bets_resolved_at=timezone.now())
    with pytest.raises(Conflict, match="closed"):
        services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=5)
    assert balance(cast.member) == 100


def test_leaving_the_club_withdraws_open_bets_and_the_leaver_is_no_horse(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=30)
    services.bet_place(bettor=cast.owner, meeting=race, horse=cast.member, amount=20)
    club_services.club_leave(user=cast.member, club=cast.club)

    assert balance(cast.member) == 100
    assert Bet.objects.get(bettor=cast.member).status == BetStatus.WITHDRAWN
    assert Attendance.objects.get(meeting=race, user=cast.member).rsvp == Rsvp.DECLINED
    with pytest.raises(NotAllowed):
        services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=5)
    # The bet on the leaver is refunded at once (it left the pool), so there is nothing to change.
    with pytest.raises(DomainError, match="refunded"):
        services.bet_change(bettor=cast.owner, bet=Bet.objects.get(bettor=cast.owner), horse=cast.member)
    assert balance(cast.owner) == 100
    # Settlement at the start leaves it refunded, paid once.
    services.meeting_resolve_bets(meeting_id=race.pk, now=race.starts_at + timedelta(minutes=1))
    assert Bet.objects.get(bettor=cast.owner).status == BetStatus.REFUNDED
    assert balance(cast.owner) == 100
    assert not audit_points().problems


def test_members_who_answered_not_going_cannot_be_checked_in(cast, race):
    Attendance.objects.filter(meeting=race, user=cast.member).update(rsvp=Rsvp.DECLINED)
    with pytest.raises(DomainError, match="not going"):
        meeting_services.meeting_check_in(
            actor=cast.owner,
            meeting=race,
            usernames=[cast.member.username],
            now=race.starts_at + timedelta(minutes=5),
        )
    assert not LedgerEntry.objects.filter(reason=Reason.CHECK_IN).exists()


def test_a_club_of_one_earns_no_points_alone():
    club = ClubFactory()
    owner = club.memberships.get().user
    services.account_open(user=owner)
    meeting = MeetingFactory(club=club, starts_at=timezone.now() + timedelta(hours=1))
    meeting_services.attendance_rsvp(user=owner, meeting=meeting, rsvp=Rsvp.GOING)
    meeting_services.attendance_progress(user=owner, meeting=meeting, finished=True)
    after_start = meeting.starts_at + timedelta(minutes=5)
    services.meeting_resolve_bets(meeting_id=meeting.pk, now=after_start)
    meeting_services.meeting_check_in(
        actor=owner, meeting=meeting, usernames=[owner.username], now=after_start
    )
    assert balance(owner) == 100
    assert not LedgerEntry.objects.filter(reason__in=[Reason.CHECK_IN, Reason.FINISHED]).exists()


def test_changing_the_target_records_history(cast, race):
    meeting_services.attendance_progress(user=cast.member, meeting=race, current_page=250)
    meeting_services.meeting_update(actor=cast.owner, meeting=race, expected_version=1, target_page=200)
    attendance = Attendance.objects.get(meeting=race, user=cast.member)
    assert (attendance.current_page, attendance.finished) == (200, True)
    assert list(ProgressEntry.objects.filter(attendance=attendance).values_list("page", "finished")) == [
        (250, False),
        (200, True),
    ]


def test_meetings_cannot_be_scheduled_centuries_ahead(cast):
    from tests.factories import BookFactory

    with pytest.raises(DomainError, match="five years"):
        meeting_services.meeting_create(
            actor=cast.owner,
            club=cast.club,
            book=BookFactory(),
            place="x",
            starts_at=timezone.now() + timedelta(days=365 * 6),
        )
    assert not Meeting.objects.exists()


def test_the_audit_names_an_open_bet_left_on_a_settled_meeting(cast, race):
    services.bet_place(bettor=cast.member, meeting=race, horse=cast.owner, amount=10)
    Meeting.objects.filter(pk=race.pk).update(bets_resolved_at=timezone.now())
    problems = audit_points().problems
    assert any("still open" in problem and cast.member.username in problem for problem in problems)
