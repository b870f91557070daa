"""HTML forms for bets. They validate input only; bets/services.py does the writes and re-checks."""

import re

from django import forms

from bets.models import MAX_STAKE
from booky.core.numbers import StrictIntegerField

ASCII_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


class HiddenWholeNumberField(forms.IntegerField):
    """A hidden id or version: ASCII digits only (int() would also read "٥"). Missing or garbled is None,
    which no bet matches: the view answers with the current bet (409), not with an invisible error."""

    widget = forms.HiddenInput

    def to_python(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if not isinstance(value, str) or not ASCII_WHOLE_NUMBER.fullmatch(value.strip()):
            return None
        return int(value)


class BetVersionForm(forms.Form):
    """Which bet, at which version, the page showed: a change from a stale tab is refused (409)."""

    bet = HiddenWholeNumberField(required=False)
    version = HiddenWholeNumberField(required=False)


class BetForm(BetVersionForm):
    """Place or change my bet: a horse among the going attendees and a stake of 1..what I can afford.

    `horses` are the users one may bet on; `available` is what the stake may be at most (my balance,
    plus my current stake when changing a bet)."""

    horse = forms.TypedChoiceField(
        label="Who finishes the book before the meeting?",
        coerce=int,
        error_messages={
            "required": "Pick who you bet on.",
            "invalid_choice": "Pick someone who is going to this meeting.",
        },
    )
    amount = StrictIntegerField(
        label="Points",
        min_value=1,
        max_value=MAX_STAKE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "How many points do you bet?",
            "invalid": "Enter a whole number of points, e.g. 10.",
            "min_value": "Bet at least 1 point.",
            "max_value": f"Bets are capped at {MAX_STAKE} points.",
        },
    )

    def __init__(self, *args, horses, available: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.horses = {horse.pk: horse for horse in horses}
        self.available = available
        self.fields["horse"].choices = [("", "Choose a reader…")] + [
            (horse.pk, horse.name) for horse in horses
        ]
        self.fields["amount"].widget.attrs.update(min=1, max=max(available, 1))
        self.fields["amount"].help_text = f"1 to {available} points."

    def clean_horse(self):
        horse_id = self.cleaned_data["horse"]
        if horse_id not in self.horses:
            raise forms.ValidationError("Pick someone who is going to this meeting.")
        return self.horses[horse_id]

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount > self.available:
            raise forms.ValidationError(f"You have {self.available} points to bet; {amount} is too many.")
        return amount
