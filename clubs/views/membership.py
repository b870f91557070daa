"""The membership actions of the club page: join, leave, cancel my request. Each answers with the
refreshed #membership box of clubs/detail.html (the page itself is booky/site/views/club_page.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from booky.core.confirm import Confirmation, confirm_page
from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page
from clubs import permissions, services
from clubs.forms import JoinRequestForm
from clubs.page_helpers import domain_status, membership_context, visible_club


def _membership_action(request, slug, action, success_message):
    """Run one membership write and answer with the refreshed #membership fragment (or a redirect)."""
    club = visible_club(request, slug)
    status = 200
    try:
        message = success_message(action(club), club)
        level = messages.SUCCESS
    except DomainError as error:
        message, level, status = error.message, messages.ERROR, domain_status(error)
    permissions.forget_roles(club)
    if not is_fragment_request(request):
        messages.add_message(request, level, message)
        return redirect(club)
    context = membership_context(request, club)
    context.update(status_message=message, status_is_error=level == messages.ERROR)
    return TemplateResponse(request, "clubs/detail.html#membership", context, status=status)


@require_POST
@login_required_page
def join(request, slug):
    def success_message(outcome, club):
        if outcome.joined:
            return f"Welcome to {club.name}! You are now a member."
        return f"Request sent. The moderators of {club.name} will review it."

    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        return _join_form_invalid(request, slug, form)
    message = form.cleaned_data["message"]
    return _membership_action(
        request,
        slug,
        lambda club: services.club_join(user=request.user, club=club, message=message),
        success_message,
    )


def _join_form_invalid(request, slug, form):
    """A note too long to keep (a browser without `maxlength`): nothing is sent; the box says why and,
    for htmx, keeps what was typed."""
    club = visible_club(request, slug)
    error = " ".join(form.errors["message"])
    if not is_fragment_request(request):
        messages.error(request, error)
        return redirect(club)
    context = membership_context(request, club)
    context.update(join_form=form, status_message=error, status_is_error=True)
    return TemplateResponse(request, "clubs/detail.html#membership", context, status=422)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def leave(request, slug):
    """GET: "Leave the club?" (the no-JavaScript form lands here); POST: leave."""
    if request.method != "POST":
        club = visible_club(request, slug)
        if not permissions.can_leave(request.user, club):
            raise PermissionDenied(
                "You own this club: transfer ownership to another member before leaving, or delete the club."
                if permissions.is_owner(request.user, club)
                else f"You are not a member of {club.name}."
            )
        return confirm_page(
            request,
            Confirmation(
                question=f"Leave {club.name}?",
                detail="You drop out of its upcoming meetings, and your open bets on them come back to "
                "your balance. To come back later, you join like anyone else.",
                action_url=reverse("clubs:leave", args=[club.slug]),
                button="Leave club",
                cancel_url=club.get_absolute_url(),
            ),
        )
    return _membership_action(
        request,
        slug,
        lambda club: services.club_leave(user=request.user, club=club),
        lambda _result, club: f"You left {club.name}.",
    )


@require_POST
@login_required_page
def cancel_request(request, slug):
    club = visible_club(request, slug)
    if request.POST.get("from") == "mine":
        try:
            services.join_request_cancel(user=request.user, club=club)
            message, level = f"Your request to join {club.name} was cancelled.", messages.SUCCESS
        except DomainError as error:
            message, level = error.message, messages.ERROR
        if is_fragment_request(request):
            return TemplateResponse(
                request,
                "clubs/mine.html#request-cancelled",
                {"club": club, "status_message": message, "status_is_error": level == messages.ERROR},
            )
        messages.add_message(request, level, message)
        return redirect("clubs:mine")
    return _membership_action(
        request,
        slug,
        lambda club: services.join_request_cancel(user=request.user, club=club),
        lambda _result, club: "Your request was cancelled.",
    )
