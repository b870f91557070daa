"""Published dates as Google Books gives them: a year, a year and month, or a full date."""

import re

from django.core.exceptions import ValidationError

_DATE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")


def validate_published_date(value: str) -> None:
    if value and not _DATE.match(value):
        raise ValidationError(
            "Use a year (1851), a year and month (1851-10) or a full date (1851-10-18).", code="date_format"
        )


def coerce_published_date(value) -> str:
    """The best valid date in whatever a remote source sent: the full value, else its year, else empty."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if _DATE.match(value):
        return value
    year = re.match(r"^(\d{4})", value)
    return year.group(1) if year else ""
