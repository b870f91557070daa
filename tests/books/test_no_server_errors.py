"""Requests a fuzzer sent to the book pages that once answered 500: each is now a 4xx with a message."""

import pytest

from books.models import Book

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("value", ["²", "1²", "٣" * 30, "9" * 40])
def test_choosing_a_book_id_that_is_not_a_plain_number_says_so(client, user, value):
    client.force_login(user)
    books_before = Book.objects.count()
    response = client.post("/books/picker/choose/", {"field": "book", "book": value}, headers=HX)
    assert response.status_code == 422
    assert "That book is not in Booky any more" in response.text
    assert Book.objects.count() == books_before
