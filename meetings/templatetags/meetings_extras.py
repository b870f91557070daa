from django import template
from django.utils import timezone

from meetings import zones

register = template.Library()


@register.filter
def percent_of(attendance, target_page: int) -> int:
    return attendance.percent_of(target_page) if attendance else 0


@register.filter
def tz_label(zone) -> str:
    """ "America/New_York" as people write it: "America/New York"."""
    return str(getattr(zone, "key", zone) or "UTC").replace("_", " ")


@register.filter
def start_in_zones(meeting, date_format: str) -> str:
    """The meeting's start in the viewer's zone, and in the meeting's own when it reads otherwise:
    "Thu 10 Dec 2026, 19:00 in Toronto, 01:00 your time (Fri 11 Dec)"."""
    return zones.start_text(
        meeting.starts_at,
        meeting_zone=meeting.zone,
        viewer_zone=timezone.get_current_timezone(),
        fmt=date_format,
    )


@register.filter
def short_start_in_zones(starts_at, meeting_timezone: str) -> str:
    """As `start_in_zones`, from a start and its zone's name (annotated rows, not meetings): "Tue 8 Dec,
    19:00 in Toronto, 00:00 your time (Wed 9 Dec)"."""
    if not starts_at:
        return ""
    return zones.start_text(
        starts_at,
        meeting_zone=zones.zone_or_none(meeting_timezone or ""),
        viewer_zone=timezone.get_current_timezone(),
        fmt="D j M, H:i",
    )
