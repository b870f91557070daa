"""The process's Prometheus metrics: what each request and book-source call adds to them.

Counters and histograms of what this process does live in prometheus_client's default registry. Under gunicorn every worker
is its own process, so `booky/gunicorn.conf.py` sets PROMETHEUS_MULTIPROC_DIR before the workers
start: each process then writes its values to files there and a scrape adds them up
(booky/site/views/metrics.py), whichever worker answers it. Values that live in the database or the
shared cache (queue depth, sessions, breakers, how late settlements came) are read at scrape time
instead: they are the same whichever node answers, and the worker that settles bets serves no scrape.

Labels are bounded on purpose: the view's URL name (never the path, which holds ids), the status
code, the book source's name and an error kind from a short list.
"""

import time
from contextlib import ExitStack

from django.db import connections
from prometheus_client import Counter, Histogram

# Pages answer in milliseconds, a slow page in a second or two; the request timeout is 30 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
QUERY_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)

request_seconds = Histogram(
    "booky_request_duration_seconds",
    "Time from a request's arrival to its response, by view and status.",
    ["view", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
request_queries = Histogram(
    "booky_request_queries",
    "Database queries one request ran, by view.",
    ["view"],
    buckets=QUERY_BUCKETS,
)
book_source_errors = Counter(
    "booky_book_source_errors_total",
    "Failed calls to a book source (Google Books, Open Library), by kind.",
    ["source", "kind"],
)

ERROR_KINDS = ("timeout", "connection", "http_429", "http_5xx", "http_other", "garbage", "busy", "other")


def error_kind(reason: str) -> str:
    """The label for a book source's failure, from the Unavailable message books/remote.py raises."""
    text = reason.lower()
    if "timeout" in text or "deadline" in text or "no time left" in text or "no turn" in text:
        return "timeout"
    if "connection" in text or "ssl" in text:
        return "connection"
    if text.startswith("http 429"):
        return "http_429"
    if text.startswith("http 5"):
        return "http_5xx"
    if text.startswith("http "):
        return "http_other"
    if "json" in text or "body" in text or "too large" in text:
        return "garbage"
    if "busy" in text or "waited" in text:
        return "busy"
    return "other"


def view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    if request.path_info.startswith("/static/"):
        return "static"
    return "unmatched"  # a 404 for an unknown path, or a page answered before URL resolution


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestMetricsMiddleware:
    """Outermost: times the whole request and counts its queries on every database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        counter = _QueryCounter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        view = view_label(request)
        method = request.method if request.method in _METHODS else "other"  # any token is a method
        request_seconds.labels(view, method, str(response.status_code)).observe(time.perf_counter() - started)
        request_queries.labels(view).observe(counter.count)
        return response
