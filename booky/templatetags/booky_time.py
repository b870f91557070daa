"""The site's time filters, loaded in every template (settings.TEMPLATES' builtins):
- `{{ moment|relative_time }}` reads "in 3 days", "2 hours ago", "just now" (Django's timesince says
  "0 minutes", naturaltime "2 days, 23 hours from now");
- `{{ moment|machine_time }}` is a datetime for `<time datetime>`, to the second. Django's `date:'c'`
  adds microseconds, which HTML does not allow (at most milliseconds), so the Nu checker rejects it."""

from datetime import date, datetime

from django import template
from django.utils import timezone

from booky.core import durations

register = template.Library()


@register.filter
def relative_time(value: datetime | None) -> str:
    if not value:
        return ""
    return durations.relative_time(value, timezone.now())


# expects_localtime: shown in the viewer's zone, as `date` does (unless `|utc` came first).
@register.filter(expects_localtime=True)
def machine_time(value: datetime | date | None) -> str:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ""
