"""Importing from Google Books never fails because of Google's optional fields."""

import pytest

from books import google_books, services

pytestmark = pytest.mark.django_db


def test_an_import_drops_optional_fields_the_model_refuses_instead_of_failing(monkeypatch):
    volume = google_books.Volume(
        volume_id="gStale01",
        title="Stale Cache Entry",
        authors=("Old Writer",),
        published_date="1999-02-31",
        cover_url="http://books.google.com/x y",
        isbn_13="1234567890123",
        page_count=10**9,
    )
    monkeypatch.setattr(google_books, "fetch_volume", lambda volume_id: volume)
    book = services.book_import_google(volume_id="gStale01")
    book.refresh_from_db()
    assert (book.title, book.authors, book.google_volume_id) == (
        "Stale Cache Entry",
        ["Old Writer"],
        "gStale01",
    )
    assert (book.published_date, book.cover_url, book.isbn_13, book.page_count) == ("", "", "", None)


def test_a_google_volume_without_a_usable_title_is_refused_with_a_clear_message(monkeypatch):
    volume = google_books.Volume(volume_id="gNoTitle", title="x" * 400)
    monkeypatch.setattr(google_books, "fetch_volume", lambda volume_id: volume)
    with pytest.raises(services.GoogleBooksUnavailable, match="cannot store"):
        services.book_import_google(volume_id="gNoTitle")
