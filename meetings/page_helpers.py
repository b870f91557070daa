"""Pieces the meeting pages share (here and in booky.site): permission checks that answer 403,
service errors shown on a form, the meeting form's response and what pre-fills it."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from books.models import Book
from booky.core.errors import Conflict, DomainError
from booky.core.htmx import is_fragment_request
from meetings import permissions
from meetings.forms import MeetingForm
from meetings.models import Meeting

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


def require_take_part(request, meeting: Meeting) -> None:
    if not permissions.can_take_part(request.user, meeting):
        raise PermissionDenied("Only members of the club can take part in its meetings.")


def require_manage(request, meeting: Meeting) -> None:
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied("Only the owner and moderators can do that.")


def add_domain_error(form, error: DomainError) -> None:
    field = ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, error.message)


def status_for(error: DomainError) -> int:
    return 409 if isinstance(error, Conflict) else 422


def why_locked(meeting: Meeting, *, doing: str = "edited") -> str:
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


def book_from(value) -> Book | None:
    value = str(value or "")
    # isascii(): "²" is a digit to str.isdigit() but not to int().
    return Book.objects.filter(pk=int(value)).first() if value.isascii() and value.isdigit() else None


def form_response(request, context: dict, *, status: int):
    template = "meetings/form.html"
    if is_fragment_request(request):
        template += "#meeting-form"
    return TemplateResponse(request, template, context, status=status)


def prefill_from_query(request) -> dict | None:
    """Without JavaScript the picker's "Find" re-submits the form as GET: keep what was typed."""
    if not any(key.endswith("_q") or key.endswith("_search") for key in request.GET):
        return None
    return {key: request.GET.get(key) for key in MeetingForm.base_fields if key in request.GET}
