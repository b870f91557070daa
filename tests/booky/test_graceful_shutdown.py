"""SIGTERM under load loses no request: a real gunicorn, started with booky/gunicorn.conf.py, serves
clients in threads while a "load balancer" thread polls /readyz and takes the node out of rotation
at the first 503. Mid-load the master gets SIGTERM. Every request sent gets a complete 200 (no reset,
no refused connection), /readyz answered 503 "draining" before the listener closed, a request that
was still running when the workers were told to stop finished, and gunicorn exits 0.

The app is Booky's own WSGI application behind a tiny wrapper that can hold a request (`/slow?1.5`),
so the test can keep a request in flight across the moment the workers get SIGTERM.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DRAIN_SECONDS = 2.0
STARTUP_TIMEOUT = 90

SLOW_APP = """
import time
from booky.wsgi import application as booky


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/slow":
        time.sleep(float(environ.get("QUERY_STRING") or "1"))
        environ["PATH_INFO"] = "/healthz"
    return booky(environ, start_response)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, timeout: float = 20) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_gunicorn(tmp_path: Path, port: int) -> subprocess.Popen:
    (tmp_path / "slow_wsgi.py").write_text(SLOW_APP)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "booky.settings",
        "SECRET_KEY": "graceful-shutdown-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "WEB_CONCURRENCY": "2",
        "BOOKY_DRAIN_SECONDS": str(DRAIN_SECONDS),
        "GRACEFUL_TIMEOUT": "15",
        "BOOKY_DRAINING_FILE": str(tmp_path / "draining"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [
        sys.executable, "-m", "gunicorn",
        "--config", "booky/gunicorn.conf.py",
        "--bind", f"127.0.0.1:{port}",
        "--pythonpath", str(tmp_path),
        "slow_wsgi:application",
    ]  # fmt: skip
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
        try:
            if get(port, "/readyz", timeout=5)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise AssertionError("gunicorn did not become ready: " + (tmp_path / "gunicorn.log").read_text())


def test_sigterm_under_load_finishes_every_request_and_reports_not_ready_first(tmp_path):
    port = free_port()
    server = start_gunicorn(tmp_path, port)
    in_rotation = threading.Event()
    in_rotation.set()
    lock = threading.Lock()
    answered: list[str] = []
    failures: list[str] = []
    readiness: list[tuple[float, int | str]] = []

    def record(path: str):
        try:
            status, body = get(port, path)
        except Exception as error:  # noqa: BLE001 - a reset, refused or cut-off connection
            with lock:
                failures.append(f"{path}: {type(error).__name__}: {error}")
            return
        with lock:
            if status == 200 and body == b'{"status": "ok"}':
                answered.append(path)
            else:
                failures.append(f"{path}: {status} {body[:100]!r}")

    def client(index: int):
        while in_rotation.is_set():
            record("/slow?0.3" if index % 3 == 0 else "/healthz")

    def load_balancer():
        # Polls readiness like a load balancer's health check; at the first 503 the node is out.
        while server.poll() is None:
            try:
                status, body = get(port, "/readyz", timeout=5)
                readiness.append((time.monotonic(), status))
                if status == 503:
                    in_rotation.clear()
                    if b'"draining"' not in body:
                        failures.append(f"/readyz: {body!r}")
            except OSError as error:
                readiness.append((time.monotonic(), type(error).__name__))
                in_rotation.clear()
            time.sleep(0.1)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(6)]
    threads.append(threading.Thread(target=load_balancer))
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        assert answered, failures
        server.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        # Sent late in the drain, still running when the workers are told to stop.
        straddling = threading.Thread(target=record, args=(f"/slow?{DRAIN_SECONDS + 1}",))
        time.sleep(DRAIN_SECONDS * 0.6)
        straddling.start()
        exit_code = server.wait(timeout=60)
        straddling.join(timeout=30)
    finally:
        in_rotation.clear()
        if server.poll() is None:
            server.kill()
        for thread in threads:
            thread.join(timeout=30)

    log = (tmp_path / "gunicorn.log").read_text()
    assert not failures, (failures, log)
    assert exit_code == 0, log
    assert f"/slow?{DRAIN_SECONDS + 1}" in answered, log
    assert len(answered) > 10
    not_ready = [at for at, status in readiness if status == 503]
    assert not_ready, readiness
    # Readiness turned 503 within moments of SIGTERM, and the node kept answering during the drain.
    assert not_ready[0] - signalled < 1.0, readiness
    assert not_ready[-1] - signalled > DRAIN_SECONDS * 0.5, readiness
    assert not (tmp_path / "draining").exists()  # gone once gunicorn stopped


def test_readyz_answers_503_while_the_node_drains(client, db, monkeypatch, tmp_path):
    flag = tmp_path / "draining"
    monkeypatch.setenv("BOOKY_DRAINING_FILE", str(flag))
    assert client.get("/readyz").status_code == 200
    flag.write_text("1")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "draining"}
    assert response["Retry-After"] == "30"
    assert client.get("/healthz").status_code == 200  # alive, just not taking new traffic


def test_every_way_of_running_gunicorn_uses_the_config_with_the_drain():
    for name in ("Makefile", "Dockerfile", "docker-compose.yml"):
        text = (PROJECT_DIR / name).read_text()
        assert "--config booky/gunicorn.conf.py" in text or '"--config", "booky/gunicorn.conf.py"' in text, (
            name
        )
    assert "stop_grace_period: 50s" in (PROJECT_DIR / "docker-compose.yml").read_text()
