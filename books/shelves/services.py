"""Every write to a member's shelves: put a book on a shelf, edit its dates and rating, take it off."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from books.models import Book
from books.shelves.models import Shelf, ShelfEntry
from booky.core.errors import DomainError, NotFound
from social.notifications import user_timezone

# How far along each shelf is: an import never moves a book back (a "read" book stays read).
SHELF_ORDER = {Shelf.WANT_TO_READ: 0, Shelf.READING: 1, Shelf.READ: 2}


class ShelfError(DomainError):
    code = "invalid_shelf"


def _today(user) -> date:
    return timezone.now().astimezone(user_timezone(user)).date()


def _check(entry: ShelfEntry) -> None:
    if entry.shelf not in Shelf.values:
        raise ShelfError("Choose one of the shelves: want to read, reading or read.")
    if entry.rating is not None and entry.shelf != Shelf.READ:
        raise ShelfError("Rate a book once it is on your “Read” shelf.")
    if entry.rating is not None and not 1 <= entry.rating <= 5:
        raise ShelfError("A rating is 1 to 5 stars.")
    if entry.started_on and entry.finished_on and entry.finished_on < entry.started_on:
        raise ShelfError("The day you finished cannot be before the day you started.")
    today = _today(entry.user)
    for day in (entry.started_on, entry.finished_on):
        if day and day > today:
            raise ShelfError("Dates on your shelves cannot be in the future.")


@transaction.atomic
def shelf_put(*, user, book: Book, shelf: str) -> ShelfEntry:
    """Put `book` on `shelf` (moving it from another shelf). Moving to Reading or Read dates it today
    unless a date is known; moving off Read drops the rating (ratings come after reading)."""
    if shelf not in Shelf.values:
        raise ShelfError("Choose one of the shelves: want to read, reading or read.")
    if not Book.objects.filter(pk=book.pk).exists():
        raise NotFound("This book is no longer in Booky.")
    entry = ShelfEntry.objects.select_for_update().filter(user=user, book=book).first()
    if entry is None:
        entry = ShelfEntry(user=user, book=book)
    elif entry.shelf == shelf:
        return entry
    today = _today(user)
    entry.shelf = shelf
    if shelf == Shelf.READING:
        entry.started_on = entry.started_on or today
        entry.finished_on = None
    elif shelf == Shelf.READ:
        entry.finished_on = entry.finished_on or today
    else:
        entry.started_on = entry.finished_on = None
    if shelf != Shelf.READ:
        entry.rating = None
    _check(entry)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:  # the same member put the same book on a shelf a moment ago
        raise ShelfError("This book was just put on one of your shelves; reload the page.") from error
    return entry


@transaction.atomic
def shelf_entry_update(
    *,
    user,
    entry: ShelfEntry,
    shelf: str,
    started_on: date | None,
    finished_on: date | None,
    rating: int | None,
) -> ShelfEntry:
    entry = ShelfEntry.objects.select_for_update().filter(pk=entry.pk, user=user).first()
    if entry is None:
        raise NotFound("This book is not on your shelves.")
    entry.shelf, entry.started_on, entry.finished_on, entry.rating = shelf, started_on, finished_on, rating
    if shelf == Shelf.WANT_TO_READ:
        entry.started_on = entry.finished_on = None
    elif shelf == Shelf.READING:
        entry.finished_on = None
    _check(entry)
    try:
        entry.full_clean(exclude=["user", "book"])
    except ValidationError as error:
        raise ShelfError(" ".join(error.messages)) from error
    entry.save()
    return entry


@transaction.atomic
def shelf_remove(*, user, book: Book) -> bool:
    """Take the book off the member's shelves; False when it was on none."""
    deleted, _ = ShelfEntry.objects.filter(user=user, book=book).delete()
    return bool(deleted)
