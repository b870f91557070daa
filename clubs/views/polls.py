"""A club's next-book polls: the list, opening one, and the poll page's actions (nominate, withdraw,
vote). The poll page itself shows the meeting made from the winner, so it lives in
booky/site/views/poll_page.py; the actions here answer htmx with the partials of clubs/poll.html and
everyone else with a redirect back to the page (and a message)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page, redirect_for
from booky.core.timezones import viewer_timezone
from clubs.models import Nomination, Poll, PollPhase
from clubs.page_helpers import domain_status, page_of, visible_club
from clubs.polls import permissions, selectors, services
from clubs.polls.forms import BallotForm, NominationForm, PollForm
from clubs.polls.sections import poll_context, visible_poll

POLLS_PER_PAGE = 20


@require_safe
def poll_list(request, slug):
    club = visible_club(request, slug)
    page = page_of(request, selectors.polls_of(club), POLLS_PER_PAGE)
    context = {"club": club, "page": page, "can_open": permissions.can_open_poll(request.user, club)}
    return TemplateResponse(request, "clubs/polls.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def poll_create(request, slug):
    club = visible_club(request, slug)
    if not permissions.can_open_poll(request.user, club):
        raise PermissionDenied("Only the club's owner and moderators open polls.")
    tz = viewer_timezone(request.user)
    status = 200
    if request.method == "POST":
        form = PollForm(request.POST, tz=tz)
        status = 422
        if form.is_valid():
            try:
                poll = services.poll_open(actor=request.user, club=club, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                status = domain_status(error)
            else:
                messages.success(request, "Poll opened. Members can nominate books now.")
                return redirect_for(request, poll.get_absolute_url())
    else:
        form = PollForm(tz=tz)
    template = "clubs/poll_form.html#poll-form" if is_fragment_request(request) else "clubs/poll_form.html"
    return TemplateResponse(request, template, {"club": club, "form": form}, status=status)


def _answer(
    request, poll: Poll, partial: str, *, status: int = 200, message: str = "", error: str = "", **forms
):
    if not is_fragment_request(request):
        if message or error:
            messages.add_message(request, messages.ERROR if error else messages.SUCCESS, error or message)
        return redirect_for(request, poll.get_absolute_url() + f"#poll-{partial}")
    context = poll_context(request, poll, **forms)
    context.update({f"{partial}_message": message, f"{partial}_error": error})
    return TemplateResponse(request, f"clubs/poll.html#{partial}", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def nominate(request, slug, pk):
    poll = visible_poll(request, slug, pk)
    if request.method in ("GET", "HEAD"):
        # The book picker's "Find" without JavaScript submits its search here: show it on the poll page.
        query = request.GET.urlencode()
        return redirect_for(
            request, poll.get_absolute_url() + (f"?{query}" if query else "") + "#poll-nominations"
        )
    if not permissions.can_nominate(request.user, poll) and not permissions.is_member(
        request.user, poll.club
    ):
        raise PermissionDenied("Only members of the club nominate books.")
    form = NominationForm(request.POST)
    if not form.is_valid():
        return _answer(
            request,
            poll,
            "nominations",
            status=422,
            error="Please fix the nomination below.",
            nomination_form=form,
        )
    try:
        nomination = services.nomination_add(
            actor=request.user, poll=poll, book=form.cleaned_data["book"], pitch=form.cleaned_data["pitch"]
        )
    except DomainError as error:
        if not is_fragment_request(request):
            return _answer(request, poll, "nominations", error=error.message)
        form.add_error(None, error.message)
        return _answer(request, poll, "nominations", status=domain_status(error), nomination_form=form)
    return _answer(request, poll, "nominations", message=f"Nominated “{nomination.book.title}”.")


@require_POST
@login_required_page
def withdraw(request, slug, pk, nomination_pk):
    poll = visible_poll(request, slug, pk)
    nomination = get_object_or_404(Nomination.objects.select_related("book"), pk=nomination_pk, poll=poll)
    nomination.poll = poll
    if poll.phase() == PollPhase.NOMINATING and not permissions.can_withdraw(request.user, nomination):
        raise PermissionDenied("Only the member who nominated a book, or the hosts, can withdraw it.")
    try:
        services.nomination_withdraw(actor=request.user, nomination=nomination)
    except DomainError as error:
        return _answer(request, poll, "nominations", status=domain_status(error), error=error.message)
    return _answer(request, poll, "nominations", message=f"Withdrew “{nomination.book.title}”.")


@require_POST
@login_required_page
def vote(request, slug, pk):
    poll = visible_poll(request, slug, pk)
    if not permissions.is_member(request.user, poll.club):
        raise PermissionDenied("Only members of the club vote.")
    nominations = selectors.nominations_for_page(poll)
    form = BallotForm(request.POST, nominations=nominations, single=not poll.is_ranked)
    if not permissions.can_vote(request.user, poll):
        phase_error = (
            "Voting opens when the nominations close."
            if poll.phase() == "nominating"
            else ("Voting has closed; ballots can no longer change.")
        )
        return _answer(request, poll, "ballot", status=409, error=phase_error)
    if not form.is_valid():
        return _answer(
            request, poll, "ballot", status=422, error="Please fix your ballot below.", ballot_form=form
        )
    try:
        services.ballot_cast(voter=request.user, poll=poll, ranking=form.ranking())
    except DomainError as error:
        form.add_error(None, error.message)
        return _answer(
            request, poll, "ballot", status=domain_status(error), error=error.message, ballot_form=form
        )
    return _answer(
        request, poll, "ballot", message="Your ballot is saved. You can change it until voting closes."
    )
