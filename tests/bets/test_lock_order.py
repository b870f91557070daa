"""Leaving a club, removing a member and bet operations on the same meeting, all at once, never
deadlock: every service takes its row locks in the one order written down in bets/services.py
(club → membership → meeting → attendance → bet → account). 50 rounds of six racing requests end with
204s and clear refusals only, never a server error, and the ledger balances.

Before the order was fixed, leaving held the club and a bet while its ledger row waited for the
meeting (a new row referencing the meeting needs its key lock), and a bet change held the meeting
while it waited for the club, which it also locked through `select_related("club")`: PostgreSQL
found the circle and aborted one of them ("deadlock detected"), a 503 or 500 for the member.

Marked `postgres` like tests/bets/test_concurrency.py: the in-memory SQLite test database cannot make
one connection wait for another.
"""

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from bets import services
from bets.audit import audit_points
from bets.models import Bet, BetStatus
from booky.core.errors import DomainError
from clubs.models import Membership
from meetings.models import Attendance, Rsvp
from tests.factories import ClubFactory, MeetingFactory, add_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 50
BARRIER_TIMEOUT = 30


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def a_round():
    """A meeting a week away, six going members with points, and bets that cross the leavers."""
    club = ClubFactory()
    meeting = MeetingFactory(club=club)
    owner = club.memberships.get().user
    leaver, removed, changer, withdrawer, horse = (add_member(club).user for _ in range(5))
    people = [owner, leaver, removed, changer, withdrawer, horse]
    for person in people:
        services.account_open(user=person)
        Attendance.objects.create(meeting=meeting, user=person, rsvp=Rsvp.GOING)
    bets = {
        "leaver": services.bet_place(bettor=leaver, meeting=meeting, horse=horse, amount=30),
        "removed": services.bet_place(bettor=removed, meeting=meeting, horse=leaver, amount=20),
        "changer": services.bet_place(bettor=changer, meeting=meeting, horse=leaver, amount=10),
        "withdrawer": services.bet_place(bettor=withdrawer, meeting=meeting, horse=removed, amount=15),
    }
    return club, owner, leaver, removed, changer, withdrawer, bets


def run_at_once(jobs):
    """Every job in its own thread (its own connection), released together; returns the failures."""
    barrier = threading.Barrier(len(jobs), timeout=BARRIER_TIMEOUT)
    failures: list = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait()
            job()
        except DomainError:  # a rule said no (the bet is gone, the member left): expected here
            pass
        except BaseException as error:  # noqa: BLE001 - reported by the test
            with lock:
                failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return failures


def expect(status: int, send):
    def job():
        response = send()
        assert response.status_code == status, (response.status_code, response.content[:200])

    return job


def racing_jobs(club, owner, leaver, removed, changer, withdrawer, bets):
    return [
        expect(204, lambda: api_client(leaver).post(f"/api/v1/clubs/{club.slug}/leave/")),
        expect(
            204, lambda: api_client(owner).delete(f"/api/v1/clubs/{club.slug}/members/{removed.username}/")
        ),
        lambda: services.bet_change(bettor=changer, bet=bets["changer"], amount=40),
        lambda: services.bet_withdraw(bettor=withdrawer, bet=bets["withdrawer"]),
        # The leaver withdraws the bet that leaving withdraws too; the removed member raises theirs.
        lambda: services.bet_withdraw(bettor=leaver, bet=bets["leaver"]),
        lambda: services.bet_change(bettor=removed, bet=bets["removed"], amount=25),
    ]


def test_leave_remove_and_bet_operations_on_one_meeting_never_deadlock():
    failures = []
    for _round in range(ROUNDS):
        club, owner, leaver, removed, changer, withdrawer, bets = cast = a_round()
        failures += run_at_once(racing_jobs(*cast))
        assert not Membership.objects.filter(club=club, user__in=[leaver, removed]).exists()
        # Whoever won each race, the leavers hold no open bet and got every stake back.
        assert not Bet.objects.filter(bettor__in=[leaver, removed], status=BetStatus.OPEN).exists()
    assert not failures, failures
    report = audit_points()
    assert not report.problems, report.problems
