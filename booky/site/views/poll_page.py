"""The poll page: the club's poll (nominations, ballot, result; built by clubs/polls/sections.py) and,
once it has a winner, the meeting made from it or the one-step form that schedules it. Mounted as
`clubs:poll` by booky/site/urls.py; its actions are clubs' (clubs/views/polls.py) and meetings'
(scheduling the winner)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.errors import Conflict, DomainError
from booky.core.forms import add_validation_error
from booky.core.htmx import is_fragment_request, login_required_page, redirect_for
from booky.core.timezones import viewer_timezone
from clubs.polls import permissions
from clubs.polls.sections import poll_context, visible_poll
from meetings import services as meeting_services
from meetings.forms import ScheduleWinnerForm
from meetings.models import Meeting
from meetings.page_helpers import ERROR_FIELDS

FRAGMENTS = {"poll-nominations": "nominations", "poll-ballot": "ballot", "poll-results": "results"}


@require_safe
@vary_on_headers("HX-Request")
def detail(request, slug, pk):
    poll = visible_poll(request, slug, pk)
    context = poll_context(request, poll)
    if is_fragment_request(request) and (partial := FRAGMENTS.get(request.htmx.target or "")):
        return TemplateResponse(request, f"clubs/poll.html#{partial}", context)
    context.update(winner_context(request, poll))
    return TemplateResponse(request, "site/poll_page.html", context)


def winner_context(request, poll, *, form=None) -> dict:
    if poll.winner_id is None:
        return {}
    meeting = Meeting.objects.filter(from_poll=poll).first()
    context = {"winner_meeting": meeting}
    if meeting is None and permissions.can_schedule_winner(request.user, poll):
        context["schedule_form"] = form or ScheduleWinnerForm(tz=viewer_timezone(request.user))
    return context


@require_POST
@login_required_page
def schedule_winner(request, slug, pk):
    """Schedule the winner as the club's next meeting; errors show on the poll page's form."""
    poll = visible_poll(request, slug, pk)
    if not permissions.can_schedule_winner(request.user, poll):
        raise PermissionDenied(
            "Only the club's owner and moderators schedule the winner, once the poll has closed."
        )
    form = ScheduleWinnerForm(request.POST, tz=viewer_timezone(request.user))
    status = 422
    if form.is_valid():
        try:
            meeting = meeting_services.meeting_schedule_poll_winner(
                actor=request.user, poll=poll, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error("starts_at" if error.code in ERROR_FIELDS else None, error.message)
            status = 409 if isinstance(error, Conflict) else 422
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, f"Scheduled “{meeting.display_title}”. Members can now RSVP.")
            return redirect_for(request, meeting.get_absolute_url())
    context = poll_context(request, poll)
    context.update(winner_context(request, poll, form=form))
    template = (
        "site/poll_page.html#schedule-winner" if is_fragment_request(request) else "site/poll_page.html"
    )
    return TemplateResponse(request, template, context, status=status)
