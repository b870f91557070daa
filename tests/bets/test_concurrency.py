"""Points under real concurrency: many threads, each with its own database connection, released at
once by a barrier.

- 50 placements, changes and withdrawals by 20 members at the same moment: no balance ever goes
  below zero, every refusal is a clear DomainError, and `audit_points` finds nothing wrong.
- 20 resolutions of one meeting at the same moment: exactly one settles it, every bet is paid
  exactly once and every finisher's award is minted once.
- A settlement racing its finishers' bets on the club's next meeting: no deadlock over the club's
  standings row, and the standings still add up (audit_points checks them too).

On PostgreSQL the meeting and account rows are locked (SELECT ... FOR UPDATE) and the others wait.
On SQLite in a file (WAL, IMMEDIATE transactions, a busy timeout: SQLITE_TEST_PATH) transactions
are serialized whole: the same outcome, the same assertions. The in-memory SQLite test database
cannot wait, so the `postgres` marker deselects these there (see conftest.py), as in
tests/meetings/test_concurrency.py.
"""

import random
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from bets import services
from bets.audit import audit_points
from bets.models import Account, Bet, BetStatus, LedgerEntry, Reason
from booky.core.errors import DomainError
from meetings.models import Attendance, Meeting, Rsvp
from tests.factories import ClubFactory, MeetingFactory, add_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BARRIER_TIMEOUT = 30


def run_at_once(jobs):
    """Run every job in its own thread, all released together; returns (results, refusals)."""
    barrier = threading.Barrier(len(jobs), timeout=BARRIER_TIMEOUT)
    results: list = [None] * len(jobs)
    refusals: list[DomainError] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except DomainError as refusal:  # a rule said no: expected under contention
            with lock:
                refusals.append(refusal)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            barrier.abort()
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 4)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert not errors, errors
    return results, refusals


@pytest.fixture
def crowd():
    """A meeting a week away with 20 going members, each with the 100-point welcome bonus."""
    club = ClubFactory()
    meeting = MeetingFactory(club=club)
    members = [club.memberships.get().user] + [add_member(club).user for _ in range(19)]
    for member in members:
        services.account_open(user=member)
        Attendance.objects.create(meeting=meeting, user=member, rsvp=Rsvp.GOING)
    return meeting, members


def test_fifty_concurrent_bet_operations_never_push_a_balance_below_zero(crowd):
    meeting, members = crowd
    rng = random.Random(2026)
    # Some members already hold a bet, so changes and withdrawals race with each other too.
    for member in members[:10]:
        services.bet_place(
            bettor=member, meeting=meeting, horse=rng.choice(members), amount=rng.randint(20, 90)
        )

    def job(member, kind, amount, horse):
        def run():
            bet = Bet.objects.active().filter(meeting=meeting, bettor=member).first()
            if kind == "place" or bet is None:
                return services.bet_place(bettor=member, meeting=meeting, horse=horse, amount=amount)
            if kind == "change":
                return services.bet_change(bettor=member, bet=bet, horse=horse, amount=amount)
            return services.bet_withdraw(bettor=member, bet=bet)

        return run

    kinds = ["place", "change", "withdraw", "change", "place"]
    jobs = [
        # Amounts up to 160 against balances of at most 100: many must be refused.
        job(members[index % 20], kinds[index % len(kinds)], rng.randint(1, 160), rng.choice(members))
        for index in range(50)
    ]

    results, refusals = run_at_once(jobs)

    done = [result for result in results if result is not None]
    assert done and refusals, (len(done), len(refusals))
    assert {type(refusal).__name__ for refusal in refusals} <= {"InsufficientPoints", "Conflict", "NotFound"}
    assert not Account.objects.filter(balance__lt=0).exists()
    assert not LedgerEntry.objects.filter(balance_after__lt=0).exists()
    for account in Account.objects.all():
        held = sum(
            Bet.objects.filter(bettor=account.user, status=BetStatus.OPEN).values_list("amount", flat=True)
        )
        assert account.balance + held == 100, account
    assert Counter(Bet.objects.active().values_list("bettor", flat=True)).most_common(1)[0][1] == 1
    report = audit_points()
    assert not report.problems, report.problems
    assert report.minted == 2000
    call_command("audit_points")  # exits non-zero on any drift


def test_twenty_concurrent_resolutions_pay_each_bet_exactly_once(crowd):
    meeting, members = crowd
    finishers = members[:3]
    for index, member in enumerate(members):
        services.bet_place(bettor=member, meeting=meeting, horse=members[index % 6], amount=10 + index)
    start = timezone.now() - timedelta(minutes=1)
    Attendance.objects.filter(meeting=meeting, user__in=finishers).update(
        finished=True, current_page=meeting.target_page, finished_at=start - timedelta(hours=1)
    )
    meeting.starts_at = start
    meeting.save(update_fields=["starts_at"])

    results, refusals = run_at_once([lambda: services.meeting_resolve_bets(meeting_id=meeting.pk)] * 20)

    assert not refusals
    assert sorted(results) == [False] * 19 + [True]
    bets = list(Bet.objects.all())
    assert all(bet.paid for bet in bets)
    assert {bet.status for bet in bets} == {BetStatus.WON, BetStatus.LOST}
    settlements = Counter(LedgerEntry.objects.filter(reason=Reason.PAYOUT).values_list("bet", flat=True))
    winners = [bet for bet in bets if bet.status == BetStatus.WON]
    assert settlements == Counter({bet.pk: 1 for bet in winners})
    pool = sum(bet.amount for bet in bets)
    assert sum(bet.payout for bet in winners) == pool
    assert LedgerEntry.objects.filter(reason=Reason.FINISHED).count() == len(finishers)
    assert Meeting.objects.get(pk=meeting.pk).bets_resolved_at is not None
    report = audit_points()
    assert not report.problems, report.problems
    assert report.open_stakes == 0
    assert report.total_balance == report.minted == 20 * 100 + 25 * len(finishers)


def test_settling_a_meeting_while_its_finishers_bet_on_the_next_one_never_deadlocks():
    """The club's standings rows are shared by every posting to its meetings (bets/standings.py): a
    settlement that locked a finisher's account only after paying the bets (and so after locking the
    club's row) would wait in a circle with that finisher's bet on the club's next meeting."""
    club = ClubFactory()
    members = [club.memberships.get().user] + [add_member(club).user for _ in range(19)]
    bettors, finishers = members[:10], members[10:]
    for member in members:
        services.account_open(user=member)
    for _ in range(3):
        settling, coming = MeetingFactory(club=club), MeetingFactory(club=club)
        for member in members:
            Attendance.objects.create(meeting=settling, user=member, rsvp=Rsvp.GOING)
            Attendance.objects.create(meeting=coming, user=member, rsvp=Rsvp.GOING)
        for index, bettor in enumerate(bettors):
            services.bet_place(bettor=bettor, meeting=settling, horse=finishers[index], amount=1)
        start = timezone.now() - timedelta(minutes=1)
        Attendance.objects.filter(meeting=settling, user__in=finishers).update(
            finished=True, current_page=settling.target_page, finished_at=start - timedelta(hours=1)
        )
        Meeting.objects.filter(pk=settling.pk).update(starts_at=start)
        jobs = [lambda meeting=settling: services.meeting_resolve_bets(meeting_id=meeting.pk)] + [
            lambda finisher=finisher, meeting=coming: services.bet_place(
                bettor=finisher, meeting=meeting, horse=members[0], amount=5
            )
            for finisher in finishers
        ]

        results, refusals = run_at_once(jobs)

        assert results[0] is True and not refusals
    report = audit_points()
    assert not report.problems, report.problems
