"""ISBN-10 and ISBN-13: normalization, checksums and conversion. Pure functions, no database."""

import re

from django.core.exceptions import ValidationError

# What a person types: digits (and a final X for ISBN-10) with optional hyphens or spaces.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")
_ISBN_SHAPE = re.compile(r"^(?:\d{9}[\dX]|\d{13})$", re.ASCII)  # ASCII: "٣" is a \d too


def normalize(raw: str) -> str:
    """The ISBN without separators, with an upper-case X; the input unchanged otherwise."""
    return _SEPARATORS.sub("", raw or "").upper()


def looks_like_isbn(raw: str) -> bool:
    """10 or 13 characters of ISBN shape once separators are gone (the checksum is not checked)."""
    return bool(_ISBN_SHAPE.match(normalize(raw)))


def isbn10_check_digit(first_nine: str) -> str:
    total = sum((10 - position) * int(digit) for position, digit in enumerate(first_nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first_twelve: str) -> str:
    total = sum(int(digit) * (1 if position % 2 == 0 else 3) for position, digit in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def is_valid_isbn10(value: str) -> bool:
    return (
        bool(re.fullmatch(r"\d{9}[\dX]", value or "", re.ASCII)) and isbn10_check_digit(value[:9]) == value[9]
    )


def is_valid_isbn13(value: str) -> bool:
    return (
        bool(re.fullmatch(r"97[89]\d{10}", value or "", re.ASCII))
        and isbn13_check_digit(value[:12]) == value[12]
    )


def to_isbn13(isbn10: str) -> str:
    body = "978" + isbn10[:9]
    return body + isbn13_check_digit(body)


def to_isbn10(isbn13: str) -> str:
    """The ISBN-10 of a 978- ISBN-13; empty for 979- numbers, which have none."""
    if not isbn13.startswith("978"):
        return ""
    body = isbn13[3:12]
    return body + isbn10_check_digit(body)


def parse(raw: str) -> tuple[str, str]:
    """(isbn_10, isbn_13) for a valid ISBN of either kind, both forms filled where they exist.

    Raises ValidationError with a message a person can act on.
    """
    value = normalize(raw)
    if "\x00" in value:
        raise ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")
    if len(value) == 10:
        if not re.fullmatch(r"\d{9}[\dX]", value, re.ASCII):
            raise ValidationError("An ISBN-10 has 9 digits followed by a digit or X.", code="isbn_shape")
        if not is_valid_isbn10(value):
            raise ValidationError(
                "That ISBN-10's check digit is wrong: look for a typo.", code="isbn_checksum"
            )
        return value, to_isbn13(value)
    if len(value) == 13:
        if not (value.isascii() and value.isdigit()) or not value.startswith(("978", "979")):
            raise ValidationError("An ISBN-13 has 13 digits and starts with 978 or 979.", code="isbn_shape")
        if not is_valid_isbn13(value):
            raise ValidationError(
                "That ISBN-13's check digit is wrong: look for a typo.", code="isbn_checksum"
            )
        return to_isbn10(value), value
    raise ValidationError("An ISBN has 10 or 13 digits (hyphens and spaces are fine).", code="isbn_length")


def validate_isbn(raw: str) -> None:
    """Django validator for an ISBN field a person fills in (either kind)."""
    parse(raw)


def validate_isbn10(value: str) -> None:
    if value and not is_valid_isbn10(value):
        raise ValidationError("Not a valid ISBN-10.", code="isbn_checksum")


def validate_isbn13(value: str) -> None:
    if value and not is_valid_isbn13(value):
        raise ValidationError("Not a valid ISBN-13.", code="isbn_checksum")
