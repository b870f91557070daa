"""HTML forms for books. They validate input only; books/services.py does the writes."""

from django import forms
from django.core.exceptions import ValidationError

from books import isbn as isbn_lib
from books.dates import validate_published_date
from books.models import MAX_PAGES, TITLE_MAX_LENGTH, Book
from books.services import book_import_google, book_import_open_library
from booky.core.errors import DomainError
from booky.core.numbers import StrictIntegerField
from booky.core.validators import validate_visible_name


class BookForm(forms.Form):
    """A book that no source knows, typed in by a person."""

    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH,
        validators=[validate_visible_name],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Give the book's title."},
    )
    subtitle = forms.CharField(
        max_length=TITLE_MAX_LENGTH, required=False, validators=[validate_visible_name]
    )
    authors = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One author per line, in the order on the cover.",
        error_messages={"required": "Give at least one author."},
    )
    page_count = StrictIntegerField(
        label="Pages",
        min_value=1,
        max_value=MAX_PAGES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "How many pages does it have? Races and paces need it.",
            "invalid": "Enter the number of pages as a whole number, e.g. 320.",
            "min_value": "A book has at least 1 page.",
            "max_value": f"That is more than {MAX_PAGES:,} pages: check the number.",
        },
    )
    published_date = forms.CharField(
        label="Published",
        max_length=10,
        required=False,
        validators=[validate_published_date],
        help_text="A year (1851) or a full date (1851-10-18).",
    )
    publisher = forms.CharField(max_length=200, required=False, validators=[validate_visible_name])
    isbn = forms.CharField(
        label="ISBN",
        max_length=24,
        required=False,
        help_text="10 or 13 digits, hyphens are fine. Leave it empty if the book has none.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    description = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text; a blank line starts a new paragraph.",
    )

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError("Give the book's title.", code="required")
        return title

    def clean_authors(self) -> list[str]:
        names = [" ".join(line.split()) for line in self.cleaned_data["authors"].splitlines()]
        names = [name for name in names if name]
        if not names:
            raise ValidationError("Give at least one author.", code="required")
        if any(len(name) > 200 for name in names):
            raise ValidationError("An author's name can have at most 200 characters.", code="max_length")
        for name in names:
            validate_visible_name(name)
        return names

    def clean_isbn(self) -> str:
        raw = self.cleaned_data["isbn"].strip()
        if not raw:
            return ""
        isbn_10, isbn_13 = isbn_lib.parse(raw)
        return isbn_13 or isbn_10


REMOTE_IMPORTS = {
    "google": lambda volume_id: book_import_google(volume_id=volume_id),
    "openlibrary": lambda work_key: book_import_open_library(work_key=work_key),
}


class BookChoiceField(forms.Field):
    """The book picker's value: a book id, or "google:<volume id>" / "openlibrary:<work key>", which
    import that volume or work on clean.

    Use it as `book = BookChoiceField()` in any form that includes the books/_picker.html partial.
    """

    default_error_messages = {
        "required": "Choose a book.",
        "invalid": "That book is not in Booky any more: search again and choose another.",
    }

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, Book):
            return value
        value = str(value).strip()
        source, _, remote_id = value.partition(":")
        if source in REMOTE_IMPORTS and remote_id:
            try:
                return REMOTE_IMPORTS[source](remote_id)
            except DomainError as error:
                raise ValidationError(error.message, code=error.code) from error
        if not (value.isascii() and value.isdigit()):  # "²" is a digit to isdigit(), not to int()
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        book = Book.objects.filter(pk=int(value)).first()
        if book is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return book
