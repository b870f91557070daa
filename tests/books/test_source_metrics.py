"""/metrics on the book sources: their failures by kind and their breakers, against the fake Google Books."""

import pytest

from books import google_books
from tests.books.conftest import wait_for_google
from tests.booky.test_metrics import TOKEN, scrape, value


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.django_db
def test_book_source_errors_are_counted_and_the_open_breaker_shows(client, metrics_on, fake_google, clock):
    before = scrape(client)
    assert value(before, "booky_book_source_breaker_open", source="google") == 0
    assert value(before, "booky_book_source_enabled", source="google") == 1
    assert value(before, "booky_book_source_enabled", source="openlibrary") == 0
    fake_google.use("malformed")
    for attempt in range(5):
        google_books.search(f"metrics {attempt}")
        wait_for_google(f"metrics {attempt}")
    after = scrape(client)
    assert value(after, "booky_book_source_breaker_open", source="google") == 1
    assert value(after, "booky_book_source_errors_total", source="google", kind="garbage") == (
        value(before, "booky_book_source_errors_total", source="google", kind="garbage") + 5
    )
