"""Club pages and their HTMX fragments. Reads use QuerySet methods; writes go through clubs/services.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.errors import Conflict, DomainError
from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.htmx import login_required_page
from booky.core.htmx import redirect_for as _redirect
from booky.core.numbers import Paginator
from clubs import permissions, services
from clubs.forms import ClubDeleteForm, ClubForm
from clubs.models import Club, JoinRequest, Membership, Role
from clubs.visibility import annotate_profile_visibility, mark_profile_visibility
from social.permissions import name_as_listed, with_profile_visibility

CLUBS_PER_PAGE = 12
MEMBERS_PER_PAGE = 50
REQUESTS_PER_PAGE = 50
MEMBERS_PREVIEW = 8


# --- helpers -----------------------------------------------------------------------------------


def _visible_club(request, slug: str) -> Club:
    return get_object_or_404(Club.objects.visible_to(request.user), slug=slug)


def _add_validation_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _domain_status(error: DomainError) -> int:
    """Status for an in-place fragment showing the error: 409 and 422 are the codes htmx swaps."""
    return 409 if isinstance(error, Conflict) else 422


def _page(request, object_list, per_page: int):
    return Paginator(object_list, per_page).get_page(request.GET.get("page"))


# --- directory, my clubs ------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
def directory(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    clubs = Club.objects.visible_to(request.user).with_member_count().search(query).order_by("name", "pk")
    if request.user.is_authenticated:
        my_role = Membership.objects.filter(club=OuterRef("pk"), user=request.user).values("role")[:1]
        clubs = clubs.annotate(my_role=Subquery(my_role))
    page = _page(request, clubs, CLUBS_PER_PAGE)
    is_fragment = _is_fragment_request(request)
    template = "clubs/directory.html#results" if is_fragment else "clubs/directory.html"
    context = {
        "is_fragment": is_fragment,
        "query": query,
        "page": page,
        "page_query": urlencode({"q": query}) if query else "",
    }
    return TemplateResponse(request, template, context)


@require_safe
@login_required_page
def mine(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("club")
        .annotate(member_count=Count("club__memberships"))
        .order_by("club__name", "club__pk")
    )
    pending_requests = JoinRequest.objects.pending().filter(user=request.user).select_related("club")
    return TemplateResponse(
        request, "clubs/mine.html", {"memberships": memberships, "pending_requests": pending_requests}
    )


# --- create, edit, delete -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def create(request):
    form = ClubForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            club = services.club_create(owner=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            _add_validation_error(form, error)
        else:
            messages.success(request, f"{club.name} is ready. Invite people to join!")
            return _redirect(request, club.get_absolute_url())
    return _form_response(request, "clubs/form.html", {"form": form, "club": None})


def _form_response(request, template: str, context: dict):
    status = 422 if context["form"].is_bound else 200
    if _is_fragment_request(request):
        template += "#club-form"
    return TemplateResponse(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def edit(request, slug):
    club = _visible_club(request, slug)
    if not permissions.can_edit_club(request.user, club):
        raise PermissionDenied("Only the owner and moderators can edit this club.")
    form = ClubForm.for_club(club, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            club = services.club_update(actor=request.user, club=club, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            _add_validation_error(form, error)
        else:
            messages.success(request, "Club details saved.")
            return _redirect(request, club.get_absolute_url())
    return _form_response(request, "clubs/form.html", {"form": form, "club": club})


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@login_required_page
def delete(request, slug):
    club = _visible_club(request, slug)
    if not permissions.can_delete_club(request.user, club):
        raise PermissionDenied("Only the owner can delete this club.")
    form = ClubDeleteForm(data=request.POST if request.method == "POST" else None, club=club)
    if request.method == "POST" and form.is_valid():
        name = club.name
        try:
            services.club_delete(actor=request.user, club=club)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{name} was deleted.")
            return _redirect(request, reverse("clubs:mine"))
    template = "clubs/delete.html"
    if _is_fragment_request(request):
        template += "#delete-form"
    return TemplateResponse(
        request, template, {"club": club, "form": form}, status=422 if form.is_bound else 200
    )


# --- detail and the membership actions ----------------------------------------------------------


def _membership_context(request, club: Club) -> dict:
    user = request.user
    role = permissions.role_in(user, club)
    has_pending_request = (
        user.is_authenticated
        and role is None
        and JoinRequest.objects.pending().filter(club=club, user=user).exists()
    )
    return {
        "club": club,
        "role": role,
        "is_staff": role in (Role.OWNER, Role.MODERATOR),
        "has_pending_request": has_pending_request,
        "can_join": permissions.can_join_directly(user, club),
        "can_request": permissions.can_request_to_join(user, club),
        "login_url": f"{reverse('account_login')}?{urlencode({'next': club.get_absolute_url()})}",
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': club.get_absolute_url()})}",
    }


@require_safe
@vary_on_headers("HX-Request")
def detail(request, slug):
    club = get_object_or_404(Club.objects.visible_to(request.user).with_member_count(), slug=slug)
    context = _membership_context(request, club)
    if _is_fragment_request(request):
        return TemplateResponse(request, "clubs/detail.html#membership", context)
    members = annotate_profile_visibility(
        Membership.objects.filter(club=club).for_members_page(), request.user, club=club
    )
    context["members_preview"] = with_profile_visibility(members[:MEMBERS_PREVIEW])
    if context["is_staff"]:
        context["pending_count"] = JoinRequest.objects.pending().filter(club=club).count()
    context["can_delete"] = permissions.can_delete_club(request.user, club)
    context.update(_meetings_context(club))
    # Where a club meets is for its members (a public page must not invite strangers to a home).
    context["hide_where"] = context["role"] is None
    from clubs.invitation_views import invite_context  # it builds on this module's helpers

    context.update(invite_context(request.user, club))
    return TemplateResponse(request, "clubs/detail.html", context)


CLUB_UPCOMING_MEETINGS = 20
CLUB_PAST_MEETINGS = 10


def _meetings_context(club: Club) -> dict:
    from meetings.models import Meeting

    meetings = Meeting.objects.filter(club=club).with_page_data()
    return {
        "upcoming_meetings": list(meetings.upcoming()[:CLUB_UPCOMING_MEETINGS]),
        "past_meetings": list(meetings.past()[:CLUB_PAST_MEETINGS]),
    }


def _membership_action(request, slug, action, success_message):
    """Run one membership write and answer with the refreshed #membership fragment (or a redirect)."""
    club = _visible_club(request, slug)
    status = 200
    try:
        message = success_message(action(club), club)
        level = messages.SUCCESS
    except DomainError as error:
        message, level, status = error.message, messages.ERROR, _domain_status(error)
    permissions.forget_roles(club)
    if not _is_fragment_request(request):
        messages.add_message(request, level, message)
        return redirect(club)
    context = _membership_context(request, club)
    context.update(status_message=message, status_is_error=level == messages.ERROR)
    return TemplateResponse(request, "clubs/detail.html#membership", context, status=status)


@require_POST
@login_required_page
def join(request, slug):
    def success_message(outcome, club):
        if outcome.joined:
            return f"Welcome to {club.name}! You are now a member."
        return f"Request sent. The moderators of {club.name} will review it."

    return _membership_action(
        request, slug, lambda club: services.club_join(user=request.user, club=club), success_message
    )


@require_POST
@login_required_page
def leave(request, slug):
    return _membership_action(
        request,
        slug,
        lambda club: services.club_leave(user=request.user, club=club),
        lambda _result, club: f"You left {club.name}.",
    )


@require_POST
@login_required_page
def cancel_request(request, slug):
    club = _visible_club(request, slug)
    if request.POST.get("from") == "mine":
        try:
            services.join_request_cancel(user=request.user, club=club)
            message, level = f"Your request to join {club.name} was cancelled.", messages.SUCCESS
        except DomainError as error:
            message, level = error.message, messages.ERROR
        if _is_fragment_request(request):
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


# --- members --------------------------------------------------------------------------------------


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
    page = _page(request, members, MEMBERS_PER_PAGE)
    rows = [_row_context(request, club, membership) for membership in with_profile_visibility(page)]
    context = {
        "club": club,
        "page": page,
        "rows": rows,
        "is_staff": permissions.is_staff_of(request.user, club),
        "can_change_roles": permissions.can_change_roles(request.user, club),
    }
    return TemplateResponse(request, "clubs/members.html", context)


def _member_for_action(request, slug, pk) -> tuple[Club, Membership]:
    club = _visible_club(request, slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, club=club)
    membership.club = club  # the services ask for roles on membership.club: reuse the cached one
    return club, membership


def _row_response(request, club, membership, *, message, error=None, status=200, removed=False):
    if not _is_fragment_request(request):
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
            request, club, membership, message=None, error=error.message, status=_domain_status(error)
        )
    label = "a moderator" if membership.role == Role.MODERATOR else "a member"
    return _row_response(request, club, membership, message=f"{membership.user.name} is now {label}.")


@require_POST
@login_required_page
def member_remove(request, slug, pk):
    club, membership = _member_for_action(request, slug, pk)
    if not permissions.is_staff_of(request.user, club):
        raise PermissionDenied("Only the owner and moderators can remove members.")
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except DomainError as error:
        return _row_response(
            request, club, membership, message=None, error=error.message, status=_domain_status(error)
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
            return _redirect(request, reverse("clubs:members", args=[club.slug]))
    return TemplateResponse(
        request,
        "clubs/transfer.html",
        {"club": club, "membership": membership, "error": error},
        status=409 if error else 200,
    )


# --- join requests --------------------------------------------------------------------------------


@require_safe
@login_required_page
def join_requests(request, slug):
    club = _visible_club(request, slug)
    if not permissions.can_manage_join_requests(request.user, club):
        raise PermissionDenied("Only the owner and moderators can see join requests.")
    pending = JoinRequest.objects.pending().filter(club=club).select_related("user")
    # No club rule: a requester is not a member yet, so only the profile rule names them.
    page = _page(request, annotate_profile_visibility(pending, request.user), REQUESTS_PER_PAGE)
    page.object_list = with_profile_visibility(page.object_list)
    context = {"club": club, "page": page, "pending_count": page.paginator.count}
    return TemplateResponse(request, "clubs/requests.html", context)


def _decide_request(request, slug, pk, decide, success_message):
    club = _visible_club(request, slug)
    if not permissions.can_manage_join_requests(request.user, club):
        raise PermissionDenied("Only the owner and moderators decide on join requests.")
    join_request = get_object_or_404(JoinRequest.objects.select_related("user"), pk=pk, club=club)
    join_request.club = club
    status, error, message = 200, None, None
    try:
        decide(join_request)
    except DomainError as domain_error:
        status, error = _domain_status(domain_error), domain_error.message
    # Named as on the list; an approved requester is a member now, whom members see by name.
    approved = Membership.objects.filter(club=club, user=join_request.user).exists()
    mark_profile_visibility(request.user, [join_request.user], club=club if approved else None)
    if error is None:
        message = success_message(join_request)
    if not _is_fragment_request(request):
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


# --- invite links ---------------------------------------------------------------------------------


def _invite_context(request, club: Club) -> dict:
    return {
        "club": club,
        "invite_url": request.build_absolute_uri(reverse("clubs:invite", args=[club.invite_code])),
        "can_rotate": permissions.can_rotate_invite_code(request.user, club),
    }


@require_safe
@login_required_page
def invite_link(request, slug):
    club = _visible_club(request, slug)
    if not permissions.can_see_invite_link(request.user, club):
        raise PermissionDenied("Only the owner and moderators can share the invite link.")
    return TemplateResponse(request, "clubs/invite_link.html", _invite_context(request, club))


@require_POST
@login_required_page
def invite_reset(request, slug):
    club = _visible_club(request, slug)
    if not permissions.can_rotate_invite_code(request.user, club):
        raise PermissionDenied("Only the owner can reset the invite link.")
    status, level = 200, messages.SUCCESS
    message = "Done: a new invite link is ready. The old link no longer works."
    try:
        club = services.club_rotate_invite_code(actor=request.user, club=club)
    except DomainError as error:
        status, level, message = _domain_status(error), messages.ERROR, error.message
    if not _is_fragment_request(request):
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
            return _redirect(request, f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            services.club_join(user=request.user, club=club, invite_code=code)
        except DomainError as error:
            if error.code == "invite_invalid":
                return _invalid_invite(request)
            messages.info(request, error.message)
        else:
            messages.success(request, f"Welcome to {club.name}! You are now a member.")
        return _redirect(request, club.get_absolute_url())
    next_query = urlencode({"next": request.path})
    context = {
        "club": club,
        "is_member": permissions.is_member(request.user, club),
        "login_url": f"{reverse('account_login')}?{next_query}",
        "signup_url": f"{reverse('account_signup')}?{next_query}",
    }
    return TemplateResponse(request, "clubs/invite.html", context)
