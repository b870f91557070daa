"""`{% load booky_time %}`: `{{ moment|relative_time }}` reads "in 3 days", "2 hours ago", "just now"
(Django's timesince says "0 minutes", naturaltime "2 days, 23 hours from now")."""

from datetime import datetime

from django import template
from django.utils import timezone

from booky.core import durations

register = template.Library()


@register.filter
def relative_time(value: datetime | None) -> str:
    if not value:
        return ""
    return durations.relative_time(value, timezone.now())
