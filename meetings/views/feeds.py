"""Meetings in calendar apps: one meeting as an .ics download, a member's private feed, and the
settings page that creates or resets the feed's link (mounted under /settings/ as `social:calendar`
by booky/site/urls.py, beside the other settings pages)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.confirm import Confirmation, confirm_page
from booky.core.htmx import is_fragment_request as _is_fragment_request
from meetings import calendar, permissions
from meetings.models import CalendarFeed, Meeting
from meetings.sections import visible_meeting
from meetings.services import calendar_feed_get_or_create, calendar_feed_reset

CALENDAR_CREATED_MESSAGE = "Your calendar link is ready: add it to your calendar app."
CALENDAR_RESET_MESSAGE = (
    "Done: your calendar link is new. Calendars subscribed with the old link stop updating."
)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def meeting_ics(request, pk: int):
    meeting = visible_meeting(request, pk)
    body = calendar.meetings_calendar(
        [meeting],
        name=f"{meeting.club.name}",
        url_for=lambda item: request.build_absolute_uri(item.get_absolute_url()),
        host=request.get_host(),
        show_where=permissions.can_take_part(request.user, meeting),
    )
    return _ics_response(body, f"booky-meeting-{meeting.pk}.ics")


@require_safe
def feed(request, token: str):
    if "\x00" in token:
        raise Http404
    calendar_feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if calendar_feed is None or not calendar_feed.user.is_active:
        raise Http404("No calendar here: the link may have been reset.")
    meetings = Meeting.objects.of_member(calendar_feed.user).in_calendar_feed().select_related("club", "book")
    body = calendar.meetings_calendar(
        meetings,
        name="Booky meetings",
        url_for=lambda item: request.build_absolute_uri(item.get_absolute_url()),
        host=request.get_host(),
    )
    response = _ics_response(body, "booky.ics")
    response["Content-Disposition"] = 'inline; filename="booky.ics"'
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def calendar_settings(request):
    """The private calendar feed URL, and buttons that create it or replace its secret token.

    Only POST writes: a GET (a prefetching browser, a link checker) never mints a token.
    """
    created = reset = False
    if request.method == "POST":
        if request.POST.get("action") == "create":
            # Idempotent: a second tab's "Create" shows the link the first one made.
            calendar_feed, created = calendar_feed_get_or_create(user=request.user), True
        else:
            calendar_feed, reset = calendar_feed_reset(user=request.user), True
        if not _is_fragment_request(request):
            messages.success(request, CALENDAR_CREATED_MESSAGE if created else CALENDAR_RESET_MESSAGE)
            return redirect("social:calendar")
    else:
        calendar_feed = CalendarFeed.objects.filter(user=request.user).first()
    template = "social/settings_calendar.html"
    if _is_fragment_request(request):
        template += "#calendar-feed"
    context = {
        "feed_url": calendar.feed_url(request, calendar_feed) if calendar_feed else None,
        "reset": reset,
        "created": created,
    }
    return TemplateResponse(request, template, context)


@login_required
@require_safe
def calendar_reset_confirm(request):
    """ "Reset your calendar link?": where the settings page's Reset button lands without JavaScript
    (with it, htmx asks in a dialog and posts to the settings page). Its form posts the reset there."""
    if not CalendarFeed.objects.filter(user=request.user).exists():
        return redirect("social:calendar")  # nothing to reset: the page offers to create a link
    return confirm_page(
        request,
        Confirmation(
            question="Reset your calendar link?",
            detail="Calendars subscribed with the current link stop updating; you add the new link to them.",
            action_url=reverse("social:calendar"),
            fields=(("action", "reset"),),
            button="Reset the link",
            cancel_url=reverse("social:calendar"),
        ),
    )
