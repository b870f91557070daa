"""The data version: a token in the shared cache that changes whenever a write to Booky's data commits.

Every SQL statement of every connection (the web workers, the task worker, a management command)
passes through `track_writes`. An INSERT, UPDATE or DELETE on any table outside IGNORED_TABLES marks
the transaction dirty; when it commits, the token is replaced. So the token is the same for two reads
only if no write to the data committed in between, and a cache keyed by it (booky/core/page_cache.py)
never serves an answer older than the latest write — without knowing which rows a page shows.

This is deliberately coarse: any write anywhere changes it. Read-heavy traffic (the many open tabs
polling, people browsing) gets the hits; a burst of writes only costs misses, never a stale page.
Reading the token costs one cache GET (Redis when REDIS_URL is set; the page cache is only switched
on with a cache that all processes share).
"""

import contextlib
import re
import secrets
import time
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created

KEY = "booky:data-version"

# Tables whose writes do not change what a page shows: bookkeeping of the request itself (sessions:
# a logged-in page is keyed by its viewer anyway), the task queue's own rows, and the cache table.
IGNORED_TABLES = frozenset({"django_session", "django_cache"})
IGNORED_PREFIXES = ("django_tasks_database", "django_tasks_db")

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)', re.IGNORECASE)
_WRITE_KEYWORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b", re.IGNORECASE)
_READS = (
    "SELECT",
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "BEGIN",
    "COMMIT",
    "SET ",
    "SHOW",
    "EXPLAIN",
    "PRAGMA",
    "VALUES",
)

# Set while one request runs: did it write anything? (A page that wrote is never stored.)
_request_wrote: ContextVar[list | None] = ContextVar("booky_request_wrote", default=None)


def current() -> str:
    """The token now; "" when it is not in the cache (evicted, or never written): a miss, never a hit."""
    try:
        return cache.get(KEY) or ""
    except Exception:  # the cache is down: nothing can be trusted as fresh
        return ""


def bump() -> None:
    # A cache that is down cannot serve stored pages either (current() answers ""). One that comes
    # back still holding the old token could serve pages up to PAGE_CACHE_SECONDS old.
    with contextlib.suppress(Exception):
        cache.set(KEY, f"{time.time():.3f}-{secrets.token_hex(6)}", None)


def age_seconds(version: str) -> float | None:
    """How long ago the write that made `version` committed (its bump's wall clock), or None if unknown."""
    stamp, _, _ = version.partition("-")
    try:
        return time.time() - float(stamp)
    except ValueError:
        return None


def writes_table(sql: str) -> str | None:
    """The table a statement writes ("?" when it writes but the table is not plain to read), or None
    for a read. Anything not known to be a read counts as a write: a missed write would serve a stale
    page, a spurious one only costs a miss."""
    head = sql.lstrip()[:16].upper()
    if head.startswith(_READS):
        return None
    if head.startswith("WITH") and not _WRITE_KEYWORD.search(sql):
        return None
    match = _WRITE.match(sql)
    return match.group(1) if match else "?"


def _matters(table: str) -> bool:
    return table not in IGNORED_TABLES and not table.startswith(IGNORED_PREFIXES)


def _changed(connection) -> None:
    """A write to the data ran on `connection`. Bump now, and again when its transaction commits (at
    once in autocommit): a page read between the write and the commit may show the data before it,
    and is then stored under a token that the commit replaces. One commit callback per transaction."""
    wrote = _request_wrote.get()
    if wrote is not None:
        wrote.append(True)
    bump()
    if not connection.in_atomic_block:
        return
    pending = getattr(connection, "_booky_data_version_pending", None)
    if pending is not None and any(entry[1] is pending for entry in connection.run_on_commit):
        return
    connection._booky_data_version_pending = bump_once = _BumpOnce()
    transaction.on_commit(bump_once, using=connection.alias)


class _BumpOnce:
    def __call__(self):
        bump()


def _wrapper(connection):
    def track_writes(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        table = writes_table(sql) if isinstance(sql, str) else None
        if table is not None and _matters(table):
            _changed(connection)
        return result

    return track_writes


def _install(sender, connection, **kwargs) -> None:
    if not any(getattr(wrapper, "__name__", "") == "track_writes" for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(_wrapper(connection))


def install() -> None:
    """Track writes on every database connection this process opens (called from AppConfig.ready)."""
    connection_created.connect(_install, dispatch_uid="booky.data_version")


def request_started() -> object:
    return _request_wrote.set([])


def request_wrote() -> bool:
    return bool(_request_wrote.get())


def request_finished(token) -> None:
    _request_wrote.reset(token)
