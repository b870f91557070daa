"""Book search that keeps working offline: local rows first, then what the remote sources have that we lack.

The results are one sequence to paginate: every local match (ranked, paged by the database), then the
Google volumes (at most 20) that are not already among them, then the Open Library works (at most 20)
whose ISBNs (compared as ISBN-13) match neither a book shown nor a Google volume. A page costs a fixed
number of queries whatever the number of results: count and slice of the local search, and, when a
source answered, one lookup mapping both sources' results onto books we have (by volume id, work key
or ISBN) that also says which of those the local search already lists, so nothing shows up twice.
"""

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from books import google_books, open_library
from books import isbn as isbn_lib
from books.models import PLACEHOLDER_HUES, Book, Source

QUERY_MAX_LENGTH = 200
GOOGLE = Source.GOOGLE.label
OPEN_LIBRARY = Source.OPEN_LIBRARY.label
UNAVAILABLE_NOTICE = "Google Books is unavailable right now"
# A poller stops waiting this long after the search (the lookup may be running in a process whose
# cache it cannot see; each source gives every lookup its answer by its LOOKUP_SECONDS).
POLL_GIVE_UP_SECONDS = max(google_books.LOOKUP_SECONDS, open_library.LOOKUP_SECONDS) + 4
_OPERATORS = re.compile(r"\b(?:intitle|inauthor|inpublisher|subject|isbn):", re.IGNORECASE)


def clean_query(raw) -> str:
    return " ".join(str(raw or "").replace("\x00", " ").split())[:QUERY_MAX_LENGTH]


def unavailable_notice(labels) -> str:
    """ "Google Books is unavailable right now", naming every source in `labels`; empty when none."""
    labels = list(labels)
    if not labels:
        return ""
    return f"{' and '.join(labels)} {'is' if len(labels) == 1 else 'are'} unavailable right now"


@dataclass(frozen=True)
class Result:
    """One row of search results: a Book we have, or a Google volume or Open Library work we could import."""

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
    open_library_key: str = ""

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
            open_library_key=book.open_library_key,
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

    @classmethod
    def from_doc(cls, doc: open_library.Doc) -> "Result":
        return cls(
            title=doc.title,
            subtitle=doc.subtitle,
            authors=doc.authors,
            year=doc.year,
            page_count=doc.page_count,
            cover_url=doc.cover_url,
            open_library_key=doc.key,
            isbn_13=doc.isbn_13,
            isbn_10=doc.isbn_10,
        )

    @property
    def pk(self) -> int | None:
        return self.book.pk if self.book else None

    @property
    def url(self) -> str:
        if self.book:
            return self.book.get_absolute_url()
        if self.google_volume_id:
            return reverse("books:google", args=[self.google_volume_id])
        return reverse("books:open_library", args=[self.open_library_key])

    @property
    def choice_value(self) -> str:
        """The book picker's value: the book's id, else the source and its id (imported when chosen)."""
        if self.book:
            return str(self.book.pk)
        if self.google_volume_id:
            return f"google:{self.google_volume_id}"
        return f"openlibrary:{self.open_library_key}"

    @property
    def author_line(self) -> str:
        return ", ".join(self.authors)

    @property
    def placeholder_hue(self) -> int:
        if self.book:
            return self.book.placeholder_hue
        return len(self.google_volume_id or self.open_library_key) % PLACEHOLDER_HUES

    @property
    def source(self) -> str:
        if self.book:
            return self.book.source
        return Source.GOOGLE if self.google_volume_id else Source.OPEN_LIBRARY

    @property
    def source_label(self) -> str:
        return Source(self.source).label


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
    open_library_enabled: bool = False  # switched off, Open Library is simply not asked: no notice
    open_library_available: bool = False
    open_library_pending: bool = False

    @property
    def pending(self) -> bool:
        """A source's part is being fetched in the background: poll for it."""
        return self.google_pending or self.open_library_pending

    @property
    def pending_sources(self) -> list[str]:
        return [
            label
            for label, pending in ((GOOGLE, self.google_pending), (OPEN_LIBRARY, self.open_library_pending))
            if pending
        ]

    @property
    def unavailable_sources(self) -> list[str]:
        """Sources that could not answer. Google Books off counts (as it always has); Open Library off does not."""
        unavailable = [] if self.google_available else [GOOGLE]
        if self.open_library_enabled and not self.open_library_available:
            unavailable.append(OPEN_LIBRARY)
        return unavailable

    @property
    def notice(self) -> str:
        return unavailable_notice(self.unavailable_sources)

    def give_up(self) -> "SearchResults":
        """Stop waiting: every source still pending counts as unavailable."""
        return replace(
            self,
            google_available=self.google_available and not self.google_pending,
            google_pending=False,
            open_library_available=self.open_library_available and not self.open_library_pending,
            open_library_pending=False,
        )

    give_up_on_google = give_up


def poll_started_at(raw) -> int:
    """The search's time (seconds since the epoch) a poll URL carries; 0 when missing or not a number."""
    raw = str(raw or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else 0


def poll_expired(started_at: int) -> bool:
    return time.time() - started_at > POLL_GIVE_UP_SECONDS


def search_books(raw_query, *, ask_google: bool = True) -> SearchResults:
    """Local matches (ranked, all of them), then Google's volumes and Open Library's works we lack.

    Never waits on a remote source: what one has not answered yet is pending (`google_pending`,
    `open_library_pending`). With `ask_google` off (polls) only the cache is read and no lookup
    starts. Nothing is read from the database here except for the sources' results; the local rows
    are read page by page when the results are sliced.
    """
    query = clean_query(raw_query)
    local_text = " ".join(_OPERATORS.sub(" ", query).split())
    local = Book.objects.search(local_text)
    if not query:
        return SearchResults(query=query, results=ResultList(local), google_available=True)

    google = google_books.search(query) if ask_google else google_books.peek(query)
    open_library_enabled = open_library.is_configured()
    if not open_library_enabled:
        works = open_library.UNAVAILABLE
    else:
        works = open_library.search(query) if ask_google else open_library.peek(query)
    extras = _extras(google.volumes, works.docs, local) if google.volumes or works.docs else []
    return SearchResults(
        query=query,
        results=ResultList(local, extras),
        google_available=google.available,
        google_pending=google.pending,
        open_library_enabled=open_library_enabled,
        open_library_available=works.available,
        open_library_pending=works.pending,
    )


def _extras(volumes, docs, local) -> list[Result]:
    """The rows after the local matches: each source's results, as our book when we have it, once."""
    known = _books_matching(volumes, docs, local)
    shown = {book.pk for book in known.values() if book.in_local_results}
    extras = []

    def show(book: Book) -> None:
        if book.pk not in shown:
            shown.add(book.pk)
            extras.append(Result.from_book(book))

    listed_isbns = set()  # ISBN-13s of the Google volumes and Open Library works shown as such
    for volume in volumes:
        book = (
            known.get(("volume", volume.volume_id))
            or (volume.isbn_13 and known.get(("isbn_13", volume.isbn_13)))
            or (volume.isbn_10 and known.get(("isbn_10", volume.isbn_10)))
        )
        if book:
            show(book)
        else:
            extras.append(Result.from_volume(volume))
            if volume.isbn_13:
                listed_isbns.add(volume.isbn_13)
    for doc in docs:
        book = known.get(("work", doc.key)) or _known_by_isbn(known, doc.isbns)
        if book:
            show(book)
        elif not listed_isbns.intersection(doc.isbns):
            extras.append(Result.from_doc(doc))
            listed_isbns.update(doc.isbns)
    return extras


def _known_by_isbn(known: dict, isbn_13s) -> Book | None:
    for number in isbn_13s:
        book = known.get(("isbn_13", number)) or known.get(("isbn_10", isbn_lib.to_isbn10(number)))
        if book:
            return book
    return None


def _books_matching(volumes, docs, local) -> dict:
    """Our books that are the same as any of these volumes or works, keyed by what matched. One query.

    Each carries `in_local_results`: whether the local search already lists it.
    """
    volume_ids = {v.volume_id for v in volumes}
    work_keys = {doc.key for doc in docs}
    isbn_13s = {v.isbn_13 for v in volumes if v.isbn_13} | {n for doc in docs for n in doc.isbns}
    isbn_10s = {v.isbn_10 for v in volumes if v.isbn_10} | {
        isbn_10 for doc in docs for n in doc.isbns if (isbn_10 := isbn_lib.to_isbn10(n))
    }
    matches = Book.objects.filter(
        Q(google_volume_id__in=volume_ids)
        | Q(open_library_key__in=work_keys)
        | Q(isbn_13__in=isbn_13s)
        | Q(isbn_10__in=isbn_10s)
    ).annotate(in_local_results=Exists(local.filter(pk=OuterRef("pk"))))
    known = {}
    for book in matches:
        if book.google_volume_id:
            known[("volume", book.google_volume_id)] = book
        if book.open_library_key:
            known[("work", book.open_library_key)] = book
        if book.isbn_13:
            known[("isbn_13", book.isbn_13)] = book
        if book.isbn_10:
            known[("isbn_10", book.isbn_10)] = book
    return known
