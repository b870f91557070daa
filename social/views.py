"""Settings, the friends page and the relationship buttons. Reads come from social.selectors; writes go
through social.services (profile, avatar) and social.friends (requests, friendships, blocks). The
profile page and the delete-account page compose other apps: booky.site.views serves them."""

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.confirm import Confirmation, confirm_page
from booky.core.errors import Conflict, DomainError
from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.htmx import login_required_page
from booky.core.htmx import redirect_for as _redirect
from booky.core.htmx import safe_path as _safe_path
from booky.core.numbers import Paginator
from social import friends, relationships, selectors
from social.forms import AvatarForm, ProfileForm, SendFriendRequestForm, zone_named, zones_matching
from social.models import FriendRequest, FriendRequestStatus
from social.permissions import can_view_profile, shown_name
from social.ratelimit import RateLimited, check_friend_request_rate
from social.services import avatar_remove, avatar_set, user_update_profile

SAVED_MESSAGE = "Your profile is saved."
FRIENDS_PER_PAGE = 50
SEARCH_RESULTS_PER_PAGE = 20


def _fragment_status(error: DomainError) -> int:
    """A fragment showing an error: 409 and 422 are the codes htmx swaps; 429 stays 429."""
    if isinstance(error, RateLimited):
        return 429
    return 409 if isinstance(error, Conflict) else 422


def _profile_form_initial(user) -> dict:
    return {
        "display_name": user.display_name,
        "bio": user.bio,
        "timezone": user.timezone,
        "profile_visibility": user.profile_visibility,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def settings_page(request):
    user = request.user
    template = "social/settings.html"
    if _is_fragment_request(request):
        template += "#profile-form"
    context = {"avatar_form": AvatarForm()}
    if request.method in ("GET", "HEAD"):
        form = ProfileForm(initial=_profile_form_initial(user))
        return TemplateResponse(request, template, {**context, "form": form})

    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user = user_update_profile(
                user=user,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                timezone=form.cleaned_data["timezone"],
                profile_visibility=form.cleaned_data.get("profile_visibility") or None,
            )
        except DomainError as error:
            form.add_error(None, error.message)
    if not form.is_valid():
        return TemplateResponse(request, template, {**context, "form": form}, status=422)
    if request.htmx:
        # The form stays where it is, now showing the saved values and a confirmation.
        return TemplateResponse(
            request,
            template,
            {**context, "form": ProfileForm(initial=_profile_form_initial(user)), "saved": True},
        )
    messages.success(request, SAVED_MESSAGE)
    return redirect("social:settings")


@require_safe
@cache_control(public=True, max_age=3600)  # the same answer for everyone, until the zone list changes
def timezone_search(request):
    """The zones matching what is typed in a time-zone box (sign-up, settings), for htmx to show under
    it. Open to visitors: the sign-up form has the box too. htmx sends the box's value as `timezone`."""
    query = request.GET.get("timezone", "")[:64]
    exact = zone_named(query) is not None
    context = {"query": query.strip(), "exact": exact, "zones": [] if exact else zones_matching(query)}
    return TemplateResponse(request, "social/_timezone_suggestions.html", context)


def _avatar_response(request, *, form, status=200, message="", error=""):
    if _is_fragment_request(request):
        context = {"avatar_form": form, "avatar_saved": message, "avatar_error": error}
        return TemplateResponse(request, "social/settings.html#avatar-form", context, status=status)
    if error:
        messages.error(request, error)
        return redirect("social:settings")
    if status != 200:
        context = {"avatar_form": form, "form": ProfileForm(initial=_profile_form_initial(request.user))}
        return TemplateResponse(request, "social/settings.html", context, status=status)
    messages.success(request, message)
    return redirect("social:settings")


@require_POST
@login_required_page
def avatar_upload(request):
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            request.user = avatar_set(user=request.user, upload=form.cleaned_data["avatar"])
        except DomainError as error:
            form.add_error("avatar", error.message)
    if not form.is_valid():
        return _avatar_response(request, form=form, status=422)
    return _avatar_response(request, form=AvatarForm(), message="Your new picture is saved.")


@require_POST
@login_required_page
def avatar_delete(request):
    try:
        request.user = avatar_remove(user=request.user)
    except DomainError as error:
        return _avatar_response(
            request, form=AvatarForm(), status=_fragment_status(error), error=error.message
        )
    return _avatar_response(
        request, form=AvatarForm(), message="Your picture was removed; your initials show instead."
    )


# --- friends page ---------------------------------------------------------------------------------


def _friends_lists_context(viewer, *, page, next_url: str) -> dict:
    """The lists of the friends page: requests for me, my friends (one page), requests I sent, blocked."""
    return {
        "incoming": list(selectors.incoming_requests(viewer)),
        "outgoing": list(selectors.outgoing_requests(viewer)),
        "friends_page": Paginator(selectors.friends_list(viewer), FRIENDS_PER_PAGE).get_page(page),
        "blocked": list(selectors.blocked_list(viewer)),
        "friends_path": reverse("people:friends"),
        "next_url": next_url,
    }


def _friends_context(request, *, send_form=None) -> dict:
    query = selectors.clean_search(request.GET.get("q"))
    return {
        "send_form": send_form or SendFriendRequestForm(),
        **_friends_lists_context(
            request.user, page=request.GET.get("page"), next_url=request.get_full_path()
        ),
        **_search_context(request, query),
    }


def _search_context(request, query: str) -> dict:
    if not query:
        return {"query": "", "results": None, "query_too_short": False}
    if len(query) < selectors.SEARCH_MIN_LENGTH:
        return {"query": query, "results": None, "query_too_short": True}
    results = list(selectors.people_search(request.user, query)[: SEARCH_RESULTS_PER_PAGE + 1])
    return {
        "query": query,
        "results": results[:SEARCH_RESULTS_PER_PAGE],
        "more_results": len(results) > SEARCH_RESULTS_PER_PAGE,
        "query_too_short": False,
    }


@require_safe
@vary_on_headers("HX-Request")
@login_required_page
def friends_page(request):
    if _is_fragment_request(request) and request.htmx.target == "people-results":
        query = selectors.clean_search(request.GET.get("q"))
        context = {
            **_search_context(request, query),
            "next_url": request.get_full_path(),
            "is_fragment": True,
        }
        return TemplateResponse(request, "social/friends.html#people-results", context)
    return TemplateResponse(request, "social/friends.html", _friends_context(request))


def _send_result_message(result, viewer, to_user) -> str:
    if isinstance(result, FriendRequest):
        return f"Friend request sent to {shown_name(viewer, to_user)}. You will be friends once they accept."
    return f"{shown_name(viewer, to_user)} had already asked you: you are now friends."


@require_POST
@login_required_page
def send_friend_request(request):
    """Send a request by username (the form on the friends page)."""
    form = SendFriendRequestForm(request.POST)
    status = 422
    if form.is_valid():
        username = form.cleaned_data["username"]
        to_user = selectors.live_users().filter(username__iexact=username).first()
        try:
            check_friend_request_rate(request)
            if to_user is None:
                raise DomainError(f"There is no member with the username “{username}”.", code="not_found")
            result = friends.friend_request_send(sender=request.user, to_user=to_user)
        except DomainError as error:
            form.add_error("username", error.message)
            status = _fragment_status(error)
        else:
            messages.success(request, _send_result_message(result, request.user, to_user))
            return _redirect(request, reverse("people:friends"))
    if _is_fragment_request(request):
        return TemplateResponse(request, "social/friends.html#send-form", {"send_form": form}, status=status)
    return TemplateResponse(
        request, "social/friends.html", _friends_context(request, send_form=form), status=status
    )


# --- profiles and the relationship buttons -------------------------------------------------------


def _live_user_or_404(username: str):
    return get_object_or_404(selectors.live_users(), username__iexact=username)


def _pending_request(*, from_user, to_user) -> FriendRequest:
    request = FriendRequest.objects.filter(
        status=FriendRequestStatus.PENDING, from_user=from_user, to_user=to_user
    ).first()
    if request is None:
        raise Conflict(
            "There is no pending friend request between you any more. Reload the page.", code="no_request"
        )
    return request


def _act(request, action: str, other) -> str:
    """Run one relationship action for the viewer; the message to show, or a DomainError."""
    me = request.user
    if action == "add":
        check_friend_request_rate(request)
        return _send_result_message(friends.friend_request_send(sender=me, to_user=other), me, other)
    if action == "cancel":
        friends.friend_request_cancel(user=me, friend_request=_pending_request(from_user=me, to_user=other))
        return f"Your friend request to {shown_name(me, other)} is cancelled."
    if action == "accept":
        friends.friend_request_accept(user=me, friend_request=_pending_request(from_user=other, to_user=me))
        return f"You and {shown_name(me, other)} are now friends."
    if action == "decline":
        friends.friend_request_decline(user=me, friend_request=_pending_request(from_user=other, to_user=me))
        return f"You declined the request from {shown_name(me, other)}."
    if action == "unfriend":
        friends.friendship_remove(user=me, other=other)
        return f"You and {shown_name(me, other)} are no longer friends."
    if action == "block":
        friends.block_create(blocker=me, blocked=other)
        return f"You blocked {shown_name(me, other)}. They cannot send you requests or see a friends-only profile."
    if action == "unblock":
        friends.block_remove(blocker=me, blocked=other)
        return f"You unblocked {shown_name(me, other)}."
    raise Http404("No such action.")


RELATIONSHIP_ACTIONS = ("add", "cancel", "accept", "decline", "unfriend", "block", "unblock")
# The ones that ask first: with JavaScript in a dialog (hx-confirm), without it on a page (GET).
CONFIRMED_ACTIONS = ("unfriend", "block")


def _confirmation(request, action: str, other) -> Confirmation:
    """ "Unfriend Bruno?" / "Block Bruno?", or why it cannot be done any more."""
    me = request.user
    name = shown_name(me, other)
    next_url = _safe_path(request, request.GET.get("next"))
    view = request.GET.get("view", "")[:20]
    if view in ("row", "lists") and next_url:
        cancel_url = next_url
    elif can_view_profile(me, other):
        cancel_url = reverse("people:profile", args=[other.username])
    else:
        cancel_url = reverse("people:friends")
    common = {
        "action_url": reverse("people:act", args=[other.username, action]),
        "cancel_url": cancel_url,
        "fields": (("view", view), ("next", next_url or "")),
    }
    if action == "unfriend":
        problem = "" if relationships.are_friends(me, other) else f"You and {name} are not friends."
        return Confirmation(
            question=f"Unfriend {name}?",
            detail="You stop seeing each other's friends-only profiles, and club invitations between you "
            "that are still open are withdrawn. Either of you can send a new request later.",
            button=f"Unfriend {name}",
            problem=problem,
            **common,
        )
    if other.pk == me.pk:
        problem = "You cannot block yourself."
    elif relationships.is_blocked(blocker=me, blocked=other):
        problem = f"You have already blocked {name}."
    else:
        problem = ""
    return Confirmation(
        question=f"Block {name}?",
        detail="This ends your friendship and any pending request. They cannot send you requests or see "
        "a friends-only profile of yours until you unblock them.",
        button=f"Block {name}",
        problem=problem,
        **common,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required_page
def relationship_action(request, username, action):
    """Add friend, cancel, accept, decline, unfriend, block or unblock, from a profile or a list row.

    HTMX requests get the refreshed buttons in place: the profile's #relationship box, or the list row
    (`view=row`). Without JavaScript the page redirects back with the message. A GET of unfriend or
    block is the page that asks first (the no-JavaScript form lands there).
    """
    if action not in RELATIONSHIP_ACTIONS:
        raise Http404("No such action.")
    if request.method != "POST" and action not in CONFIRMED_ACTIONS:
        return HttpResponseNotAllowed(["POST"])
    other = _live_user_or_404(username)
    if request.method != "POST":
        return confirm_page(request, _confirmation(request, action, other))
    status, is_error = 200, False
    try:
        message = _act(request, action, other)
    except DomainError as error:
        message, is_error, status = error.message, True, _fragment_status(error)
    in_row = request.POST.get("view") in ("row", "lists")
    next_url = _safe_path(request, request.POST.get("next"))
    if not _is_fragment_request(request):
        messages.add_message(request, messages.ERROR if is_error else messages.SUCCESS, message)
        if in_row and next_url:
            return redirect(next_url)
        if can_view_profile(request.user, other):
            return redirect("people:profile", username=other.username)
        return redirect("people:friends")
    next_url = next_url or reverse("people:friends")
    if request.POST.get("view") == "lists":
        # A row of the friends page's lists: the lists answer as one, so the person changes list at once.
        context = _friends_lists_context(request.user, page=_page_of(next_url), next_url=next_url)
        context.update(lists_message=message, lists_message_is_error=is_error)
        return TemplateResponse(request, "social/friends.html#friends-lists", context, status=status)
    context = {
        "person": selectors.person(request.user, other),
        "status_message": message,
        "status_is_error": is_error,
        "next_url": next_url,
    }
    if not in_row:
        return TemplateResponse(request, "social/profile.html#relationship", context, status=status)
    if not is_error:
        # A search result's row is outside the lists: bring them up to date out of band.
        context.update(_friends_lists_context(request.user, page=_page_of(next_url), next_url=next_url))
        context["lists_oob"] = True
    return TemplateResponse(request, "social/_person_row_and_lists.html", context, status=status)


def _page_of(url: str) -> str | None:
    """The friends page number the row's page showed (its `next` URL), so the lists keep to it."""
    return parse_qs(urlsplit(url).query).get("page", [None])[0]
