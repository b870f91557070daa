"""The club's invite link: showing and resetting it, and the page the link opens."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from booky.core.confirm import Confirmation, confirm_page
from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page, redirect_for
from clubs import permissions, services
from clubs.models import Club
from clubs.page_helpers import domain_status, visible_club


def _invite_context(request, club: Club) -> dict:
    return {
        "club": club,
        "invite_url": request.build_absolute_uri(reverse("clubs:invite", args=[club.invite_code])),
        "can_rotate": permissions.can_rotate_invite_code(request.user, club),
    }


@require_safe
@login_required_page
def invite_link(request, slug):
    club = visible_club(request, slug)
    if not permissions.can_see_invite_link(request.user, club):
        raise PermissionDenied("Only the owner and moderators can share the invite link.")
    return TemplateResponse(request, "clubs/invite_link.html", _invite_context(request, club))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def invite_reset(request, slug):
    """GET: "Reset the invite link?" (the no-JavaScript form lands here); POST: reset it."""
    club = visible_club(request, slug)
    if not permissions.can_rotate_invite_code(request.user, club):
        raise PermissionDenied("Only the owner can reset the invite link.")
    if request.method != "POST":
        return confirm_page(
            request,
            Confirmation(
                question=f"Reset the invite link of {club.name}?",
                detail="The current link stops working at once and you get a new one to share. People who "
                "already joined stay members.",
                action_url=reverse("clubs:invite_reset", args=[club.slug]),
                button="Reset the link",
                cancel_url=reverse("clubs:invite_link", args=[club.slug]),
            ),
        )
    status, level = 200, messages.SUCCESS
    message = "Done: a new invite link is ready. The old link no longer works."
    try:
        club = services.club_rotate_invite_code(actor=request.user, club=club)
    except DomainError as error:
        status, level, message = domain_status(error), messages.ERROR, error.message
    if not is_fragment_request(request):
        messages.add_message(request, level, message)
        return redirect("clubs:invite_link", slug=club.slug)
    context = _invite_context(request, club)
    context.update(status_message=message, status_is_error=level == messages.ERROR)
    return TemplateResponse(request, "clubs/invite_link.html#invite", context, status=status)


def _invalid_invite(request):
    return TemplateResponse(request, "clubs/invite_invalid.html", {}, status=404)


@require_http_methods(["GET", "HEAD", "POST"])
def invite(request, code):
    # PostgreSQL refuses NUL characters in queries; such a code is invalid anyway.
    club = None if "\x00" in code else Club.objects.with_member_count().filter(invite_code=code).first()
    if club is None:
        return _invalid_invite(request)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_for(request, f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            services.club_join(user=request.user, club=club, invite_code=code)
        except DomainError as error:
            if error.code == "invite_invalid":
                return _invalid_invite(request)
            messages.info(request, error.message)
        else:
            messages.success(request, f"Welcome to {club.name}! You are now a member.")
        return redirect_for(request, club.get_absolute_url())
    next_query = urlencode({"next": request.path})
    context = {
        "club": club,
        "is_member": permissions.is_member(request.user, club),
        "login_url": f"{reverse('account_login')}?{next_query}",
        "signup_url": f"{reverse('account_signup')}?{next_query}",
    }
    return TemplateResponse(request, "clubs/invite.html", context)
