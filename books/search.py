"""Book search that keeps working offline: local rows first, then Google Books volumes we lack.

The results are one sequence to paginate: every local match (ranked, paged by the database), followed
by the Google volumes (at most 20) that are not already among them. A page costs a fixed number of
queries whatever the number of results: count and slice of the local search, and, when Google
answered, one lookup mapping its volumes onto books we have (by volume id or ISBN) that also says
which of those the local search already lists, so nothing shows up twice.
"""

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from books import google_books
from books.models import PLACEHOLDER_HUES, Book

QUERY_MAX_LENGTH = 200
UNAVAILABLE_NOTICE = "Google Books is unavailable right now"
# A poller stops waiting this long after the search (the lookup may be running in a process whose
# cache it cannot see; google_books gives every lookup its answer by LOOKUP_SECONDS).
POLL_GIVE_UP_SECONDS = google_books.LOOKUP_SECONDS + 4
_OPERATORS = re.compile(r"\b(?:intitle|inauthor|inpublisher|subject|isbn):", re.IGNORECASE)


def clean_query(raw) -> str:
    return " ".join(str(raw or "").replace("\x00", " ").split())[:QUERY_MAX_LENGTH]


@dataclass(frozen=True)
class Result:
    """One row of search results: a Book we have, or a Google volume we could import."""

    title: str
    subtitle: str
    authors: tuple[str, ...]
    year: str
    page_count: int | None
    cover_url: str
    book: Book | None = None
    google_volume_id: str = ""
    isbn_13: str = ""
    isbn_10: str = ""

    @classmethod
    def from_book(cls, book: Book) -> "Result":
        return cls(
            title=book.title,
            subtitle=book.subtitle,
            authors=tuple(book.authors if isinstance(book.authors, list) else ()),
            year=book.year,
            page_count=book.page_count,
            cover_url=book.cover_url,
            book=book,
            google_volume_id=book.google_volume_id,
            isbn_13=book.isbn_13,
            isbn_10=book.isbn_10,
        )

    @classmethod
    def from_volume(cls, volume: google_books.Volume) -> "Result":
        return cls(
            title=volume.title,
            subtitle=volume.subtitle,
            authors=volume.authors,
            year=volume.year,
            page_count=volume.page_count,
            cover_url=volume.cover_url,
            google_volume_id=volume.volume_id,
            isbn_13=volume.isbn_13,
            isbn_10=volume.isbn_10,
        )

    @property
    def pk(self) -> int | None:
        return self.book.pk if self.book else None

    @property
    def url(self) -> str:
        if self.book:
            return self.book.get_absolute_url()
        return reverse("books:google", args=[self.google_volume_id])

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors)

    @property
    def placeholder_hue(self) -> int:
        return self.book.placeholder_hue if self.book else len(self.google_volume_id) % PLACEHOLDER_HUES

    @property
    def source(self) -> str:
        return self.book.source if self.book else "google"


class ResultList(Sequence):
    """Local matches (a QuerySet, sliced per page by the database) followed by `extras`."""

    def __init__(self, local, extras: list[Result] = ()):
        self.local = local
        self.extras = list(extras)

    @cached_property
    def local_count(self) -> int:
        return self.local.count()

    def __len__(self) -> int:
        return self.local_count + len(self.extras)

    def __getitem__(self, index):
        if isinstance(index, int):
            items = self[index : index + 1] if index >= 0 else self[len(self) + index :][:1]
            if not items:
                raise IndexError(index)
            return items[0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            return list(self)[index]
        if stop <= start:
            return []
        local_stop = min(stop, self.local_count)
        books = list(self.local[start:local_stop]) if start < local_stop else []
        results = [Result.from_book(book) for book in books]
        return results + self.extras[max(0, start - self.local_count) : max(0, stop - self.local_count)]

    def __iter__(self):
        return iter(self[0 : len(self)])


@dataclass(frozen=True)
class SearchResults:
    query: str
    results: ResultList
    google_available: bool
    google_pending: bool = False  # Google's part is being fetched in the background: poll for it

    @property
    def notice(self) -> str:
        return "" if self.google_available else UNAVAILABLE_NOTICE

    def give_up_on_google(self) -> "SearchResults":
        return replace(self, google_available=False, google_pending=False)


def poll_started_at(raw) -> int:
    """The search's time (seconds since the epoch) a poll URL carries; 0 when missing or not a number."""
    raw = str(raw or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else 0


def poll_expired(started_at: int) -> bool:
    return time.time() - started_at > POLL_GIVE_UP_SECONDS


def search_books(raw_query, *, ask_google: bool = True) -> SearchResults:
    """Local matches (ranked, all of them), then Google's volumes that are not already among them.

    Never waits on Google: what it has not answered yet is `google_pending`. With `ask_google` off
    (polls) only the cache is read and no lookup starts. Nothing is read from the database here
    except for Google's volumes; the local rows are read page by page when the results are sliced.
    """
    query = clean_query(raw_query)
    local_text = " ".join(_OPERATORS.sub(" ", query).split())
    local = Book.objects.search(local_text)
    if not query:
        return SearchResults(query=query, results=ResultList(local), google_available=True)

    outcome = google_books.search(query) if ask_google else google_books.peek(query)
    if not outcome.volumes:
        return SearchResults(
            query=query,
            results=ResultList(local),
            google_available=outcome.available,
            google_pending=outcome.pending,
        )

    known = _books_matching(outcome.volumes, local)
    shown = {book.pk for book in known.values() if book.in_local_results}
    extras = []
    for volume in outcome.volumes:
        book = (
            known.get(("volume", volume.volume_id))
            or (volume.isbn_13 and known.get(("isbn_13", volume.isbn_13)))
            or (volume.isbn_10 and known.get(("isbn_10", volume.isbn_10)))
        )
        if book:
            if book.pk not in shown:
                shown.add(book.pk)
                extras.append(Result.from_book(book))
        else:
            extras.append(Result.from_volume(volume))
    return SearchResults(query=query, results=ResultList(local, extras), google_available=outcome.available)


def _books_matching(volumes, local) -> dict:
    """Our books that are the same as any of these volumes, keyed by what matched. One query.

    Each carries `in_local_results`: whether the local search already lists it.
    """
    volume_ids = {v.volume_id for v in volumes}
    isbn_13s = {v.isbn_13 for v in volumes if v.isbn_13}
    isbn_10s = {v.isbn_10 for v in volumes if v.isbn_10}
    matches = Book.objects.filter(
        Q(google_volume_id__in=volume_ids) | Q(isbn_13__in=isbn_13s) | Q(isbn_10__in=isbn_10s)
    ).annotate(in_local_results=Exists(local.filter(pk=OuterRef("pk"))))
    known = {}
    for book in matches:
        if book.google_volume_id:
            known[("volume", book.google_volume_id)] = book
        if book.isbn_13:
            known[("isbn_13", book.isbn_13)] = book
        if book.isbn_10:
            known[("isbn_10", book.isbn_10)] = book
    return known
