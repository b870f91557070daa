"""How far a moment is from now, in the one rounded unit people say: "in 3 days", "2 hours ago",
"just now". Shared by every page that shows such text (the `relative_time` template filter), so no
page says "0 minutes ago".
"""

from datetime import datetime


def relative_time(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    phrase = rounded_duration(abs(seconds))
    if phrase is None:
        return "in under a minute" if seconds > 0 else "just now"
    return f"in {phrase}" if seconds > 0 else f"{phrase} ago"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def rounded_duration(seconds: float) -> str | None:
    """The nearest whole unit: 6 days 23 hours is "7 days", not "6 days"; None under half a minute."""
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
