"""Two web nodes, one PostgreSQL database, one Redis: what one node knows, the other knows too.

A module fixture makes its own database (booky_nodes_check, beside DATABASE_URL's server, copied
from a migrated template kept per migration hash), seeds it, flushes Redis db 11 and starts two
gunicorn masters with booky/gunicorn.conf.py, two workers each, production settings (DEBUG off),
the same SECRET_KEY, on two ports. pytest-django's test database is not used: every check goes
through HTTP, a management command or plain SQL.

- A login on node A is a session on node B; a logout on B ends it on A too. (With the sessions in
  a per-process cache, A would still serve its copy of the ended session.)
- allauth's login limits count across both nodes: failed logins of one account alternating between
  A and B (each under its own host:port) lock it out after as many attempts as on one node, and so
  do failures from one address.
- One meeting settles once: with two `resolve_due_meetings` sweeps and a task worker released at the
  same instant while both nodes serve the meeting, exactly one settles it, every payout is in the
  ledger once, `audit_points` is clean and both nodes show the settlement (no stored page outlives
  it). And a meeting cancelled on both nodes at the same instant is cancelled (and refunded) once.

HTTPS: production sets Secure session and CSRF cookies, and TLS ends at the load balancer. The
clients here speak plain HTTP to gunicorn as that load balancer would, sending
`X-Forwarded-Proto: https` (SECURE_PROXY_SSL_HEADER) and `X-Forwarded-For` (TRUSTED_PROXY_COUNT=1,
so each simulated visitor has its own address for the rate limits), and their cookie jar sends Secure
cookies over that hop. No setting is relaxed for the test.
"""

import hashlib
import html
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
import requests
from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import parse_rates
from prometheus_client.parser import text_string_to_metric_families
from psycopg import sql

from bets.models import FINISH_AWARD, Reason
from bets.payouts import BetLine, Outcome, settle

pytestmark = pytest.mark.operations

PROJECT_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = PROJECT_DIR / ".venv" / "bin"
DATABASE = "booky_nodes_check"
REDIS_URL = "redis://127.0.0.1:6379/11"
PORT_RANGE = range(8200, 8300)
STARTUP_TIMEOUT = 60
SITE_HOST = "127.0.0.1"  # the public name, served by both nodes behind the load balancer
PASSWORD = "two-nodes-one-session-2026"
TOO_MANY_ATTEMPTS = str(DefaultAccountAdapter.error_messages["too_many_login_attempts"])
WRONG_PASSWORD = str(DefaultAccountAdapter.error_messages["username_password_mismatch"])

# Run with Django set up, after migrate: the members, a club, a meeting that started ten minutes ago
# (bets placed, one finisher, not settled) and one a week away (bets placed). Prints their ids.
SEED = """
import json
from datetime import timedelta

from django.utils import timezone

from bets import services as bets
from books.models import Book
from clubs import services as clubs
from clubs.models import Membership, Role
from meetings import services as meetings
from meetings.models import Rsvp
from social.models import User

now = timezone.now()
users = {}
for name in ("ada", "bruno", "chiara", "grace", "dev", "elena"):
    user = User(username=name, email=f"{name}@example.com")
    user.set_password(PASSWORD)
    user.save()
    bets.account_open(user=user)
    users[name] = user
club = clubs.club_create(owner=users["ada"], name="Two Node Readers", city="Lisbon", country="Portugal")
Membership.objects.create(club=club, user=users["bruno"], role=Role.MODERATOR)
for name in ("chiara", "grace"):
    Membership.objects.create(club=club, user=users[name], role=Role.MEMBER)
book = Book.objects.create(title="Frankenstein", authors=["Mary Shelley"], page_count=280, source="manual")


def play(starts_at, scheduled_at, stakes, finishers):
    meeting = meetings.meeting_create(
        actor=users["ada"], club=club, book=book, starts_at=starts_at, place="Online", now=scheduled_at
    )
    for name in ("ada", "bruno", "chiara", "grace"):
        meetings.attendance_rsvp(user=users[name], meeting=meeting, rsvp=Rsvp.GOING, now=scheduled_at)
    for bettor, horse, amount in stakes:
        bets.bet_place(
            bettor=users[bettor], meeting=meeting, horse=users[horse], amount=amount, now=scheduled_at
        )
    for name in finishers:
        meetings.attendance_progress(
            user=users[name], meeting=meeting, current_page=meeting.target_page, now=scheduled_at
        )
    return meeting.pk


due = play(
    now - timedelta(minutes=10),
    now - timedelta(days=3),
    [("bruno", "grace", 30), ("chiara", "grace", 20), ("ada", "bruno", 25), ("grace", "grace", 40)],
    ["grace"],
)
upcoming = play(
    now + timedelta(days=7),
    now - timedelta(days=1),
    [("chiara", "ada", 10), ("grace", "bruno", 15), ("bruno", "chiara", 5)],
    [],
)
print(json.dumps({"due": due, "upcoming": upcoming, "users": {n: u.pk for n, u in users.items()}}))
"""

SETUP = (
    f"""
import django
django.setup()
PASSWORD = {PASSWORD!r}
"""
    + SEED
)

# A racer: Django set up and connected, it says "ready", waits for a line on stdin, then runs the
# management command named by its arguments. Released together, the commands really overlap.
RACER = """
import sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
connection.ensure_connection()
print("ready", flush=True)
if sys.stdin.readline().strip() == "go":  # not at EOF: a test that failed before its turn
    call_command(*sys.argv[1:])
"""


def server_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://root@127.0.0.1:5432/booky"
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def free_ports(count: int) -> list[int]:
    ports = []
    for port in PORT_RANGE:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise AssertionError(f"no {count} free ports in {PORT_RANGE}")


def migrated_template() -> str:
    """A database migrated to the current migrations, to copy: `CREATE DATABASE ... TEMPLATE` takes a
    second where migrating takes twenty. Named after a hash of every migration (ours, and through
    uv.lock the packages'), so a new migration makes a new one; older ones are dropped."""
    digest = hashlib.sha256((PROJECT_DIR / "uv.lock").read_bytes())
    for path in sorted(PROJECT_DIR.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(PROJECT_DIR)).encode() + path.read_bytes())
    name = f"{DATABASE}_template_{digest.hexdigest()[:12]}"
    with psycopg.connect(server_url("postgres"), autocommit=True, connect_timeout=5) as connection:
        existing = [row[0] for row in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{DATABASE}_template_%"]
        )]  # fmt: skip
        if name in existing:
            return name
        for old in existing:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(old)))
        building = f"{name}_building"  # renamed once complete: an interrupted run leaves no half template
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(building))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
        migrate = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"],
            cwd=PROJECT_DIR,
            env={**node_env(), "DATABASE_URL": server_url(building)},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        connection.execute(
            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(building), sql.Identifier(name))
        )
    return name


def static_manifest_is_current() -> bool:
    """collectstatic ran after the last change to our static files and to the packages (theirs)."""
    manifest = PROJECT_DIR / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [
        PROJECT_DIR / "uv.lock",
        *(path for path in (PROJECT_DIR / "static").rglob("*") if path.is_file()),
    ]
    return manifest.stat().st_mtime > max(path.stat().st_mtime for path in sources)


def node_env() -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "booky.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATABASE_URL": server_url(DATABASE),
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "two-nodes-share-this-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": SITE_HOST,
        "SECURE_SSL_REDIRECT": "0",
        "TRUSTED_PROXY_COUNT": "1",
        "WEB_CONCURRENCY": "2",
        "BOOKY_DRAIN_SECONDS": "0",
        "GOOGLE_BOOKS_ENABLED": "0",
        "OPEN_LIBRARY_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "METRICS_TOKEN": METRICS_TOKEN,
    }


METRICS_TOKEN = "two-nodes-metrics-token"


@dataclass
class Node:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@dataclass
class Cluster:
    a: Node
    b: Node
    env: dict
    seed: dict
    commands: list = field(default_factory=list)  # PreparedCommands, stopped at the end

    def logs(self) -> str:
        return "\n".join(f"--- {node.name}\n{node.log.read_text()[-4000:]}" for node in (self.a, self.b))

    def query(self, statement: str, params=()) -> list[tuple]:
        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            return connection.execute(statement, params).fetchall()


class Visitor:
    """One browser (one cookie jar, one client address) that may reach either node."""

    def __init__(self, address: str, *, host_per_node: bool = False):
        self.session = requests.Session()
        self.address = address
        self.host_per_node = host_per_node

    def headers(self, node: Node) -> dict:
        # What the load balancer forwards: the site's one host name whichever node it picks (or, as a
        # proxy that forwards the upstream's address does, the node's own host:port), the scheme and
        # the visitor's address.
        host = f"{SITE_HOST}:{node.port}" if self.host_per_node else SITE_HOST
        return {
            "Host": host,
            "Origin": f"https://{host}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
        }

    def get(self, node: Node, path: str) -> requests.Response:
        return self.send("GET", node, path)

    def send(self, method: str, node: Node, path: str, data: dict | None = None) -> requests.Response:
        response = self.session.request(
            method, node.url + path, data=data, headers=self.headers(node), allow_redirects=False, timeout=30
        )
        # The visitor's browser speaks HTTPS to the load balancer, which forwards plain HTTP: Secure
        # cookies travel on that hop, so the jar must send them over http:// too.
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def post(self, node: Node, path: str, data: dict, *, form_page: str | None = None) -> requests.Response:
        """POST the way a browser submits the form of `form_page` (default: `path`): its CSRF token."""
        page = self.get(node, form_page or path)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        return self.send("POST", node, path, {"csrfmiddlewaretoken": token.group(1), **data})

    def log_in(self, node: Node, username: str, password: str = PASSWORD) -> requests.Response:
        return self.post(node, "/accounts/login/", {"login": username, "password": password})


def wait_until_ready(node: Node) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert node.process.poll() is None, node.log.read_text()
        try:
            if requests.get(node.url + "/readyz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{node.name} did not become ready:\n{node.log.read_text()}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    logs = tmp_path_factory.mktemp("two_nodes")
    env = node_env()
    python = str(VENV_BIN / "python")
    # The production static storage needs its manifest (and no database): meanwhile, when it is due.
    collectstatic = subprocess.Popen(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"]
        if not static_manifest_is_current()
        else [python, "-c", ""],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    template = migrated_template()
    with psycopg.connect(server_url("postgres"), autocommit=True, connect_timeout=5) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
        )
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(DATABASE), sql.Identifier(template)
            )
        )
    redis.Redis.from_url(REDIS_URL).flushdb()
    # The data and both nodes' workers at once, since each mostly waits for its imports. No page is
    # asked for before the data and the static manifest are there.
    setup = subprocess.Popen(
        [python, "-c", SETUP],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    nodes = []
    # The nodes start only once the manifest is written: each worker's static storage reads it once,
    # when first used, and a worker that read none answers 500 for every page ("Missing staticfiles
    # manifest entry") until it is recycled.
    collected = collectstatic.wait(timeout=180)
    assert collected == 0, collectstatic.stdout.read()
    for name, port in zip(("A", "B"), free_ports(2), strict=True):
        log = logs / f"node-{name}.log"
        command = [
            str(VENV_BIN / "gunicorn"),
            "--config", "booky/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{port}",
        ]  # fmt: skip
        with log.open("w") as log_file:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        nodes.append(Node(name, port, process, log))
    try:
        out, err = setup.communicate(timeout=120)
        assert setup.returncode == 0, err
        seed = json.loads(out.strip().splitlines()[-1])
        for node in nodes:
            wait_until_ready(node)
        cluster = Cluster(nodes[0], nodes[1], env, seed)
        yield cluster
        for command in cluster.commands:
            if command.process.poll() is None:
                command.process.kill()
                command.process.communicate()
    finally:
        for helper in (setup, collectstatic):
            if helper.poll() is None:
                helper.kill()
                helper.wait()
        for node in nodes:
            node.stop()
        with psycopg.connect(server_url("postgres"), autocommit=True, connect_timeout=5) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE))
            )


# --- sessions ----------------------------------------------------------------------------------


def test_a_login_on_one_node_is_a_session_on_the_other_and_a_logout_on_either_ends_it(cluster):
    a, b = cluster.a, cluster.b
    visitor = Visitor("198.51.100.1")

    logged_in = visitor.log_in(a, "ada")
    assert logged_in.status_code == 302, (logged_in.status_code, logged_in.text[:500], cluster.logs())
    assert logged_in.headers["Location"] == "/"
    # Members-only page on the other node, and on each of its workers (several tries).
    for _ in range(4):
        page = visitor.get(b, "/settings/")
        assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
        assert 'value="ada"' in page.text or ">ada<" in page.text or "ada@example.com" in page.text

    logged_out = visitor.post(b, "/accounts/logout/", {})
    assert logged_out.status_code == 302, logged_out.text[:500]
    for node in (a, b, a, b):
        page = visitor.get(node, "/settings/")
        assert page.status_code == 302, f"node {node.name} still serves the ended session"
        assert page.headers["Location"].startswith("/accounts/login/")


# --- login limits --------------------------------------------------------------------------------


def login_failed_limits() -> dict[str, int]:
    """allauth's configured limits on failed logins, per account ("key") and per client address."""
    rates = parse_rates(allauth_settings.RATE_LIMITS["login_failed"])
    return {per: min(rate.amount for rate in rates if rate.per == per) for per in ("key", "ip")}


def failures_until_refused(attempts) -> tuple[int, requests.Response]:
    """Make failing login attempts (node, visitor, username) until one is refused as too many; how many
    were let through to the password check, and the refusal."""
    for count, (node, visitor, username) in enumerate(attempts):
        response = visitor.log_in(node, username, password="not-the-password")
        text = html.unescape(response.text)
        if TOO_MANY_ATTEMPTS in text:
            return count, response
        assert response.status_code != 302, "a wrong password logged in"
        assert WRONG_PASSWORD in text, text[:1000]
    raise AssertionError("never refused")


def test_failed_logins_of_one_account_lock_it_out_across_both_nodes_as_on_one(cluster):
    a, b = cluster.a, cluster.b
    limit = login_failed_limits()["key"]
    assert limit < login_failed_limits()["ip"]  # else the per-address limit would trip first

    one_node = Visitor("198.51.100.2")
    counted_on_one, _ = failures_until_refused((a, one_node, "dev") for _ in range(limit + 2))

    # Another account, another address: the attempts alternate A, B, A, B..., each node under its own
    # host:port (the lockout is per account, not per host name: social/adapters.py).
    visitor = Visitor("198.51.100.3", host_per_node=True)
    counted_on_two, refusal = failures_until_refused(
        ((a, b)[index % 2], visitor, "elena") for index in range(limit + 2)
    )

    assert counted_on_one == counted_on_two == limit
    # Locked out on both nodes, even with the right password, from a fresh browser and address.
    for node in (a, b):
        response = Visitor("198.51.100.4").log_in(node, "elena")
        assert response.status_code != 302
        assert TOO_MANY_ATTEMPTS in html.unescape(response.text)


def test_failed_logins_from_one_address_are_limited_across_both_nodes(cluster):
    a, b = cluster.a, cluster.b
    limit = login_failed_limits()["ip"]
    # A different (unknown) name each time, so only the per-address count can trip.
    visitor = Visitor("198.51.100.5")
    counted, _ = failures_until_refused(
        ((a, b)[index % 2], visitor, f"nobody{index}") for index in range(limit + 2)
    )
    assert counted == limit


# --- settlement ----------------------------------------------------------------------------------


class PreparedCommand:
    """A management command in its own process, started now and run on `go()`: Django is set up and
    connected by then, so several really start together and none waits for its imports."""

    def __init__(self, cluster: Cluster, *args: str):
        self.args = args
        self.process = subprocess.Popen(
            [str(VENV_BIN / "python"), "-c", RACER, *args],
            cwd=PROJECT_DIR,
            env=cluster.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        cluster.commands.append(self)

    def wait_ready(self) -> None:
        line = self.process.stdout.readline()
        assert line.strip() == "ready", (
            self.args,
            line,
            self.process.poll() is not None and self.process.stderr.read(),
        )

    def go(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def finish(self) -> str:
        out, err = self.process.communicate(timeout=60)
        assert self.process.returncode == 0, (self.args, out, err)
        return out + err

    def run(self) -> str:
        self.wait_ready()
        self.go()
        return self.finish()


def assert_points_consistent(auditor: PreparedCommand) -> None:
    output = auditor.run()
    assert "Points are consistent." in output, output


def release_together(racers: list[PreparedCommand], requests_at_once: list) -> list:
    """Run the racers and make the HTTP requests (callables) at the same instant; their answers."""
    barrier = threading.Barrier(len(requests_at_once) + 1, timeout=30)
    answers: list = [None] * len(requests_at_once)

    def run(index, send):
        barrier.wait()
        try:
            answers[index] = send()
        except Exception as error:  # noqa: BLE001 - reported by the test
            answers[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests_at_once)]
    for thread in threads:
        thread.start()
    barrier.wait()
    for racer in racers:
        racer.go()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_one_meeting_settles_once_with_two_sweeps_a_worker_and_both_nodes_at_once(cluster):
    a, b = cluster.a, cluster.b
    meeting = cluster.seed["due"]
    users = cluster.seed["users"]
    # Started first, so they set up while the visitors log in.
    racers = [
        PreparedCommand(cluster, "resolve_due_meetings"),
        PreparedCommand(cluster, "resolve_due_meetings"),
        PreparedCommand(cluster, "db_worker", "--batch", "--no-startup-delay"),
    ]
    auditor = PreparedCommand(cluster, "audit_points")
    ada, bruno = Visitor("198.51.100.6"), Visitor("198.51.100.7")
    assert ada.log_in(a, "ada").status_code == 302
    assert bruno.log_in(b, "bruno").status_code == 302
    balances_before = dict(cluster.query("SELECT user_id, balance FROM bets_account"))
    api = f"/api/v1/meetings/{meeting}/bets/"
    # Both nodes have answered (and stored) the board of the unsettled meeting.
    for visitor, node in ((ada, a), (bruno, b), (ada, b), (bruno, a)):
        board = visitor.get(node, api)
        assert board.status_code == 200 and board.json()["resolved_at"] is None, board.text[:500]
    queued = cluster.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s AND status = 'READY'",
        ["%resolve_meeting_bets"],
    )[0][0]
    assert queued >= 1  # meeting_create deferred its settlement to the start, for the worker

    for racer in racers:
        racer.wait_ready()
    answers = release_together(
        racers,
        [
            lambda: ada.get(a, api),
            lambda: bruno.get(b, api),
            lambda: ada.get(b, f"/meetings/{meeting}/"),
            lambda: bruno.get(a, f"/meetings/{meeting}/"),
        ],
    )
    outputs = [racer.finish() for racer in racers]
    assert all(getattr(answer, "status_code", None) == 200 for answer in answers), (answers, cluster.logs())

    swept = sum(int(re.search(r"Resolved (\d+) meeting", out).group(1)) for out in outputs[:2])
    by_task = [
        value
        for (value,) in cluster.query(
            "SELECT return_value FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE %s AND status = 'SUCCESSFUL'",
            ["%resolve_meeting_bets"],
        )
    ]
    assert swept + by_task.count(True) == 1, (swept, by_task, outputs)

    # The ledger: one settlement entry per bet that pays, of the payout the rules give, and one
    # finisher's award; every balance moved by exactly those entries.
    bets = cluster.query(
        "SELECT id, bettor_id, horse_id, amount, status, payout FROM bets_bet WHERE meeting_id = %s ORDER BY id",
        [meeting],
    )
    expected = {
        s.bet_id: s
        for s in settle(
            [
                BetLine(bet_id, horse, amount, index)
                for index, (bet_id, _, horse, amount, _, _) in enumerate(bets)
            ],
            winners={users["grace"]},
        )
    }
    assert {bet_id: (status, payout) for bet_id, _, _, _, status, payout in bets} == {
        bet_id: (s.outcome.value, s.payout) for bet_id, s in expected.items()
    }
    assert {s.outcome for s in expected.values()} == {Outcome.WON, Outcome.LOST}
    entries = cluster.query(
        "SELECT a.user_id, e.reason, e.bet_id, e.amount FROM bets_ledgerentry e"
        " JOIN bets_account a ON a.id = e.account_id WHERE e.meeting_id = %s AND e.reason IN (%s, %s, %s)",
        [meeting, Reason.PAYOUT, Reason.REFUND, Reason.FINISHED],
    )
    paid = Counter(bet_id for _, reason, bet_id, _ in entries if reason != Reason.FINISHED)
    assert paid == Counter(bet_id for bet_id, s in expected.items() if s.payout), entries
    assert [(user, amount) for user, reason, _, amount in entries if reason == Reason.FINISHED] == [
        (users["grace"], FINISH_AWARD)
    ]
    assert_balances_moved(cluster, balances_before, [(user, amount) for user, _, _, amount in entries])

    assert_points_consistent(auditor)
    # Both nodes show the settlement: no page stored before it is served after it.
    for visitor, node in ((ada, a), (bruno, b), (ada, b), (bruno, a)):
        board = visitor.get(node, api).json()
        assert board["resolved_at"] is not None, (node.name, board)


def assert_balances_moved(cluster, balances_before: dict, credits: list[tuple[int, int]]) -> None:
    """Every account's balance is its balance before plus exactly the (user, amount) credits."""
    credited = Counter()
    for user, amount in credits:
        credited[user] += amount
    balances_after = dict(cluster.query("SELECT user_id, balance FROM bets_account"))
    assert balances_after == {user: balance + credited[user] for user, balance in balances_before.items()}


def test_a_meeting_cancelled_on_both_nodes_at_once_is_cancelled_and_refunded_once(cluster):
    a, b = cluster.a, cluster.b
    meeting = cluster.seed["upcoming"]
    auditor = PreparedCommand(cluster, "audit_points")
    owner, moderator = Visitor("198.51.100.8"), Visitor("198.51.100.9")
    assert owner.log_in(a, "ada").status_code == 302
    assert moderator.log_in(b, "bruno").status_code == 302
    balances_before = dict(cluster.query("SELECT user_id, balance FROM bets_account"))
    path = f"/meetings/{meeting}/cancel/"
    # Each has the form open (its CSRF token) before the race.
    tokens = {}
    for visitor, node in ((owner, a), (moderator, b)):
        page = visitor.get(node, path)
        tokens[visitor] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def cancel(visitor, node, reason):
        return lambda: visitor.send(
            "POST", node, path, {"csrfmiddlewaretoken": tokens[visitor], "reason": reason}
        )

    answers = release_together([], [cancel(owner, a, "Venue closed"), cancel(moderator, b, "Host is ill")])

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses[0] == 302 and statuses[1] in (409, 422), [(r.status_code, r.text[:300]) for r in answers]
    refused = next(answer for answer in answers if answer.status_code != 302)
    assert "already cancelled" in html.unescape(refused.text)
    [(status, reason, resolved_at)] = cluster.query(
        "SELECT status, cancel_reason, bets_resolved_at FROM meetings_meeting WHERE id = %s", [meeting]
    )
    assert status == "cancelled" and reason in ("Venue closed", "Host is ill") and resolved_at is not None

    stakes = cluster.query(
        "SELECT id, bettor_id, amount, status FROM bets_bet WHERE meeting_id = %s", [meeting]
    )
    assert stakes and {status for _, _, _, status in stakes} == {"refunded"}
    refunds = cluster.query(
        "SELECT bet_id, amount FROM bets_ledgerentry WHERE meeting_id = %s AND reason = %s",
        [meeting, Reason.REFUND],
    )
    assert sorted(refunds) == sorted((bet_id, amount) for bet_id, _, amount, _ in stakes)
    assert_balances_moved(cluster, balances_before, [(bettor, amount) for _, bettor, amount, _ in stakes])
    assert_points_consistent(auditor)


# --- metrics -------------------------------------------------------------------------------------


def scraped(node: Node) -> dict[str, dict[tuple, float]]:
    response = requests.get(
        f"{node.url}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}", "Host": SITE_HOST, "X-Forwarded-Proto": "https"},
        timeout=10,
    )
    assert response.status_code == 200, response.text[:500]
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def healthz_count(samples) -> float:
    labels = tuple(sorted({"view": "healthz", "method": "GET", "status": "200"}.items()))
    return samples.get("booky_request_duration_seconds_count", {}).get(labels, 0.0)


def test_a_scrape_adds_up_every_worker_of_the_node_and_shared_state_is_the_same_on_both(cluster):
    a, b = cluster.a, cluster.b
    before = healthz_count(scraped(a))
    for _ in range(12):  # spread over the node's two workers
        response = requests.get(f"{a.url}/healthz", headers={"Host": SITE_HOST}, timeout=10)
        assert response.status_code == 200
    # Whichever worker answers each scrape, it reports the node's total.
    for _ in range(4):
        assert healthz_count(scraped(a)) == before + 12
    shared = ("booky_active_sessions", "booky_meetings_unsettled_overdue", "booky_task_queue_depth")
    on_a, on_b = scraped(a), scraped(b)
    assert {name: on_a.get(name) for name in shared} == {name: on_b.get(name) for name in shared}
