"""The book sources (Google Books, Open Library) asked by ISBN, for imports that run in the background.

Unlike search, which never waits, these calls wait for their answer (bounded by each client's own
deadline): they run in a task, not in a request.
"""

from books.models import Book


def book_for_isbn(*, isbn_13: str, isbn_10: str) -> Book | None:
    """The catalog's book for this ISBN, imported from the first source that knows it; None otherwise."""
    return None
