"""The search page, the book page, opening a Google result, and adding a book by hand."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from books.models import Book, Source
from tests.books.conftest import settled_get
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def titles(response) -> list[str]:
    return re.findall(r'class="book-title">([^<]+)<', response.text)


# --- search page ---------------------------------------------------------------------------------


def test_search_page_finds_catalog_books_by_title_author_and_isbn(client):
    assert "Moby-Dick" in titles(client.get("/books/", {"q": "moby"}))
    assert set(titles(client.get("/books/", {"q": "brontë"}))) >= {
        "Jane Eyre",
        "Wuthering Heights",
        "Agnes Grey",
    }
    assert titles(client.get("/books/", {"q": "978-0-14-143951-8"})) == ["Pride and Prejudice"]
    assert titles(client.get("/books/", {"q": "0141439513"})) == ["Pride and Prejudice"]


def test_search_page_is_a_real_get_form_with_a_labelled_htmx_search_box(client):
    response = client.get("/books/")
    assert response.status_code == 200 and "<html" in response.text
    assert '<form method="get" action="/books/"' in response.text
    assert 'aria-label="Search books"' in response.text
    assert 'data-hx-trigger="input changed delay:350ms, search"' in response.text


def test_results_show_year_pages_and_link_to_the_book_page(client):
    response = client.get("/books/", {"q": "moby"})
    moby = Book.objects.get(title="Moby-Dick")
    assert f'href="/books/{moby.pk}/"' in response.text
    assert "1851" in response.text and "720 pages" in response.text and "Herman Melville" in response.text


def test_htmx_search_answers_with_the_results_fragment_only(client):
    response = client.get("/books/", {"q": "austen"}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    # The <title> first (htmx sets the tab's title from it), then the results alone.
    title, results = response.text.lstrip().split("\n", 1)
    assert title == "<title>Books matching “austen” · Booky</title>"
    assert results.startswith('<section id="book-results"')
    assert "Persuasion" in response.text


def test_no_match_shows_an_empty_state_with_a_way_forward(client):
    response = client.get("/books/", {"q": "zzzqqq"})
    assert "No books match “zzzqqq”" in response.text
    assert 'href="/books/new/"' in response.text


def test_an_empty_search_browses_the_catalog_in_pages(client):
    first = client.get("/books/")
    second = client.get("/books/", {"page": 2})
    assert len(titles(first)) == 20 and len(titles(second)) == 20
    assert set(titles(first)).isdisjoint(titles(second))
    assert 'rel="next"' in first.text


def test_nul_bytes_and_overlong_queries_do_not_break_the_page(client):
    assert client.get("/books/", {"q": "pri\x00de"}).status_code == 200
    assert client.get("/books/", {"q": "x" * 5000}).status_code == 200


def test_pages_carry_no_inline_styles_or_inline_event_handlers(client, user):
    client.force_login(user)
    book = Book.objects.get(title="Dracula")
    for url in ["/books/?q=dracula", f"/books/{book.pk}/", "/books/new/"]:
        text = client.get(url).text
        assert " style=" not in text and "<style" not in text
        assert "onerror" not in text and "onclick" not in text


def test_search_page_query_count_does_not_grow_with_the_results(client, fake_google):
    fake_google.use("normal")
    settled_get(client, "/books/", {"q": "dune"})  # warm the Google cache: the budget is our database
    settled_get(client, "/books/", {"q": "melville"})
    settled_get(client, "/books/", {"q": "a"})
    counts = {}
    for query in ("dune", "melville", "a"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/books/", {"q": query})
        counts[query] = len(queries)
        assert response.status_code == 200
    assert len(titles(client.get("/books/", {"q": "a"}))) == 20
    # One setup query (PostgreSQL: the typo threshold; SQLite: whether the words match, else the typo
    # candidates), count and page of the local matches (no page when there are none), Google's matches.
    assert counts == {"dune": 3, "melville": 4, "a": 4}


# --- the book page -------------------------------------------------------------------------------


def test_book_page_shows_details_and_an_empty_clubs_section(client):
    book = Book.objects.get(title="Great Expectations")
    response = client.get(f"/books/{book.pk}/")
    assert response.status_code == 200
    text = response.text
    assert '<h1 id="book-title">Great Expectations</h1>' in text
    assert "by Charles Dickens" in text and "544" in text and "9780141439563" in text
    assert "Clubs reading this" in text and "No club has planned a meeting" in text


def test_a_book_without_a_cover_gets_the_generated_placeholder_only(client):
    book = Book.objects.get(title="Great Expectations")
    text = client.get(f"/books/{book.pk}/").text
    assert 'class="book-cover-placeholder"' in text
    assert "data-book-cover" not in text


def test_a_book_with_a_cover_layers_the_image_over_the_placeholder(client):
    book = Book.objects.create(
        title="Covered", authors=["A. Writer"], page_count=100, cover_url="https://books.google.com/c?id=1"
    )
    text = client.get(f"/books/{book.pk}/").text
    assert 'class="book-cover-placeholder"' in text
    assert '<img src="https://books.google.com/c?id=1" alt="Cover of Covered"' in text


def test_description_is_rendered_sanitized(client):
    book = Book.objects.create(title="T", authors=["A"], page_count=1, description="x")
    Book.objects.filter(pk=book.pk).update(description='<p onclick="x()">Fine<script>alert(1)</script></p>')
    text = client.get(f"/books/{book.pk}/").text
    assert "<p>Fine</p>" in text
    assert "alert(1)" not in text


def test_an_unknown_book_is_a_404(client):
    assert client.get("/books/999999/").status_code == 404


def test_book_page_query_count_is_fixed(client, django_assert_num_queries):
    book = Book.objects.create(title="Many authors", authors=[f"Author {n}" for n in range(8)], page_count=10)
    # The book, then its upcoming and its past meetings.
    with django_assert_num_queries(3):
        assert client.get(f"/books/{book.pk}/").status_code == 200


# --- opening a Google result -----------------------------------------------------------------------


def test_opening_a_google_result_imports_it_once_and_redirects_to_its_page(client, fake_google):
    fake_google.use("normal")
    settled_get(client, "/books/", {"q": "dune"})
    response = client.post("/books/google/gDune01/")
    book = Book.objects.get(google_volume_id="gDune01")
    assert response.status_code == 302 and response["Location"] == f"/books/{book.pk}/"
    assert (book.source, book.title, book.authors, book.page_count) == (
        Source.GOOGLE,
        "Dune",
        ["Frank Herbert"],
        535,
    )
    assert book.description == "<p>Spice <b>must</b> flow.</p>"
    assert fake_google.count == 1  # the volume came from the search's cache

    again = client.post("/books/google/gDune01/")
    assert again["Location"] == f"/books/{book.pk}/"
    assert Book.objects.filter(google_volume_id="gDune01").count() == 1
    # Once imported, the address is a plain link to the book's page.
    assert client.get("/books/google/gDune01/")["Location"] == f"/books/{book.pk}/"


def test_a_google_result_is_a_post_button_and_get_never_imports(client, fake_google):
    fake_google.use("normal")
    results = settled_get(client, "/books/", {"q": "dune"}).text
    assert re.search(
        r'<form method="post" action="/books/google/gDune01/" class="book-row-form">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">\s*'
        r'<button type="submit" class="book-row" data-book-result>',
        results,
    )
    assert 'href="/books/google/' not in results
    for method in (client.get, client.head):
        response = method("/books/google/gDune01/")
        assert response.status_code == 200
    page = client.get("/books/google/gDune01/").text
    assert "<h1>Dune</h1>" in page and "by Frank Herbert" in page
    assert '<form method="post" action="/books/google/gDune01/"' in page and "Add it to Booky" in page
    assert not Book.objects.filter(google_volume_id="gDune01").exists()
    assert fake_google.count == 1  # the page came from the search's cache, not from Google


def test_opening_an_unsearched_google_volume_by_get_asks_nobody_and_writes_nothing(client, fake_google):
    fake_google.use("normal")
    response = client.get("/books/google/gNeverSeen/")
    assert response.status_code == 200 and "A book from Google Books" in response.text
    assert fake_google.count == 0 and not Book.objects.filter(google_volume_id="gNeverSeen").exists()


def test_a_google_result_with_a_catalog_isbn_is_linked_not_duplicated(client, fake_google):
    fake_google.use("normal")
    pride = Book.objects.get(title="Pride and Prejudice")
    response = client.post("/books/google/gPride01/")
    assert response["Location"] == f"/books/{pride.pk}/"
    pride.refresh_from_db()
    assert pride.google_volume_id == "gPride01" and pride.source == Source.CATALOG


def test_a_google_result_cannot_be_opened_while_google_is_down_and_says_so(
    client, fake_google, no_retry_wait
):
    fake_google.use("unavailable")
    response = client.post("/books/google/gDune01/")
    assert response.status_code == 503
    assert "Google Books is unavailable right now" in response.text
    assert not Book.objects.filter(google_volume_id="gDune01").exists()


@pytest.mark.parametrize("volume_id", ["unknown1", "bad%20id"])
def test_unknown_or_malformed_volume_ids_are_404(client, fake_google, volume_id):
    fake_google.use("normal")
    assert client.post(f"/books/google/{volume_id}/").status_code == 404


def test_a_malformed_volume_id_is_404_on_get_too(client):
    assert client.get("/books/google/bad%20id/").status_code == 404
    assert client.get("/books/google/abc%0A/").status_code == 404


# --- add a book by hand ----------------------------------------------------------------------------

VALID = {
    "title": "The Zine",
    "authors": "Ana Silva\nRui Costa",
    "page_count": "48",
    "isbn": "",
    "description": "",
}


def test_adding_a_book_needs_a_login(client):
    response = client.get("/books/new/")
    assert response.status_code == 302 and response["Location"].startswith(
        "/accounts/login/?next=/books/new/"
    )
    posted = client.post("/books/new/", VALID)
    assert posted.status_code == 302 and "/accounts/login/" in posted["Location"]
    assert not Book.objects.filter(title="The Zine").exists()


def test_adding_a_book_over_htmx_while_logged_out_redirects_the_whole_page(client):
    response = client.post("/books/new/", VALID, headers=HX)
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_a_reader_adds_a_book_by_hand(client, user):
    client.force_login(user)
    response = client.post("/books/new/", {**VALID, "isbn": "978-0-306-40615-7", "description": "<b>Hi</b>"})
    book = Book.objects.get(title="The Zine")
    assert response.status_code == 302 and response["Location"] == f"/books/{book.pk}/"
    assert (
        book.authors == ["Ana Silva", "Rui Costa"] and book.page_count == 48 and book.source == Source.MANUAL
    )
    assert (book.isbn_13, book.isbn_10) == ("9780306406157", "0306406152")
    assert book.description == "<p>&lt;b&gt;Hi&lt;/b&gt;</p>"


def test_adding_over_htmx_answers_with_hx_redirect(client, user):
    client.force_login(user)
    response = client.post("/books/new/", VALID, headers=HX)
    assert response["HX-Redirect"] == Book.objects.get(title="The Zine").get_absolute_url()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give the book&#x27;s title."),
        ("title", "   ", "Give the book&#x27;s title."),
        ("title", "Bad\x00title", "Null characters are not allowed."),
        ("authors", "", "Give at least one author."),
        ("page_count", "", "How many pages does it have?"),
        ("page_count", "0", "A book has at least 1 page."),
        ("page_count", "-5", "A book has at least 1 page."),
        ("page_count", "1000000000", "That is more than 20,000 pages"),
        ("page_count", "lots", "Enter the number of pages as a whole number"),
        ("isbn", "978-0-306-40615-8", "check digit is wrong"),
        ("isbn", "12345", "10 or 13 digits"),
        ("published_date", "yesterday", "Use a year (1851)"),
        ("published_date", "1999-02-31", "1999-02-31 is not a date that exists"),
        ("published_date", "1999-13", "Use a year (1851)"),
    ],
)
def test_bad_input_re_renders_the_form_with_a_clear_error_and_adds_nothing(
    client, user, field, value, message
):
    client.force_login(user)
    before = Book.objects.count()
    response = client.post("/books/new/", {**VALID, field: value})
    assert response.status_code == 422
    assert message in response.text
    assert Book.objects.count() == before


def test_invalid_form_over_htmx_answers_with_the_form_fragment(client, user):
    client.force_login(user)
    response = client.post("/books/new/", {**VALID, "title": ""}, headers=HX)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<form id="book-form"')


def test_an_isbn_booky_already_has_is_refused_with_the_books_name(client, user):
    client.force_login(user)
    response = client.post("/books/new/", {**VALID, "isbn": "9780141439518"})
    assert response.status_code == 422
    assert "Pride and Prejudice" in response.text and "already has this ISBN" in response.text
    assert not Book.objects.filter(title="The Zine").exists()


# --- rate limit ------------------------------------------------------------------------------------


def test_the_31st_search_in_a_minute_gets_a_429_page_with_a_clear_message(client):
    for number in range(30):
        assert client.get("/books/", {"q": f"q{number}"}).status_code == 200
    response = client.get("/books/", {"q": "one more"})
    assert response.status_code == 429
    assert "<html" in response.text and "Too many searches" in response.text
    assert "Wait a minute" in response.text


def test_browsing_without_a_query_does_not_count_as_a_search(client):
    for _ in range(35):
        assert client.get("/books/").status_code == 200


def test_the_limit_is_per_user(client):
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    for number in range(30):
        client.get("/books/", {"q": f"q{number}"})
    assert client.get("/books/", {"q": "x"}).status_code == 429
    client.force_login(second)
    assert client.get("/books/", {"q": "x"}).status_code == 200


def test_anonymous_visitors_are_limited_per_ip_address(client):
    for number in range(30):
        client.get("/books/", {"q": f"q{number}"}, REMOTE_ADDR="10.0.0.1")
    assert client.get("/books/", {"q": "x"}, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/books/", {"q": "x"}, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_rate_limited_htmx_search_answers_with_the_message_fragment(client):
    for number in range(30):
        client.get("/books/", {"q": f"q{number}"})
    response = client.get("/books/", {"q": "x"}, headers=HX)
    assert response.status_code == 429
    assert "<html" not in response.text and "Too many searches" in response.text


def test_book_page_lists_meetings_of_visible_clubs_only(client, db):
    from clubs.models import Visibility
    from tests.factories import BookFactory, ClubFactory, MeetingFactory

    book = BookFactory(title="Shared Read")
    MeetingFactory(book=book, title="Open club evening", club=ClubFactory(name="Open Readers"))
    MeetingFactory(
        book=book,
        title="Secret evening",
        club=ClubFactory(name="Hidden Readers", visibility=Visibility.PRIVATE),
    )
    response = client.get(f"/books/{book.pk}/")
    assert "Open club evening" in response.text and "Open Readers" in response.text
    assert "Secret evening" not in response.text and "Hidden Readers" not in response.text


def test_book_page_queries_do_not_grow_with_meetings(client, db, django_assert_num_queries):
    from tests.factories import BookFactory, MeetingFactory

    book = BookFactory()
    for _ in range(3):
        MeetingFactory(book=book)
    with django_assert_num_queries(3):
        client.get(f"/books/{book.pk}/")
    for _ in range(27):
        MeetingFactory(book=book)
    with django_assert_num_queries(3):
        assert "book-meetings" in client.get(f"/books/{book.pk}/").text


# --- audit fixes: odd Google data, rate limit on opening, whole-catalog pagination ----------------


@pytest.mark.parametrize("volume_id", ["gSpaceCover", "gLongCover", "gPortCover", "gUserCover"])
def test_opening_a_google_result_with_an_odd_cover_imports_it_without_the_cover(
    client, fake_google, volume_id
):
    fake_google.use("normal")
    response = client.post(f"/books/google/{volume_id}/")
    book = Book.objects.get(google_volume_id=volume_id)
    assert response.status_code == 302 and response["Location"] == f"/books/{book.pk}/"
    assert (book.title, book.cover_url) == (f"Odd {volume_id}", "")
    assert client.get(response["Location"]).status_code == 200


def test_opening_google_results_shares_the_search_allowance_and_gets_the_429_page(client, fake_google):
    fake_google.use("normal")
    for _ in range(30):
        assert client.post("/books/google/gDune01/", REMOTE_ADDR="10.0.0.9").status_code == 302
    response = client.post("/books/google/gPride01/", REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "Too many searches" in response.text and "Wait a minute" in response.text
    assert not Book.objects.filter(google_volume_id="gPride01").exists()
    assert client.get("/books/", {"q": "dune"}, REMOTE_ADDR="10.0.0.9").status_code == 429
    assert client.post("/books/google/gPride01/", REMOTE_ADDR="10.0.0.10").status_code == 302


def test_browsing_reaches_every_book_in_the_catalog(client):
    total = Book.objects.count()
    assert total > 100
    first = client.get("/books/")
    assert f"Browse our catalog: {total} books." in first.text
    seen = []
    for number in range(1, total // 20 + 2):
        seen += titles(client.get("/books/", {"page": number}))
    expected = [html.escape(title) for title in Book.objects.values_list("title", flat=True)]
    assert sorted(seen) == sorted(expected)


def test_a_broad_query_counts_and_pages_through_every_match(client):
    matches = Book.objects.search("the").count()
    assert matches > 100
    response = client.get("/books/", {"q": "the"})
    assert f"{matches} books for “the”." in response.text
    last_page = (matches + 19) // 20
    last = client.get("/books/", {"q": "the", "page": last_page})
    assert len(titles(last)) == matches - (last_page - 1) * 20
