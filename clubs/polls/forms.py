"""HTML forms for polls. They validate input only; clubs/polls/services.py does the writes."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from books.forms import BookChoiceField
from booky.core.numbers import StrictIntegerField
from booky.core.validators import validate_visible_name
from clubs.polls.models import MAX_NOMINATIONS_LIMIT, PITCH_MAX_LENGTH, NominationRule, PollMode

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
LOCAL_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PollForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        required=False,
        validators=[validate_visible_name],
        help_text="Leave it empty for “What do we read next?”.",
    )
    description = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    mode = forms.ChoiceField(
        label="How members vote", choices=PollMode.choices, initial=PollMode.RANKED, widget=forms.RadioSelect
    )
    nominations_by = forms.ChoiceField(
        label="Who nominates",
        choices=NominationRule.choices,
        initial=NominationRule.MEMBERS,
        widget=forms.RadioSelect,
    )
    max_nominations = StrictIntegerField(
        label="Nominations per member",
        initial=2,
        min_value=1,
        max_value=MAX_NOMINATIONS_LIMIT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "How many books may each member nominate?",
            "invalid": "Enter a whole number.",
            "min_value": "Each member may nominate at least 1 book.",
            "max_value": f"Each member may nominate at most {MAX_NOMINATIONS_LIMIT} books.",
        },
    )
    nominations_close_at = forms.DateTimeField(
        label="Nominations close",
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LOCAL_WIDGET,
        error_messages={
            "required": "When do nominations close?",
            "invalid": "Enter the date and time as YYYY-MM-DD HH:MM.",
        },
    )
    voting_closes_at = forms.DateTimeField(
        label="Voting closes",
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LOCAL_WIDGET,
        error_messages={
            "required": "When does voting close?",
            "invalid": "Enter the date and time as YYYY-MM-DD HH:MM.",
        },
    )
    show_live_results = forms.BooleanField(
        label="Show the running count while voting is open",
        required=False,
        help_text="Otherwise results appear when voting closes.",
    )

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        for name in ("nominations_close_at", "voting_closes_at"):
            self.fields[name].help_text = f"Your local time ({tz.key.replace('_', ' ')})."

    def full_clean(self):
        with timezone.override(self.tz):  # datetime-local has no offset: the member's zone
            super().full_clean()

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("nominations_close_at"), cleaned.get("voting_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("voting_closes_at", "Voting must close after the nominations close.")
        return cleaned


class NominationForm(forms.Form):
    book = BookChoiceField()
    pitch = forms.CharField(
        max_length=PITCH_MAX_LENGTH,
        required=False,
        label="Why this book? (one line)",
        validators=[validate_visible_name],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class BallotForm(forms.Form):
    """One rank field per nominee (1st, 2nd, … or not ranked): a ballot that works without JavaScript."""

    def __init__(self, *args, nominations, single: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.nominations = list(nominations)
        self.single = single
        if single:
            self.fields["choice"] = forms.TypedChoiceField(
                label="Your vote",
                coerce=int,
                choices=[(n.pk, n.book.title) for n in self.nominations],
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose a book.",
                    "invalid_choice": "Choose one of the nominated books.",
                },
            )
            return
        count = len(self.nominations)
        choices = [("", "Not ranked")] + [(str(rank), _ordinal(rank)) for rank in range(1, count + 1)]
        for nomination in self.nominations:
            self.fields[f"rank_{nomination.pk}"] = forms.TypedChoiceField(
                label=nomination.book.title,
                coerce=int,
                empty_value=None,
                required=False,
                choices=choices,
                error_messages={"invalid_choice": f"Choose a rank from 1 to {count}."},
            )

    def rank_field(self, nomination):
        return self[f"rank_{nomination.pk}"]

    def clean(self):
        cleaned = super().clean()
        if self.single or self.errors:
            return cleaned
        ranked = [
            (cleaned.get(f"rank_{n.pk}"), n.pk) for n in self.nominations if cleaned.get(f"rank_{n.pk}")
        ]
        if not ranked:
            raise forms.ValidationError("Rank at least one book.")
        ranks = [rank for rank, _ in ranked]
        if len(set(ranks)) != len(ranks):
            raise forms.ValidationError("Give each book a different rank: two books share one.")
        return cleaned

    def ranking(self) -> list[int]:
        if self.single:
            return [self.cleaned_data["choice"]]
        ranked = sorted(
            (self.cleaned_data[f"rank_{n.pk}"], n.pk)
            for n in self.nominations
            if self.cleaned_data.get(f"rank_{n.pk}")
        )
        return [pk for _, pk in ranked]


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix} choice"
