import pytest
from django.conf import settings
from rest_framework.test import APIClient

from clubs.models import JoinRequest, Role
from tests.factories import ClubFactory, UserFactory, add_member


@pytest.fixture(autouse=True)
def _fast_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: cached fragments (the landing page's clubs, a dashboard's
    activity) must not carry over from one test's data to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _rate_limit_windows_stand_still(monkeypatch):
    """django-ratelimit counts per fixed clock window; a slow test (PostgreSQL, a busy CI machine) that
    crosses a minute boundary would see its count restart. Tests run inside one frozen window."""
    import time
    from types import SimpleNamespace

    import django_ratelimit.core

    frozen = time.time()
    # Replace the module's `time` name only, not time.time itself (caches and timeouts need a real clock).
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: frozen))


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


class ClubCast:
    """One club and one person in each role around it."""

    def __init__(self, club):
        self.club = club
        self.owner = club.memberships.get(role=Role.OWNER).user
        self.moderator = add_member(club, role=Role.MODERATOR).user
        self.member = add_member(club).user
        self.requester = UserFactory()
        JoinRequest.objects.create(club=club, user=self.requester)
        self.outsider = UserFactory()

    def user_for(self, role: str):
        """`role` is one of owner, moderator, member, requester, outsider, anonymous."""
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def cast(db):
    return ClubCast(ClubFactory())


ROLES = ["owner", "moderator", "member", "requester", "outsider", "anonymous"]


# Concurrency tests (threads racing for rows) are marked `postgres`.
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
