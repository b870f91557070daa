"""`{{ when|machine_time }}`: a datetime for `<time datetime>`, to the second. Django's `date:'c'` adds
microseconds, which HTML does not allow (at most milliseconds), so the Nu checker rejects it.
Loaded in every template (settings.TEMPLATES' builtins)."""

from datetime import date, datetime

from django import template

register = template.Library()


# expects_localtime: shown in the viewer's zone, as `date` does (unless `|utc` came first).
@register.filter(expects_localtime=True)
def machine_time(value: datetime | date | None) -> str:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ""
