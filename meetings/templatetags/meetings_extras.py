from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def relative_time(value: datetime | None) -> str:
    """ "in 3 days", "in 5 hours", "2 days ago": one rounded unit (naturaltime says "2 days, 23 hours from now")."""
    if not value:
        return ""
    seconds = (value - timezone.now()).total_seconds()
    phrase = _rounded_duration(abs(seconds))
    if phrase is None:
        return "now"
    return f"in {phrase}" if seconds > 0 else f"{phrase} ago"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _rounded_duration(seconds: float) -> str | None:
    """The nearest whole unit: 6 days 23 hours is "7 days", not "6 days"."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return None
    if minutes < 60:
        return _plural(minutes, "minute")
    hours = round(seconds / 3600)
    if hours < 24:
        return _plural(hours, "hour")
    days = round(seconds / 86400)
    if days < 14:
        return _plural(days, "day")
    if days < 60:
        return _plural(round(days / 7), "week")
    if days < 365:
        return _plural(round(days / 30), "month")
    return _plural(round(days / 365), "year")


@register.filter
def pages_per_day(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}".removesuffix(".0")


@register.filter
def percent_of(attendance, target_page: int) -> int:
    return attendance.percent_of(target_page) if attendance else 0


@register.filter
def tz_label(zone) -> str:
    """ "America/New_York" as people write it: "America/New York"."""
    return str(getattr(zone, "key", zone) or "UTC").replace("_", " ")
