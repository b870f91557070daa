"""Open Library beside Google Books: its client against a fake server on a real socket (timeouts,
retry, pacing, breaker, cache), the merged search, and the page that adds one of its works."""

import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from books import google_books, open_library
from books.models import Book, Source
from tests.books.conftest import FAILING_SCENARIOS, settled_get, wait_for_background_lookups, wait_for_sources

CONTACT_AGENT = "Booky/1.0 (+mailto:books@club.example)"


def wait_until(condition, timeout: float = 10.0) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "gave up waiting"
        time.sleep(0.02)


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


# --- the merged search ----------------------------------------------------------------------------

GOOGLE_NOTICE = "Google Books is unavailable right now"
OPEN_LIBRARY_NOTICE = "Open Library is unavailable right now"
HX = {"HX-Request": "true"}


def titles(response) -> list[str]:
    return re.findall(r'class="book-title">([^<]+)<', response.text)


@pytest.fixture
def both_sources(fake_google, fake_open_library):
    fake_google.use("normal")
    fake_open_library.use("normal")
    return fake_google, fake_open_library


@pytest.mark.django_db
def test_results_are_local_then_google_then_open_library_each_book_once(client, both_sources):
    page = settled_get(client, "/books/", {"q": "pride"})
    # Pride: local, and Google's and Open Library's by ISBN (Open Library's as an ISBN-10). Dune: Google's,
    # and Open Library's shares its ISBN. Frankenstein: the catalog's, found by Open Library's ISBN.
    assert titles(page) == [
        "Pride and Prejudice",
        "Dune",
        "Frankenstein",
        "The Left Hand of Darkness",
        "The Hobbit",
    ]
    assert 'action="/books/google/gDune01/"' in page.text
    assert 'action="/books/openlibrary/OL59863W/"' in page.text
    assert f'href="/books/{Book.objects.get(title="Frankenstein").pk}/"' in page.text
    assert '<span class="badge">Open Library</span>' in page.text
    assert '<img src="https://covers.openlibrary.org/b/id/8231856-M.jpg"' in page.text
    assert GOOGLE_NOTICE not in page.text and OPEN_LIBRARY_NOTICE not in page.text


@pytest.mark.django_db
def test_the_api_includes_open_library_works_as_it_includes_google_volumes(api_client, both_sources):
    body = settled_get(api_client, "/api/v1/books/", {"q": "pride"}).json()
    rows = [
        (r["title"], r["id"] is None, r["source"], r["open_library_key"], r["url"]) for r in body["results"]
    ]
    frankenstein = Book.objects.get(title="Frankenstein")
    assert rows[2:] == [
        ("Frankenstein", False, "catalog", "", f"/books/{frankenstein.pk}/"),
        ("The Left Hand of Darkness", True, "openlibrary", "OL59863W", "/books/openlibrary/OL59863W/"),
        ("The Hobbit", True, "openlibrary", "OL27482W", "/books/openlibrary/OL27482W/"),
    ]
    assert (body["open_library_available"], body["open_library_pending"], body["pending"]) == (
        True,
        False,
        False,
    )
    assert body["notice"] is None and body["google_available"] is True


@pytest.mark.django_db
def test_a_work_we_have_by_its_key_shows_as_our_book(client, both_sources):
    ours = Book.objects.create(
        title="Left Hand", authors=["Le Guin"], page_count=300, open_library_key="OL59863W"
    )
    page = settled_get(client, "/books/", {"q": "pride"})
    assert "The Left Hand of Darkness" not in titles(page) and "Left Hand" in titles(page)
    assert f'href="/books/{ours.pk}/"' in page.text


@pytest.mark.django_db
def test_both_sources_cost_one_lookup_query_as_google_alone_did(client, both_sources):
    settled_get(client, "/books/", {"q": "dune"})
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/books/", {"q": "dune"}).status_code == 200
    # As in test_pages: the setup query, the count of the local matches, one lookup for both sources.
    assert len(queries) == 3


@pytest.mark.django_db
def test_with_open_library_switched_off_google_merges_alone_without_a_notice(client, both_sources, settings):
    settings.OPEN_LIBRARY_ENABLED = False
    page = settled_get(client, "/books/", {"q": "pride"})
    assert titles(page) == ["Pride and Prejudice", "Dune"]
    assert "unavailable right now" not in page.text
    assert both_sources[1].count == 0


@pytest.mark.django_db
def test_with_google_switched_off_open_library_fills_in_and_google_is_named(client, both_sources, settings):
    settings.GOOGLE_BOOKS_ENABLED = False
    page = settled_get(client, "/books/", {"q": "pride"})
    # No Google volume to clash with: Open Library's Dune shows.
    assert titles(page) == [
        "Pride and Prejudice",
        "Dune",
        "Frankenstein",
        "The Left Hand of Darkness",
        "The Hobbit",
    ]
    assert 'action="/books/openlibrary/OL893415W/"' in page.text
    assert f"{GOOGLE_NOTICE}. Showing books" in page.text
    assert both_sources[0].count == 0


@pytest.mark.django_db
def test_with_both_switched_off_the_catalog_answers_alone(client, api_client, both_sources, settings):
    settings.GOOGLE_BOOKS_ENABLED = False
    settings.OPEN_LIBRARY_ENABLED = False
    page = client.get("/books/", {"q": "pride"})
    assert titles(page) == ["Pride and Prejudice"]
    assert GOOGLE_NOTICE in page.text and "books-pending" not in page.text
    body = api_client.get("/api/v1/books/", {"q": "pride"}).json()
    assert (body["pending"], body["open_library_available"], body["notice"]) == (False, False, GOOGLE_NOTICE)
    assert both_sources[0].count == both_sources[1].count == 0


@pytest.mark.django_db
def test_with_both_unreachable_the_catalog_answers_and_the_notice_names_both(
    client, api_client, both_sources
):
    both_sources[0].use("refused")
    both_sources[1].use("refused")
    page = settled_get(client, "/books/", {"q": "pride"})
    assert titles(page) == ["Pride and Prejudice"]
    assert "Google Books and Open Library are unavailable right now. Showing books" in page.text
    body = api_client.get("/api/v1/books/", {"q": "pride"}).json()
    assert (body["google_available"], body["open_library_available"]) == (False, False)


@pytest.mark.django_db
def test_when_open_library_alone_fails_the_notice_names_it(client, api_client, both_sources):
    both_sources[1].use("not_json")
    page = settled_get(client, "/books/", {"q": "pride"})
    assert titles(page) == ["Pride and Prejudice", "Dune"]
    assert f"{OPEN_LIBRARY_NOTICE}. Showing books" in page.text and GOOGLE_NOTICE not in page.text
    body = api_client.get("/api/v1/books/", {"q": "pride"}).json()
    assert (body["google_available"], body["open_library_available"], body["notice"]) == (
        True,
        False,
        OPEN_LIBRARY_NOTICE,
    )


@pytest.mark.django_db
def test_the_page_polls_while_open_library_alone_is_pending(client, api_client, both_sources):
    both_sources[1].use("hang")
    client.get("/books/", {"q": "pride"})
    wait_until(lambda: not google_books.peek("pride").pending)
    page = client.get("/books/", {"q": "pride"})
    assert "Searching Open Library…" in page.text and "Searching Google Books" not in page.text
    assert titles(page) == ["Pride and Prejudice", "Dune"]
    url = re.search(r'data-hx-get="(/books/search/google/\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert client.get(url, headers=HX).status_code == 204
    body = api_client.get("/api/v1/books/", {"q": "pride"}).json()
    assert (body["google_pending"], body["open_library_pending"], body["pending"]) == (False, True, True)
    assert body["notice"] is None


@pytest.mark.django_db
def test_the_picker_offers_open_library_works_and_choosing_one_imports_it(client, user, both_sources):
    client.force_login(user)
    settled_get(client, "/books/picker/", {"field": "book", "book_q": "pride"}, headers=HX)
    text = client.get("/books/picker/", {"field": "book", "book_q": "pride"}, headers=HX).text
    assert 'value="openlibrary:OL59863W"' in text
    response = client.post(
        "/books/picker/choose/", {"field": "book", "book": "openlibrary:OL59863W"}, headers=HX
    )
    book = Book.objects.get(open_library_key="OL59863W")
    assert response.status_code == 200 and f'value="{book.pk}"' in response.text


# --- the import page ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_page_shows_a_searched_work_and_asks_a_visitor_to_sign_in(client, both_sources):
    settled_get(client, "/books/", {"q": "pride"})
    page = client.get("/books/openlibrary/OL59863W/")
    assert page.status_code == 200
    assert "<h1>The Left Hand of Darkness</h1>" in page.text and "by Ursula K. Le Guin" in page.text
    assert "This book is on Open Library but not in Booky yet." in page.text
    assert (
        "Sign in to add it to Booky" in page.text
        and "/accounts/login/?next=%2Fbooks%2Fopenlibrary%2FOL59863W%2F" in page.text
    )
    assert 'action="/books/openlibrary/OL59863W/"' not in page.text
    assert client.head("/books/openlibrary/OL59863W/").status_code == 200
    assert not Book.objects.filter(open_library_key="OL59863W").exists()
    assert both_sources[1].count == 1  # from the search's cache


@pytest.mark.django_db
def test_the_import_page_offers_a_signed_in_member_to_add_it(client, user, both_sources):
    client.force_login(user)
    page = client.get("/books/openlibrary/OL59863W/")  # never searched: shown without details, nobody asked
    assert page.status_code == 200 and "A book from Open Library" in page.text
    assert (
        '<form method="post" action="/books/openlibrary/OL59863W/"' in page.text
        and "Add it to Booky" in page.text
    )
    assert both_sources[1].count == 0


@pytest.mark.django_db
def test_a_visitor_posting_is_sent_to_sign_in_and_nothing_is_added(client, both_sources):
    response = client.post("/books/openlibrary/OL59863W/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "next=/books/openlibrary/OL59863W/" in response["Location"].replace("%2F", "/")
    assert not Book.objects.filter(open_library_key="OL59863W").exists()


@pytest.mark.django_db
def test_adding_a_work_creates_the_book_once_and_then_links_to_it(client, user, both_sources):
    client.force_login(user)
    settled_get(client, "/books/", {"q": "pride"})
    response = client.post("/books/openlibrary/OL59863W/")
    book = Book.objects.get(open_library_key="OL59863W")
    assert response.status_code == 302 and response["Location"] == f"/books/{book.pk}/"
    assert (book.source, book.title, book.authors, book.page_count, book.published_date) == (
        Source.OPEN_LIBRARY,
        "The Left Hand of Darkness",
        ["Ursula K. Le Guin"],
        304,
        "1969",
    )
    assert (book.isbn_13, book.isbn_10) == ("9780441478125", "0441478123")
    assert book.cover_url == "https://covers.openlibrary.org/b/id/8231856-M.jpg"
    assert both_sources[1].count == 1  # the work came from the search's cache
    again = client.post("/books/openlibrary/OL59863W/")
    assert again["Location"] == f"/books/{book.pk}/"
    assert Book.objects.filter(open_library_key="OL59863W").count() == 1
    assert client.get("/books/openlibrary/OL59863W/")["Location"] == f"/books/{book.pk}/"


@pytest.mark.django_db
def test_a_work_without_a_page_count_gets_one_from_its_editions(client, user, both_sources):
    client.force_login(user)
    settled_get(client, "/books/", {"q": "pride"})
    client.post("/books/openlibrary/OL27482W/")
    book = Book.objects.get(open_library_key="OL27482W")
    assert (book.page_count, book.subtitle, book.cover_url) == (310, "There and Back Again", "")
    assert [request["path"] for request in both_sources[1].requests] == [
        "/search.json",
        "/works/OL27482W/editions.json",
    ]


@pytest.mark.django_db
def test_a_work_with_the_isbn_of_a_book_we_have_leads_to_that_book(client, user, both_sources):
    client.force_login(user)
    settled_get(client, "/books/", {"q": "pride"})
    frankenstein = Book.objects.get(title="Frankenstein")
    assert client.get("/books/openlibrary/OL450063W/")["Location"] == f"/books/{frankenstein.pk}/"
    count = Book.objects.count()
    response = client.post("/books/openlibrary/OL450063W/")
    assert response["Location"] == f"/books/{frankenstein.pk}/"
    assert Book.objects.count() == count
    frankenstein.refresh_from_db()
    assert frankenstein.open_library_key == "OL450063W" and frankenstein.source == Source.CATALOG


@pytest.mark.django_db
def test_adding_a_work_while_open_library_is_down_says_so(client, user, both_sources):
    client.force_login(user)
    both_sources[1].use("unavailable")
    response = client.post("/books/openlibrary/OL59863W/")
    assert response.status_code == 503 and OPEN_LIBRARY_NOTICE in response.text
    assert not Book.objects.filter(open_library_key="OL59863W").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["OL1M", "ol59863w", "OL0W", "x"])
def test_malformed_work_keys_are_404(client, user, key):
    client.force_login(user)
    assert client.get(f"/books/openlibrary/{key}/").status_code == 404
    assert client.post(f"/books/openlibrary/{key}/").status_code == 404


@pytest.mark.django_db
def test_the_api_adds_an_open_library_work_by_its_key(api_client, user, both_sources):
    api_client.force_authenticate(user)
    first = api_client.post("/api/v1/books/", {"open_library_key": "OL59863W"}, format="json")
    assert first.status_code == 201 and first.json()["open_library_key"] == "OL59863W"
    assert first.json()["source"] == "openlibrary"
    again = api_client.post("/api/v1/books/", {"open_library_key": "OL59863W"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
