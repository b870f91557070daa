"""/metrics: who may scrape it, and that what it says parses as Prometheus text and moves with use."""

from datetime import timedelta

import pytest
from django.tasks import task
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from bets import services as bet_services
from tests.factories import BookFactory, ClubFactory, MeetingFactory, UserFactory, add_member

TOKEN = "scrape-me-0123456789"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(client) -> dict[str, dict[tuple, float]]:
    """Every sample of a scrape: {sample name: {sorted label pairs: value}}, parsed by Prometheus' own parser."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


@pytest.mark.django_db
def test_without_a_token_configured_there_is_no_metrics_page(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer"])
def test_a_scrape_without_the_right_token_is_refused(client, metrics_on, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"booky_" not in response.content


@pytest.mark.django_db
def test_a_signed_in_member_is_not_enough(client, metrics_on):
    client.force_login(UserFactory())
    assert client.get("/metrics").status_code == 401


@pytest.mark.django_db
def test_requests_are_counted_by_view_and_status_with_their_queries(client, metrics_on):
    before = scrape(client)
    client.get("/")
    client.get("/")
    client.get("/no/such/page/")
    after = scrape(client)
    home = {"view": "home", "method": "GET", "status": "200"}
    assert value(after, "booky_request_duration_seconds_count", **home) == (
        value(before, "booky_request_duration_seconds_count", **home) + 2
    )
    assert value(after, "booky_request_duration_seconds_bucket", le="+Inf", **home) == value(
        after, "booky_request_duration_seconds_count", **home
    )
    missing = {"view": "unmatched", "method": "GET", "status": "404"}
    assert value(after, "booky_request_duration_seconds_count", **missing) >= 1
    # The home page reads the database; its queries are counted.
    assert value(after, "booky_request_queries_count", view="home") >= 2
    assert value(after, "booky_request_queries_sum", view="home") > value(
        before, "booky_request_queries_sum", view="home"
    )


@pytest.mark.django_db
def test_an_invented_http_method_does_not_make_a_new_label(client, metrics_on):
    client.generic("BREW", "/")
    samples = scrape(client)
    methods = {dict(labels).get("method") for labels in samples["booky_request_duration_seconds_count"]}
    assert "BREW" not in methods and "other" in methods


@pytest.mark.django_db
def test_active_sessions_and_overdue_settlements_are_read_at_scrape_time(client, metrics_on):
    assert value(scrape(client), "booky_meetings_unsettled_overdue") == 0
    member = UserFactory()
    other = client.__class__()
    other.force_login(member)
    sessions = value(scrape(client), "booky_active_sessions")
    assert sessions >= 1

    club = ClubFactory()
    add_member(club, member)
    MeetingFactory(club=club, starts_at=timezone.now() - timedelta(hours=1))
    MeetingFactory(club=club, starts_at=timezone.now() - timedelta(minutes=1))  # still within the grace
    assert value(scrape(client), "booky_meetings_unsettled_overdue") == 1


@task()
def _metrics_probe_task():
    return None


@pytest.mark.django_db
def test_the_task_queue_shows_its_depth_and_the_age_of_its_oldest_task(client, metrics_on, settings):
    samples = scrape(client)
    assert value(samples, "booky_task_queue_depth", queue="default", status="ready") == 0
    assert value(samples, "booky_task_queue_oldest_age_seconds", queue="default") == 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _metrics_probe_task.enqueue()
    _metrics_probe_task.enqueue()
    samples = scrape(client)
    assert value(samples, "booky_task_queue_depth", queue="default", status="ready") == 2
    assert value(samples, "booky_task_queue_oldest_age_seconds", queue="default") >= 0


@pytest.mark.django_db
def test_a_settlement_records_how_long_after_the_start_it_came(
    client, metrics_on, django_capture_on_commit_callbacks
):
    club = ClubFactory()
    starts_at = timezone.now() - timedelta(seconds=90)
    meeting = MeetingFactory(club=club, book=BookFactory(page_count=100), starts_at=starts_at)
    before = scrape(client)
    assert bet_services.meeting_resolve_bets(meeting_id=meeting.pk, now=starts_at + timedelta(seconds=90))
    after = scrape(client)
    assert value(after, "booky_meeting_settlement_seconds_count") == (
        value(before, "booky_meeting_settlement_seconds_count") + 1
    )
    assert value(after, "booky_meeting_settlement_seconds_sum") == pytest.approx(
        value(before, "booky_meeting_settlement_seconds_sum") + 90
    )
    # 90 s falls in the 120 s bucket, not the 60 s one.
    assert (
        value(after, "booky_meeting_settlement_seconds_bucket", le="120.0")
        - value(before, "booky_meeting_settlement_seconds_bucket", le="120.0")
        == 1
    )
    assert value(after, "booky_meeting_settlement_seconds_bucket", le="60.0") == value(
        before, "booky_meeting_settlement_seconds_bucket", le="60.0"
    )
