"""The leaderboards' points, precomputed: standings kept in step with the ledger.

Each standing is a sum of ledger amounts by a key (bets/models.py, "standings"):

- ``ClubScore`` (club) and ``ClubScoreDay`` (club, day): the ``clubs`` board, ledger rows tied to a
  meeting of the club.
- ``ClubMemberScore`` (club, user) and ``ClubMemberScoreDay`` (club, user, day): a club's own board.
- ``MemberScoreDay`` (user, day): the ``global`` and ``friends`` 30-day boards, without the welcome
  bonus (the all-time ones read ``Account.balance``, which is already a running sum).

Fresh, not eventually: ``standings_add`` runs inside ``bets.services._post``, the one function that
writes ledger rows, in the same transaction, so a board never disagrees with the ledger it was read
with. Each add is an upsert that increments (``INSERT ... ON CONFLICT DO UPDATE SET points = points +
excluded.points``, on PostgreSQL and SQLite alike), so concurrent posts never lose an increment.

Why per-day rows rather than a periodic task: a 30-day window moves without any write, so a running
30-day total would need a job to take old points out, and would be as stale as that job. Day rows
need no job: a 30-day board sums at most 31 rows per person or club (the window is whole UTC days,
from the day 30 days ago to today), read through an index on the day.

Locks. The per-person rows are written only by transactions that hold that person's account lock,
so they are never contended. The club rows are shared by every transaction that posts to one of the
club's meetings and stay locked until it commits: they come last in the lock order (bets/services.py
docstring), so a transaction locks every account it will post to before its first post, and touches
``ClubScore`` before ``ClubScoreDay``.

Derived data: ``standings_rebuild`` recomputes everything from the ledger (``manage.py
rebuild_standings``, the data migration that introduced the tables) and ``standings_problems`` says
where they differ (``audit_points`` reports it).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.apps import apps as installed_apps
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDate

from bets.models import ClubMemberScore, ClubMemberScoreDay, ClubScore, ClubScoreDay, MemberScoreDay, Reason


def day_of(moment: datetime) -> date:
    """The standings' day of a moment: its UTC date."""
    return moment.astimezone(UTC).date()


@dataclass(frozen=True)
class Standing:
    """One standings table: which ledger rows it counts (`counts`) and what it sums them by (`keys`:
    the table's field -> the ledger expression)."""

    model: str
    counts: Q
    keys: dict


_AT_A_MEETING = Q(meeting__isnull=False)
_CLUB = F("meeting__club")
_USER = F("account__user")
_DAY = TruncDate("created_at", tzinfo=UTC)

# In the order standings_add writes them: per-person rows first, then the shared club rows.
STANDINGS = (
    Standing("MemberScoreDay", ~Q(reason=Reason.SIGNUP), {"user": _USER, "day": _DAY}),
    Standing("ClubMemberScore", _AT_A_MEETING, {"club": _CLUB, "user": _USER}),
    Standing("ClubMemberScoreDay", _AT_A_MEETING, {"club": _CLUB, "user": _USER, "day": _DAY}),
    Standing("ClubScore", _AT_A_MEETING, {"club": _CLUB}),
    Standing("ClubScoreDay", _AT_A_MEETING, {"club": _CLUB, "day": _DAY}),
)


def _upsert_add(model, keys: dict, amount: int) -> None:
    """Add `amount` to the row of `model` at `keys` (field name -> value), creating it at `amount`."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = [model._meta.get_field(name) for name in keys]
    columns = ", ".join(quote(field.column) for field in fields)
    values = [
        field.get_db_prep_value(value, connection) for field, value in zip(fields, keys.values(), strict=True)
    ]
    placeholders = ", ".join(["%s"] * (len(values) + 1))
    points = quote("points")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {points}) VALUES ({placeholders}) "
            f"ON CONFLICT ({columns}) DO UPDATE SET {points} = {table}.{points} + excluded.{points}",
            [*values, amount],
        )


def standings_add(entry) -> None:
    """Count a ledger row just written in every standing it belongs to (the caller's transaction)."""
    user_id = entry.account.user_id
    club_id = entry.meeting.club_id if entry.meeting is not None else None
    day = day_of(entry.created_at)
    if entry.reason != Reason.SIGNUP:
        _upsert_add(MemberScoreDay, {"user": user_id, "day": day}, entry.amount)
    if club_id is None:
        return
    _upsert_add(ClubMemberScore, {"club": club_id, "user": user_id}, entry.amount)
    _upsert_add(ClubMemberScoreDay, {"club": club_id, "user": user_id, "day": day}, entry.amount)
    _upsert_add(ClubScore, {"club": club_id}, entry.amount)
    _upsert_add(ClubScoreDay, {"club": club_id, "day": day}, entry.amount)


def _ledger_sums(standing: Standing, get_model: Callable):
    """The ledger's sums for one standings table: rows of its key fields then `points`."""
    ledger = get_model("bets", "LedgerEntry")
    return (
        ledger.objects.filter(standing.counts)
        .order_by()
        .values(**{f"key_{name}": expression for name, expression in standing.keys.items()})
        .annotate(points=Sum("amount"))
    )


def standings_rebuild(get_model: Callable = installed_apps.get_model) -> None:
    """Recompute every standing from the ledger. Concurrent posts wait (PostgreSQL: the tables are
    locked EXCLUSIVE), so none is lost or counted twice. `get_model`: a migration's historical models."""
    with transaction.atomic():
        quote = connection.ops.quote_name
        models = [get_model("bets", standing.model) for standing in STANDINGS]
        if connection.vendor == "postgresql":
            tables = ", ".join(quote(model._meta.db_table) for model in models)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        for standing, model in zip(STANDINGS, models, strict=True):
            model.objects.all().delete()
            sums = _ledger_sums(standing, get_model)
            select, params = sums.query.sql_with_params()
            columns = [quote(model._meta.get_field(name).column) for name in standing.keys] + [
                quote("points")
            ]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) {select}", params
                )


def standings_problems(get_model: Callable = installed_apps.get_model) -> list[str]:
    """Where a standings row differs from its ledger sum (a missing row counts as 0 only if the
    ledger has no row for its key: standings rows exist exactly for the keys the ledger has)."""
    problems = []
    for standing in STANDINGS:
        model = get_model("bets", standing.model)
        names = list(standing.keys)
        column = {name: model._meta.get_field(name).attname for name in names}
        expected = {
            tuple(row[f"key_{name}"] for name in names): row["points"]
            for row in _ledger_sums(standing, get_model)
        }
        stored = {
            tuple(row[:-1]): row[-1]
            for row in model.objects.values_list(*[column[name] for name in names], "points")
        }
        for key in sorted(expected.keys() | stored.keys(), key=str):
            if expected.get(key) != stored.get(key):
                where = ", ".join(f"{name} {value}" for name, value in zip(names, key, strict=True))
                problems.append(
                    f"{standing.model} ({where}): {stored.get(key)} points stored, the ledger adds up to "
                    f"{expected.get(key)}."
                )
    return problems
