"""Open Library beside Google Books: its client against a fake server on a real socket (timeouts,
retry, pacing, breaker, cache), the merged search, and the page that adds one of its works."""

import time

import pytest

from books import open_library
from tests.books.conftest import FAILING_SCENARIOS, wait_for_background_lookups, wait_for_sources

CONTACT_AGENT = "Booky/1.0 (+mailto:books@club.example)"


def searched(text: str) -> open_library.SearchOutcome:
    """Search, let the background lookup finish, and read what every later request sees."""
    open_library.search(text)
    wait_for_sources(text)
    return open_library.peek(text)


# --- the client -----------------------------------------------------------------------------------


def test_a_search_returns_parsed_works_with_covers_and_isbn_13s(fake_open_library):
    fake_open_library.use("normal")
    outcome = searched("dune")
    assert outcome.available and not outcome.pending
    assert [doc.key for doc in outcome.docs] == ["OL893415W", "OL66554W", "OL450063W", "OL59863W", "OL27482W"]
    dune = outcome.docs[0]
    assert (dune.title, dune.authors, dune.year, dune.page_count) == ("Dune", ("Frank Herbert",), "1965", 658)
    assert dune.cover_url == "https://covers.openlibrary.org/b/id/11481354-M.jpg"
    assert dune.isbns == ("9780593099322", "9780441172719")  # the ISBN-10 as ISBN-13, garbage dropped
    hobbit = outcome.docs[-1]
    assert (hobbit.cover_url, hobbit.page_count, hobbit.subtitle) == ("", None, "There and Back Again")


def test_the_request_asks_search_json_for_the_fields_booky_uses_and_twenty_results(fake_open_library):
    fake_open_library.use("normal")
    searched("Dune")
    request = fake_open_library.requests[0]
    assert request["path"] == "/search.json"
    assert request["params"] == {
        "q": ["dune"],
        "fields": [
            "key,title,subtitle,author_name,first_publish_year,isbn,cover_i,number_of_pages_median,edition_key"
        ],
        "limit": ["20"],
    }


def test_every_request_names_booky_and_its_contact_address(fake_open_library):
    fake_open_library.use("normal")
    searched("dune")
    assert fake_open_library.requests[0]["headers"]["User-Agent"] == CONTACT_AGENT


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("978-0-441-17271-9", "isbn:9780441172719"),
        ("intitle:dune inauthor:herbert", "title:dune author:herbert"),
        ("  The   Left Hand  ", "the left hand"),
    ],
)
def test_isbns_and_google_operators_become_open_library_queries(fake_open_library, typed, sent):
    fake_open_library.use("normal")
    searched(typed)
    assert fake_open_library.queries() == [sent]


def test_a_repeated_query_is_served_from_the_cache(fake_open_library):
    fake_open_library.use("normal")
    first = searched("Dune")
    assert open_library.search("  dune ") == first
    assert fake_open_library.count == 1


def test_a_search_never_waits_on_a_slow_server_and_the_deadline_makes_it_unavailable(fake_open_library):
    fake_open_library.use("slow")
    started = time.monotonic()
    assert open_library.search("dune") == open_library.PENDING
    assert time.monotonic() - started < 0.2
    wait_for_sources("dune")
    assert open_library.peek("dune") == open_library.UNAVAILABLE
    assert time.monotonic() - started < open_library.LOOKUP_SECONDS


@pytest.mark.parametrize("scenario", [*FAILING_SCENARIOS, "not_json", "wrong_shape"])
def test_every_kind_of_failure_is_unavailable_without_raising(fake_open_library, scenario):
    fake_open_library.use(scenario)
    assert searched("dune") == open_library.SearchOutcome(docs=[], available=False)


def test_missing_and_mistyped_fields_are_skipped_not_fatal(fake_open_library):
    fake_open_library.use("missing_fields")
    outcome = searched("dune")
    assert outcome.available
    assert [doc.key for doc in outcome.docs] == ["OL3W"]
    odd = outcome.docs[0]
    assert (odd.authors, odd.year, odd.isbns, odd.cover_url, odd.page_count) == ((), "", (), "", None)


def test_a_429_asking_for_a_second_is_retried_once(fake_open_library):
    fake_open_library.use("briefly_limited")
    assert searched("dune").docs
    assert fake_open_library.count == 2
    assert fake_open_library.waits[0] == 1.0


def test_a_429_asking_for_an_hour_is_not_retried(fake_open_library):
    fake_open_library.use("rate_limited")
    assert not searched("dune").available
    assert fake_open_library.count == 1 and fake_open_library.waits == []


def test_a_503_is_retried_once_then_unavailable(fake_open_library):
    fake_open_library.use("unavailable")
    assert not searched("dune").available
    assert fake_open_library.count == 2
    assert fake_open_library.waits[0] == 0.25


def test_at_most_one_request_a_second_leaves_the_process(fake_open_library):
    fake_open_library.use("normal")
    searched("dune")
    assert fake_open_library.waits == []
    fake_open_library.clock.advance(0.25)
    searched("hobbit")  # a quarter second later: waits out the rest of the second
    assert fake_open_library.waits == [pytest.approx(0.75, abs=0.2)]
    fake_open_library.clock.advance(5)
    searched("left hand")  # long after: asks at once
    assert fake_open_library.waits == [pytest.approx(0.75, abs=0.2)]
    assert fake_open_library.count == 3


def test_nothing_is_asked_when_open_library_is_switched_off(fake_open_library, settings):
    settings.OPEN_LIBRARY_ENABLED = False
    assert open_library.search("dune") == open_library.UNAVAILABLE
    assert open_library.peek("dune") == open_library.UNAVAILABLE
    assert fake_open_library.count == 0


def test_a_failure_is_remembered_for_half_a_minute_only(fake_open_library):
    fake_open_library.use("not_json")
    searched("dune")
    fake_open_library.use("normal")
    assert open_library.search("dune") == open_library.UNAVAILABLE
    assert fake_open_library.count == 1
    fake_open_library.clock.advance(open_library.FAILURE_MEMORY_SECONDS + 1)
    assert searched("dune").available
    assert fake_open_library.count == 2


def test_the_circuit_opens_after_five_failures_and_closes_after_sixty_seconds(fake_open_library):
    fake_open_library.use("not_json")
    for attempt in range(5):
        fake_open_library.clock.advance(1)
        searched(f"query {attempt}")
    assert open_library.circuit_is_open() and fake_open_library.count == 5
    fake_open_library.use("normal")
    assert open_library.search("dune") == open_library.UNAVAILABLE
    assert fake_open_library.count == 5  # no request while open
    fake_open_library.clock.advance(61)
    assert searched("dune").available
    assert not open_library.circuit_is_open()


def test_open_librarys_breaker_is_its_own(fake_open_library):
    from books import google_books

    fake_open_library.use("not_json")
    for attempt in range(5):
        fake_open_library.clock.advance(1)
        searched(f"query {attempt}")
    assert open_library.circuit_is_open() and not google_books.circuit_is_open()


@pytest.mark.parametrize(
    ("cover_id", "url"),
    [
        (8231856, "https://covers.openlibrary.org/b/id/8231856-M.jpg"),
        (0, ""),
        (-5, ""),
        (True, ""),
        ("8231856", ""),
        (None, ""),
    ],
)
def test_covers_are_built_from_positive_integer_cover_ids_only(cover_id, url):
    assert open_library.cover_url(cover_id) == url


@pytest.mark.parametrize(
    "raw",
    [
        "https://covers.openlibrary.org/b/id/12-L.jpg",
        "http://covers.openlibrary.org/b/id/12-M.jpg",
        "https://covers.openlibrary.org/b/isbn/9780441172719-M.jpg",
        "https://covers.openlibrary.org.evil.example/b/id/12-M.jpg",
        "https://covers.openlibrary.org/b/id/12-M.jpg?x=1",
        "https://covers.openlibrary.org/b/id/12-M.jpg\n",
        "https://books.google.com/books/content?id=1",
    ],
)
def test_only_the_exact_cover_url_form_is_kept(raw):
    assert open_library.normalize_cover_url(raw) == ""


def test_cover_hosts_are_all_allowed_by_the_content_security_policy(settings):
    from books.models import COVER_HOSTS

    assert open_library.COVER_HOST in COVER_HOSTS
    for host in COVER_HOSTS:
        assert f"https://{host}" in settings.SECURE_CSP["img-src"]


def test_a_work_found_by_a_search_is_fetched_without_another_request(fake_open_library):
    fake_open_library.use("normal")
    searched("dune")
    assert open_library.fetch_doc("OL59863W").title == "The Left Hand of Darkness"
    assert fake_open_library.count == 1


def test_a_work_not_in_the_cache_is_asked_for_by_key(fake_open_library):
    fake_open_library.use("normal")
    assert open_library.fetch_doc("OL59863W").title == "The Left Hand of Darkness"
    assert fake_open_library.queries() == ["key:/works/OL59863W"]
    assert open_library.fetch_doc("OL999W") is None
    assert open_library.fetch_doc("../etc") is None and fake_open_library.count == 2


def test_a_page_count_comes_from_the_first_edition_that_has_one(fake_open_library):
    fake_open_library.use("normal")
    hobbit = open_library.parse_doc(
        {"key": "/works/OL27482W", "title": "The Hobbit", "isbn": ["9780547928227"]}
    )
    assert open_library.fetch_page_count(hobbit) == 310
    assert fake_open_library.requests[0]["path"] == "/works/OL27482W/editions.json"
    assert fake_open_library.requests[0]["headers"]["User-Agent"] == CONTACT_AGENT


def test_a_page_count_lookup_that_fails_is_none_not_an_error(fake_open_library):
    fake_open_library.use("unavailable")
    hobbit = open_library.Doc(key="OL27482W", title="The Hobbit")
    assert open_library.fetch_page_count(hobbit) is None


def test_the_pool_thread_opens_no_database_connection(fake_open_library, monkeypatch):
    from django.db import connections

    opened = []
    real = open_library._get_json

    def watched(*args):
        try:
            return real(*args)
        finally:
            opened.extend(alias for alias in connections if connections[alias].connection is not None)

    monkeypatch.setattr(open_library, "_get_json", watched)
    fake_open_library.use("normal")
    assert searched("dune").available
    wait_for_background_lookups()
    assert opened == []
