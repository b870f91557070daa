"""The shipped catalog: valid data, loaded by a migration, searchable with no network."""

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps as global_apps

from books import isbn
from books.models import Book, Source

CATALOG = Path(__file__).resolve().parents[2] / "books" / "data" / "catalog.json"
ENTRIES = json.loads(CATALOG.read_text(encoding="utf-8"))


def test_the_catalog_has_about_two_hundred_books_each_with_title_authors_and_pages():
    assert 180 <= len(ENTRIES) <= 260
    for entry in ENTRIES:
        assert entry["title"].strip() and entry["authors"] and all(a.strip() for a in entry["authors"])
        assert 1 <= entry["page_count"] <= 5000


def test_every_isbn_in_the_catalog_passes_its_checksum():
    numbers = [entry["isbn_13"] for entry in ENTRIES if entry["isbn_13"]]
    assert numbers, "the catalog should carry ISBNs for common editions"
    assert [number for number in numbers if not isbn.is_valid_isbn13(number)] == []
    assert len(numbers) == len(set(numbers))


def test_titles_are_unique_per_first_author():
    keys = [(entry["title"], entry["authors"][0]) for entry in ENTRIES]
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_the_migration_loaded_the_catalog():
    assert Book.objects.filter(source=Source.CATALOG).count() == len(ENTRIES)
    pride = Book.objects.get(title="Pride and Prejudice")
    assert pride.authors == ["Jane Austen"]
    assert pride.author_line == "Jane Austen"
    assert pride.isbn_13 == "9780141439518" and pride.isbn_10 == "0141439513"
    assert pride.published_date == "1813" and pride.page_count == 480


@pytest.mark.django_db
def test_loading_the_catalog_again_adds_nothing():
    migration = importlib.import_module("books.migrations.0002_load_catalog")
    before = Book.objects.count()
    migration.load_catalog(global_apps, None)
    assert Book.objects.count() == before


@pytest.mark.django_db
def test_the_catalog_does_not_take_an_isbn_a_hand_made_book_already_has():
    migration = importlib.import_module("books.migrations.0002_load_catalog")
    Book.objects.filter(title="Pride and Prejudice").delete()
    mine = Book.objects.create(title="My Pride", authors=["Me"], page_count=10, isbn_13="9780141439518")
    migration.load_catalog(global_apps, None)
    reloaded = Book.objects.get(title="Pride and Prejudice")
    assert reloaded.isbn_13 == ""
    mine.refresh_from_db()
    assert mine.isbn_13 == "9780141439518"
