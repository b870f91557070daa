"""Published dates as Google Books gives them: a year, a year and month, or a full date."""

import datetime
import re

from django.core.exceptions import ValidationError

_DATE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")


def is_valid_published_date(value: str) -> bool:
    """True for "1851", "1851-10" and "1851-10-18" shapes naming a real month or day (no 1999-02-31)."""
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    if len(value) == 10:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return False
    return True


def validate_published_date(value: str) -> None:
    if value and not _DATE.match(value):
        raise ValidationError(
            "Use a year (1851), a year and month (1851-10) or a full date (1851-10-18).", code="date_format"
        )
    if value and not is_valid_published_date(value):
        raise ValidationError(f"{value} is not a date that exists: check the day.", code="date_invalid")


def coerce_published_date(value) -> str:
    """The best valid date in whatever a remote source sent: the full value, else its year, else empty."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if is_valid_published_date(value):
        return value
    year = re.match(r"^(\d{4})", value)
    return year.group(1) if year else ""
