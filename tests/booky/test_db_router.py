"""The read-replica router's decisions and the pin cookie, without a real replica.

The router takes its replicas and their health as arguments, so these tests give it a health answer
instead of a server; tests/operations/test_replicas.py runs the same code against a real streaming
replica.
"""

import logging
import time

import pytest
from django.core import signing
from django.http import HttpResponse
from django.test import RequestFactory
from prometheus_client import REGISTRY

from booky.core import replica_health, replicas
from booky.core.db_router import ReplicaRouter
from booky.core.replicas import (
    PIN_COOKIE,
    ReplicaReadsMiddleware,
    current_reads,
    pin_cookie_value,
    pin_is_valid,
    reads_scope,
)
from social.models import User


def fallbacks(replica: str, reason: str) -> float:
    return (
        REGISTRY.get_sample_value("booky_replica_fallbacks_total", {"replica": replica, "reason": reason})
        or 0
    )


def router_with(health: dict[str, str | None]) -> ReplicaRouter:
    """A router over `health`'s replicas, each answering its problem (None: healthy)."""
    return ReplicaRouter(replicas=list(health), problem=health.__getitem__)


@pytest.fixture(autouse=True)
def _fresh_health(settings):
    settings.REPLICA_ALIASES = ["replica_0"]
    replica_health.forget()
    yield
    replica_health.forget()


def test_reads_outside_a_web_request_go_to_the_primary():
    """Tasks, commands and shells: no request state, so the primary, even with a healthy replica."""
    assert router_with({"replica_0": None}).db_for_read(User) == "default"


def test_a_request_reads_from_a_healthy_replica():
    with reads_scope(primary_only=False):
        assert router_with({"replica_0": None}).db_for_read(User) == "replica_0"


def test_writes_go_to_the_primary_and_the_rest_of_the_request_reads_there():
    router = router_with({"replica_0": None})
    with reads_scope(primary_only=False) as reads:
        assert router.db_for_read(User) == "replica_0"
        assert router.db_for_write(User) == "default"
        assert router.db_for_read(User) == "default"
    assert reads.wrote


def test_a_pinned_request_reads_from_the_primary():
    with reads_scope(primary_only=True):
        assert router_with({"replica_0": None}).db_for_read(User) == "default"


def test_reads_inside_a_transaction_on_the_primary_stay_there(db):
    """pytest-django's `db` runs the test inside a transaction on default, as a service's would."""
    with reads_scope(primary_only=False):
        assert router_with({"replica_0": None}).db_for_read(User) == "default"


@pytest.mark.parametrize("reason", ["down", "lag"])
def test_an_unhealthy_replica_falls_back_to_the_primary_counted_once_per_request(reason):
    before = fallbacks("replica_0", reason)
    router = router_with({"replica_0": reason})
    with reads_scope(primary_only=False):
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(User) == "default"
    assert fallbacks("replica_0", reason) == before + 1


def test_reads_skip_an_unhealthy_replica_for_a_healthy_one():
    router = router_with({"replica_0": "down", "replica_1": None})
    with reads_scope(primary_only=False):
        assert {router.db_for_read(User) for _ in range(5)} == {"replica_1"}


def test_a_replica_that_fails_mid_request_is_not_read_again_in_it():
    router = router_with({"replica_0": None})
    with reads_scope(primary_only=False) as reads:
        assert router.db_for_read(User) == "replica_0"
        replica_health.replica_failed("replica_0", OSError("server closed the connection unexpectedly"))
        assert router.db_for_read(User) == "default"
    assert reads.failed == {"replica_0"}


def test_a_failure_is_logged_once_per_check_interval(caplog, settings):
    settings.REPLICA_CHECK_SECONDS = 60
    with caplog.at_level(logging.WARNING, logger="booky.core.replicas"):
        for _ in range(3):
            replica_health.replica_failed("replica_0", OSError("connection refused"))
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "Read replica replica_0 skipped (down), reading from the primary: OSError: connection refused"
    ]
    assert replica_health.problem("replica_0") == "down"  # no new check within the interval


def test_objects_from_a_replica_and_the_primary_may_be_related():
    router = router_with({"replica_0": None})
    on_replica, on_primary, elsewhere = User(), User(), User()
    on_replica._state.db, on_primary._state.db, elsewhere._state.db = "replica_0", "default", "archive"
    assert router.allow_relation(on_replica, on_primary) is True
    assert router.allow_relation(on_replica, elsewhere) is None


def test_migrations_never_run_on_a_replica():
    router = router_with({"replica_0": None})
    assert router.allow_migrate("replica_0", "social") is False
    assert router.allow_migrate("default", "social") is None


# The pin cookie


def test_a_fresh_pin_is_valid():
    assert pin_is_valid(pin_cookie_value())


def test_a_tampered_pin_is_not_valid():
    value = pin_cookie_value()
    assert not pin_is_valid("replica" + value[len("primary") :])
    assert not pin_is_valid(value[:-1] + ("A" if value[-1] != "A" else "B"))
    assert not pin_is_valid(signing.TimestampSigner(salt="another purpose").sign("primary"))
    assert not pin_is_valid("")
    assert not pin_is_valid(None)


def test_an_expired_pin_is_not_valid(settings, monkeypatch):
    settings.REPLICA_PIN_SECONDS = 10
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 11)
    old = pin_cookie_value()
    monkeypatch.setattr(signing.time, "time", lambda: now - 9)
    recent = pin_cookie_value()
    monkeypatch.undo()
    assert not pin_is_valid(old)
    assert pin_is_valid(recent)


# The middleware


class View:
    """Stands in for the rest of the request: records how it was routed, and may write or fail."""

    def __init__(self, *, writes: bool = False, replica_fails_once: bool = False):
        self.writes = writes
        self.replica_fails_once = replica_fails_once
        self.seen: list[bool | None] = []

    def __call__(self, request):
        reads = current_reads()
        self.seen.append(None if reads is None else reads.primary_only)
        if self.writes:
            ReplicaRouter(replicas=["replica_0"], problem=lambda alias: None).db_for_write(User)
        if self.replica_fails_once and len(self.seen) == 1:
            replica_health.replica_failed("replica_0", OSError("terminating connection"))
            return HttpResponse(status=503)
        return HttpResponse("ok")


def pin_of(response) -> str | None:
    cookie = response.cookies.get(PIN_COOKIE)
    return cookie.value if cookie is not None else None


def test_a_get_reads_from_replicas_and_sets_no_pin():
    view = View()
    response = ReplicaReadsMiddleware(view)(RequestFactory().get("/"))
    assert view.seen == [False]
    assert pin_of(response) is None


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unsafe_request_reads_from_the_primary_and_pins_the_browser(method, settings):
    settings.REPLICA_PIN_SECONDS = 10
    view = View()
    response = ReplicaReadsMiddleware(view)(getattr(RequestFactory(), method)("/"))
    assert view.seen == [True]
    cookie = response.cookies[PIN_COOKIE]
    assert pin_is_valid(cookie.value)
    assert cookie["max-age"] == 10
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_a_get_that_wrote_pins_the_browser():
    response = ReplicaReadsMiddleware(View(writes=True))(RequestFactory().get("/"))
    assert pin_is_valid(pin_of(response))


def test_a_request_with_a_valid_pin_reads_from_the_primary():
    view = View()
    request = RequestFactory().get("/", headers={"Cookie": f"{PIN_COOKIE}={pin_cookie_value()}"})
    ReplicaReadsMiddleware(view)(request)
    assert view.seen == [True]


def test_a_request_with_a_tampered_pin_reads_from_replicas():
    view = View()
    request = RequestFactory().get("/", headers={"Cookie": f"{PIN_COOKIE}=primary:forged:signature"})
    ReplicaReadsMiddleware(view)(request)
    assert view.seen == [False]


def test_a_get_whose_replica_failed_runs_again_on_the_primary():
    view = View(replica_fails_once=True)
    response = ReplicaReadsMiddleware(view)(RequestFactory().get("/"))
    assert view.seen == [False, True]
    assert response.status_code == 200


def test_without_replicas_the_middleware_only_passes_the_request_on(settings):
    settings.REPLICA_ALIASES = []
    view = View(writes=True)
    response = ReplicaReadsMiddleware(view)(RequestFactory().post("/"))
    assert view.seen == [None]
    assert pin_of(response) is None


def test_replica_urls_add_mirrored_aliases_and_the_router(run_django):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(sorted(s.DATABASES), s.REPLICA_ALIASES, s.DATABASE_ROUTERS, "
        "s.DATABASES['replica_1']['PORT'], s.DATABASES['replica_1']['TEST']['MIRROR'], s.DATABASES['replica_1']['ENGINE'])"
    )
    env = {
        "DEBUG": "1",
        "DATABASE_URL": "postgres://booky@db:5432/booky",
        "DATABASE_REPLICA_URLS": "postgres://booky@replica-a:5432/booky, postgres://booky@replica-b:6432/booky",
    }
    result = run_django(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['default', 'replica_0', 'replica_1'] ['replica_0', 'replica_1'] "
        "['booky.core.db_router.ReplicaRouter'] 6432 default booky.core.replica_postgresql"
    )


def test_without_replica_urls_there_is_no_router(run_django):
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DATABASE_ROUTERS)"
    result = run_django(code, {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- the page cache beside replicas -------------------------------------------------------------


class _Request:
    def __init__(self, version: str):
        self._page_cache_version = version


@pytest.mark.parametrize(
    ("read_a_replica", "written_seconds_ago", "stored"),
    [
        (False, 0.5, True),  # every read on the primary: it shows the latest write
        (True, 0.5, False),  # a replica may not have replayed a write this fresh
        (True, 60, True),  # a write older than the lag allowed plus the check interval is on it
    ],
)
def test_a_page_read_from_a_replica_is_stored_only_when_the_latest_write_must_be_on_it(
    settings, read_a_replica, written_seconds_ago, stored
):
    from booky.core import page_cache

    settings.REPLICA_MAX_LAG_SECONDS, settings.REPLICA_CHECK_SECONDS = 5, 2
    version = f"{time.time() - written_seconds_ago:.3f}-abcdef"
    with replicas.reads_scope(primary_only=False) as reads:
        reads.read_a_replica = read_a_replica
        assert page_cache._may_lag_the_version(_Request(version)) is not stored


def test_a_version_of_unknown_age_from_a_replica_read_is_not_stored():
    from booky.core import page_cache

    with replicas.reads_scope(primary_only=False) as reads:
        reads.read_a_replica = True
        assert page_cache._may_lag_the_version(_Request("not-a-stamp"))
