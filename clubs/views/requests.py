"""Join requests: the list the owner and moderators decide from, approve and decline."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST, require_safe

from booky.core.errors import DomainError
from booky.core.htmx import is_fragment_request, login_required_page
from clubs import permissions, services
from clubs.models import JoinRequest, Membership
from clubs.page_helpers import domain_status, page_of, visible_club
from clubs.visibility import annotate_profile_visibility, mark_profile_visibility
from social.permissions import mark_profile_linkable, name_as_listed, with_profile_visibility

REQUESTS_PER_PAGE = 50


@require_safe
@login_required_page
def join_requests(request, slug):
    club = visible_club(request, slug)
    if not permissions.can_manage_join_requests(request.user, club):
        raise PermissionDenied("Only the owner and moderators can see join requests.")
    pending = JoinRequest.objects.pending().filter(club=club).select_related("user")
    # No club rule: a requester is not a member yet, so only the profile rule names them.
    page = page_of(request, annotate_profile_visibility(pending, request.user), REQUESTS_PER_PAGE)
    page.object_list = with_profile_visibility(page.object_list)
    mark_profile_linkable(request.user, [join_request.user for join_request in page.object_list])
    context = {"club": club, "page": page, "pending_count": page.paginator.count}
    return TemplateResponse(request, "clubs/requests.html", context)


def _decide_request(request, slug, pk, decide, success_message):
    club = visible_club(request, slug)
    if not permissions.can_manage_join_requests(request.user, club):
        raise PermissionDenied("Only the owner and moderators decide on join requests.")
    join_request = get_object_or_404(JoinRequest.objects.select_related("user"), pk=pk, club=club)
    join_request.club = club
    status, error, message = 200, None, None
    try:
        decide(join_request)
    except DomainError as domain_error:
        status, error = domain_status(domain_error), domain_error.message
    # Named as on the list; an approved requester is a member now, whom members see by name.
    approved = Membership.objects.filter(club=club, user=join_request.user).exists()
    mark_profile_visibility(request.user, [join_request.user], club=club if approved else None)
    if error is None:
        message = success_message(join_request)
    if not is_fragment_request(request):
        messages.add_message(request, messages.ERROR if error else messages.SUCCESS, error or message)
        return redirect("clubs:requests", slug=club.slug)
    context = {
        "club": club,
        "join_request": join_request,
        "row_message": message,
        "row_error": error,
        "pending_count": JoinRequest.objects.pending().filter(club=club).count(),
    }
    return TemplateResponse(request, "clubs/_request_decided.html", context, status=status)


@require_POST
@login_required_page
def request_approve(request, slug, pk):
    return _decide_request(
        request,
        slug,
        pk,
        lambda join_request: services.join_request_approve(actor=request.user, join_request=join_request),
        lambda join_request: f"Approved: {name_as_listed(join_request.user)} is now a member.",
    )


@require_POST
@login_required_page
def request_decline(request, slug, pk):
    return _decide_request(
        request,
        slug,
        pk,
        lambda join_request: services.join_request_decline(actor=request.user, join_request=join_request),
        lambda join_request: f"Declined the request from {name_as_listed(join_request.user)}.",
    )
