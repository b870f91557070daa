"""Time the leaderboards and the odds board on a throwaway database seeded with N members.

    uv run python bench/leaderboard_bench.py [--users 10000] [--bettors 500] [--repeat 20]

It creates its own test database (in-memory SQLite by default; with DATABASE_URL=postgres://... a
database named bench_<name>, dropped afterwards), seeds members with accounts, ledger rows, club
memberships and one meeting with bets, then prints for each read: the median and worst time over
--repeat runs and the number of queries. The query counts must not change with --users.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booky.settings")
os.environ.setdefault("BOOKY_TESTING", "1")  # test settings: fast hashing, in-process tasks

import django  # noqa: E402

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

PAGE_SIZE = 20


def seed(users: int, bettors: int):
    from bets.models import Account, Bet, LedgerEntry, Reason
    from books.models import Book
    from clubs.models import Club, Membership, Role
    from meetings.models import Attendance, Meeting, Rsvp
    from social.models import User

    rng = random.Random(1)
    people = User.objects.bulk_create(
        (User(username=f"bench{n}", email=f"bench{n}@example.com", password="!") for n in range(users)),
        batch_size=2000,
    )
    club = Club.objects.create(name="Bench Club", slug="bench-club")
    Membership.objects.bulk_create(
        (
            Membership(club=club, user=u, role=Role.OWNER if i == 0 else Role.MEMBER)
            for i, u in enumerate(people)
        ),
        batch_size=2000,
    )
    book = Book.objects.create(title="Bench Book", authors=["A. Writer"], page_count=300, source="manual")
    past = Meeting.objects.create(
        club=club, book=book, starts_at=timezone.now() - timedelta(days=3), target_page=300
    )
    upcoming = Meeting.objects.create(
        club=club, book=book, starts_at=timezone.now() + timedelta(days=3), target_page=300
    )
    balances = [100 + rng.randint(-90, 400) for _ in people]
    accounts = Account.objects.bulk_create(
        (Account(user=u, balance=b) for u, b in zip(people, balances, strict=True)), batch_size=2000
    )
    entries = []
    for account, balance in zip(accounts, balances, strict=True):
        entries.append(LedgerEntry(account=account, amount=100, balance_after=100, reason=Reason.SIGNUP))
        entries.append(
            LedgerEntry(account=account, amount=10, balance_after=110, reason=Reason.CHECK_IN, meeting=past)
        )
        if balance != 110:
            entries.append(
                LedgerEntry(
                    account=account,
                    amount=balance - 110,
                    balance_after=balance,
                    reason=Reason.ADJUSTMENT,
                    note="seed",
                )
            )
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    from bets.standings import standings_rebuild

    standings_rebuild()  # the ledger went in around bets' services, which keep the standings
    racers = people[: max(2, bettors)]
    Attendance.objects.bulk_create(
        (Attendance(meeting=upcoming, user=u, rsvp=Rsvp.GOING) for u in racers), batch_size=2000
    )
    horses = racers[:10]
    Bet.objects.bulk_create(
        (
            Bet(meeting=upcoming, bettor=u, horse=rng.choice(horses), amount=rng.randint(1, 50))
            for u in racers
        ),
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return people[len(people) // 2], club, upcoming


def measure(label: str, read, repeat: int) -> None:
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            read()
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"  {label:<34} median {statistics.median(timings):7.2f} ms   max {max(timings):7.2f} ms   "
        f"{len(queries)} queries"
    )


def run(users: int, bettors: int, repeat: int) -> None:
    from bets.leaderboards import board_for, club_standings_of, leaderboard, rank_of
    from bets.selectors import odds_board

    started = time.perf_counter()
    viewer, club, meeting = seed(users, bettors)
    print(
        f"{connection.vendor}: seeded {users} members and {bettors} bets in {time.perf_counter() - started:.1f} s"
    )

    def page(scope, period, number=1):
        def read():
            board = board_for(scope, period, viewer=viewer)
            paginator = Paginator(leaderboard(board, viewer=viewer), PAGE_SIZE)
            list(paginator.page(min(number, paginator.num_pages)))

        return read

    def mine(scope, period):
        def read():
            board = board_for(scope, period, viewer=viewer)
            club_standings_of(viewer, board) if board.ranks_clubs else rank_of(viewer, board)

        return read

    for scope in ("global", f"club-{club.slug}", "clubs"):
        for period in ("all", "30d"):
            measure(f"{scope} {period}: page 1", page(scope, period), repeat)
            measure(f"{scope} {period}: last page", page(scope, period, 10**9), repeat)
            measure(f"{scope} {period}: my rank", mine(scope, period), repeat)
    measure(f"odds board ({bettors} bets)", lambda: odds_board(meeting), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--bettors", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    settings_dict = connection.settings_dict
    if connection.vendor != "sqlite":
        settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.users, min(args.bettors, args.users), args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
