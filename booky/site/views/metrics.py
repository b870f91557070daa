"""`/metrics`: Booky's Prometheus metrics, for a scraper that holds METRICS_TOKEN.

Without METRICS_TOKEN the page does not exist (404), so a deployment exposes nothing by accident.
Prometheus sends the token as `authorization: {credentials: ...}` (a Bearer header).

A scrape adds two kinds of values. The counters and histograms of booky/core/metrics.py, from every
worker process when PROMETHEUS_MULTIPROC_DIR is set (gunicorn sets it), else from this process. And
values read now from the database and the shared cache, which are the same whichever node answers:
the task queue, how late settlements came and which are overdue, active sessions and each book
source's breaker.
"""

import hmac
import os
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from books.sources import remote_sources
from meetings.models import Meeting, MeetingStatus

# A meeting's bets settle by a task at its start and by the minute's sweep; later than this is a fault.
SETTLEMENT_GRACE = timedelta(minutes=5)
SETTLEMENT_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 6 * 3600, 24 * 3600)


def settlement_histogram() -> HistogramMetricFamily:
    """Seconds from each meeting's start to the settlement of its bets, over every settled meeting.

    Read from the meetings table, not counted as it happens: settlements run in the task worker and
    the sweeper, which serve no scrape. Settled meetings stay settled, so the counts only grow, as a
    Prometheus histogram's must. One aggregate query (a scan of meetings; see docs/operations.md).
    """
    delay = ExpressionWrapper(F("bets_resolved_at") - F("starts_at"), output_field=DurationField())
    settled = Meeting.objects.filter(bets_resolved_at__isnull=False).exclude(status=MeetingStatus.CANCELLED)
    counts = settled.aggregate(
        total=Count("id"),
        seconds=Sum(delay),
        **{
            f"le_{index}": Count(
                "id", filter=Q(bets_resolved_at__lte=F("starts_at") + timedelta(seconds=bound))
            )
            for index, bound in enumerate(SETTLEMENT_BUCKETS)
        },
    )
    buckets = [(f"{float(bound)}", counts[f"le_{index}"]) for index, bound in enumerate(SETTLEMENT_BUCKETS)]
    buckets.append(("+Inf", counts["total"]))
    family = HistogramMetricFamily(
        "booky_meeting_settlement_seconds", "Seconds from a meeting's start to the settlement of its bets."
    )
    seconds = counts["seconds"]
    family.add_metric([], buckets, sum_value=seconds.total_seconds() if seconds else 0.0)
    return family


class StateCollector:
    """Gauges read at scrape time: shared state, not this process's counts."""

    def collect(self):
        now = timezone.now()
        depth = GaugeMetricFamily(
            "booky_task_queue_depth",
            "Tasks waiting in the queue, by queue and status.",
            labels=["queue", "status"],
        )
        age = GaugeMetricFamily(
            "booky_task_queue_oldest_age_seconds",
            "Age of the oldest task that is ready to run and not started, by queue (0 when none).",
            labels=["queue"],
        )
        rows = (
            DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
            .values("queue_name", "status")
            .annotate(count=Count("id"), oldest=Min("enqueued_at"))
            .order_by()
        )
        oldest_ready: dict[str, float] = {}
        for row in rows:
            depth.add_metric([row["queue_name"], row["status"].lower()], row["count"])
            if row["status"] == "READY":
                oldest_ready[row["queue_name"]] = max(0.0, (now - row["oldest"]).total_seconds())
        for queue in settings.TASKS["default"].get("QUEUES", ["default"]):
            oldest_ready.setdefault(queue, 0.0)
        for queue, seconds in sorted(oldest_ready.items()):
            age.add_metric([queue], seconds)
        yield depth
        yield age

        overdue = Meeting.objects.filter(
            Q(status=MeetingStatus.CANCELLED) | Q(starts_at__lte=now - SETTLEMENT_GRACE),
            bets_resolved_at__isnull=True,
        ).count()
        yield GaugeMetricFamily(
            "booky_meetings_unsettled_overdue",
            f"Meetings started over {SETTLEMENT_GRACE.seconds // 60} minutes ago (or cancelled) whose bets are not settled.",
            value=overdue,
        )
        yield settlement_histogram()
        yield GaugeMetricFamily(
            "booky_active_sessions",
            "Signed-in sessions that have not expired.",
            value=Session.objects.filter(expire_date__gt=now).count(),
        )

        breaker = GaugeMetricFamily(
            "booky_book_source_breaker_open",
            "1 while a book source's circuit breaker skips calls to it.",
            labels=["source"],
        )
        enabled = GaugeMetricFamily(
            "booky_book_source_enabled",
            "1 when a book source is configured and switched on.",
            labels=["source"],
        )
        for source in remote_sources():
            breaker.add_metric([source.name], 1 if source.circuit_is_open() else 0)
            enabled.add_metric([source.name], 1 if source.is_configured() else 0)
        yield breaker
        yield enabled


def _authorized(request) -> bool:
    expected = f"Bearer {settings.METRICS_TOKEN}"
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), expected.encode())


@never_cache
@require_safe
def metrics(request):
    if not settings.METRICS_TOKEN:
        return HttpResponse("Not found.\n", status=404, content_type="text/plain; charset=utf-8")
    if not _authorized(request):
        response = HttpResponse(
            "A Bearer token is needed.\n", status=401, content_type="text/plain; charset=utf-8"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    body = generate_latest(processes) + generate_latest(state)
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
