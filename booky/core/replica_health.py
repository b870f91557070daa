"""Is a read replica fit to serve reads: reachable, and no more than REPLICA_MAX_LAG_SECONDS behind?

Checked with one query, at most once per REPLICA_CHECK_SECONDS per process and replica, and the
answer kept in this process's memory; a read in between costs a dictionary lookup. A failure of a
replica's connection or query mid-request (booky/core/replica_postgresql) marks it down at once,
until the next check. Each unhealthy answer logs one WARNING (so at most one per check interval).
"""

import contextlib
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

from booky.core.replicas import current_reads

logger = logging.getLogger("booky.core.replicas")

DOWN = "down"
LAG = "lag"

# Seconds since the last replayed commit was made on the primary, but 0 when everything received is
# replayed: a replica of an idle primary is current, however old its last commit. Replay paused with
# WAL waiting is lag whatever the clock says. A server not in recovery is a primary (the URL points
# at one, or a pooler in front of it): it has what it accepted.
LAG_SQL = """
SELECT
    CASE WHEN NOT pg_is_in_recovery() THEN 0
         WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
         ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
    END::float8,
    CASE WHEN NOT pg_is_in_recovery() THEN false
         ELSE pg_is_wal_replay_paused()
              AND pg_last_wal_receive_lsn() IS DISTINCT FROM pg_last_wal_replay_lsn()
    END
"""


@dataclass(frozen=True)
class Health:
    checked_at: float  # time.monotonic()
    problem: str | None  # None (healthy), DOWN or LAG
    detail: str = ""


# Per process; the threads of one process share it. Two threads may both check a replica whose
# answer just expired: one query too many, never a wrong answer.
_health: dict[str, Health] = {}
# Set while a check runs: its own failure is the check's answer, not a failed read to retry.
_checking: ContextVar[bool] = ContextVar("booky_replica_checking", default=False)


def problem(alias: str) -> str | None:
    """Why `alias` cannot serve reads now (DOWN or LAG), or None when it can."""
    health = _health.get(alias)
    now = time.monotonic()
    if health is None or now - health.checked_at >= settings.REPLICA_CHECK_SECONDS:
        health = _check(alias, now)
    return health.problem


def replica_failed(alias: str, error: BaseException) -> None:
    """A connection or query on `alias` failed: down until the next check; this request retries."""
    if _checking.get():
        return
    reads = current_reads()
    if reads is not None:
        reads.failed.add(alias)
        reads.skip(alias, DOWN)
    _record(alias, DOWN, _describe(error), time.monotonic())


def forget() -> None:
    """Check every replica afresh at its next read (tests)."""
    _health.clear()


def _check(alias: str, now: float) -> Health:
    connection = connections[alias]
    token = _checking.set(True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag_seconds, paused_behind = cursor.fetchone()
    except DatabaseError as error:
        # Reconnect at the next check rather than reuse a connection that failed.
        with contextlib.suppress(DatabaseError):
            connection.close()
        return _record(alias, DOWN, _describe(error), now)
    finally:
        _checking.reset(token)
    limit = settings.REPLICA_MAX_LAG_SECONDS
    if paused_behind:
        return _record(alias, LAG, "replay is paused with WAL waiting", now)
    if lag_seconds > limit:
        return _record(alias, LAG, f"{lag_seconds:.1f} s behind the primary (limit {limit:g} s)", now)
    return _record(alias, None, "", now)


def _record(alias: str, problem: str | None, detail: str, now: float) -> Health:
    previous = _health.get(alias)
    health = _health[alias] = Health(checked_at=now, problem=problem, detail=detail)
    repeated = (
        previous is not None
        and previous.problem == problem
        and now - previous.checked_at < settings.REPLICA_CHECK_SECONDS
    )
    if problem is not None and not repeated:
        logger.warning("Read replica %s skipped (%s), reading from the primary: %s", alias, problem, detail)
    return health


def _describe(error: BaseException) -> str:
    first_line = (str(error).strip().splitlines() or [""])[0]  # psycopg adds lines of hints
    return f"{type(error).__name__}: {first_line}"
