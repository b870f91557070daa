"""The leaderboards cost the same with 10 or 10,000 members: the same number of queries, and the
all-time board is read through the `account_balance_rank` index (EXPLAIN is printed: run with -s)."""

import random
import re
from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bets.leaderboards import board_for, club_standings_of, leaderboard, rank_of
from bets.models import Account, LedgerEntry, Reason
from bets.standings import standings_rebuild
from clubs.models import Membership
from social.models import User
from tests.factories import ClubFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 20


def seed(count: int, *, club, meeting, start: int = 0) -> list[User]:
    """`count` members with accounts, a welcome bonus, a recent win or loss, and a check-in at `meeting`."""
    rng = random.Random(start)
    users = User.objects.bulk_create(
        User(username=f"bulk{n}", email=f"bulk{n}@example.com", password="!")
        for n in range(start, start + count)
    )
    balances = [100 + rng.randint(-90, 400) for _ in users]
    accounts = Account.objects.bulk_create(
        Account(user=user, balance=balance) for user, balance in zip(users, balances, strict=True)
    )
    Membership.objects.bulk_create(Membership(club=club, user=user) for user in users)
    entries = []
    for account, balance in zip(accounts, balances, strict=True):
        change = balance - 100 - 10
        entries.append(LedgerEntry(account=account, amount=100, balance_after=100, reason=Reason.SIGNUP))
        entries.append(
            LedgerEntry(
                account=account, amount=10, balance_after=110, reason=Reason.CHECK_IN, meeting=meeting
            )
        )
        if change:
            entries.append(
                LedgerEntry(
                    account=account,
                    amount=change,
                    balance_after=balance,
                    reason=Reason.ADJUSTMENT,
                    note="seed",
                )
            )
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)
    standings_rebuild()  # the rows were loaded around bets.services, which keeps the standings
    return users


def read_every_board(viewer, club) -> int:
    """Read page 1 and "my rank" of every board, as the pages and the API do; returns the query count."""
    with CaptureQueriesContext(connection) as queries:
        for scope in ("global", f"club-{club.slug}", "clubs"):
            for period in ("all", "30d"):
                board = board_for(scope, period, viewer=viewer)
                page = Paginator(leaderboard(board, viewer=viewer), PAGE_SIZE).page(1)
                assert len(list(page)) > 0
                if board.ranks_clubs:
                    assert club_standings_of(viewer, board)
                else:
                    assert rank_of(viewer, board) is not None
    return len(queries)


def explain(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after the bulk insert, as autovacuum would do
    return queryset.explain()


def test_leaderboard_queries_do_not_grow_with_the_number_of_members(capsys):
    club = ClubFactory(slug="big-club")
    meeting = MeetingFactory(club=club, starts_at=timezone.now() - timedelta(days=1))
    viewer = seed(10, club=club, meeting=meeting)[0]

    few = read_every_board(viewer, club)
    seed(9_990, club=club, meeting=meeting, start=10)
    assert User.objects.count() >= 10_000
    many = read_every_board(viewer, club)

    assert few == many, (few, many)

    board = board_for("global", "all", viewer=viewer)
    plan = explain(leaderboard(board)[:PAGE_SIZE])
    recent = explain(leaderboard(board_for("global", "30d", viewer=viewer))[:PAGE_SIZE])
    with capsys.disabled():
        print(f"\n{connection.vendor}: {many} queries for every board's first page and my rank")
        print(f"EXPLAIN global/all page 1:\n{plan}\nEXPLAIN global/30d page 1:\n{recent}")
    assert "account_balance_rank" in plan
    if connection.vendor == "postgresql":
        # Read in the index's order and stopped after the page: at most an incremental sort of ties,
        # never a full sort of every account.
        assert "Index Scan using account_balance_rank" in plan
        assert plan.startswith("Limit")
        assert not re.search(r"(?<!Incremental )Sort  \(", plan), plan
