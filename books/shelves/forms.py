"""HTML forms for the shelves. They validate input only; books/shelves/services.py does the writes."""

from django import forms

from books.shelves.models import IMPORT_MAX_BYTES, MAX_UPLOAD_MESSAGE, Shelf
from booky.core.numbers import StrictIntegerField

RATING_CHOICES = [("", "No rating"), *((str(n), f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1))]


class ShelfChoiceForm(forms.Form):
    shelf = forms.ChoiceField(
        choices=Shelf.choices,
        error_messages={
            "required": "Choose a shelf.",
            "invalid_choice": "Choose a shelf: want to read, reading or read.",
        },
    )


class ShelfEntryForm(forms.Form):
    shelf = forms.ChoiceField(choices=Shelf.choices, widget=forms.RadioSelect)
    started_on = forms.DateField(
        label="Started",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    finished_on = forms.DateField(
        label="Finished",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Once you have read it.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rating") and cleaned.get("shelf") != Shelf.READ:
            self.add_error("rating", "Rate a book once it is on your “Read” shelf.")
        started, finished = cleaned.get("started_on"), cleaned.get("finished_on")
        if started and finished and finished < started:
            self.add_error("finished_on", "The day you finished cannot be before the day you started.")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Export file (CSV)",
        help_text="Goodreads: My Books → Import and export → Export library. StoryGraph: Manage account → Export. Up to 5 MB.",
        error_messages={"required": "Choose the CSV file you exported.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(MAX_UPLOAD_MESSAGE)
        return upload


class CheckResolveForm(forms.Form):
    book = StrictIntegerField(
        min_value=1, error_messages={"required": "Choose a book.", "invalid": "Choose a book."}
    )
