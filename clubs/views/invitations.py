"""Club invitations: the "Invite a friend" form on a club's page and my pending invitations.

Writes go through clubs/invitations.py.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page
from clubs import invitations, permissions
from clubs.forms import InviteFriendForm
from clubs.models import ClubInvitation
from clubs.page_helpers import domain_status, invite_context, visible_club
from social.permissions import shown_name


@require_POST
@vary_on_headers("HX-Request")
@login_required_page
def invite_friend(request, slug: str):
    club = visible_club(request, slug)
    form = InviteFriendForm(data=request.POST, inviter=request.user, club=club)
    status, message = 422, ""
    if form.is_valid():
        invitee = form.cleaned_data["invitee"]
        try:
            invitations.invitation_send(inviter=request.user, club=club, invitee=invitee)
        except DomainError as error:
            form.add_error("invitee", error.message)
            status = domain_status(error)
        else:
            status, message = 200, f"Invitation sent to {shown_name(request.user, invitee)}."
            form = InviteFriendForm(inviter=request.user, club=club)
    elif not permissions.is_member(request.user, club):
        status = 403
    if not is_fragment_request(request):
        if message:
            messages.success(request, message)
        else:
            messages.error(request, " ".join(form.errors.get("invitee", ["Could not send the invitation."])))
        return redirect(club)
    context = {
        "club": club,
        "role": permissions.role_in(request.user, club),
        "invite_message": message,
        **invite_context(request.user, club, form=form),
    }
    if context["invite_form"] is None:
        context["invite_error"] = f"Only members of {club.name} can invite people to it."
    return TemplateResponse(request, "clubs/detail.html#invite-friend", context, status=status)


def _list_context(request, **extra) -> dict:
    return {"invitations": list(invitations.pending_invitations_of(request.user)), **extra}


@require_safe
@vary_on_headers("HX-Request")
@login_required_page
def invitation_list(request):
    return TemplateResponse(request, "clubs/invitations.html", _list_context(request))


def _decide(request, pk: int, decide):
    invitation = get_object_or_404(ClubInvitation.objects.select_related("club"), pk=pk, invitee=request.user)
    status = 200
    try:
        message, url = decide(invitation)
        is_error = False
    except DomainError as error:
        message, url, is_error, status = error.message, None, True, domain_status(error)
    if not is_fragment_request(request):
        (messages.error if is_error else messages.success)(request, message)
        return redirect(url or "clubs_invitations:list")
    context = {
        "invitation": invitation,
        "result_message": message,
        "result_url": url,
        "result_error": is_error,
    }
    return TemplateResponse(request, "clubs/invitations.html#invitation", context, status=status)


@require_POST
@vary_on_headers("HX-Request")
@login_required_page
def invitation_accept(request, pk: int):
    def accept(invitation):
        outcome = invitations.invitation_accept(user=request.user, invitation=invitation)
        club = outcome.invitation.club
        if outcome.joined:
            return f"Welcome to {club.name}! You are now a member.", club.get_absolute_url()
        return (
            f"Thanks! The moderators of {club.name} approve new members: your request is waiting for them.",
            None,
        )

    return _decide(request, pk, accept)


@require_POST
@vary_on_headers("HX-Request")
@login_required_page
def invitation_decline(request, pk: int):
    def decline(invitation):
        invitations.invitation_decline(user=request.user, invitation=invitation)
        return f"You declined the invitation to {invitation.club.name}.", None

    return _decide(request, pk, decline)
