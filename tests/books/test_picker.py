"""The reusable book picker: a search, a radio list, and a choice that lands in a hidden `book` input."""

import pytest
from django import forms

from books.forms import BookChoiceField
from books.models import Book
from tests.books.conftest import settled_get

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_without_javascript_the_picker_page_lists_results_as_radios(client):
    pride = Book.objects.get(title="Pride and Prejudice")
    response = client.get("/books/picker/", {"field": "book", "book_q": "pride"})
    assert response.status_code == 200 and "<html" in response.text
    assert f'type="radio" name="book" value="{pride.pk}"' in response.text
    assert 'aria-label="Search books"' in response.text


def test_typing_in_the_picker_answers_with_the_result_list_only(client):
    response = client.get("/books/picker/", {"field": "book", "book_q": "dracula"}, headers=HX)
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="book-picker-book-results"')
    assert "Bram Stoker" in response.text


def test_google_results_in_the_picker_carry_their_volume_id(client, fake_google):
    fake_google.use("normal")
    response = settled_get(client, "/books/picker/", {"book_q": "dune"}, headers=HX)
    assert 'value="google:gDune01"' in response.text


def test_choosing_a_result_swaps_in_the_book_with_a_hidden_input(client, user):
    client.force_login(user)
    dracula = Book.objects.get(title="Dracula")
    response = client.post("/books/picker/choose/", {"field": "book", "book": str(dracula.pk)}, headers=HX)
    assert response.status_code == 200
    assert f'<input type="hidden" name="book" value="{dracula.pk}">' in response.text
    assert response.text.lstrip().startswith('<fieldset id="book-picker-book"')


def test_choosing_a_google_result_imports_it(client, user, fake_google):
    fake_google.use("normal")
    client.force_login(user)
    response = client.post("/books/picker/choose/", {"field": "book", "book": "google:gDune01"}, headers=HX)
    dune = Book.objects.get(google_volume_id="gDune01")
    assert f'name="book" value="{dune.pk}"' in response.text


def test_choosing_a_book_that_does_not_exist_says_so(client, user):
    client.force_login(user)
    response = client.post("/books/picker/choose/", {"field": "book", "book": "999999"}, headers=HX)
    assert response.status_code == 422
    assert "That book is not in Booky any more" in response.text


def test_choosing_needs_a_login(client):
    response = client.post("/books/picker/choose/", {"field": "book", "book": "1"}, headers=HX)
    assert response["HX-Redirect"].startswith("/accounts/login/")


class MeetingLikeForm(forms.Form):
    book = BookChoiceField()


def test_the_form_field_accepts_an_id_or_a_google_volume():
    dracula = Book.objects.get(title="Dracula")
    form = MeetingLikeForm(data={"book": str(dracula.pk)})
    assert form.is_valid() and form.cleaned_data["book"] == dracula
    assert MeetingLikeForm(data={"book": ""}).errors == {"book": ["Choose a book."]}
    assert MeetingLikeForm(data={"book": "abc"}).errors["book"][0].startswith("That book is not in Booky")
