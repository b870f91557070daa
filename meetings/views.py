"""Meeting pages and their HTMX fragments. Reads use QuerySet methods; writes go through meetings/services.py.

Every view runs (and renders) in the viewer's timezone, so templates and forms show local times.
"""

import zoneinfo
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from books.models import Book
from books.picker import picker_for
from booky.core.errors import Conflict, DomainError
from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.htmx import login_required_page
from booky.core.htmx import redirect_for as _redirect
from booky.core.numbers import Paginator
from clubs.models import Club, Membership
from clubs.visibility import annotate_profile_visibility
from meetings import calendar, pace, permissions, race, services
from meetings.forms import CancelForm, MeetingForm, ProgressForm, RsvpForm
from meetings.models import Attendance, CalendarFeed, Meeting, ProgressEntry, Rsvp
from meetings.selectors import upcoming_with_my_attendance
from social.permissions import with_profile_visibility

MEETINGS_PER_PAGE = 20
CLUB_PAST_MEETINGS = 10
RACE_POLL_SECONDS = 30
RACE_ORDER = ("-current_page", "finished_at", "user__username")  # as Attendance.objects.for_race()

# Form fields a service error code belongs to, so the message shows next to the field.
ERROR_FIELDS = {
    "start_in_past": "starts_at",
    "invalid_start": "starts_at",
    "invalid_target": "target_page",
    "target_required": "target_page",
    "page_out_of_range": "current_page",
    "invalid_page": "current_page",
    "reason_too_long": "reason",
}


# --- helpers -----------------------------------------------------------------------------------


def viewer_timezone(user) -> zoneinfo.ZoneInfo:
    name = getattr(user, "timezone", "") if user is not None and user.is_authenticated else ""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def in_viewer_timezone(view):
    """Run the view and render its template in the viewer's timezone."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(viewer_timezone(request.user)):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        return response

    return wrapper


def _visible_meeting(request, pk: int, *, page_data: bool = False) -> Meeting:
    meetings = Meeting.objects.visible_to(request.user)
    meetings = meetings.with_page_data() if page_data else meetings.select_related("club", "book")
    return get_object_or_404(meetings, pk=pk)


def _require_take_part(request, meeting: Meeting) -> None:
    if not permissions.can_take_part(request.user, meeting):
        raise PermissionDenied("Only members of the club can take part in its meetings.")


def _require_manage(request, meeting: Meeting) -> None:
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied("Only the owner and moderators can do that.")


def _add_domain_error(form, error: DomainError) -> None:
    field = ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


def _add_validation_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _status_for(error: DomainError) -> int:
    return 409 if isinstance(error, Conflict) else 422


def _with_race_refresh(response):
    """Tell the race on the page to reload: one region asking another, without a second round trip here."""
    response["HX-Trigger"] = "race-refresh"
    return response


# --- the meeting page ---------------------------------------------------------------------------


def _attendances(meeting: Meeting, viewer=None) -> list[Attendance]:
    """The meeting's attendances, leaders first, each user marked with what `viewer` may see of them."""
    # Through the meeting's manager: each row then knows its meeting, so finish_status costs no query.
    attendances = meeting.attendances.select_related("user").order_by(*RACE_ORDER)
    return with_profile_visibility(annotate_profile_visibility(attendances, viewer, club=meeting.club))


def _race_context(request, meeting: Meeting, attendances: list[Attendance]) -> dict:
    going = [attendance for attendance in attendances if attendance.rsvp == Rsvp.GOING]
    runners = race.runners(going, target_page=meeting.target_page, me_id=request.user.pk)
    return {
        "meeting": meeting,
        "runners": runners,
        "track_height": race.track_height(len(runners)),
        "going": going,
        "maybe": [attendance for attendance in attendances if attendance.rsvp == Rsvp.MAYBE],
        "declined": [attendance for attendance in attendances if attendance.rsvp == Rsvp.DECLINED],
        "finished_count": sum(1 for attendance in going if attendance.finished_in_time),
        "late_count": sum(1 for attendance in going if attendance.finished_late),
        "poll_seconds": RACE_POLL_SECONDS if meeting.is_scheduled() else None,
    }


def _progress_context(meeting: Meeting, attendance: Attendance | None, *, form=None, now=None) -> dict:
    """My progress form, my pace and the chart of my history."""
    now = now or timezone.now()
    if attendance is not None:
        attendance.meeting = meeting  # the template reads finish_status
    if form is None:
        form = ProgressForm(
            target_page=meeting.target_page,
            initial={
                "current_page": attendance.current_page if attendance else 0,
                "version": attendance.version if attendance else None,
            },
        )
    context = {
        "meeting": meeting,
        "attendance": attendance,
        "progress_form": form,
        "pace": None,
        "chart": None,
        "race_started": meeting.has_started(now),
        "race_decided": bool(attendance and attendance.finished_in_time and meeting.has_started(now)),
    }
    if attendance is None:
        return context
    history = list(ProgressEntry.objects.filter(attendance=attendance).values_list("recorded_at", "page"))
    started_at = min([attendance.created_at, *(moment for moment, _page in history)])
    context["pace"] = pace.pace_for(
        current_page=attendance.current_page,
        target_page=meeting.target_page,
        started_at=started_at,
        meeting_starts_at=meeting.starts_at,
        now=now,
        finished_at=attendance.finished_at,
    )
    context["on_track"] = context["pace"].on_track(meeting.starts_at)
    if history:
        context["chart"] = race.progress_chart(
            history,
            target_page=meeting.target_page,
            started_at=started_at,
            meeting_starts_at=meeting.starts_at,
            now=now,
        )
        context["history_first"] = history[0]
    return context


def _check_in_context(meeting: Meeting, attendances: list[Attendance]) -> dict:
    checked_in = {attendance.user_id for attendance in attendances if attendance.checked_in}
    rsvp_of = {attendance.user_id: attendance.get_rsvp_display() for attendance in attendances}
    members = Membership.objects.filter(club=meeting.club).select_related("user").order_by("user__username")
    rows = [
        {
            "user": membership.user,
            "checked_in": membership.user_id in checked_in,
            "rsvp": rsvp_of.get(membership.user_id, "No answer"),
        }
        for membership in members
    ]
    return {"meeting": meeting, "check_in_rows": rows}


def _rsvp_context(request, meeting: Meeting, attendance: Attendance | None) -> dict:
    return {
        "meeting": meeting,
        "my_rsvp": attendance.rsvp if attendance else "",
        "rsvp_choices": Rsvp.choices,
        "can_take_part": permissions.can_take_part(request.user, meeting),
        "rsvp_open": meeting.rsvp_is_open(),
    }


@require_safe
@vary_on_headers("HX-Request")
@in_viewer_timezone
def detail(request, pk: int):
    meeting = _visible_meeting(request, pk, page_data=True)
    attendances = _attendances(meeting, request.user)
    if _is_fragment_request(request):
        # The race polls this URL: keep it cheap (the meeting and its attendances, nothing else).
        return TemplateResponse(
            request, "meetings/detail.html#race", _race_context(request, meeting, attendances)
        )
    mine = next((attendance for attendance in attendances if attendance.user_id == request.user.pk), None)
    can_take_part = permissions.can_take_part(request.user, meeting)
    can_manage = permissions.can_manage_meeting(request.user, meeting)
    context = _race_context(request, meeting, attendances)
    context.update(_rsvp_context(request, meeting, mine))
    context.update(can_manage=can_manage, now=timezone.now())
    if can_take_part:
        context.update(_progress_context(meeting, mine))
    if can_manage and meeting.check_in_is_open():
        context.update(_check_in_context(meeting, attendances))
    from bets.views import bets_context  # bets.views builds on this module

    context.update(bets_context(request, meeting))
    return TemplateResponse(request, "meetings/detail.html", context)


@require_POST
@login_required_page
@in_viewer_timezone
def rsvp(request, pk: int):
    meeting = _visible_meeting(request, pk)
    _require_take_part(request, meeting)
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
            status, message, is_error = _status_for(error), error.message, True
        else:
            message = {
                Rsvp.GOING: "See you there! You are on the race track.",
                Rsvp.MAYBE: "Noted: maybe.",
                Rsvp.DECLINED: "Noted: you are not going.",
            }[attendance.rsvp]
    if not _is_fragment_request(request):
        messages.add_message(request, messages.ERROR if is_error else messages.SUCCESS, message)
        return redirect(meeting)
    context = _rsvp_context(request, meeting, attendance)
    context.update(rsvp_message=message, rsvp_error=is_error)
    response = TemplateResponse(request, "meetings/detail.html#rsvp", context, status=status)
    return response if is_error else _with_race_refresh(response)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
@in_viewer_timezone
def progress(request, pk: int):
    meeting = _visible_meeting(request, pk)
    if request.method in ("GET", "HEAD"):
        return redirect(f"{meeting.get_absolute_url()}#progress")
    _require_take_part(request, meeting)
    form = ProgressForm(request.POST, target_page=meeting.target_page)
    status, saved = 422, False
    attendance = Attendance.objects.filter(meeting=meeting, user=request.user).first()
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
            _add_domain_error(form, error)
            status = _status_for(error)
        else:
            status, saved = 200, True
            form = None
    if saved and not _is_fragment_request(request):
        messages.success(request, _saved_progress_message(attendance, meeting))
        return redirect(f"{meeting.get_absolute_url()}#progress")
    context = _progress_context(meeting, attendance, form=form)
    context["saved_message"] = _saved_progress_message(attendance, meeting) if saved else ""
    if not _is_fragment_request(request):
        return TemplateResponse(request, "meetings/progress_page.html", context, status=status)
    if not saved:
        return TemplateResponse(request, "meetings/detail.html#progress", context, status=status)
    # My box and the race answer together, from the same state: no second request, no region a
    # poll behind the other (the race's own poll restarts its countdown on this swap).
    context.update(_race_context(request, meeting, _attendances(meeting, request.user)), race_oob=True)
    return TemplateResponse(request, "meetings/_progress_saved.html", context, status=status)


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
@in_viewer_timezone
def check_in(request, pk: int):
    meeting = _visible_meeting(request, pk)
    _require_manage(request, meeting)
    usernames = [name[:150] for name in request.POST.getlist("username") if name][:1000]
    status, message, is_error = 200, "", False
    if not usernames:
        status, message, is_error = 422, "Tick the people who came, then check them in.", True
    else:
        try:
            done = services.meeting_check_in(actor=request.user, meeting=meeting, usernames=usernames)
        except DomainError as error:
            status, message, is_error = _status_for(error), error.message, True
        else:
            message = f"Checked in: {len(done)} {'person' if len(done) == 1 else 'people'}."
    if not _is_fragment_request(request):
        messages.add_message(request, messages.ERROR if is_error else messages.SUCCESS, message)
        return redirect(f"{meeting.get_absolute_url()}#check-in")
    context = _check_in_context(meeting, _attendances(meeting, request.user))
    context.update(check_in_message=message, check_in_error=is_error)
    return TemplateResponse(request, "meetings/detail.html#check-in", context, status=status)


# --- create, edit, cancel, complete --------------------------------------------------------------


def _open_bet_count(meeting: Meeting) -> int:
    from bets.models import Bet, BetStatus  # bets builds on meetings; this page only counts them

    return Bet.objects.filter(meeting=meeting, status=BetStatus.OPEN).count()


def _why_locked(meeting: Meeting, *, doing: str = "edited") -> str:
    """Why the host can no longer edit or cancel the meeting ("" while they can), as the services rule."""
    if not meeting.is_scheduled():
        status = meeting.get_status_display().lower()
        if doing == "cancelled":
            return f"This meeting is already {status}."
        return f"This meeting is {status} and can no longer be {doing}."
    if meeting.has_started():
        return (
            "This meeting has started, so it can no longer be edited, rescheduled or cancelled: bets closed "
            "at the start, and changing the time or the target now would change who won. "
            "Once it is over, mark it as completed."
        )
    return ""


def _refunded_message(before: int, meeting: Meeting) -> str:
    refunded = before - _open_bet_count(meeting) if before else 0
    if refunded <= 0:
        return ""
    return (
        f" The race changed, so {refunded} open bet{'s were' if refunded != 1 else ' was'} refunded; "
        "each bettor was told why."
    )


def _book_from(value) -> Book | None:
    value = str(value or "")
    # isascii(): "²" is a digit to str.isdigit() but not to int().
    return Book.objects.filter(pk=int(value)).first() if value.isascii() and value.isdigit() else None


def _form_response(request, context: dict, *, status: int):
    template = "meetings/form.html"
    if _is_fragment_request(request):
        template += "#meeting-form"
    return TemplateResponse(request, template, context, status=status)


def _prefill_from_query(request) -> dict | None:
    """Without JavaScript the picker's "Find" re-submits the form as GET: keep what was typed."""
    if not any(key.endswith("_q") or key.endswith("_search") for key in request.GET):
        return None
    return {key: request.GET.get(key) for key in MeetingForm.base_fields if key in request.GET}


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
@in_viewer_timezone
def create(request, slug: str):
    club = get_object_or_404(Club.objects.visible_to(request.user), slug=slug)
    if not permissions.can_manage_meetings(request.user, club):
        raise PermissionDenied("Only the owner and moderators can schedule meetings.")
    tz = viewer_timezone(request.user)
    if request.method == "POST":
        form = MeetingForm(request.POST, tz=tz)
        if form.is_valid():
            try:
                meeting = services.meeting_create(actor=request.user, club=club, **form.service_arguments())
            except DomainError as error:
                _add_domain_error(form, error)
            except ValidationError as error:
                _add_validation_error(form, error)
            else:
                messages.success(request, "Meeting scheduled. Members can now RSVP.")
                return _redirect(request, meeting.get_absolute_url())
        status, selected = 422, (form.cleaned_data.get("book") if hasattr(form, "cleaned_data") else None)
        selected = selected or _book_from(request.POST.get("book"))
    else:
        prefill = _prefill_from_query(request)
        form = MeetingForm(initial=prefill or {"duration_minutes": 120}, tz=tz)
        status, selected = 200, _book_from(request.GET.get("book"))
    context = {
        "form": form,
        "club": club,
        "meeting": None,
        "book_picker": picker_for(request, selected=selected, search=request.method in ("GET", "HEAD")),
        "form_action": reverse("meetings:create", args=[club.slug]),
    }
    return _form_response(request, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
@in_viewer_timezone
def edit(request, pk: int):
    meeting = _visible_meeting(request, pk)
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied("Only the owner and moderators can edit meetings.")
    tz = viewer_timezone(request.user)
    stale_message = ""
    open_bets = _open_bet_count(meeting)
    if request.method == "POST":
        form = MeetingForm(request.POST, tz=tz)
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
            except services.StaleVersion as error:
                meeting, status, stale_message = error.current, 409, error.message
                form = MeetingForm(initial=MeetingForm.initial_for(meeting, tz), tz=tz)
            except DomainError as error:
                _add_domain_error(form, error)
                status = _status_for(error)
            except ValidationError as error:
                _add_validation_error(form, error)
            else:
                messages.success(request, "Meeting saved." + _refunded_message(open_bets, meeting))
                return _redirect(request, meeting.get_absolute_url())
        selected = (
            meeting.book
            if stale_message
            else (form.cleaned_data.get("book") or _book_from(request.POST.get("book")))
        )
    else:
        prefill = _prefill_from_query(request)
        form = MeetingForm(initial=prefill or MeetingForm.initial_for(meeting, tz), tz=tz)
        status, selected = 200, _book_from(request.GET.get("book")) or meeting.book
    context = {
        "form": form,
        "club": meeting.club,
        "meeting": meeting,
        "stale_message": stale_message,
        "locked_message": _why_locked(meeting),
        "open_bets": open_bets,
        "book_picker": picker_for(request, selected=selected, search=request.method in ("GET", "HEAD")),
        "form_action": reverse("meetings:edit", args=[meeting.pk]),
    }
    return _form_response(request, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
@in_viewer_timezone
def cancel(request, pk: int):
    meeting = _visible_meeting(request, pk)
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
                _add_domain_error(form, error)
                status = _status_for(error)
            else:
                messages.success(request, "The meeting is cancelled. Members see your reason on its page.")
                return _redirect(request, meeting.get_absolute_url())
    template = "meetings/cancel.html"
    if _is_fragment_request(request):
        template += "#cancel-form"
    context = {"meeting": meeting, "form": form, "locked_message": _why_locked(meeting, doing="cancelled")}
    return TemplateResponse(request, template, context, status=status)


@require_POST
@login_required_page
def complete(request, pk: int):
    meeting = _visible_meeting(request, pk)
    _require_manage(request, meeting)
    try:
        services.meeting_complete(actor=request.user, meeting=meeting)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Marked as completed. Thanks for hosting!")
    return _redirect(request, meeting.get_absolute_url())


# --- my meetings ----------------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
@login_required_page
@in_viewer_timezone
def mine(request):
    upcoming = Meeting.objects.of_member(request.user).upcoming().with_page_data()
    page = Paginator(upcoming, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    meetings = upcoming_with_my_attendance(request.user, page.object_list)
    template = "meetings/mine.html#meeting-list" if _is_fragment_request(request) else "meetings/mine.html"
    return TemplateResponse(request, template, {"page": page, "meetings": meetings})


# --- calendar -------------------------------------------------------------------------------------


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def meeting_ics(request, pk: int):
    meeting = _visible_meeting(request, pk)
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
    meetings = Meeting.objects.of_member(calendar_feed.user).upcoming().select_related("club", "book")
    body = calendar.meetings_calendar(
        meetings,
        name="Booky meetings",
        url_for=lambda item: request.build_absolute_uri(item.get_absolute_url()),
        host=request.get_host(),
    )
    response = _ics_response(body, "booky.ics")
    response["Content-Disposition"] = 'inline; filename="booky.ics"'
    return response


def feed_url(request, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("meetings:feed", args=[feed.token]))
