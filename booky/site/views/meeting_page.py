"""The meeting page and its edit form: meetings with the bets placed on them.

The page shows the race, my RSVP and progress, the check-in (meetings.sections) and the bets section
(bets.sections); its htmx poll gets the race alone. The edit form warns how many open bets a change
would refund, and says how many it did.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from bets.models import Bet, BetStatus
from bets.sections import bets_context
from books.picker import picker_for
from booky.core.errors import DomainError
from booky.core.etags import fragment_etag, not_modified, with_fragment_etag
from booky.core.forms import add_validation_error
from booky.core.htmx import is_fragment_request, login_required_page
from booky.core.htmx import redirect_for as _redirect
from booky.core.numbers import is_ascii_integer
from booky.core.timezones import viewer_timezone
from meetings import permissions, services
from meetings.discussion import permissions as discussion_permissions
from meetings.discussion.sections import section_context
from meetings.discussion.selectors import latest_post_subquery, new_post_count
from meetings.forms import MeetingForm, SeriesMeetingForm
from meetings.models import Meeting
from meetings.page_helpers import (
    add_domain_error,
    book_from,
    form_response,
    prefill_from_query,
    status_for,
    why_locked,
)
from meetings.sections import (
    attendances,
    check_in_context,
    progress_context,
    race_context,
    rsvp_context,
    visible_meeting,
)
from meetings.selectors import meeting_fingerprint


@require_safe
@vary_on_headers("HX-Request")
def detail(request, pk: int):
    if is_fragment_request(request):
        # The race polls this URL: 304 when nothing it shows changed, else the meeting and its
        # attendances, nothing else.
        since = request.GET.get("since", "")
        since = int(since) if is_ascii_integer(since) and len(since) < 19 else None
        fingerprint = meeting_fingerprint(request.user, pk, latest_post=latest_post_subquery())
        etag = fragment_etag("race", *fingerprint, since)
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        meeting = visible_meeting(request, pk, page_data=True)
        context = race_context(request, meeting, attendances(meeting, request.user))
        if since is not None and discussion_permissions.can_read_discussion(request.user, meeting):
            context["new_posts"] = new_post_count(meeting, after_id=since, viewer_id=request.user.pk)
        return with_fragment_etag(TemplateResponse(request, "meetings/detail.html#race", context), etag)
    meeting = visible_meeting(request, pk, page_data=True)
    rows = attendances(meeting, request.user)
    mine = next((attendance for attendance in rows if attendance.user_id == request.user.pk), None)
    can_take_part = permissions.can_take_part(request.user, meeting)
    can_manage = permissions.can_manage_meeting(request.user, meeting)
    context = race_context(request, meeting, rows)
    context.update(rsvp_context(request, meeting, mine))
    context.update(can_manage=can_manage, now=timezone.now())
    if can_take_part:
        context.update(progress_context(meeting, mine))
    if can_manage and meeting.check_in_is_open():
        context.update(check_in_context(meeting, rows))
    context.update(bets_context(request, meeting))
    if discussion_permissions.can_see_post_count(request.user, meeting):
        context.update(section_context(request, meeting, attendance=mine))
    return TemplateResponse(request, "site/meeting_page.html", context)


def _open_bet_count(meeting: Meeting) -> int:
    return Bet.objects.filter(meeting=meeting, status=BetStatus.OPEN).count()


def _refunded_message(before: int, meeting: Meeting) -> str:
    refunded = before - _open_bet_count(meeting) if before else 0
    if refunded <= 0:
        return ""
    return (
        f" The race changed, so {refunded} open bet{'s were' if refunded != 1 else ' was'} refunded; "
        "each bettor was told why."
    )


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def edit(request, pk: int):
    meeting = visible_meeting(request, pk)
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied("Only the owner and moderators can edit meetings.")
    tz = viewer_timezone(request.user)
    stale_message = ""
    open_bets = _open_bet_count(meeting)
    form_class = SeriesMeetingForm if meeting.series_id else MeetingForm
    if request.method == "POST":
        form = form_class(request.POST, tz=tz)
        status = 422
        if form.is_valid() and form.cleaned_data["version"] is None:
            form.add_error(None, "This form is missing its version: reload the page and try again.")
        elif form.is_valid():
            try:
                arguments = form.service_arguments()
                if arguments.get("starts_at") == meeting.starts_at.replace(second=0, microsecond=0):
                    # The form shows minutes: an untouched start must not move earlier by its seconds
                    # (an earlier start refunds every open bet).
                    del arguments["starts_at"]
                meeting = services.meeting_update(
                    actor=request.user,
                    meeting=meeting,
                    expected_version=form.cleaned_data["version"],
                    **arguments,
                )
                if form.cleaned_data.get("apply_to") == "series":
                    services.series_update_from(actor=request.user, meeting=meeting)
            except services.StaleVersion as error:
                meeting, status, stale_message = error.current, 409, error.message
                form = form_class(initial=MeetingForm.initial_for(meeting, tz), tz=tz)
            except DomainError as error:
                add_domain_error(form, error)
                status = status_for(error)
            except ValidationError as error:
                add_validation_error(form, error)
            else:
                messages.success(request, "Meeting saved." + _refunded_message(open_bets, meeting))
                return _redirect(request, meeting.get_absolute_url())
        selected = (
            meeting.book
            if stale_message
            else (form.cleaned_data.get("book") or book_from(request.POST.get("book")))
        )
    else:
        prefill = prefill_from_query(request)
        form = form_class(initial=prefill or MeetingForm.initial_for(meeting, tz), tz=tz)
        status, selected = 200, book_from(request.GET.get("book")) or meeting.book
    context = {
        "form": form,
        "club": meeting.club,
        "meeting": meeting,
        "stale_message": stale_message,
        "locked_message": why_locked(meeting),
        # The form's slot for notes from the apps above meetings: here, the bets a change would refund.
        "form_notes_template": "site/meeting_form_open_bets.html",
        "open_bets": open_bets,
        "book_picker": picker_for(request, selected=selected, search=request.method in ("GET", "HEAD")),
        "form_action": reverse("meetings:edit", args=[meeting.pk]),
    }
    return form_response(request, context, status=status)
