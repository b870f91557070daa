"""An import asks the book sources for ISBNs the catalog lacks: Google Books, then Open Library, each a
fake server on 127.0.0.1; with neither, the row goes to "check these"."""

import pytest

from books.models import ImportCheck, Shelf, ShelfEntry, ShelfImport, Source
from books.shelves import importing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROWS = (
    b"Title,Author,ISBN13,Exclusive Shelf\n"
    b'Dune,Frank Herbert,="9780441172719",read\n'
    b'The Left Hand of Darkness,Ursula K. Le Guin,="9780441478125",to-read\n'
)


def run_import(user, django_capture_on_commit_callbacks) -> ShelfImport:
    with django_capture_on_commit_callbacks(execute=True):
        started = importing.import_start(user=user, file_name="shelves.csv", content=ROWS)
    return ShelfImport.objects.get(pk=started.pk)


def test_unknown_isbns_come_from_google_then_open_library(
    fake_google, fake_open_library, django_capture_on_commit_callbacks
):
    reader = UserFactory()
    shelf_import = run_import(reader, django_capture_on_commit_callbacks)
    assert shelf_import.added_count == 2 and shelf_import.check_count == 0
    dune = ShelfEntry.objects.get(user=reader, book__isbn_13="9780441172719")
    assert dune.book.source == Source.GOOGLE and dune.shelf == Shelf.READ
    left_hand = ShelfEntry.objects.get(user=reader, book__title="The Left Hand of Darkness")
    assert left_hand.book.source == Source.OPEN_LIBRARY and left_hand.shelf == Shelf.WANT_TO_READ
    assert any("isbn:9780441478125" in query for query in fake_open_library.queries())


def test_with_both_sources_down_the_rows_wait_in_check_these(
    fake_google, settings, django_capture_on_commit_callbacks
):
    fake_google.use("refused")
    settings.OPEN_LIBRARY_ENABLED = False
    reader = UserFactory()
    shelf_import = run_import(reader, django_capture_on_commit_callbacks)
    assert shelf_import.added_count == 0 and shelf_import.check_count == 2
    assert set(ImportCheck.objects.values_list("isbn_13", flat=True)) == {"9780441172719", "9780441478125"}
    assert all(
        "No book with ISBN" in reason for reason in ImportCheck.objects.values_list("reason", flat=True)
    )
