"""With SENTRY_DSN set, an error reaches the Sentry server, and nothing personal goes with it.

The server is a real HTTP listener on 127.0.0.1 that keeps what the SDK sends; the app runs in a
subprocess so the SDK's patches of Django stay out of this test process.
"""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

# What a failing request carries that must not leave: its body, credentials, cookie and query.
SECRETS = ("hunter2-in-the-body", "bearer-in-a-header", "cookie-value-secret", "secret-in-the-query")

PROBE = """
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django
django.setup()
from django.conf import settings
import requests
import sentry_sdk

settings.ROOT_URLCONF = "tests.booky.sentry_probe_urls"
from booky.wsgi import application

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

server = make_server("127.0.0.1", 0, application, handler_class=Quiet)
threading.Thread(target=server.serve_forever, daemon=True).start()
response = requests.post(
    f"http://127.0.0.1:{server.server_port}/boom/?token=secret-in-the-query&page=2",
    data={"password": "hunter2-in-the-body", "email": "ada@example.com"},
    headers={
        "Authorization": "Bearer bearer-in-a-header",
        "Cookie": "theme=cookie-value-secret",
        "User-Agent": "probe-agent/1.0",
    },
    timeout=30,
)
print(response.status_code)
sentry_sdk.flush(timeout=10)
"""


class SentryServer(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: list[bytes] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    server = SentryServer()
    yield server
    server.shutdown()
    server.server_close()


def events(bodies: list[bytes]) -> list[dict]:
    """The event items of the envelopes received (an envelope is JSON lines: header, item header, item...)."""
    found = []
    for body in bodies:
        lines = body.split(b"\n")
        for header_line, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header_line).get("type") == "event":
                found.append(json.loads(payload))
    return found


def run_probe(tmp_path, **settings) -> subprocess.CompletedProcess:
    """The failing request, served by Booky's WSGI app in a fresh process configured by `settings`."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "SQLITE_PATH": str(tmp_path / "empty.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "booky.settings",
        "PYTHONPATH": str(PROJECT_DIR),
        **settings,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result


def test_an_error_is_reported_without_personal_data(sentry_server, tmp_path):
    result = run_probe(
        tmp_path,
        SENTRY_DSN=f"http://publickey@127.0.0.1:{sentry_server.server_port}/42",
        SENTRY_ENVIRONMENT="ci-probe",
    )
    assert result.stdout.strip().splitlines()[-1] == "500"

    received = events(sentry_server.bodies)
    assert len(received) == 1, sentry_server.bodies
    event = received[0]
    assert event["environment"] == "ci-probe"
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "ValueError"
    assert "probe failure" in exception["value"]
    assert event["request"]["url"].endswith("/boom/")
    assert event["request"]["headers"].get("User-Agent") == "probe-agent/1.0"

    everything = b"".join(sentry_server.bodies).decode()
    for secret in SECRETS:
        assert secret not in everything
    assert "ada@example.com" not in everything
    assert "ip_address" not in json.dumps(event.get("user", {}))
    assert "cookies" not in event["request"] or not event["request"]["cookies"]


def test_without_a_dsn_nothing_is_sent(sentry_server, tmp_path):
    run_probe(tmp_path, SENTRY_DSN="")
    assert sentry_server.bodies == []
