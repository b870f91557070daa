"""`make bench`: Booky's pages under load, side by side with a bare Django page (the floor).

    uv run python bench/run.py [--scale 1.0] [--duration 10] [--smoke] [--pages meeting,race-poll]
    uv run python bench/run.py --capacity --users 2000 [--run-time 120]     (make bench-capacity)

1. Recreates the PostgreSQL databases booky_bench (migrated, seeded by bench/seed.py at --scale) and
   booky_bench_floor (bench/floor, 10,000 rows), next to DATABASE_URL's server.
2. Starts gunicorn for each, as in production: DEBUG off, sync workers (2), Redis cache on db 12
   (REDIS_URL), booky/gunicorn.conf.py for Booky, TRUSTED_PROXY_COUNT=1.
3. Logs the bench member in through the real login form and gets an API token, then loads every
   page with wrk (16 connections, --duration seconds each, bench/wrk_report.lua). The floor is
   measured again every FLOOR_EVERY pages; each page's ratio is to the nearest floor measure.
   Polled fragments that answer with an ETag are loaded a second time with If-None-Match.
4. Counts each page's queries in this process (django.test.Client on the same database), then
   prints the table and writes it to bench/results/latest.md and latest.json.

--smoke fails (exit 1) on socket errors, non-2xx answers and pages over their query budget; never on
timings. --capacity runs bench/locustfile.py headless against the same server instead (active
readers with their own sessions, created in bulk) and reports p95 and failures.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
WRK = shutil.which("wrk") or "/usr/bin/wrk"
DATABASE = "booky_bench"
FLOOR_DATABASE = "booky_bench_floor"
FLOOR_ROWS = 10_000
FLOOR_EVERY = 8
QUERY_BUDGET = 12
# The discussion reads, besides the session, viewer, meeting and bell: the reader (page, reveals,
# blocks), the page of posts (count, posts, replies), the reactions and the post count.
DISCUSSION_BUDGET = 14
# The meeting page: the race, my boxes and the bets (12), and its Discussion section (reveals, blocks,
# the latest posts, their replies and reactions, the post count).
MEETING_PAGE_BUDGET = 18
REDIS_URL = "redis://127.0.0.1:6379/12"


@dataclass
class Page:
    name: str
    path: str
    who: str = "member"  # member (session cookie), visitor, api (Bearer token)
    htmx: bool = False
    target: str = ""  # the HX-Target an htmx request names (a page's partial)
    vary_ip: bool = False  # a new X-Forwarded-For per request: per-client rate limits stay out of it
    etag_variant: bool = False  # polled: when it answers an ETag, also load it with If-None-Match
    budget: int = QUERY_BUDGET


@dataclass
class Result:
    page: str
    path: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    ratio: float = 0.0
    floor_rps: float = 0.0
    queries: int | None = None
    budget: int = QUERY_BUDGET
    bytes: int = 0
    status: int = 0
    requests: int = 0
    non_2xx: int = 0
    errors: int = 0
    problems: list[str] = field(default_factory=list)


def pages_for(data) -> list[Page]:
    meeting, club, book = data["meeting_id"], data["club_slug"], data["book_id"]
    return [
        Page("home, member", "/"),
        Page("home, visitor", "/", who="visitor"),
        Page("club directory", "/clubs/"),
        Page("club search", f"/clubs/?{urlencode({'q': data['club_query']})}"),
        Page("my clubs", "/clubs/mine/"),
        Page("club detail", f"/clubs/{club}/"),
        Page("club members", f"/clubs/{club}/members/"),
        Page("meeting page", f"/meetings/{meeting}/", budget=MEETING_PAGE_BUDGET),
        Page("race poll", f"/meetings/{meeting}/", htmx=True, etag_variant=True),
        Page("bets poll", f"/meetings/{meeting}/bets/", htmx=True, etag_variant=True),
        Page("discussion page", f"/meetings/{meeting}/discussion/", budget=DISCUSSION_BUDGET),
        Page("discussion fragment", f"/meetings/{meeting}/discussion/", htmx=True, budget=DISCUSSION_BUDGET),
        Page("bell poll", "/notifications/bell/", htmx=True, etag_variant=True),
        Page("poll page", f"/clubs/{club}/polls/{data['poll_id']}/"),
        Page(
            "poll nominations fragment",
            f"/clubs/{club}/polls/{data['poll_id']}/",
            htmx=True,
            target="poll-nominations",
        ),
        Page("shelves page", f"/books/shelves/{data['member_username']}/?shelf=read"),
        Page("club archive", f"/clubs/{club}/archive/"),
        Page("year in reading", f"/u/{data['member_username']}/year/"),
        Page("API poll", f"/api/v1/polls/{data['poll_id']}/", who="api"),
        Page("API my shelves", "/api/v1/me/shelves/", who="api"),
        Page("my meetings", "/meetings/mine/"),
        Page("leaderboard global", "/leaderboards/global/"),
        Page("leaderboard friends", "/leaderboards/friends/"),
        Page("leaderboard clubs", "/leaderboards/clubs/"),
        Page("points", "/points/"),
        Page("book search", f"/books/?{urlencode({'q': data['book_query']})}", who="visitor", vary_ip=True),
        Page("book detail", f"/books/{book}/"),
        Page("notifications", "/notifications/"),
        Page("friends", "/friends/"),
        Page("profile", f"/u/{data['friend_username']}/"),
        Page("API clubs list", "/api/v1/clubs/", who="api"),
        Page("API club", f"/api/v1/clubs/{club}/", who="api"),
        Page("API my meetings", "/api/v1/me/meetings/", who="api"),
        Page("API meeting", f"/api/v1/meetings/{meeting}/", who="api"),
        Page("API meeting bets", f"/api/v1/meetings/{meeting}/bets/", who="api"),
        Page("API book", f"/api/v1/books/{book}/", who="api"),
        Page("API notifications", "/api/v1/notifications/", who="api"),
        Page("API leaderboard", "/api/v1/leaderboards/global/", who="api"),
        Page("API my points", "/api/v1/me/points/", who="api"),
    ]


def page_slug(name: str) -> str:
    """ "home, member" -> "home-member", for --pages."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


# --- databases and servers ----------------------------------------------------------------------


def server_url(name: str) -> str:
    url = urlsplit(os.environ.get("DATABASE_URL") or "postgres://root@127.0.0.1:5432/booky")
    return urlunsplit(url._replace(path=f"/{name}"))


def recreate_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server_url("postgres"), autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database: str) -> dict:
    """The environment both servers run with (and this process, for the query counts)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "BOOKY_TESTING", "TASKS_BACKEND")
    }
    env.update(
        DATABASE_URL=server_url(database),
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        REDIS_URL=REDIS_URL,
        WEB_CONCURRENCY="2",
        TRUSTED_PROXY_COUNT="1",
        GOOGLE_BOOKS_ENABLED="0",
        OPEN_LIBRARY_ENABLED="0",
        BOOKY_DRAIN_SECONDS="0",
        JWT_ACCESS_TOKEN_EXPIRES_IN="86400",
        LOG_LEVEL="WARNING",
    )
    return env


class Server:
    def __init__(self, label: str, command: list[str], env: dict, port: int, ready_path: str):
        self.label, self.port = label, port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = RESULTS / f"{label}.log"
        with self.log.open("w") as log_file:
            self.process = subprocess.Popen(
                command + ["--bind", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{label} stopped at start-up:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.base_url + ready_path, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        sys.exit(f"{label} did not answer within 60 s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def prepare_floor(env: dict) -> dict:
    import psycopg

    recreate_database(FLOOR_DATABASE)
    floor_env = {
        **env,
        "DATABASE_URL": server_url(FLOOR_DATABASE),
        "DJANGO_SETTINGS_MODULE": "bench.floor.settings",
    }
    floor_env["PYTHONPATH"] = str(ROOT)
    subprocess.run(
        [str(VENV_BIN / "django-admin"), "migrate", "--noinput", "-v0"], cwd=ROOT, env=floor_env, check=True
    )
    with psycopg.connect(floor_env["DATABASE_URL"]) as connection:
        connection.execute(
            "INSERT INTO floor_item (title, author, pages, rank, created_at)"
            " SELECT 'Book ' || n, 'Author ' || (n %% 97), 100 + n %% 700, n, now() - n * interval '1 hour'"
            " FROM generate_series(1, %s) AS n",
            [FLOOR_ROWS],
        )
        connection.execute("ANALYZE floor_item")
    return floor_env


def setup_django(env: dict) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "booky.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate_and_seed(scale: float, ledger_rows: int | None) -> dict:
    from django.core.management import call_command

    from bench.seed import seed

    started = time.monotonic()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    say(f"migrated in {time.monotonic() - started:.0f} s; seeding scale {scale}")
    data = seed(scale, ledger_rows=ledger_rows, progress=say)
    say(f"seeded in {time.monotonic() - started:.0f} s: {data.counts}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # db 12 is the benchmark's own
    return asdict(data)


def start_booky(env: dict) -> Server:
    return Server(
        "booky",
        [str(VENV_BIN / "gunicorn"), "--config", "booky/gunicorn.conf.py"],
        env,
        free_port(),
        "/readyz",
    )


# --- logging in -----------------------------------------------------------------------------------


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def log_in(base_url: str, username: str, password: str) -> tuple[str, str]:
    """The member's session cookie (from the real login form, with its CSRF token) and an API token."""
    host = urlsplit(base_url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = _cookies(response)["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"login": username, "password": password, "csrfmiddlewaretoken": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"}
    connection.request("POST", "/accounts/login/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    session = _cookies(response).get("sessionid")
    if response.status != 302 or not session:
        sys.exit(f"Logging in as {username} failed: HTTP {response.status}")
    connection.request(
        "POST",
        "/_allauth/app/v1/auth/login",
        body=json.dumps({"username": username, "password": password}),
        headers={"Content-Type": "application/json"},
    )
    response = connection.getresponse()
    api_token = json.loads(response.read())["meta"]["access_token"]
    connection.close()
    return f"csrftoken={csrf_cookie}; sessionid={session}", api_token


def request_headers(page: Page, cookie: str, api_token: str, base_url: str) -> dict[str, str]:
    headers = {"Accept-Encoding": "gzip, deflate, br", "Accept": "text/html,application/json"}
    if page.who == "member":
        headers["Cookie"] = cookie
    elif page.who == "api":
        headers["Authorization"] = f"Bearer {api_token}"
        headers["Accept"] = "application/json"
    if page.htmx:
        headers["HX-Request"] = "true"
        headers["HX-Current-URL"] = base_url + page.path
        if page.target:
            headers["HX-Target"] = page.target
    return headers


# --- measuring ------------------------------------------------------------------------------------


# wrk's --timeout is long on purpose: a request it gives up on is still answered by a sync worker,
# and wrk would open a new connection in its place, piling up work that the next pages would pay for.
def wrk(url: str, headers: dict[str, str], *, duration: float, connections: int, vary_ip=False) -> dict:
    command = [
        WRK,
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(duration))}s",
        "--timeout",
        "120s",
    ]
    command += ["-s", str(ROOT / "bench" / "wrk_report.lua"), "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    env = {**os.environ, "BENCH_VARY_IP": "1" if vary_ip else "0"}
    done = subprocess.run(command + [url], capture_output=True, text=True, env=env, timeout=duration + 60)
    line = next((row for row in done.stdout.splitlines() if row.startswith("BENCH_JSON ")), None)
    if line is None:
        sys.exit(f"wrk gave no report for {url}:\n{done.stdout}\n{done.stderr}")
    return json.loads(line.removeprefix("BENCH_JSON "))


def drain(base_url: str, path: str = "/healthz") -> None:
    """Wait until the server has worked through what the last load left queued: wrk stops sending,
    but a sync worker still answers every request already in its socket, and those would be timed
    against the next page (the clubs leaderboard can leave minutes of them)."""
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base_url + path, timeout=60):
                pass
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            continue
        if time.monotonic() - started < 0.5:
            return


def count_queries(page: Page, cookie: str, api_token: str, extra: dict | None = None):
    """The page's queries, in this process on the same database: (queries, status, body bytes, etag)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    meta = {}
    for name, value in request_headers(page, cookie, api_token, "http://testserver").items():
        meta["HTTP_" + name.upper().replace("-", "_")] = value
    meta.pop("HTTP_COOKIE", None)
    if page.who == "member":
        for part in cookie.split("; "):
            name, value = part.split("=", 1)
            client.cookies[name] = value
    if page.vary_ip:
        meta["HTTP_X_FORWARDED_FOR"] = "10.200.0.1"
    meta.update(extra or {})
    # Warm: caches filled, connection open; twice, since the first page after the login shows its
    # flash message (never stored) and the second stores what the measured one is served from.
    client.get(page.path, **meta)
    client.get(page.path, **meta)
    if page.vary_ip:
        meta["HTTP_X_FORWARDED_FOR"] = "10.200.0.2"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.path, **meta)
    return len(queries), response.status_code, len(response.content), response.headers.get("ETag")


def measure(page: Page, label: str, base: str, headers: dict, args, extra_meta=None, cookie="", token=""):
    result = Result(page=label, path=page.path, budget=page.budget)
    queries, status, size, etag = count_queries(page, cookie, token, extra_meta)
    result.queries, result.status, result.bytes = queries, status, size
    numbers = wrk(
        base + page.path, headers, duration=args.duration, connections=args.connections, vary_ip=page.vary_ip
    )
    result.rps, result.p50_ms, result.p95_ms = numbers["rps"], numbers["p50_ms"], numbers["p95_ms"]
    result.requests = numbers["requests"]
    result.non_2xx = numbers["status_other"] + (0 if extra_meta else numbers["status_304"])
    result.errors = numbers["socket_errors"] + numbers["timeouts"]
    if not result.requests:
        result.problems.append(f"no answer within {args.duration:g} s")
    if result.errors:
        result.problems.append(f"{result.errors} socket errors or timeouts")
    if result.non_2xx:
        result.problems.append(f"{result.non_2xx} of {result.requests} answers not 2xx")
    if status >= 300 and not (extra_meta and status == 304):
        result.problems.append(f"in-process answer {status}")
    if queries > page.budget:
        result.problems.append(f"{queries} queries, over the budget of {page.budget}")
    return result, etag


def run_pages(args, data: dict, booky: Server, floor: Server) -> list[Result]:
    cookie, token = log_in(booky.base_url, data["member_username"], data["member_password"])
    pages = pages_for(data)
    if args.pages:
        wanted = {name.strip() for name in args.pages.split(",")}
        pages = [page for page in pages if page_slug(page.name) in wanted]
    floors: list[tuple[int, dict]] = []
    position = 0

    def measure_floor():
        numbers = wrk(floor.base_url + "/", {}, duration=args.duration, connections=args.connections)
        drain(floor.base_url, "/")
        floors.append((position, numbers))
        say(f"floor: {numbers['rps']:.0f} req/s, p95 {numbers['p95_ms']:.1f} ms")

    results: list[tuple[int, Result]] = []
    measure_floor()
    for index, page in enumerate(pages):
        if index and index % FLOOR_EVERY == 0:
            measure_floor()
        position += 1
        headers = request_headers(page, cookie, token, booky.base_url)
        result, etag = measure(page, page.name, booky.base_url, headers, args, cookie=cookie, token=token)
        results.append((position, result))
        say(f"{page.name}: {result.rps:.0f} req/s, {result.queries} queries {' '.join(result.problems)}")
        if page.etag_variant and etag:
            position += 1
            conditional = {**headers, "If-None-Match": etag}
            result, _ = measure(
                page,
                f"{page.name}, 304",
                booky.base_url,
                conditional,
                args,
                extra_meta={"HTTP_IF_NONE_MATCH": etag},
                cookie=cookie,
                token=token,
            )
            results.append((position, result))
            say(
                f"{result.page}: {result.rps:.0f} req/s, {result.queries} queries {' '.join(result.problems)}"
            )
    position += 1
    measure_floor()
    for at, result in results:
        _where, nearest = min(floors, key=lambda measured: abs(measured[0] - at))
        result.floor_rps = nearest["rps"]
        result.ratio = result.rps / nearest["rps"] if nearest["rps"] else 0.0
    return [result for _, result in results], [numbers for _, numbers in floors]


def table(results: list[Result], floors: list[dict], args, data: dict) -> str:
    floor_rates = ", ".join(f"{numbers['rps']:.0f}" for numbers in floors)
    lines = [
        f"# make bench: scale {args.scale}, {args.duration:g} s per page, {args.connections} connections",
        "",
        f"Data: {', '.join(f'{count:,} {name}' for name, count in data['counts'].items())}.",
        f"Floor (bare Django page, 1 query): {floor_rates} req/s over the run. × floor = page req/s divided",
        "by the nearest floor measure. Queries: counted in-process for one warm request.",
        "",
        "| page | req/s | p50 ms | p95 ms | × floor | queries | bytes | problems |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        lines.append(
            f"| {result.page} | {result.rps:.0f} | {result.p50_ms:.1f} | {result.p95_ms:.1f} | {result.ratio:.2f}"
            f" | {result.queries} | {result.bytes:,} | {'; '.join(result.problems)} |"
        )
    return "\n".join(lines) + "\n"


# --- capacity -------------------------------------------------------------------------------------


def reader_identities(count: int, data: dict) -> list[dict]:
    """`count` readers, each with a session (created in bulk, not by logging in) and a meeting of theirs."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from meetings.models import Attendance, MeetingStatus
    from social.models import User

    users = list(User.objects.order_by("pk")[:count])
    meeting_of: dict[int, int] = {}
    for user_id, meeting_id in (
        Attendance.objects.filter(
            user__in=users, meeting__status=MeetingStatus.SCHEDULED, meeting__ends_at__gt=timezone.now()
        )
        .order_by("meeting__starts_at")
        .values_list("user_id", "meeting_id")
    ):
        meeting_of.setdefault(user_id, meeting_id)
    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(days=1)
    sessions, readers = [], []
    for n in range(count):
        user = users[n % len(users)]
        key = secrets.token_hex(16)
        payload = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(payload), expire_date=expires))
        readers.append(
            {
                "cookie": f"sessionid={key}",
                "meeting": meeting_of.get(user.pk, data["meeting_id"]),
                "club": data["club_slug"],
            }
        )
    Session.objects.bulk_create(sessions, batch_size=1000)
    return readers


def run_capacity(args, data: dict, booky: Server) -> int:
    readers = reader_identities(args.users, data)
    readers_file = RESULTS / "capacity-readers.json"
    readers_file.write_text(json.dumps(readers))
    prefix = RESULTS / "capacity"
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.run_time}s",
        "--host",
        booky.base_url,
        "--csv",
        str(prefix),
        "--only-summary",
    ]
    say(f"locust: {args.users} active readers for {args.run_time} s (spawning {args.spawn_rate}/s)")
    subprocess.run(command, cwd=ROOT, env={**os.environ, "BENCH_READERS": str(readers_file)}, check=False)
    rows = list(_csv_rows(Path(f"{prefix}_stats.csv")))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    lines = [
        f"# Capacity: {args.users} active readers, scale {args.scale}, {args.run_time} s",
        "",
        "Each reader opens a page every 20 s, polls the race and the bets every 30 s and the bell every 60 s.",
        "",
        "| request | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f}"
            f" | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    report = "\n".join(lines) + "\n"
    (RESULTS / "capacity.md").write_text(report)
    print(report)
    holds = int(total["Failure Count"]) == 0 and float(total["95%"]) < 250
    say(
        f"{args.users} readers: p95 {total['95%']} ms, {total['Failure Count']} failures: "
        f"{'held' if holds else 'NOT held'} (p95 < 250 ms, 0 errors)"
    )
    return 0


def _csv_rows(path: Path):
    import csv

    with path.open() as handle:
        yield from csv.DictReader(handle)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--ledger-rows", type=int, default=None)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--smoke", action="store_true", help="fail on errors, non-2xx, queries over budget")
    parser.add_argument("--pages", help="comma-separated pages, e.g. home-member,race-poll (default: all)")
    parser.add_argument("--output", default="latest", help="file name under bench/results/ (no suffix)")
    parser.add_argument("--capacity", action="store_true", help="run the locust readers instead of wrk")
    parser.add_argument("--users", type=int, default=2000, help="--capacity: concurrent readers")
    parser.add_argument("--spawn-rate", type=float, default=50)
    parser.add_argument("--run-time", type=int, default=120)
    args = parser.parse_args()
    if not args.capacity and not Path(WRK).exists():
        sys.exit("wrk is not installed: apt-get install wrk")
    RESULTS.mkdir(parents=True, exist_ok=True)

    env = production_env(DATABASE)
    say(f"recreating {DATABASE} and {FLOOR_DATABASE}")
    recreate_database(DATABASE)
    floor_env = None if args.capacity else prepare_floor(env)
    setup_django(env)
    data = migrate_and_seed(args.scale, args.ledger_rows)
    from django.db import connection

    connection.close()  # the servers fork; keep nothing open across the seeding
    booky = start_booky(env)
    floor = None
    try:
        if args.capacity:
            return run_capacity(args, data, booky)
        floor = Server(
            "floor",
            [str(VENV_BIN / "gunicorn"), "bench.floor.wsgi:application", "--workers", "2"],
            floor_env,
            free_port(),
            "/",
        )
        results, floors = run_pages(args, data, booky, floor)
    finally:
        booky.stop()
        if floor:
            floor.stop()
    report = table(results, floors, args, data)
    print("\n" + report)
    (RESULTS / f"{args.output}.md").write_text(report)
    (RESULTS / f"{args.output}.json").write_text(
        json.dumps(
            {
                "scale": args.scale,
                "duration": args.duration,
                "connections": args.connections,
                "counts": data["counts"],
                "floor_rps": [numbers["rps"] for numbers in floors],
                "pages": [asdict(result) for result in results],
            },
            indent=2,
        )
    )
    failed = [result for result in results if result.problems]
    if args.smoke and failed:
        for result in failed:
            say(f"FAILED {result.page} ({result.path}): {'; '.join(result.problems)}")
        return 1
    say(f"wrote bench/results/{args.output}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
