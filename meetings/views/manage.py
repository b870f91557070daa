"""The host's pages: schedule a meeting, cancel it, mark it completed. (Editing shows the open bets it
would refund, so the edit page lives in booky/site/views/meeting_page.py.)"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from books.picker import picker_for
from booky.core.errors import DomainError
from booky.core.forms import add_validation_error
from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.htmx import login_required_page
from booky.core.htmx import redirect_for as _redirect
from booky.core.timezones import viewer_timezone
from clubs.models import Club
from meetings import permissions, services
from meetings.forms import AnnouncementForm, CancelForm, NewMeetingForm
from meetings.page_helpers import (
    add_domain_error,
    book_from,
    form_response,
    prefill_from_query,
    require_manage,
    status_for,
    why_locked,
)
from meetings.sections import visible_meeting


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def create(request, slug: str):
    club = get_object_or_404(Club.objects.visible_to(request.user), slug=slug)
    if not permissions.can_manage_meetings(request.user, club):
        raise PermissionDenied("Only the owner and moderators can schedule meetings.")
    tz = viewer_timezone(request.user)
    if request.method == "POST":
        form = NewMeetingForm(request.POST, tz=tz)
        if form.is_valid():
            try:
                meeting = services.meeting_create(actor=request.user, club=club, **form.service_arguments())
                if form.cleaned_data.get("repeat"):
                    services.series_start(
                        actor=request.user, meeting=meeting, repeat=form.cleaned_data["repeat"]
                    )
            except DomainError as error:
                add_domain_error(form, error)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, "Meeting scheduled. Members can now RSVP.")
                return _redirect(request, meeting.get_absolute_url())
        status, selected = 422, (form.cleaned_data.get("book") if hasattr(form, "cleaned_data") else None)
        selected = selected or book_from(request.POST.get("book"))
    else:
        prefill = prefill_from_query(request)
        form = NewMeetingForm(initial=prefill or {"duration_minutes": 120}, tz=tz)
        status, selected = 200, book_from(request.GET.get("book"))
    context = {
        "form": form,
        "club": club,
        "meeting": None,
        "book_picker": picker_for(request, selected=selected, search=request.method in ("GET", "HEAD")),
        "form_action": reverse("meetings:create", args=[club.slug]),
    }
    return form_response(request, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def cancel(request, pk: int):
    meeting = visible_meeting(request, pk)
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied("Only the owner and moderators can cancel meetings.")
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.meeting_cancel(
                    actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                add_domain_error(form, error)
                status = status_for(error)
            else:
                messages.success(request, "The meeting is cancelled. Members see your reason on its page.")
                return _redirect(request, meeting.get_absolute_url())
    template = "meetings/cancel.html"
    if _is_fragment_request(request):
        template += "#cancel-form"
    context = {"meeting": meeting, "form": form, "locked_message": why_locked(meeting, doing="cancelled")}
    return TemplateResponse(request, template, context, status=status)


@require_POST
@login_required_page
def complete(request, pk: int):
    meeting = visible_meeting(request, pk)
    require_manage(request, meeting)
    try:
        services.meeting_complete(actor=request.user, meeting=meeting)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Marked as completed. Thanks for hosting!")
    return _redirect(request, meeting.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def announce(request, pk: int):
    """The hosts' note to everyone going (at most three a day)."""
    meeting = visible_meeting(request, pk)
    require_manage(request, meeting)
    status = 200
    if request.method == "POST":
        form = AnnouncementForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                sent = services.meeting_announce(
                    actor=request.user, meeting=meeting, message=form.cleaned_data["message"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = status_for(error)
            else:
                messages.success(
                    request, f"Announcement sent to {sent} member{'s' if sent != 1 else ''} going."
                )
                return _redirect(request, meeting.get_absolute_url())
    else:
        form = AnnouncementForm()
    return TemplateResponse(
        request, "meetings/announce.html", {"meeting": meeting, "form": form}, status=status
    )
