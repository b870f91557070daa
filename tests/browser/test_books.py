"""Book search in a real browser: typing shows results without a page load, and a result opens the book."""

import re

import pytest
from playwright.sync_api import expect

from books.models import Book
from tests.factories import BookFactory

pytestmark = pytest.mark.browser


def test_typing_in_the_search_box_shows_results_and_opens_a_book(new_page, screenshot):
    Book.objects.all().delete()  # the shipped catalog: keep the result list predictable
    BookFactory(title="The Left Hand of Darkness", authors=["Ursula K. Le Guin"], page_count=304)
    BookFactory(title="Dark Matter of the Mind", authors=["Daniel Everett"], page_count=400)
    BookFactory(title="Pride and Prejudice", authors=["Jane Austen"], page_count=480)

    page = new_page()
    page.goto("/books/")
    page.evaluate("window.bookyNoReload = 'still here'")
    page.get_by_label("Search books").press_sequentially("dark", delay=30)

    results = page.locator("#book-list a[data-book-result]")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("Dark")
    assert page.evaluate("window.bookyNoReload") == "still here", "the search reloaded the page"
    expect(page.get_by_text("Pride and Prejudice")).to_have_count(0)
    screenshot(page, "books-search")

    # The keyboard reaches the results from the search box.
    page.get_by_label("Search books").press("ArrowDown")
    focused = page.evaluate("document.activeElement.dataset.bookResult !== undefined")
    assert focused, "ArrowDown did not move into the results"

    page.get_by_role("link", name=re.compile("The Left Hand of Darkness")).click()
    expect(page.locator("h1#book-title")).to_have_text("The Left Hand of Darkness")
    expect(page.get_by_text("Ursula K. Le Guin").first).to_be_visible()
    screenshot(page, "book-page")
    assert page.console_errors == [], page.console_errors


def test_google_results_join_the_list_by_themselves_and_a_google_result_is_added_by_post(new_page, settings):
    """The page answers before Google does; its poll swaps Google's books in, no reload, no typing."""
    from django.core.cache import cache

    from tests.books.conftest import FakeGoogleBooks

    cache.clear()
    Book.objects.all().delete()
    BookFactory(title="Pride and Prejudice", authors=["Jane Austen"], isbn_13="9780141439518")
    fake = FakeGoogleBooks()  # answers every search with Dune and Pride and Prejudice
    settings.GOOGLE_BOOKS_URL = fake.url
    settings.GOOGLE_BOOKS_ENABLED = True
    try:
        page = new_page()
        page.goto("/books/?q=pride")
        page.evaluate("window.bookyNoReload = 'still here'")
        results = page.locator("#book-list [data-book-result]")
        expect(results).to_have_count(2)  # Pride and Prejudice (ours, once), then Google's Dune
        expect(page.get_by_text("Searching Google Books…")).to_have_count(0)
        assert page.evaluate("window.bookyNoReload") == "still here", "the poll reloaded the page"

        page.get_by_role("button", name=re.compile("Dune")).click()
        expect(page.locator("h1#book-title")).to_have_text("Dune")
        assert Book.objects.filter(google_volume_id="gDune01").count() == 1
        # Dune's cover lives on books.google.com, which a test machine cannot reach (placeholder shows).
        errors = [error for error in page.console_errors if "books.google.com" not in error]
        assert errors == [], errors
    finally:
        fake.close()
        cache.clear()
