"""Read replicas against a real streaming replica (`make replica`, 127.0.0.1:REPLICA_PORT).

A read-only replica cannot hold a test database of its own, so these tests do not use pytest-django's:
they make `<DATABASE_URL's name>_replica_check` on the primary, which the replica receives by
streaming, and serve it with gunicorn in a subprocess (ports 8300-8399) whose DATABASE_REPLICA_URLS
points at the same database on the replica. Which server answered shows in the data itself: the
replica is held behind (replay delayed or paused) so that it visibly lacks a write the primary has.
Each test leaves the replica streaming and caught up.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests
from psycopg import sql

pytestmark = pytest.mark.operations

PROJECT_DIR = Path(__file__).resolve().parents[2]
REPLICA_PORT = int(os.environ.get("REPLICA_PORT", "5433"))
REPLICA_DATA_DIR = os.environ.get("REPLICA_DATA_DIR", f"/var/tmp/booky-replica-{REPLICA_PORT}")
PG_BIN = "/usr/lib/postgresql/15/bin"
PRIMARY_URL = urlsplit(os.environ.get("DATABASE_URL") or "postgres://root@127.0.0.1:5432/booky")
DATABASE = f"{PRIMARY_URL.path.lstrip('/') or 'booky'}_replica_check"
PRIMARY_DB_URL = urlunsplit(PRIMARY_URL._replace(path=f"/{DATABASE}"))
REPLICA_DB_URL = urlunsplit(
    PRIMARY_URL._replace(netloc=f"{PRIMARY_URL.username}@127.0.0.1:{REPLICA_PORT}", path=f"/{DATABASE}")
)
CLOSED_PORT_URL = urlunsplit(
    PRIMARY_URL._replace(netloc=f"{PRIMARY_URL.username}@127.0.0.1:1", path=f"/{DATABASE}")
)
USERNAME = "replica_reader"


def base_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": PRIMARY_DB_URL,
        "DATABASE_REPLICA_URLS": "",
        "REDIS_URL": "",
        "PAGE_CACHE_SECONDS": "0",
        "TASKS_BACKEND": "immediate",
        "GOOGLE_BOOKS_ENABLED": "0",
        "OPEN_LIBRARY_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    return {**env, **extra}


def manage(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env or base_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def connect(port: int, database: str = DATABASE) -> psycopg.Connection:
    url = PRIMARY_URL._replace(netloc=f"{PRIMARY_URL.username}@127.0.0.1:{port}", path=f"/{database}")
    return psycopg.connect(urlunsplit(url), autocommit=True, connect_timeout=5)


def primary(query: str, params=()) -> list[tuple]:
    with connect(PRIMARY_URL.port or 5432) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def replica(query: str, params=()) -> list[tuple]:
    with connect(REPLICA_PORT) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def wait_for(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(psycopg.Error):
            if condition():
                return
        time.sleep(0.1)
    pytest.fail(f"Timed out after {seconds} s waiting for {what}")


def replica_caught_up() -> bool:
    """Everything the primary has written so far is replayed on the replica."""
    target = primary("SELECT pg_current_wal_lsn()")[0][0]
    return replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))[0][0]


def bio_on(read, marker: str) -> bool:
    return read("SELECT bio FROM social_user WHERE username = %s", (USERNAME,))[0][0] == marker


@pytest.fixture(scope="module")
def check_database():
    """The primary's `<name>_replica_check`, migrated, with one member and two signed-in sessions."""
    try:
        with connect(REPLICA_PORT, "postgres") as connection:
            in_recovery = connection.execute("SELECT pg_is_in_recovery()").fetchone()[0]
    except psycopg.OperationalError as error:
        pytest.fail(f"No replica on 127.0.0.1:{REPLICA_PORT} ({error}); start one with `make replica`.")
    assert in_recovery, f"The server on port {REPLICA_PORT} is not a replica (not in recovery)."
    with connect(PRIMARY_URL.port or 5432, "postgres") as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    manage("migrate", "--noinput", "--verbosity", "0")
    sessions = json.loads(
        manage(
            "shell",
            "-c",
            f"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from social.models import User
user = User.objects.create_user(username="{USERNAME}", email="reader@example.com", password="booky-demo-2026")
keys = []
for _ in range(2):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
print(json.dumps(keys))
""",
        )
        .strip()
        .splitlines()[-1]
    )
    wait_for(replica_caught_up, "the replica to receive the new database")
    yield sessions
    with connect(PRIMARY_URL.port or 5432, "postgres") as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )


def free_port() -> int:
    for port in range(8300, 8400):
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return port
    pytest.fail("No free port in 8300-8399")


class Server:
    def __init__(self, log_path: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = log_path.open("w")
        environment = base_env(
            **{
                "DATABASE_REPLICA_URLS": REPLICA_DB_URL,
                "WEB_CONCURRENCY": "1",
                "BOOKY_DRAIN_SECONDS": "0",
                **env,
            }
        )
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--config",
                "booky/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=PROJECT_DIR,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/healthz", timeout=10).status_code == 200:
                    return
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()

    def client(self, session_key: str) -> requests.Session:
        browser = requests.Session()
        browser.cookies.set("sessionid", session_key, domain="127.0.0.1")
        return browser

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(**env: str) -> Server:
        server = Server(tmp_path / f"gunicorn-{len(servers)}.log", **env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def save_bio(server: Server, browser: requests.Session, marker: str) -> requests.Response:
    page = browser.get(f"{server.url}/settings/", timeout=10)
    assert page.status_code == 200, page.text[:500]
    token = browser.cookies.get("csrftoken")
    assert token, "the settings page set no CSRF cookie"
    return browser.post(
        f"{server.url}/settings/",
        data={"display_name": "", "bio": marker, "timezone": "UTC", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{server.url}/settings/"},
        allow_redirects=False,
        timeout=10,
    )


def shows(server: Server, browser: requests.Session, marker: str) -> bool:
    page = browser.get(f"{server.url}/settings/", timeout=10)
    assert page.status_code == 200, page.text[:500]
    return marker in page.text


@contextlib.contextmanager
def replay_delayed():
    """The replica receives WAL but applies it an hour late: healthy to a lenient lag limit, visibly old."""
    replica("ALTER SYSTEM SET recovery_min_apply_delay = '1h'")
    replica("SELECT pg_reload_conf()")
    wait_for(lambda: replica("SHOW recovery_min_apply_delay")[0][0] == "1h", "the replay delay")
    try:
        yield
    finally:
        replica("ALTER SYSTEM RESET recovery_min_apply_delay")
        replica("SELECT pg_reload_conf()")
        wait_for(replica_caught_up, "the replica to catch up after the delay")


@contextlib.contextmanager
def replay_paused():
    replica("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        replica("SELECT pg_wal_replay_resume()")
        wait_for(replica_caught_up, "the replica to catch up after the pause")


def routed_read(env: dict[str, str]) -> dict:
    """Read the member as one web request would, in a new process: where it came from, and the counter."""
    code = f"""
import json
from prometheus_client import REGISTRY
from booky.core.replicas import reads_scope
from social.models import User
with reads_scope(primary_only=False):
    user = User.objects.get(username="{USERNAME}")
counts = {{
    reason: REGISTRY.get_sample_value("booky_replica_fallbacks_total", {{"replica": "replica_0", "reason": reason}})
    for reason in ("down", "lag")
}}
print(json.dumps({{"database": user._state.db, "bio": user.bio, "fallbacks": counts}}))
"""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "log": result.stderr}


def test_a_writer_reads_its_write_from_the_primary_while_others_read_the_replica(check_database, serve):
    writer_session, other_session = check_database
    # A lag limit of an hour: the delayed replica stays in use, so its old answers show.
    server = serve(REPLICA_MAX_LAG_SECONDS="3600")
    writer, other = server.client(writer_session), server.client(other_session)
    marker = f"read-your-writes {uuid.uuid4().hex[:8]}"
    with replay_delayed():
        response = save_bio(server, writer, marker)
        assert response.status_code in (200, 302, 303), response.text[:500]
        assert "booky_primary" in response.cookies
        assert bio_on(primary, marker) and not bio_on(replica, marker)

        assert shows(server, writer, marker)  # pinned: the primary answered
        assert not shows(server, other, marker)  # not pinned: the replica, which lacks the write
    wait_for(lambda: bio_on(replica, marker), "the write to reach the replica")
    assert shows(server, other, marker)
    assert "skipped" not in server.output()


def test_a_lagging_replica_falls_back_to_the_primary_logged_and_counted(check_database, serve):
    _, other_session = check_database
    server = serve(REPLICA_CHECK_SECONDS="0.2")
    other = server.client(other_session)
    marker = f"lag {uuid.uuid4().hex[:8]}"
    with replay_paused():
        primary("UPDATE social_user SET bio = %s WHERE username = %s", (marker, USERNAME))
        wait_for(
            lambda: replica("SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")[0][0],
            "the write to be received and not replayed",
        )
        assert not bio_on(replica, marker)
        time.sleep(0.3)  # past the server's last health answer

        assert shows(server, other, marker)  # the primary answered
        read = routed_read(base_env(DATABASE_REPLICA_URLS=REPLICA_DB_URL))
    assert read["database"] == "default" and read["bio"] == marker
    assert read["fallbacks"]["lag"] == 1
    expected = (
        "Read replica replica_0 skipped (lag), reading from the primary: replay is paused with WAL waiting"
    )
    assert expected in read["log"]
    assert expected in server.output()


def test_a_replica_that_does_not_answer_falls_back_to_the_primary(check_database, serve):
    _, other_session = check_database
    env = {"DATABASE_REPLICA_URLS": CLOSED_PORT_URL}
    server = serve(**env)
    other = server.client(other_session)
    for _ in range(3):
        page = other.get(f"{server.url}/settings/", timeout=10)
        assert page.status_code == 200
    assert (
        "Read replica replica_0 skipped (down), reading from the primary: OperationalError" in server.output()
    )
    read = routed_read(base_env(**env))
    assert read["database"] == "default"
    assert read["fallbacks"]["down"] == 1


def test_a_replica_that_stops_between_checks_costs_no_page(check_database, serve):
    """The health answer still says healthy (checked once an hour here), the replica is gone: the read
    fails mid-request, and the request runs again on the primary."""
    _, other_session = check_database
    server = serve(REPLICA_CHECK_SECONDS="3600")
    other = server.client(other_session)
    assert other.get(f"{server.url}/settings/", timeout=10).status_code == 200  # connected to the replica
    pg_ctl = ["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", REPLICA_DATA_DIR, "-w"]
    subprocess.run([*pg_ctl, "-m", "fast", "stop"], check=True, capture_output=True)
    try:
        page = other.get(f"{server.url}/settings/", timeout=10)
        assert page.status_code == 200
        log = server.output()
        # The first run failed on the replica (and made a 503), the retry on the primary made the 200.
        assert "Database unavailable: GET /settings/ answered 503" in log
        assert (
            "Read replica replica_0 skipped (down), reading from the primary: OperationalError"
            in server.output()
        )
    finally:
        subprocess.run([*pg_ctl, "-l", f"{REPLICA_DATA_DIR}.log", "start"], check=True, capture_output=True)
        wait_for(lambda: replica("SELECT pg_is_in_recovery()")[0][0], "the replica to start again")
        wait_for(replica_caught_up, "the replica to catch up after its restart")
