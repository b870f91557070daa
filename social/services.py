"""Every write to a member's own profile. The settings page, the API and the admin call these."""

from functools import cache

from django.db import transaction

from booky.errors import DomainError
from social.models import User, timezone_choices

DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
BIO_MAX_LENGTH = User._meta.get_field("bio").max_length


@cache
def valid_timezones() -> frozenset[str]:
    """The zoneinfo names a member may pick: the same list the settings page offers."""
    return frozenset(name for name, _label in timezone_choices())


def _clean_text(value, *, label: str, max_length: int, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise DomainError(f"{label} must be text.", code="invalid")
    if "\x00" in value:
        raise DomainError(f"{label} may not contain null characters.", code="invalid")
    value = value.replace("\r\n", "\n").strip()
    if not multiline and ("\n" in value or "\r" in value):
        raise DomainError(f"{label} must fit on one line.", code="invalid")
    if len(value) > max_length:
        raise DomainError(
            f"{label} can be at most {max_length} characters (it has {len(value)}).", code="too_long"
        )
    return value


def clean_timezone(value) -> str:
    """The timezone name if zoneinfo knows it; a DomainError otherwise."""
    if not isinstance(value, str) or "\x00" in value or value.strip() not in valid_timezones():
        raise DomainError("Choose a time zone from the list, e.g. Europe/Lisbon.", code="invalid_timezone")
    return value.strip()


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, bio: str, timezone: str) -> User:
    """Save the member's display name, bio and time zone, all validated, or change nothing."""
    if not user.is_authenticated:
        raise DomainError("Log in to edit your profile.", code="not_authenticated")
    display_name = _clean_text(display_name, label="Display name", max_length=DISPLAY_NAME_MAX_LENGTH)
    bio = _clean_text(bio, label="Bio", max_length=BIO_MAX_LENGTH, multiline=True)
    timezone = clean_timezone(timezone)
    user.display_name, user.bio, user.timezone = display_name, bio, timezone
    user.save(update_fields=["display_name", "bio", "timezone"])
    return user
