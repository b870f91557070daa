"""Books in the admin: search, and merging duplicates into the book to keep."""

import pytest

from books.models import Book, Source
from books.services import book_merge
from booky.core.errors import DomainError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def duplicate():
    """A Google import of the catalog's Pride and Prejudice that slipped in without an ISBN."""
    return Book.objects.create(
        title="Pride & Prejudice",
        authors=["Jane Austen"],
        page_count=432,
        google_volume_id="gPride01",
        cover_url="https://books.google.com/books/content?id=gPride01",
        description="<p>A classic.</p>",
        source=Source.GOOGLE,
    )


@pytest.mark.parametrize("term", ["prejudice", "austen", "978-0-14-143951-8", "0141439513"])
def test_admin_search_finds_books_by_title_author_and_isbn(admin_client, term):
    response = admin_client.get("/admin/books/book/", {"q": term})
    assert response.status_code == 200
    assert "Pride and Prejudice" in response.text


def test_merge_keeps_one_book_fills_its_gaps_and_deletes_the_other(duplicate):
    keep = Book.objects.get(title="Pride and Prejudice")
    merged = book_merge(keep=keep, duplicates=[duplicate])
    assert not Book.objects.filter(pk=duplicate.pk).exists()
    assert merged.pk == keep.pk
    keep.refresh_from_db()
    assert keep.google_volume_id == "gPride01"
    assert keep.cover_url.startswith("https://books.google.com/")
    assert keep.description == "<p>A classic.</p>"
    assert keep.page_count == 480  # the kept book's own values win


def test_merge_moves_every_reference_to_the_kept_book(duplicate, monkeypatch):
    # Nothing refers to books yet in this migration state; every relation Book has is walked.
    keep = Book.objects.get(title="Pride and Prejudice")
    moved = []
    from books import services

    monkeypatch.setattr(
        services, "_move_references", lambda relation, **kwargs: moved.append((relation, kwargs))
    )
    book_merge(keep=keep, duplicates=[duplicate])
    assert [relation for relation, _ in moved] == list(Book._meta.related_objects)
    assert all(kwargs == {"from_ids": [duplicate.pk], "to_book": keep} for _, kwargs in moved)


def test_merging_a_book_into_itself_is_refused():
    keep = Book.objects.get(title="Pride and Prejudice")
    with pytest.raises(DomainError):
        book_merge(keep=keep, duplicates=[keep])


def test_admin_merge_action_asks_which_book_to_keep_then_merges(admin_client, duplicate):
    keep = Book.objects.get(title="Pride and Prejudice")
    selection = {"action": "merge_books", "_selected_action": [keep.pk, duplicate.pk]}
    confirm = admin_client.post("/admin/books/book/", selection)
    assert confirm.status_code == 200
    assert "Choose the book to keep" in confirm.text and "Pride &amp; Prejudice" in confirm.text

    done = admin_client.post("/admin/books/book/", {**selection, "apply": "1", "keep": keep.pk}, follow=True)
    assert "Merged 1 book(s) into “Pride and Prejudice”" in done.text
    assert list(Book.objects.filter(pk__in=[keep.pk, duplicate.pk])) == [keep]


def test_admin_merge_needs_two_books(admin_client):
    keep = Book.objects.get(title="Pride and Prejudice")
    response = admin_client.post(
        "/admin/books/book/", {"action": "merge_books", "_selected_action": [keep.pk]}, follow=True
    )
    assert "Select at least two books to merge." in response.text
