"""gunicorn settings for Booky (make serve, the Docker image and docker compose use this file).

Graceful shutdown, so a deploy or a scale-down loses no request:
1. SIGTERM reaches the master. It creates the draining file: from now on `/readyz` answers 503 in
   every worker, while the workers keep serving whatever still arrives.
2. For BOOKY_DRAIN_SECONDS the node stays up, long enough for a load balancer that polls `/readyz`
   to see the 503 and stop sending new connections here.
3. Then gunicorn's own graceful stop: the listener closes, the workers finish the requests they
   hold, within GRACEFUL_TIMEOUT seconds, and exit.

SIGINT (Ctrl-C) and SIGQUIT still stop at once, without the drain.
"""

import contextlib
import os
import shutil
import signal
import tempfile

wsgi_app = "booky.wsgi:application"

MAX_DEFAULT_WORKERS = 12


def default_workers() -> int:
    """2 x CPUs + 1, at most MAX_DEFAULT_WORKERS.

    gunicorn's own rule of thumb: while one worker waits on PostgreSQL or Redis, another can use the
    CPU, so about two per core keep it busy. The cap is for memory and connections, not CPU: every
    worker is a whole Django process (about 100 MB) holding its own database connection
    (CONN_MAX_AGE), and on a 32-core host 65 workers per node would exhaust PostgreSQL's 100 default
    connections with two nodes. process_cpu_count() honours CPU affinity (taskset, cpusets) but not a
    cgroup CPU quota: in a container limited that way, set WEB_CONCURRENCY."""
    cpus = os.process_cpu_count() or 1
    return min(2 * cpus + 1, MAX_DEFAULT_WORKERS)


workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers())
# Recycling workers (GUNICORN_MAX_REQUESTS: a worker is replaced after that many requests, plus a random
# 0..GUNICORN_MAX_REQUESTS_JITTER) contains a slow memory leak. Off by default: each worker loads the
# app itself, so a new one needs seconds before it answers, and under load the workers reach their
# limit within moments of each other (the jitter is a few hundred requests, well under a second at
# full load), which leaves the node with no worker for those seconds: the bench saw pages get no
# answer for 3 s. Turn it on only to contain a leak, with a jitter of half the limit (the default).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER") or max_requests // 2)
# A request may take this long before its worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# After the drain: how long workers may take to finish the requests they hold.
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
# How long /readyz answers 503 before the listener closes; at least the load balancer's check
# interval times its unhealthy threshold.
drain_seconds = float(os.environ.get("BOOKY_DRAIN_SECONDS", "10"))
control_socket_disable = True  # nothing uses gunicornc; one socket fewer to secure

DRAINING_FILE_VARIABLE = "BOOKY_DRAINING_FILE"  # read by booky/health.py
# Where every worker writes its Prometheus counts, so /metrics sums the node (booky/core/metrics.py).
METRICS_DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_own_directory = ""
_own_metrics_directory = ""


def on_starting(server):
    global _own_directory
    # Workers are forked from the master and inherit its environment, so they find the same file.
    if not os.environ.get(DRAINING_FILE_VARIABLE):
        _own_directory = tempfile.mkdtemp(prefix="booky-gunicorn-")
        os.environ[DRAINING_FILE_VARIABLE] = os.path.join(_own_directory, "draining")
    _remove_draining_file()  # left over from a node that was killed while draining
    _start_metrics_directory()


def _start_metrics_directory():
    """A fresh directory per start: counts from an earlier run (other pids) must not add up with ours.

    Set before any worker imports prometheus_client (the app loads in the workers, after the fork),
    which reads the variable at import to write its values to files there instead of memory.
    """
    global _own_metrics_directory
    directory = os.environ.get(METRICS_DIRECTORY_VARIABLE)
    if not directory:
        _own_metrics_directory = tempfile.mkdtemp(prefix="booky-metrics-")
        os.environ[METRICS_DIRECTORY_VARIABLE] = _own_metrics_directory
        return
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):  # an operator's directory: emptied as prometheus_client asks
        if name.endswith(".db"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(directory, name))


def child_exit(server, worker):
    # A recycled or crashed worker's gauges must not be reported as live (its counters still add up).
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def when_ready(server):
    drain = Drain(server, drain_seconds)
    server.handle_term = drain.handle_term


def on_exit(server):
    _remove_draining_file()
    if _own_directory:
        with contextlib.suppress(OSError):
            os.rmdir(_own_directory)
    if _own_metrics_directory:
        shutil.rmtree(_own_metrics_directory, ignore_errors=True)


def _remove_draining_file():
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.environ[DRAINING_FILE_VARIABLE])


class Drain:
    """Replaces the master's SIGTERM handler: report not ready first, stop gracefully after the drain.

    The master's loop must keep running meanwhile (it reaps and replaces workers), so the delay is an
    alarm that queues SIGTERM again, not a sleep."""

    def __init__(self, server, seconds: float):
        self.server = server
        self.seconds = seconds
        self.started = False
        self.done = False

    def handle_term(self):
        if self.done or self.seconds <= 0:
            raise StopIteration  # gunicorn's own graceful stop
        if self.started:
            return  # a second SIGTERM during the drain changes nothing; SIGINT stops at once
        self.started = True
        with open(os.environ[DRAINING_FILE_VARIABLE], "w") as flag:
            flag.write(str(os.getpid()))
        self.server.log.info("SIGTERM: /readyz answers 503; stopping in %.1f s", self.seconds)
        signal.signal(signal.SIGALRM, self._drained)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def _drained(self, signum, frame):
        self.done = True
        self.server.signal(signal.SIGTERM, frame)
