"""Reads of the shelves: one member's shelves as a viewer may see them, and club-wide counts."""

from django.db.models import Count, Q

from books.shelves.models import Shelf, ShelfEntry
from social.permissions import can_view_profile


def can_view_shelves(viewer, owner) -> bool:
    """Shelves follow the profile: whoever may see the member's profile sees their shelves."""
    return can_view_profile(viewer, owner)


def shelf_counts(owner) -> dict[str, int]:
    """{shelf: number of books} for every shelf, zeros included. One query."""
    rows = ShelfEntry.objects.filter(user=owner).values("shelf").annotate(count=Count("pk")).order_by()
    counts = {shelf: 0 for shelf in Shelf.values}
    counts.update({row["shelf"]: row["count"] for row in rows})
    return counts


def entry_for(user, book) -> ShelfEntry | None:
    if user is None or not user.is_authenticated:
        return None
    return ShelfEntry.objects.filter(user=user, book=book).first()


def entries_by_book(user, book_ids) -> dict[int, ShelfEntry]:
    """The member's entries for these books, by book id (for lists of books: one query)."""
    if user is None or not user.is_authenticated or not book_ids:
        return {}
    return {
        entry.book_id: entry for entry in ShelfEntry.objects.filter(user=user, book_id__in=list(book_ids))
    }


def readers_among(user_ids, book_ids) -> dict[int, dict[str, int]]:
    """For each book: how many of these members want to read it and how many have read it. One query."""
    if not book_ids:
        return {}
    rows = (
        ShelfEntry.objects.filter(user_id__in=user_ids, book_id__in=list(book_ids))
        .values("book_id")
        .annotate(
            want=Count("pk", filter=Q(shelf=Shelf.WANT_TO_READ)),
            read=Count("pk", filter=Q(shelf=Shelf.READ)),
        )
        .order_by()
    )
    counts = {book_id: {"want": 0, "read": 0} for book_id in book_ids}
    for row in rows:
        counts[row["book_id"]] = {"want": row["want"], "read": row["read"]}
    return counts


def shelf_control_context(user, book, *, entry=None, message: str = "", error: str = "") -> dict:
    """What books/_shelf_control.html shows for `book`: the viewer's entry (looked up unless given)."""
    if entry is None:
        entry = entry_for(user, book)
    return {
        "book": book,
        "shelf_entry": entry,
        "shelf_message": message,
        "shelf_error": error,
    }
