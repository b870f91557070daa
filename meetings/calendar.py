"""iCalendar (.ics) output: one meeting as a download, and a member's feed of upcoming meetings."""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from meetings.models import CalendarFeed, Meeting, MeetingStatus

PRODID = "-//Booky//Book club meetings//EN"
MEMBERS_SEE_WHERE = "Members see where we meet."


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def meeting_event(
    meeting: Meeting, *, url: str, host: str, now: datetime | None = None, show_where: bool = True
) -> Event:
    """A VEVENT for the meeting, times in UTC; the UID stays the same across edits so apps update it.
    Without `show_where` (the viewer is not a member) it has no place and no online link."""
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("sequence", meeting.version)
    event.add("summary", f"{meeting.club.name}: {meeting.display_title}")
    lines = [
        f"Book: {meeting.book.title}"
        + (f" by {meeting.book.author_line}" if meeting.book.author_line else "")
    ]
    lines.append(f"Read up to page {meeting.target_page}.")
    if not show_where:
        lines.append(MEMBERS_SEE_WHERE)
    elif meeting.online_link:
        lines.append(f"Online: {meeting.online_link}")
    if meeting.description:
        lines.append("")
        lines.append(meeting.description)
    lines.append("")
    lines.append(url)
    event.add("description", "\n".join(lines))
    location = (meeting.place or meeting.online_link) if show_where else ""
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def meetings_calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    url_for: Callable[[Meeting], str],
    host: str,
    show_where: bool = True,
) -> bytes:
    calendar = _calendar(name)
    now = timezone.now()
    for meeting in meetings:
        calendar.add_component(
            meeting_event(meeting, url=url_for(meeting), host=host, now=now, show_where=show_where)
        )
    return calendar.to_ical()


def feed_url(request, feed: CalendarFeed) -> str:
    """The private feed's full address, to paste into a calendar app."""
    return request.build_absolute_uri(reverse("meetings:feed", args=[feed.token]))
