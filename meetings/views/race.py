"""The meeting page's fragments that change the race: my RSVP, my progress, the host's check-in.

Each answers htmx with its section (and the race, when it moved) and a plain form post with a redirect
back to the meeting page and a message.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.htmx import login_required_page
from meetings import services
from meetings.discussion.selectors import page_opens_posts
from meetings.forms import ProgressForm, RsvpForm
from meetings.models import Attendance, Meeting, Rsvp
from meetings.page_helpers import add_domain_error, require_manage, require_take_part, status_for
from meetings.sections import (
    attendances,
    check_in_context,
    progress_context,
    race_context,
    rsvp_context,
    visible_meeting,
)


def _with_race_refresh(response):
    """Tell the race on the page to reload: one region asking another, without a second round trip here."""
    response["HX-Trigger"] = "race-refresh"
    return response


@require_POST
@login_required_page
def rsvp(request, pk: int):
    meeting = visible_meeting(request, pk)
    require_take_part(request, meeting)
    form = RsvpForm(request.POST)
    status, message, is_error = 200, "", False
    attendance = Attendance.objects.filter(meeting=meeting, user=request.user).first()
    if not form.is_valid():
        status, message, is_error = 422, " ".join(form.errors["rsvp"]), True
    else:
        try:
            attendance = services.attendance_rsvp(
                user=request.user, meeting=meeting, rsvp=form.cleaned_data["rsvp"]
            )
        except DomainError as error:
            status, message, is_error = status_for(error), error.message, True
        else:
            message = {
                Rsvp.GOING: "See you there! You are on the race track.",
                Rsvp.MAYBE: "Noted: maybe.",
                Rsvp.DECLINED: "Noted: you are not going.",
                Rsvp.WAITLIST: "The meeting is full: you are on the waiting list.",
            }[attendance.rsvp]
    if not _is_fragment_request(request):
        messages.add_message(request, messages.ERROR if is_error else messages.SUCCESS, message)
        return redirect(meeting)
    context = rsvp_context(request, meeting, attendance)
    context.update(rsvp_message=message, rsvp_error=is_error)
    response = TemplateResponse(request, "meetings/detail.html#rsvp", context, status=status)
    return response if is_error else _with_race_refresh(response)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def progress(request, pk: int):
    meeting = visible_meeting(request, pk)
    if request.method in ("GET", "HEAD"):
        return redirect(f"{meeting.get_absolute_url()}#progress")
    require_take_part(request, meeting)
    form = ProgressForm(request.POST, target_page=meeting.target_page)
    status, saved = 422, False
    attendance = Attendance.objects.filter(meeting=meeting, user=request.user).first()
    old_page = attendance.current_page if attendance else 0
    if form.is_valid():
        try:
            attendance = services.attendance_progress(
                user=request.user,
                meeting=meeting,
                expected_version=form.cleaned_data["version"] if attendance else None,
                **form.service_arguments(),
            )
        except services.StaleVersion as error:
            attendance, status = error.current, 409
            form = ProgressForm(
                target_page=meeting.target_page,
                initial={"current_page": attendance.current_page, "version": attendance.version},
            )
            form.stale_message = error.message
        except DomainError as error:
            add_domain_error(form, error)
            status = status_for(error)
        else:
            status, saved = 200, True
            form = None
    if saved and not _is_fragment_request(request):
        messages.success(request, _saved_progress_message(attendance, meeting))
        return redirect(f"{meeting.get_absolute_url()}#progress")
    context = progress_context(meeting, attendance, form=form)
    context["saved_message"] = _saved_progress_message(attendance, meeting) if saved else ""
    if not _is_fragment_request(request):
        return TemplateResponse(request, "meetings/progress_page.html", context, status=status)
    if not saved:
        return TemplateResponse(request, "meetings/detail.html#progress", context, status=status)
    # My box and the race answer together, from the same state: no second request, no region a
    # poll behind the other (the race's own poll restarts its countdown on this swap).
    context.update(race_context(request, meeting, attendances(meeting, request.user)), race_oob=True)
    response = TemplateResponse(request, "meetings/_progress_saved.html", context, status=status)
    if page_opens_posts(
        meeting, viewer_id=request.user.pk, old_page=old_page, new_page=attendance.current_page
    ):
        # Posts the reader could not read before are open now: the discussion asks for itself again.
        response["HX-Trigger"] = "discussion-refresh"
    return response


def _saved_progress_message(attendance: Attendance | None, meeting: Meeting) -> str:
    if attendance is None:
        return ""
    if attendance.finished_late:
        return (
            "Finished, after the meeting started: it is recorded as a late finish, "
            "which does not count for the race or the bets."
        )
    if attendance.finished:
        return "Finished! Your runner is at the finish line."
    return f"Saved: page {attendance.current_page} of {meeting.target_page}."


@require_POST
@login_required_page
def check_in(request, pk: int):
    meeting = visible_meeting(request, pk)
    require_manage(request, meeting)
    usernames = [name[:150] for name in request.POST.getlist("username") if name][:1000]
    status, message, is_error = 200, "", False
    if not usernames:
        status, message, is_error = 422, "Tick the people who came, then check them in.", True
    else:
        try:
            done = services.meeting_check_in(actor=request.user, meeting=meeting, usernames=usernames)
        except DomainError as error:
            status, message, is_error = status_for(error), error.message, True
        else:
            message = f"Checked in: {len(done)} {'person' if len(done) == 1 else 'people'}."
    if not _is_fragment_request(request):
        messages.add_message(request, messages.ERROR if is_error else messages.SUCCESS, message)
        return redirect(f"{meeting.get_absolute_url()}#check-in")
    context = check_in_context(meeting, attendances(meeting, request.user))
    context.update(check_in_message=message, check_in_error=is_error)
    return TemplateResponse(request, "meetings/detail.html#check-in", context, status=status)
