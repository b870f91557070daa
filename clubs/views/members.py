"""The members page: roles, removal, and transferring ownership."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from booky.core.confirm import Confirmation, confirm_page
from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page, redirect_for
from clubs import permissions, services
from clubs.models import Club, Membership, Role
from clubs.page_helpers import domain_status, page_of, visible_club
from clubs.visibility import annotate_profile_visibility
from social.permissions import mark_profile_linkable, with_profile_visibility

MEMBERS_PER_PAGE = 50


def _row_context(request, club: Club, membership: Membership) -> dict:
    return {
        "club": club,
        "membership": membership,
        "can_change_roles": permissions.can_change_roles(request.user, club),
        "can_remove": permissions.can_remove_member(request.user, club, membership),
        "is_me": membership.user_id == request.user.pk,
        "is_staff": permissions.is_staff_of(request.user, club),
    }


@require_safe
def members(request, slug):
    club = get_object_or_404(Club.objects.visible_to(request.user).with_member_count(), slug=slug)
    if not permissions.can_view_members(request.user, club):
        raise PermissionDenied
    members = annotate_profile_visibility(
        Membership.objects.filter(club=club).for_members_page(), request.user, club=club
    )
    page = page_of(request, members, MEMBERS_PER_PAGE)
    memberships = with_profile_visibility(page)
    mark_profile_linkable(request.user, [membership.user for membership in memberships])
    rows = [_row_context(request, club, membership) for membership in memberships]
    context = {
        "club": club,
        "page": page,
        "rows": rows,
        "is_staff": permissions.is_staff_of(request.user, club),
        "can_change_roles": permissions.can_change_roles(request.user, club),
    }
    return TemplateResponse(request, "clubs/members.html", context)


def _member_for_action(request, slug, pk) -> tuple[Club, Membership]:
    club = visible_club(request, slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, club=club)
    membership.club = club  # the services ask for roles on membership.club: reuse the cached one
    return club, membership


def _row_response(request, club, membership, *, message, error=None, status=200, removed=False):
    if not is_fragment_request(request):
        messages.add_message(request, messages.ERROR if error else messages.SUCCESS, error or message)
        return redirect("clubs:members", slug=club.slug)
    context = _row_context(request, club, membership)
    context.update(row_message=message, row_error=error, removed=removed)
    return TemplateResponse(request, "clubs/members.html#member-row", context, status=status)


@require_POST
@login_required_page
def member_set_role(request, slug, pk):
    club, membership = _member_for_action(request, slug, pk)
    if not permissions.can_change_roles(request.user, club):
        raise PermissionDenied("Only the owner can change roles.")
    role = request.POST.get("role", "")[:20]
    try:
        membership = services.membership_set_role(actor=request.user, membership=membership, role=role)
    except DomainError as error:
        return _row_response(
            request, club, membership, message=None, error=error.message, status=domain_status(error)
        )
    label = "a moderator" if membership.role == Role.MODERATOR else "a member"
    return _row_response(request, club, membership, message=f"{membership.user.name} is now {label}.")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def member_remove(request, slug, pk):
    """GET: "Remove Bruno from the club?" (the no-JavaScript form lands here); POST: remove."""
    club, membership = _member_for_action(request, slug, pk)
    if not permissions.is_staff_of(request.user, club):
        raise PermissionDenied("Only the owner and moderators can remove members.")
    if request.method != "POST":
        if not permissions.can_remove_member(request.user, club, membership):
            raise PermissionDenied("Moderators can remove members; only the owner can remove moderators.")
        name = membership.user.name  # the viewer is staff, so a member: the club's lists name everyone
        return confirm_page(
            request,
            Confirmation(
                question=f"Remove {name} from {club.name}?",
                detail=f"{name} drops out of the club's upcoming meetings and their open bets on them are "
                "returned. To come back, they would have to join again.",
                action_url=reverse("clubs:member_remove", args=[club.slug, membership.pk]),
                button=f"Remove {name}",
                cancel_url=reverse("clubs:members", args=[club.slug]),
            ),
        )
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except DomainError as error:
        return _row_response(
            request, club, membership, message=None, error=error.message, status=domain_status(error)
        )
    return _row_response(
        request, club, membership, message=f"{membership.user.name} was removed from the club.", removed=True
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def member_transfer(request, slug, pk):
    club, membership = _member_for_action(request, slug, pk)
    if not permissions.can_transfer_ownership(request.user, club):
        raise PermissionDenied("Only the owner can transfer ownership.")
    error = None
    if request.method == "POST":
        try:
            services.club_transfer_ownership(actor=request.user, club=club, new_owner=membership.user)
        except DomainError as domain_error:
            error = domain_error.message
        else:
            messages.success(
                request, f"{membership.user.name} now owns {club.name}. You stay on as a moderator."
            )
            return redirect_for(request, reverse("clubs:members", args=[club.slug]))
    return TemplateResponse(
        request,
        "clubs/transfer.html",
        {"club": club, "membership": membership, "error": error},
        status=409 if error else 200,
    )
