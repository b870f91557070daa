"""Validators every app uses for what people type: names must be visible text."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Letters and symbols that render as nothing: fillers that look like a space, the Braille blank.
_INVISIBLE_GRAPHICS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
# Separators (Z*), controls and formats (Cc, Cf), surrogates, private use, unassigned (Cs, Co, Cn), and
# combining marks (M*), which show nothing without a letter to sit on.
_INVISIBLE_CATEGORIES = ("Z", "C", "M")

INVISIBLE_MESSAGE = (
    "Use at least one visible letter, digit or symbol; this is only blank or invisible characters."
)
CONTROL_MESSAGE = "Remove the control characters (they are invisible and break lines)."


def is_visible(character: str) -> bool:
    return (
        not unicodedata.category(character).startswith(_INVISIBLE_CATEGORIES)
        and character not in _INVISIBLE_GRAPHICS
    )


@deconstructible(path="booky.core.validators.VisibleNameValidator")
class VisibleNameValidator:
    """A name (display name, club, meeting title, book title, author...) shows at least one visible
    character and holds no control characters. Zero-width joiners inside a name stay allowed: emoji
    sequences and several scripts need them."""

    def __call__(self, value) -> None:
        if not isinstance(value, str) or not value:
            return
        if any(unicodedata.category(character) == "Cc" for character in value):
            raise ValidationError(CONTROL_MESSAGE, code="control_characters")
        if not any(is_visible(character) for character in value):
            raise ValidationError(INVISIBLE_MESSAGE, code="invisible")

    def __eq__(self, other) -> bool:
        return isinstance(other, VisibleNameValidator)

    def __hash__(self) -> int:
        return hash(VisibleNameValidator)


validate_visible_name = VisibleNameValidator()
