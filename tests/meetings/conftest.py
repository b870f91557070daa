import pytest
from django.conf import settings

from tests.factories import MeetingFactory

POSTGRES_MARKER = (
    "postgres: two connections racing for one row; needs a database where a writer waits for the other's "
    "lock (PostgreSQL, or SQLite in a file via SQLITE_TEST_PATH). Deselected on in-memory SQLite."
)
IN_MEMORY_REASON = (
    "deselected {count} concurrency test(s) marked `postgres`: the in-memory SQLite test database shares one "
    "cache between connections and answers 'database table is locked' instead of waiting. Run them with "
    "DATABASE_URL=postgres://... or SQLITE_TEST_PATH=/tmp/booky-test.sqlite3."
)
_DESELECTED = pytest.StashKey[int]()


def _test_database_is_in_memory_sqlite() -> bool:
    database = settings.DATABASES["default"]
    name = (database.get("TEST") or {}).get("NAME") or ""
    return database["ENGINE"].endswith("sqlite3") and (
        not name or name == ":memory:" or "mode=memory" in name
    )


def pytest_configure(config):
    config.addinivalue_line("markers", POSTGRES_MARKER)


def pytest_collection_modifyitems(config, items):
    if not _test_database_is_in_memory_sqlite():
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.hook.pytest_deselected(items=deselected)
        config.stash[_DESELECTED] = len(deselected)


def pytest_terminal_summary(terminalreporter, config):
    count = config.stash.get(_DESELECTED, 0)
    if count:
        terminalreporter.write_line(IN_MEMORY_REASON.format(count=count), yellow=True)


@pytest.fixture
def meeting(cast):
    """A scheduled meeting of the `cast` club, a week from now, target page 300."""
    return MeetingFactory(club=cast.club)
