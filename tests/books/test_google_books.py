"""The Google Books client against a fake server on a real socket: timeouts, retry, breaker, cache,
and the background lookups that keep every request from waiting on Google."""

import time

import pytest

from books import google_books
from tests.books.conftest import (
    FAILING_SCENARIOS,
    LONG_HTTP_COVER,
    wait_for_background_lookups,
    wait_for_google,
)


def searched(text: str) -> google_books.SearchOutcome:
    """Search, let the background lookup finish, and read what every later request sees."""
    google_books.search(text)
    wait_for_google(text)
    return google_books.peek(text)


def test_a_search_returns_parsed_volumes_with_https_covers(fake_google):
    fake_google.use("normal")
    outcome = searched("dune")
    assert outcome.available
    dune = outcome.volumes[0]
    assert (dune.volume_id, dune.title, dune.authors, dune.page_count) == (
        "gDune01",
        "Dune",
        ("Frank Herbert",),
        535,
    )
    assert (dune.isbn_13, dune.isbn_10, dune.published_date) == ("9780441172719", "0441172717", "1990-09-01")
    assert (
        dune.cover_url == "https://books.google.com/books/content?id=gDune01&printsec=frontcover&img=1&zoom=1"
    )


def test_the_request_asks_for_a_partial_response_of_twenty_results(fake_google):
    fake_google.use("normal")
    searched("dune")
    params = fake_google.requests[0]["params"]
    assert params["maxResults"] == ["20"]
    assert params["fields"][0].startswith("items(id,volumeInfo(")
    assert "key" not in params


def test_the_api_key_is_sent_when_configured(fake_google, settings):
    fake_google.use("normal")
    settings.GOOGLE_BOOKS_API_KEY = "secret-key"
    searched("dune")
    assert fake_google.requests[0]["params"]["key"] == ["secret-key"]


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("978-0-441-17271-9", "isbn:9780441172719"),
        ("0 441 17271 7", "isbn:0441172717"),
        ("intitle:dune inauthor:herbert", "intitle:dune inauthor:herbert"),
        ("  The   Left Hand  ", "the left hand"),
    ],
)
def test_isbns_become_isbn_queries_and_operators_pass_through(fake_google, typed, sent):
    fake_google.use("normal")
    searched(typed)
    assert fake_google.queries() == [sent]


def test_a_repeated_query_is_served_from_the_cache(fake_google):
    fake_google.use("normal")
    first = searched("Dune")
    second = google_books.search("  dune ")
    assert fake_google.count == 1
    assert second == first and first.volumes and not first.pending


def test_a_volume_found_by_a_search_is_fetched_without_another_request(fake_google):
    fake_google.use("normal")
    searched("dune")
    volume = google_books.fetch_volume("gDune01")
    assert volume.title == "Dune"
    assert fake_google.count == 1


def test_a_volume_is_fetched_by_id_and_an_unknown_id_is_none(fake_google):
    fake_google.use("normal")
    assert google_books.fetch_volume("gDune01").title == "Dune"
    assert google_books.fetch_volume("nope") is None
    assert fake_google.requests[0]["path"] == "/books/v1/volumes/gDune01"


@pytest.mark.parametrize("scenario", FAILING_SCENARIOS)
def test_every_kind_of_failure_is_reported_as_unavailable_without_raising(
    fake_google, no_retry_wait, scenario
):
    fake_google.use(scenario)
    outcome = searched("dune")
    assert outcome == google_books.SearchOutcome(volumes=[], available=False)


def test_a_failure_is_remembered_for_half_a_minute_only(fake_google, no_retry_wait, clock):
    fake_google.use("malformed")
    searched("dune")
    fake_google.use("normal")
    assert google_books.search("dune") == google_books.UNAVAILABLE
    assert fake_google.count == 1  # not asked again at once: pollers and re-searches hear the failure
    clock.advance(google_books.FAILURE_MEMORY_SECONDS + 1)
    assert searched("dune").available
    assert fake_google.count == 2


def test_missing_and_mistyped_fields_are_skipped_not_fatal(fake_google):
    fake_google.use("missing_fields")
    outcome = searched("dune")
    assert outcome.available
    assert [volume.volume_id for volume in outcome.volumes] == ["oddOne"]
    odd = outcome.volumes[0]
    assert (odd.authors, odd.page_count, odd.published_date, odd.cover_url) == (("A",), None, "", "")


def test_a_503_is_retried_once(fake_google, no_retry_wait):
    fake_google.use("unavailable")
    searched("dune")
    assert fake_google.count == 2
    assert no_retry_wait == [google_books.DEFAULT_RETRY_DELAY]


def test_a_retry_that_succeeds_gives_results(fake_google, no_retry_wait):
    fake_google.use("flaky")
    outcome = searched("dune")
    assert outcome.available and outcome.volumes
    assert fake_google.count == 2 and no_retry_wait == [0.0]


def test_a_429_asking_for_an_hour_is_not_retried(fake_google, no_retry_wait):
    fake_google.use("rate_limited")
    searched("dune")
    assert fake_google.count == 1
    assert no_retry_wait == []


def test_nothing_is_asked_when_google_books_is_not_configured(fake_google, settings):
    settings.GOOGLE_BOOKS_ENABLED = False
    assert google_books.search("dune") == google_books.SearchOutcome(volumes=[], available=False)
    assert google_books.peek("dune") == google_books.SearchOutcome(volumes=[], available=False)
    assert fake_google.count == 0


def test_the_circuit_opens_after_five_failures_in_a_row(fake_google, clock):
    fake_google.use("malformed")
    for attempt in range(5):
        searched(f"query {attempt}")
    assert fake_google.count == 5
    assert google_books.circuit_is_open()

    fake_google.use("normal")
    assert google_books.search("dune") == google_books.UNAVAILABLE  # at once, no lookup started
    assert fake_google.count == 5  # skipped: no request while open

    clock.advance(59)
    searched("dune")
    assert fake_google.count == 5


def test_the_circuit_closes_after_sixty_seconds_when_google_answers(fake_google, clock):
    fake_google.use("malformed")
    for attempt in range(5):
        searched(f"query {attempt}")
    fake_google.use("normal")
    clock.advance(61)
    assert searched("dune").available
    assert not google_books.circuit_is_open()

    # Closed means counting from zero again: one new failure does not reopen it.
    fake_google.use("malformed")
    searched("another")
    assert not google_books.circuit_is_open()


def test_a_failed_trial_after_the_pause_reopens_the_circuit_at_once(fake_google, clock):
    fake_google.use("malformed")
    for attempt in range(5):
        searched(f"query {attempt}")
    clock.advance(61)
    searched("trial")
    assert fake_google.count == 6
    assert google_books.circuit_is_open()


def test_a_success_resets_the_failure_count(fake_google, clock):
    fake_google.use("malformed")
    for attempt in range(4):
        searched(f"query {attempt}")
    fake_google.use("normal")
    searched("dune")
    fake_google.use("malformed")
    for attempt in range(4):
        searched(f"again {attempt}")
    assert not google_books.circuit_is_open()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "http://books.google.com/books/content?id=1&edge=curl&zoom=1",
            "https://books.google.com/books/content?id=1&zoom=1",
        ),
        ("https://books.googleusercontent.com/x.jpg", "https://books.googleusercontent.com/x.jpg"),
        ("https://evil.example/cover.jpg", ""),
        ("javascript:alert(1)", ""),
        (42, ""),
    ],
)
def test_cover_urls_are_https_on_google_hosts_only(raw, expected):
    assert google_books.normalize_cover_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "http://books.google.com/books/content?id=a b",  # a space inside
        "http://books.google.com/books/content?id=a\tb",
        "http://books.google.com/books/content?id=1\n&zoom=1",
        LONG_HTTP_COVER,  # 500 characters as http, 501 as https
        "https://books.google.com:8443/books/content?id=1",  # a port
        "https://books.google.com:443/books/content?id=1",
        "https://me@books.google.com/books/content?id=1",  # a user part
        "https://me:pw@books.googleusercontent.com/x.jpg",
        "https://books.google.com.evil.example/x.jpg",
        "https://evilbooks.google.com/x.jpg",
        "https://books.google.com./x.jpg",
        'https://books.google.com/x.jpg"onerror="alert(1)',
        "ftp://books.google.com/x.jpg",
        "//books.google.com/x.jpg",
        "",
    ],
)
def test_cover_urls_that_are_not_clean_https_on_the_csp_hosts_are_dropped(raw):
    assert google_books.normalize_cover_url(raw) == ""


def test_a_cover_url_exactly_at_the_length_limit_after_https_is_kept():
    raw = "http://books.google.com/books/content?id=" + "x" * (499 - 41)
    assert len(raw) == 499
    assert google_books.normalize_cover_url(raw) == "https" + raw[4:]
    assert len(google_books.normalize_cover_url(raw)) == 500


def test_volumes_with_odd_covers_are_parsed_without_a_cover(fake_google):
    fake_google.use("normal")
    for volume_id in ("gSpaceCover", "gLongCover", "gPortCover", "gUserCover"):
        volume = google_books.fetch_volume(volume_id)
        assert volume.title == f"Odd {volume_id}" and volume.cover_url == ""


@pytest.mark.parametrize("scenario", ["drip", "drip_headers", "hang"])
def test_a_search_never_waits_and_a_stuck_lookup_is_unavailable_by_its_answer_time(fake_google, scenario):
    fake_google.use(scenario)
    started = time.monotonic()
    assert google_books.search("dickens") == google_books.PENDING
    assert time.monotonic() - started < 0.2
    wait_for_google("dickens")
    assert google_books.peek("dickens") == google_books.UNAVAILABLE
    assert time.monotonic() - started < google_books.LOOKUP_SECONDS + 0.5
    # Asking again meanwhile neither waits nor starts a second lookup.
    assert google_books.search("dickens") == google_books.UNAVAILABLE
    assert fake_google.count == 1


def test_lookups_that_run_out_of_time_count_towards_opening_the_circuit(fake_google, clock, monkeypatch):
    monkeypatch.setattr(google_books, "TOTAL_DEADLINE", 0.6)
    fake_google.use("drip")
    for attempt in range(5):
        assert not searched(f"query {attempt}").available
    assert google_books.circuit_is_open()
    assert fake_google.count == 5


def test_when_every_worker_and_queue_place_is_taken_google_is_unavailable_at_once(fake_google):
    fake_google.use("normal")
    taken = 0
    while google_books._pool_slots.acquire(blocking=False):
        taken += 1
    try:
        assert taken == google_books.POOL_WORKERS + google_books.QUEUE_LIMIT
        started = time.monotonic()
        assert google_books.search("dune") == google_books.UNAVAILABLE
        assert time.monotonic() - started < 0.5
        assert fake_google.count == 0
    finally:
        for _ in range(taken):
            google_books._pool_slots.release()
    assert searched("dune").available


def test_one_lookup_per_query_however_many_search_at_once(fake_google):
    fake_google.use("hang")
    outcomes = [google_books.search("dune") for _ in range(8)]
    assert outcomes == [google_books.PENDING] * 8
    time.sleep(0.2)
    assert fake_google.count == 1


def test_a_lookup_that_waited_too_long_for_a_worker_gives_up_without_asking(fake_google, monkeypatch):
    fake_google.use("hang")
    for attempt in range(google_books.POOL_WORKERS):  # every worker hangs on Google
        google_books.search(f"busy {attempt}")
    monkeypatch.setattr(google_books, "LOOKUP_SECONDS", 0.3)
    assert google_books.search("queued") == google_books.PENDING
    wait_for_google("queued")  # its answer time passed while it waited in the queue
    assert google_books.peek("queued") == google_books.UNAVAILABLE
    fake_google.stopping.set()  # the hanging answers end: the workers free up and take the queued job
    wait_for_background_lookups()
    assert fake_google.count == google_books.POOL_WORKERS
    assert "queued" not in fake_google.queries()
    assert google_books.search("queued") == google_books.UNAVAILABLE  # remembered, not asked again


def test_the_pool_thread_opens_no_database_connection(fake_google, monkeypatch):
    from django.db import connections

    opened = []
    real = google_books._get_json

    def watched(*args):
        try:
            return real(*args)
        finally:
            opened.extend(alias for alias in connections if connections[alias].connection is not None)

    monkeypatch.setattr(google_books, "_get_json", watched)
    fake_google.use("normal")
    assert searched("dune").available
    assert opened == []


def test_impossible_dates_from_google_fall_back_to_the_year(fake_google):
    fake_google.use("normal")
    assert google_books.fetch_volume("gBadDate").published_date == "1999"
