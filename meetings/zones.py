"""A meeting's own time zone beside the viewer's: "19:00 in Toronto, 01:00 your time (Fri 11 Dec)".

A meeting keeps the zone its hosts scheduled it in (Meeting.timezone, set by meeting_create from the
host's settings); pages render in the viewer's zone (booky.core.timezones). Pure functions on plain
values, tested without the database.
"""

import zoneinfo
from datetime import datetime, tzinfo

from django.core.exceptions import ValidationError
from django.utils import dateformat


def zone_or_none(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone called `name`; None for an empty name or one tzdata does not know (any more)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def validate_timezone_name(name: str) -> None:
    if name and zone_or_none(name) is None:
        raise ValidationError(f"“{name}” is not a time zone we know.", code="invalid_timezone")


def place_of(zone: tzinfo) -> str:
    """ "America/Argentina/Buenos_Aires" as people say it: "Buenos Aires"; "UTC" stays "UTC"."""
    return str(getattr(zone, "key", zone)).rsplit("/", 1)[-1].replace("_", " ")


def start_text(starts_at: datetime, *, meeting_zone: tzinfo | None, viewer_zone: tzinfo, fmt: str) -> str:
    """The start in `fmt` (a Django date format) in the viewer's zone; when the meeting's own zone
    reads another wall-clock time, the meeting's first and the viewer's after it."""
    mine = starts_at.astimezone(viewer_zone)
    if meeting_zone is None:
        return dateformat.format(mine, fmt)
    theirs = starts_at.astimezone(meeting_zone)
    if theirs.replace(tzinfo=None) == mine.replace(tzinfo=None):
        return dateformat.format(mine, fmt)
    day = "" if theirs.date() == mine.date() else f" ({dateformat.format(mine, 'D j M')})"
    return f"{dateformat.format(theirs, fmt)} in {place_of(meeting_zone)}, {mine:%H:%M} your time{day}"
