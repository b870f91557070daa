"""The shelves as a member uses them: the buttons on a book page (with and without htmx), the shelf
pages as profile visibility allows, editing dates and rating."""

import pytest
from django.urls import reverse

from books.models import Shelf, ShelfEntry
from books.shelves import services
from social.models import ProfileVisibility
from tests.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_the_book_page_puts_a_book_on_a_shelf_and_moves_it(client):
    reader, book = UserFactory(), BookFactory(title="Middlemarch")
    client.force_login(reader)
    page = client.get(book.get_absolute_url())
    assert "Add to your shelves:" in page.text
    response = client.post(
        reverse("books:shelf_put", args=[book.pk]), {"shelf": "want_to_read"}, headers=HTMX
    )
    assert response.status_code == 200 and "On your “Want to read” shelf." in response.text
    assert 'aria-pressed="true"' in response.text
    response = client.post(reverse("books:shelf_put", args=[book.pk]), {"shelf": "read", "next": "/books/"})
    assert response.status_code == 302 and response["Location"] == "/books/"
    entry = ShelfEntry.objects.get(user=reader, book=book)
    assert entry.shelf == Shelf.READ and entry.finished_on is not None
    page = client.get(book.get_absolute_url())
    assert "On your shelf:" in page.text and "Finished" in page.text


def test_a_bad_shelf_is_refused_and_changes_nothing(client):
    reader, book = UserFactory(), BookFactory()
    client.force_login(reader)
    response = client.post(reverse("books:shelf_put", args=[book.pk]), {"shelf": "burn"}, headers=HTMX)
    assert response.status_code == 422 and "Choose a shelf" in response.text
    assert not ShelfEntry.objects.exists()
    assert client.post(reverse("books:shelf_put", args=[999999]), {"shelf": "read"}).status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client):
    book = BookFactory()
    assert "to keep this book on your shelves" in client.get(book.get_absolute_url()).text
    response = client.post(reverse("books:shelf_put", args=[book.pk]), {"shelf": "read"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(reverse("books:shelf_put", args=[book.pk]), {"shelf": "read"}, headers=HTMX)
    assert response.headers["HX-Redirect"].startswith("/accounts/login/")
    assert not ShelfEntry.objects.exists()


def test_removing_a_book_from_the_shelves(client):
    reader, book = UserFactory(), BookFactory()
    services.shelf_put(user=reader, book=book, shelf=Shelf.READING)
    client.force_login(reader)
    response = client.post(reverse("books:shelf_remove", args=[book.pk]), headers=HTMX)
    assert response.status_code == 200 and "Taken off your shelves." in response.text
    assert not ShelfEntry.objects.exists()


@pytest.mark.parametrize(
    ("visibility", "viewer", "allowed"),
    [
        (ProfileVisibility.PUBLIC, "anonymous", True),
        (ProfileVisibility.PUBLIC, "stranger", True),
        (ProfileVisibility.FRIENDS, "anonymous", False),
        (ProfileVisibility.FRIENDS, "stranger", False),
        (ProfileVisibility.PRIVATE, "stranger", False),
        (ProfileVisibility.PRIVATE, "self", True),
    ],
)
def test_shelves_follow_the_profile_visibility(client, visibility, viewer, allowed):
    owner = UserFactory(profile_visibility=visibility)
    services.shelf_put(user=owner, book=BookFactory(title="Secret Garden Notes"), shelf=Shelf.WANT_TO_READ)
    if viewer == "stranger":
        client.force_login(UserFactory())
    elif viewer == "self":
        client.force_login(owner)
    response = client.get(reverse("books:shelves", args=[owner.username]))
    assert response.status_code == (200 if allowed else 404)
    assert ("Secret Garden Notes" in response.text) is allowed


def test_a_shelf_page_is_paginated_and_its_queries_stay_constant(client, django_assert_max_num_queries):
    owner = UserFactory()
    for _ in range(3):
        services.shelf_put(user=owner, book=BookFactory(), shelf=Shelf.READ)
    client.force_login(owner)
    url = reverse("books:shelves", args=[owner.username]) + "?shelf=read"
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(40):
        services.shelf_put(user=owner, book=BookFactory(), shelf=Shelf.READ)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "Pages of this shelf" in page.text


def test_editing_dates_and_rating(client):
    reader, book = UserFactory(), BookFactory()
    entry = services.shelf_put(user=reader, book=book, shelf=Shelf.READ)
    client.force_login(reader)
    url = reverse("books:shelf_entry_edit", args=[entry.pk])
    bad = client.post(
        url, {"shelf": "read", "started_on": "2024-05-10", "finished_on": "2024-05-01", "rating": "4"}
    )
    assert bad.status_code == 422 and "cannot be before the day you started" in bad.text
    bad = client.post(url, {"shelf": "reading", "rating": "4"})
    assert bad.status_code == 422 and "Rate a book once it is on your “Read” shelf." in bad.text
    ok = client.post(
        url, {"shelf": "read", "started_on": "2024-05-01", "finished_on": "2024-05-10", "rating": "4"}
    )
    assert ok.status_code == 302
    entry.refresh_from_db()
    assert entry.rating == 4 and str(entry.started_on) == "2024-05-01"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
