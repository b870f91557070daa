"""The books API: search, details, import by volume id, create by hand."""

import pytest

from books.models import Book, Source
from books.ratelimit import RATE_LIMITED_MESSAGE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HAND_MADE = {"title": "The Zine", "authors": ["Ana Silva"], "page_count": 48}


def test_search_is_paginated(api_client):
    body = api_client.get("/api/v1/books/", {"q": "a"}).json()
    assert body["count"] > 20 and len(body["results"]) == 20 and body["next"]


def test_a_book_has_its_details(api_client):
    book = Book.objects.get(title="Moby-Dick")
    body = api_client.get(f"/api/v1/books/{book.pk}/").json()
    assert body["title"] == "Moby-Dick" and body["authors"] == ["Herman Melville"]
    assert body["isbn_13"] == "9780142437247" and body["url"] == f"/books/{book.pk}/"


def test_an_unknown_book_is_a_json_404(api_client):
    response = api_client.get("/api/v1/books/999999/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_creating_needs_authentication(api_client):
    response = api_client.post("/api/v1/books/", HAND_MADE, format="json")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}
    assert not Book.objects.filter(title="The Zine").exists()


def test_a_reader_creates_a_book_by_hand(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/books/", {**HAND_MADE, "isbn": "0-306-40615-2"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["source"] == Source.MANUAL and body["isbn_13"] == "9780306406157"
    assert Book.objects.filter(pk=body["id"], title="The Zine").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field may not be blank."),
        ({"title": None}, "title", "Give the book's title."),
        ({"authors": []}, "authors", "Give at least one author."),
        ({"page_count": 0}, "page_count", "A book has at least 1 page."),
        ({"page_count": -3}, "page_count", "A book has at least 1 page."),
        ({"page_count": 10**9}, "page_count", "more than 20,000 pages"),
        ({"isbn": "9780306406158"}, "isbn", "check digit is wrong"),
        ({"title": "Bad\x00title"}, "title", "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_400_naming_the_field(api_client, user, change, field, message):
    api_client.force_authenticate(user)
    payload = {key: value for key, value in {**HAND_MADE, **change}.items() if value is not None}
    before = Book.objects.count()
    response = api_client.post("/api/v1/books/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"]
    assert message in body["detail"]
    assert Book.objects.count() == before


def test_a_duplicate_isbn_is_a_409(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/books/", {**HAND_MADE, "isbn": "9780141439518"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_isbn" and "Pride and Prejudice" in response.json()["detail"]


def test_importing_a_google_volume_creates_it_once(api_client, user, fake_google):
    fake_google.use("normal")
    api_client.force_authenticate(user)
    first = api_client.post("/api/v1/books/", {"google_volume_id": "gDune01"}, format="json")
    second = api_client.post("/api/v1/books/", {"google_volume_id": "gDune01"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["source"] == Source.GOOGLE
    assert first.json()["cover_url"].startswith("https://books.google.com/")


def test_importing_an_unknown_volume_is_a_404(api_client, user, fake_google):
    fake_google.use("normal")
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/books/", {"google_volume_id": "unknown1"}, format="json")
    assert response.status_code == 404


def test_importing_while_google_is_down_is_a_503_with_a_message(api_client, user, fake_google, no_retry_wait):
    fake_google.use("unavailable")
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/books/", {"google_volume_id": "gDune01"}, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "google_books_unavailable"


def test_the_31st_api_search_in_a_minute_is_a_429(api_client):
    user = UserFactory()
    api_client.force_authenticate(user)
    for number in range(30):
        assert api_client.get("/api/v1/books/", {"q": f"q{number}"}).status_code == 200
    response = api_client.get("/api/v1/books/", {"q": "more"})
    assert response.status_code == 429
    assert response.json() == {"detail": RATE_LIMITED_MESSAGE, "code": "throttled"}
    assert "more than 30 times in the last minute" in RATE_LIMITED_MESSAGE


def test_api_search_query_count_does_not_grow_with_the_results(api_client, django_assert_num_queries):
    # The count of all local matches and the page of them, after one setup query (PostgreSQL: the
    # typo threshold; SQLite: whether the words match at all, or typos must be tried).
    for query in ("melville", "a", "the"):
        with django_assert_num_queries(3):
            assert api_client.get("/api/v1/books/", {"q": query}).status_code == 200


# --- audit fixes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("volume_id", ["gSpaceCover", "gLongCover", "gPortCover", "gUserCover", "gBadDate"])
def test_importing_a_volume_with_odd_optional_fields_succeeds_without_them(
    api_client, user, fake_google, volume_id
):
    fake_google.use("normal")
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/books/", {"google_volume_id": volume_id}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == f"Odd {volume_id}" and body["cover_url"] == ""
    assert body["published_date"] in ("", "1999")


@pytest.mark.parametrize(
    ("published_date", "message"),
    [
        ("1999-02-31", "not a date that exists"),
        ("2023-02-29", "not a date that exists"),
        ("1999-04-31", "not a date that exists"),
        ("1999-13", "Use a year"),
        ("1999-00", "Use a year"),
        ("1999-12-32", "Use a year"),
    ],
)
def test_impossible_published_dates_are_refused(api_client, user, published_date, message):
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/books/", {**HAND_MADE, "published_date": published_date}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["errors"]["published_date"][0]
    assert not Book.objects.filter(title="The Zine").exists()


@pytest.mark.parametrize("published_date", ["2024-02-29", "1851", "1851-10", "1851-10-18"])
def test_real_published_dates_are_accepted(api_client, user, published_date):
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/books/", {**HAND_MADE, "published_date": published_date}, format="json"
    )
    assert response.status_code == 201 and response.json()["published_date"] == published_date


def test_api_search_counts_and_pages_through_every_local_match(api_client):
    matches = Book.objects.search("the").count()
    assert matches > 100
    body = api_client.get("/api/v1/books/", {"q": "the", "page_size": 100}).json()
    assert body["count"] == matches
    last_page = (matches + 99) // 100
    last = api_client.get("/api/v1/books/", {"q": "the", "page_size": 100, "page": last_page}).json()
    assert len(last["results"]) == matches - (last_page - 1) * 100 and last["next"] is None
    total = Book.objects.count()
    browse = api_client.get("/api/v1/books/", {"page_size": 100, "page": (total + 99) // 100}).json()
    assert browse["count"] == total and len(browse["results"]) == total - (total - 1) // 100 * 100
