"""The API does what its OpenAPI schema says: schemathesis over every operation, on PostgreSQL.

`make schemathesis` runs this. It
1. recreates the database `<name>_schemathesis` next to DATABASE_URL's (default: booky_schemathesis on
   postgres://root@127.0.0.1:5432) and loads the demo data into it, so operations reach real objects;
2. starts gunicorn with production settings (DEBUG off) on a free local port;
3. runs schemathesis twice, anonymous and with a Bearer token of the demo user ada (her clubs,
   meetings and bets are real), with a bounded number of examples per operation;
4. fails if either run found a server error or a response the schema does not describe.

The demo data's ids are fed to schemathesis as dictionaries (most generated path ids are real ones,
some random), so it tests found objects, not only 404s. Google Books is off (no network in CI): a
Google import answers 503, which is the only 5xx allowed, and only on that operation.

Options (environment): SCHEMATHESIS_EXAMPLES (per operation and phase, default 10),
SCHEMATHESIS_SEED (default 1, for a reproducible gate; "random" for a new one each run),
SCHEMATHESIS_REPORT_DIR (default test-artifacts/schemathesis: config, server log, JUnit reports).
"""

import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]
TOKEN_USER = ("ada", os.environ.get("DEMO_PASSWORD", "booky-demo-2026"))
# Share of generated path values taken from the demo data (the rest stay random, e.g. unknown ids).
KNOWN_VALUE_PROBABILITY = 0.8

# Printed by `manage.py shell`: the ids and names of the demo data.
FIXTURE_QUERY = """
import json
from bets.models import Bet
from books.models import Book
from clubs.models import Club, JoinRequest
from meetings.models import Meeting
from social.models import FriendRequest, Notification, User
ids = lambda model: sorted(model.objects.values_list("pk", flat=True))
print(json.dumps({
    "meetings": ids(Meeting), "bets": ids(Bet), "books": ids(Book), "join_requests": ids(JoinRequest),
    "friend_requests": ids(FriendRequest), "notifications": ids(Notification),
    "clubs": sorted(Club.objects.values_list("slug", flat=True)),
    "users": sorted(User.objects.values_list("username", flat=True)),
}))
"""


def say(message: str) -> None:
    print(f"schemathesis gate: {message}", flush=True)


def database_urls() -> tuple[str, str, str]:
    """The maintenance database's URL, the gate database's name and URL."""
    url = urlsplit(os.environ.get("DATABASE_URL") or "postgres://root@127.0.0.1:5432/booky")
    name = f"{url.path.lstrip('/') or 'booky'}_schemathesis"
    return urlunsplit(url._replace(path="/postgres")), name, urlunsplit(url._replace(path=f"/{name}"))


def recreate_database(maintenance_url: str, name: str) -> None:
    try:
        connection = psycopg.connect(maintenance_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        sys.exit(
            f"PostgreSQL is not reachable: {error}\nStart it, or point DATABASE_URL at a running server."
        )
    with connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def request_json(url: str, payload: dict | None = None) -> dict:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def wait_until_ready(base_url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start-up:\n{log.read_text()}")
        try:
            if request_json(f"{base_url}/readyz").get("status") == "ok":
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn did not become ready within 60 s:\n{log.read_text()}")


def toml_value(value) -> str:
    return json.dumps(value)  # strings, numbers and arrays of them read the same in TOML


def write_config(path: Path, fixtures: dict, *, base_url: str, examples: int) -> None:
    scopes = ["global", "friends", "clubs", *(f"club-{slug}" for slug in fixtures["clubs"])]
    dictionaries = {
        "meetings": fixtures["meetings"],
        "bets": fixtures["bets"],
        "books": fixtures["books"],
        "join_requests": fixtures["join_requests"],
        "friend_requests": fixtures["friend_requests"],
        "notifications": fixtures["notifications"],
        "clubs": fixtures["clubs"],
        "users": fixtures["users"],
        "scopes": scopes,
    }

    def bind(name: str) -> str:
        return f'{{ dictionary = "{name}", probability = {KNOWN_VALUE_PROBABILITY} }}'

    lines = [
        f"base-url = {toml_value(base_url)}",
        "request-timeout = 30",
        "",
        "[generation]",
        f"max-examples = {examples}",
        "",
    ]
    for name, values in dictionaries.items():
        if values:  # a dictionary must not be empty
            lines += [f"[dictionaries.{name}]", f"values = {toml_value(values)}", ""]
    known = {name for name, values in dictionaries.items() if values}
    lines += ["[parameters]"]
    shared = {"path.slug": "clubs", "path.club_slug": "clubs", "path.username": "users"}
    shared |= {"path.meeting_pk": "meetings", "path.scope": "scopes"}
    # Members named in bodies: friend requests, blocks, bets' horses, ownership transfers, check-ins.
    shared |= {"body.to": "users", "body.username": "users", "body.horse": "users"}
    shared |= {"body.usernames[*]": "users"}
    lines += [f'"{key}" = {bind(name)}' for key, name in shared.items() if name in known]
    lines += [""]
    # `{id}` means a different kind of object on each route.
    ids = {
        "^/api/v1/meetings/\\{id\\}/": "meetings",
        "^/api/v1/bets/\\{id\\}/": "bets",
        "^/api/v1/books/\\{id\\}/": "books",
        "^/api/v1/clubs/\\{club_slug\\}/join-requests/\\{id\\}/": "join_requests",
        "^/api/v1/friend-requests/\\{id\\}/": "friend_requests",
        "^/api/v1/notifications/\\{id\\}/": "notifications",
    }
    for pattern, name in ids.items():
        if name in known:
            lines += ["[[operations]]", f"include-path-regex = {toml_value(pattern)}"]
            lines += [f'parameters = {{ "path.id" = {bind(name)} }}', ""]
    # Without Google Books (no network here) importing a volume is 503 google_books_unavailable.
    lines += [
        "[[operations]]",
        'include-path = "/api/v1/books/"',
        'include-method = "POST"',
        'checks.not_a_server_error.expected-statuses = ["1XX", "2XX", "3XX", "4XX", "503"]',
        "",
    ]
    path.write_text("\n".join(lines))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_schemathesis(
    label: str, config: Path, schema: Path, base_url, report_dir: Path, seed, headers=()
) -> int:
    say(f"{label}: schemathesis run ...")
    command = [
        str(VENV_BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        str(schema),
        "--url",
        base_url,
        "--checks",
        ",".join(CHECKS),
        "--workers",
        "2",
        "--report",
        "junit",
        "--report-junit-path",
        str(report_dir / f"junit-{label}.xml"),
    ]
    if seed is not None:
        command += ["--seed", str(seed)]
    for header in headers:
        command += ["-H", header]
    return subprocess.run(command, cwd=report_dir).returncode


def main() -> int:
    examples = int(os.environ.get("SCHEMATHESIS_EXAMPLES") or 10)
    seed_setting = os.environ.get("SCHEMATHESIS_SEED") or "1"
    seed = None if seed_setting == "random" else int(seed_setting)
    report_dir = Path(os.environ.get("SCHEMATHESIS_REPORT_DIR") or ROOT / "test-artifacts" / "schemathesis")
    report_dir.mkdir(parents=True, exist_ok=True)

    maintenance_url, name, database_url = database_urls()
    say(f"recreating database {name} and loading the demo data")
    recreate_database(maintenance_url, name)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "GOOGLE_BOOKS_ENABLED": "0",
        "OPEN_LIBRARY_ENABLED": "0",
        "REDIS_URL": "",
        "SITE_URL": f"http://127.0.0.1:{port}",
        # One token for the whole run; the default 5 minutes could lapse mid-run on a busy machine.
        "JWT_ACCESS_TOKEN_EXPIRES_IN": "3600",
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "",
    }
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "seed_demo", "--force")
    # Error pages (e.g. schemathesis probing a path outside the API) link the manifest's static files.
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    fixtures = json.loads(manage(env, "shell", "--no-imports", "-c", FIXTURE_QUERY).strip().splitlines()[-1])

    base_url = f"http://127.0.0.1:{port}"
    log = report_dir / "gunicorn.log"
    say(f"starting gunicorn at {base_url} (log: {log})")
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "booky.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
            # No request-line limit: gunicorn's own HTML 414 for a long query string would hide
            # what the application answers to it, which is what this gate tests.
            + ["--no-control-socket", "--timeout", "60", "--limit-request-line", "0"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_ready(base_url, server, log)
        login = request_json(
            f"{base_url}/_allauth/app/v1/auth/login",
            {"username": TOKEN_USER[0], "password": TOKEN_USER[1]},
        )
        token = login["meta"]["access_token"]
        config = report_dir / "schemathesis.toml"
        write_config(config, fixtures, base_url=base_url, examples=examples)
        # Fetched once, as a client would; both runs read the same file.
        schema = report_dir / "openapi.json"
        with urllib.request.urlopen(f"{base_url}/api/schema/?format=json", timeout=60) as response:
            schema.write_bytes(response.read())
        started, cpu = time.monotonic(), _children_cpu()
        # Anonymous first: the token run changes data (leaves clubs, withdraws bets).
        anonymous = run_schemathesis("anonymous", config, schema, base_url, report_dir, seed)
        with_token = run_schemathesis(
            "bearer", config, schema, base_url, report_dir, seed, [f"Authorization: Bearer {token}"]
        )
        say(
            f"both runs took {time.monotonic() - started:.0f} s, schemathesis {_children_cpu() - cpu:.0f} s CPU"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    if anonymous or with_token:
        # A server error's traceback is in the server's log, not in schemathesis's report.
        say(f"the end of the server log ({log}):")
        print("\n".join(log.read_text().splitlines()[-150:]))
        say(f"FAILED (anonymous: exit {anonymous}, with a token: exit {with_token}); reports in {report_dir}")
        return 1
    say("passed: no server errors and every response matches the schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
