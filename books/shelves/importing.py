"""Importing a Goodreads or StoryGraph export onto a member's shelves.

The request checks the file (books.import_files parses it; a file it refuses never becomes an
import) and stores it; the task `run_shelf_import` then matches each row to a book and shelves it,
writing its progress every PROGRESS_EVERY_ROWS rows so the page can show it.

Matching, in order: ISBN-13, then ISBN-10 against the local catalog, then the book sources (Google
Books, Open Library) by ISBN, for at most REMOTE_LOOKUPS rows per import (a 20,000-row file must not
spend hours asking). Only a row with no ISBN at all is matched by title and author, and only when
exactly one book has that title and one of those authors. Anything else goes to the member's "check
these" list, with the books that look closest as suggestions.

Idempotent: a book already on the member's shelves is only filled in (dates and rating it lacks,
and a shelf further along: want to read → reading → read, never back), and a row already in the
"check these" list (same source row, any earlier import) is not listed again.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from difflib import SequenceMatcher
from time import monotonic

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from books import import_files, sources, text_search
from books.models import Book
from books.shelves.models import (
    PROGRESS_EVERY_ROWS,
    PROGRESS_EVERY_SECONDS,
    CheckStatus,
    ImportCheck,
    ImportSource,
    ImportStatus,
    Shelf,
    ShelfEntry,
    ShelfImport,
)
from books.shelves.services import SHELF_ORDER
from booky.core.errors import DomainError, NotFound

logger = logging.getLogger(__name__)

REMOTE_LOOKUPS = 200
SUGGESTIONS = 3
SUGGESTION_CANDIDATES = 10
SUGGESTION_LIKENESS = (
    0.75  # difflib ratio of the normalized titles: "the name of the wind" ~ "name of the wind"
)
_SERIES = re.compile(r"\s*\([^()]*#\s*[\d.]+\)\s*$")
ISBN_CHUNK = 500


class ImportRefused(DomainError):
    code = "import_refused"


def remote_book_for_isbn(isbn_13: str, isbn_10: str) -> Book | None:
    """The book with this ISBN from a book source, added to the catalog; None when no source has it."""
    return sources.book_for_isbn(isbn_13=isbn_13, isbn_10=isbn_10)


@transaction.atomic
def import_start(*, user, file_name: str, content: bytes) -> ShelfImport:
    """Check the file and queue its import; ImportRefused (with the parser's reason) changes nothing."""
    try:
        parsed = import_files.parse_export(content)
    except import_files.ImportFileError as error:
        raise ImportRefused(str(error)) from error
    shelf_import = ShelfImport.objects.create(
        user=user,
        source=parsed.source,
        file_name=(file_name or "")[:200],
        content=content,
        total_rows=len(parsed.rows) + len(parsed.skipped),
    )
    from books.shelves.tasks import run_shelf_import

    transaction.on_commit(lambda: run_shelf_import.enqueue(shelf_import.pk))
    return shelf_import


@dataclass
class _Known:
    """What the import knows before it looks at a row: books by ISBN, the member's shelves and checks."""

    by_isbn_13: dict
    by_isbn_10: dict
    entries: dict
    checks: dict


def _load_known(user, rows) -> _Known:
    isbn_13s = sorted({row.isbn_13 for row in rows if row.isbn_13})
    isbn_10s = sorted({row.isbn_10 for row in rows if row.isbn_10})
    by_13, by_10 = {}, {}
    for start in range(0, max(len(isbn_13s), len(isbn_10s)), ISBN_CHUNK):
        chunk_13, chunk_10 = isbn_13s[start : start + ISBN_CHUNK], isbn_10s[start : start + ISBN_CHUNK]
        for book in Book.objects.filter(isbn_13__in=chunk_13) | Book.objects.filter(isbn_10__in=chunk_10):
            if book.isbn_13:
                by_13[book.isbn_13] = book
            if book.isbn_10:
                by_10[book.isbn_10] = book
    entries = {entry.book_id: entry for entry in ShelfEntry.objects.filter(user=user)}
    checks = {check.source_key: check for check in ImportCheck.objects.filter(user=user)}
    return _Known(by_isbn_13=by_13, by_isbn_10=by_10, entries=entries, checks=checks)


def without_series(title: str) -> str:
    """Goodreads writes the series after the title: "Dune (Dune, #1)" is the book "Dune"."""
    return _SERIES.sub("", title).strip() or title


def _title_matches(row) -> list[Book]:
    """Books with exactly the row's title (normalized, with or without its series) and one of its authors."""
    titles = {
        text_search.normalize(row.title)[:300],
        text_search.normalize(without_series(row.title))[:300],
    } - {""}
    if not titles:
        return []
    authors = {text_search.normalize(name) for name in row.authors}
    books = list(Book.objects.filter(search_title__in=sorted(titles)).order_by("pk")[:20])
    if not authors:
        return books
    return [book for book in books if authors & {text_search.normalize(name) for name in book.authors or []}]


def _suggestions(row) -> list[Book]:
    """Books that look like the row's (a close title, or the same author): for the member to pick from.
    Never chosen for them; an empty list is better than strangers."""
    title = text_search.normalize(without_series(row.title))
    authors = {text_search.normalize(name) for name in row.authors}
    close = []
    for book in Book.objects.search(without_series(row.title))[:SUGGESTION_CANDIDATES]:
        likeness = SequenceMatcher(None, title, book.search_title).ratio()
        same_author = bool(authors & {text_search.normalize(name) for name in book.authors or []})
        if likeness >= SUGGESTION_LIKENESS or (same_author and likeness >= SUGGESTION_LIKENESS / 2):
            close.append((not same_author, -likeness, book.pk, book))
    return [book for *_, book in sorted(close)[:SUGGESTIONS]]


class _Run:
    def __init__(self, shelf_import: ShelfImport, known: _Known):
        self.shelf_import = shelf_import
        self.user = shelf_import.user
        self.known = known
        self.remote_left = REMOTE_LOOKUPS

    def match(self, row) -> tuple[Book | None, str]:
        """The row's book, or None and why it needs checking."""
        if row.isbn_13 and (book := self.known.by_isbn_13.get(row.isbn_13)):
            return book, ""
        if row.isbn_10 and (book := self.known.by_isbn_10.get(row.isbn_10)):
            return book, ""
        if row.isbn_13 or row.isbn_10:
            if self.remote_left > 0:
                self.remote_left -= 1
                book = remote_book_for_isbn(row.isbn_13, row.isbn_10)
                if book is not None:
                    self.known.by_isbn_13[book.isbn_13] = book
                    if book.isbn_10:
                        self.known.by_isbn_10[book.isbn_10] = book
                    return book, ""
            return None, f"No book with ISBN {row.isbn_13 or row.isbn_10} in Booky or the book sources."
        if row.had_isbn:
            return None, "Its ISBN is not a valid one, so Booky does not guess the book from its title."
        matches = _title_matches(row)
        if len(matches) == 1:
            return matches[0], ""
        if matches:
            return None, f"{len(matches)} books have this title and author."
        return None, "No book with this title and author in Booky."

    def shelve(self, row, book: Book) -> str:
        """Put the row's book on the member's shelf; "added", "updated" or "unchanged"."""
        entry = self.known.entries.get(book.pk)
        if entry is None:
            entry = ShelfEntry(user=self.user, book=book, shelf=row.shelf)
            _fill(entry, row)
            if not _valid(entry):  # the file's dates contradict each other: keep the finishing day
                entry.started_on = None
            try:
                with transaction.atomic():
                    entry.save()
            except IntegrityError:  # the member shelved it in another tab meanwhile
                return "unchanged"
            self.known.entries[book.pk] = entry
            return "added"
        before = (entry.shelf, entry.started_on, entry.finished_on, entry.rating)
        if SHELF_ORDER[row.shelf] > SHELF_ORDER[entry.shelf]:
            entry.shelf = row.shelf
        _fill(entry, row, only_missing=True)
        if not _valid(entry):
            entry.shelf, entry.started_on, entry.finished_on, entry.rating = before
        if (entry.shelf, entry.started_on, entry.finished_on, entry.rating) == before:
            return "unchanged"
        entry.save()
        return "updated"

    def list_for_checking(self, row, reason: str) -> bool:
        """Add the row to "check these"; False when an earlier import listed it already."""
        earlier = self.known.checks.get(row.source_key)
        if earlier is not None:
            return False
        check = ImportCheck(
            user=self.user,
            shelf_import=self.shelf_import,
            source_key=row.source_key[:400],
            line=row.line,
            title=row.title[:300],
            authors=list(row.authors),
            isbn_13=row.isbn_13,
            isbn_10=row.isbn_10,
            shelf=row.shelf,
            rating=row.rating,
            started_on=row.started_on,
            finished_on=row.finished_on,
            added_on=row.added_on,
            reason=reason[:300],
        )
        try:
            with transaction.atomic():
                check.save()
                check.candidates.set(_suggestions(row))
        except IntegrityError:
            return False
        self.known.checks[row.source_key] = check
        return True


def _fill(entry: ShelfEntry, row, *, only_missing: bool = False) -> None:
    for field in ("started_on", "finished_on", "rating"):
        value = getattr(row, field)
        if value is not None and (not only_missing or getattr(entry, field) is None):
            setattr(entry, field, value)
    if entry.shelf != Shelf.READ:
        entry.rating = None
        entry.finished_on = None
    if entry.shelf == Shelf.WANT_TO_READ:
        entry.started_on = None
    if row.added_on and entry.pk is None:
        entry.added_at = datetime.combine(row.added_on, time(12), tzinfo=UTC)


def _valid(entry: ShelfEntry) -> bool:
    if entry.rating is not None and not 1 <= entry.rating <= 5:
        return False
    return not (entry.started_on and entry.finished_on and entry.finished_on < entry.started_on)


def import_run(*, import_id: int) -> ShelfImport | None:
    """Run one queued import to the end. A no-op for an import already started (exactly once)."""
    with transaction.atomic():
        shelf_import = ShelfImport.objects.select_for_update().filter(pk=import_id).first()
        if shelf_import is None or shelf_import.status != ImportStatus.QUEUED:
            return shelf_import
        shelf_import.status = ImportStatus.RUNNING
        shelf_import.started_at = shelf_import.heartbeat_at = timezone.now()
        shelf_import.attempts += 1
        shelf_import.save(update_fields=["status", "started_at", "heartbeat_at", "attempts"])
    try:
        _import_rows(shelf_import)
    except Exception:
        logger.exception("Shelf import %s failed", import_id)
        ShelfImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED,
            error="Something went wrong while importing; the rows counted so far are on your shelves.",
            finished_at=timezone.now(),
            content=b"",
        )
    return ShelfImport.objects.get(pk=import_id)


def _import_rows(shelf_import: ShelfImport) -> None:
    parsed = import_files.parse_export(bytes(shelf_import.content))
    skipped = [{"line": s.line, "title": s.title, "reason": s.reason} for s in parsed.skipped]
    run = _Run(shelf_import, _load_known(shelf_import.user, parsed.rows))
    counts = {"added": 0, "updated": 0, "unchanged": 0, "check": 0}
    processed = len(parsed.skipped)
    saved_at = monotonic()
    for index, row in enumerate(parsed.rows, start=1):
        book, reason = run.match(row)
        if book is not None:
            counts[run.shelve(row, book)] += 1
        elif run.list_for_checking(row, reason):
            counts["check"] += 1
        else:
            existing = run.known.checks.get(row.source_key)
            if existing is not None and existing.status == CheckStatus.RESOLVED and existing.book_id:
                counts["unchanged"] += 1
            else:
                skipped.append(
                    {"line": row.line, "title": row.title, "reason": "Already in your “check these” list."}
                )
        processed += 1
        if index % PROGRESS_EVERY_ROWS == 0 or monotonic() - saved_at >= PROGRESS_EVERY_SECONDS:
            _save_progress(shelf_import, processed, counts)
            saved_at = monotonic()
    skipped.sort(key=lambda item: item["line"])
    ShelfImport.objects.filter(pk=shelf_import.pk).update(
        status=ImportStatus.DONE,
        processed_rows=shelf_import.total_rows,
        added_count=counts["added"],
        updated_count=counts["updated"],
        unchanged_count=counts["unchanged"],
        check_count=counts["check"],
        skipped=skipped,
        finished_at=timezone.now(),
        content=b"",
    )


def _save_progress(shelf_import: ShelfImport, processed: int, counts: dict) -> None:
    ShelfImport.objects.filter(pk=shelf_import.pk).update(
        heartbeat_at=timezone.now(),
        processed_rows=min(processed, shelf_import.total_rows),
        added_count=counts["added"],
        updated_count=counts["updated"],
        unchanged_count=counts["unchanged"],
        check_count=counts["check"],
    )


# A running import writes its heartbeat at least every PROGRESS_EVERY_SECONDS (plus one row's lookups,
# each bounded by the book sources' deadlines): silence this long means its worker died.
STALLED_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
GAVE_UP = (
    "The import stopped several times before it finished; the rows counted so far are on your shelves. "
    "Upload the file again to import the rest."
)


def imports_resume_stalled(now: datetime | None = None) -> int:
    """Queue again each running import whose worker died (no heartbeat for STALLED_AFTER); after
    MAX_ATTEMPTS, mark it failed. Safe to run anywhere, any number of times: each change is a
    compare-and-set on the heartbeat it saw, and importing rows again adds nothing. Returns how many
    it queued."""
    now = now or timezone.now()
    silent_since = now - STALLED_AFTER
    stalled = ShelfImport.objects.filter(
        # Started before heartbeats were written: its start is its last sign of life.
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, started_at__lt=silent_since),
        status=ImportStatus.RUNNING,
    ).values_list("pk", "heartbeat_at", "attempts")
    queued = 0
    for pk, heartbeat_at, attempts in stalled:
        still_stalled = ShelfImport.objects.filter(
            pk=pk, status=ImportStatus.RUNNING, heartbeat_at=heartbeat_at
        )
        if attempts >= MAX_ATTEMPTS:
            still_stalled.update(status=ImportStatus.FAILED, error=GAVE_UP, finished_at=now, content=b"")
            logger.warning("Shelf import %s stopped %s times; marked failed", pk, attempts)
            continue
        with transaction.atomic():
            if still_stalled.update(status=ImportStatus.QUEUED):
                from books.shelves.tasks import run_shelf_import

                transaction.on_commit(lambda pk=pk: run_shelf_import.enqueue(pk))
                queued += 1
                logger.warning("Shelf import %s lost its worker; queued again (attempt %s)", pk, attempts + 1)
    return queued


# --- the "check these" list -----------------------------------------------------------------------


def _open_check(user, check_id: int) -> ImportCheck:
    check = ImportCheck.objects.select_for_update().filter(pk=check_id, user=user).first()
    if check is None:
        raise NotFound("This row is not in your “check these” list.")
    if check.status != CheckStatus.OPEN:
        raise ImportRefused("This row was already checked.")
    return check


@transaction.atomic
def import_check_resolve(*, user, check_id: int, book: Book) -> ImportCheck:
    """The member says which book the row is: it goes on their shelf as the row said."""
    check = _open_check(user, check_id)
    run = _Run(check.shelf_import, _load_known(user, []))
    run.shelve(_row_of(check), book)
    check.status, check.book, check.resolved_at = CheckStatus.RESOLVED, book, timezone.now()
    check.save(update_fields=["status", "book", "resolved_at"])
    return check


@transaction.atomic
def import_check_create_book(*, user, check_id: int, page_count: int | None = None) -> ImportCheck:
    """Add the row's book to the catalog by hand (from what the row says), then shelve it."""
    from books.services import book_create

    check = _open_check(user, check_id)
    if not check.authors:
        raise ImportRefused("This row names no author; search for the book or add it by hand instead.")
    book = book_create(
        title=without_series(check.title),
        authors=check.authors,
        page_count=page_count,
        isbn=check.isbn_13 or check.isbn_10,
    )
    return import_check_resolve(user=user, check_id=check.pk, book=book)


@transaction.atomic
def import_check_dismiss(*, user, check_id: int) -> ImportCheck:
    check = _open_check(user, check_id)
    check.status, check.resolved_at = CheckStatus.DISMISSED, timezone.now()
    check.save(update_fields=["status", "resolved_at"])
    return check


def _row_of(check: ImportCheck) -> import_files.ImportRow:
    return import_files.ImportRow(
        line=check.line,
        title=check.title,
        authors=tuple(check.authors or ()),
        isbn_13=check.isbn_13,
        isbn_10=check.isbn_10,
        shelf=check.shelf,
        rating=check.rating,
        started_on=check.started_on,
        finished_on=check.finished_on,
        added_on=check.added_on,
        source_key=check.source_key,
        had_isbn=bool(check.isbn_13 or check.isbn_10),
    )


__all__ = [
    "ImportRefused",
    "ImportSource",
    "import_check_create_book",
    "import_check_dismiss",
    "import_check_resolve",
    "import_run",
    "import_start",
    "imports_resume_stalled",
]
