"""The book sources (Google Books, then Open Library) asked by ISBN, for imports that run in the background.

Unlike search, which never waits, these calls wait for their answer (bounded by each client's own
deadline, and skipped while its circuit breaker is open): they run in a task, not in a request. A
source that is switched off, unreachable or without the book simply passes to the next.
"""

import logging

from books import google_books, open_library
from books import isbn as isbn_lib
from books.models import Book
from books.remote import NotFound, Unavailable
from books.services import book_import_google, book_import_open_library
from booky.core.errors import DomainError

logger = logging.getLogger(__name__)


def remote_sources() -> list:
    """Each book source's `Remote` (its breaker and configuration), for /metrics."""
    return [google_books._remote, open_library._remote]


def _as_isbn_13(isbn_13: str, isbn_10: str) -> str:
    if isbn_13 and isbn_lib.is_valid_isbn13(isbn_13):
        return isbn_13
    if isbn_10 and isbn_lib.is_valid_isbn10(isbn_10):
        return isbn_lib.to_isbn13(isbn_10)
    return ""


def book_for_isbn(*, isbn_13: str, isbn_10: str) -> Book | None:
    """The catalog's book for this ISBN, imported from the first source that knows it; None otherwise."""
    isbn = _as_isbn_13(isbn_13, isbn_10)
    if not isbn:
        return None
    if google_books.is_configured() and not google_books.circuit_is_open():
        try:
            volume = google_books.find_isbn(isbn)
            if volume is not None:
                return book_import_google(volume_id=volume.volume_id)
        except (Unavailable, NotFound, DomainError) as error:
            logger.info("Google Books could not give ISBN %s: %s", isbn, error)
    if open_library.is_configured() and not open_library.circuit_is_open():
        try:
            doc = open_library.find_isbn(isbn)
            if doc is not None:
                return book_import_open_library(work_key=doc.key)
        except (Unavailable, NotFound, DomainError) as error:
            logger.info("Open Library could not give ISBN %s: %s", isbn, error)
    return None
