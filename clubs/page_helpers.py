"""What the club pages share: the club a request may see, the status an error fragment answers with,
paging, and the clubs half of the club page (membership box, members preview, invite box).

Used by the view modules in clubs/views/ and by the club page in booky/site/views/club_page.py; view
modules never import each other.
"""

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import reverse

from booky.core.errors import Conflict, DomainError
from booky.core.numbers import Paginator
from clubs import permissions
from clubs.forms import InviteFriendForm
from clubs.models import Club, JoinRequest, Membership, Poll, Role
from clubs.visibility import annotate_profile_visibility
from social.permissions import mark_profile_linkable, with_profile_visibility

MEMBERS_PREVIEW = 8


def visible_club(request, slug: str) -> Club:
    return get_object_or_404(Club.objects.visible_to(request.user), slug=slug)


def domain_status(error: DomainError) -> int:
    """Status for an in-place fragment showing the error: 409 and 422 are the codes htmx swaps."""
    return 409 if isinstance(error, Conflict) else 422


def page_of(request, object_list, per_page: int):
    return Paginator(object_list, per_page).get_page(request.GET.get("page"))


def membership_context(request, club: Club) -> dict:
    """What the club page's #membership box needs: my role and which action I may take."""
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


def invite_context(user, club: Club, *, form: InviteFriendForm | None = None) -> dict:
    """What the club page needs for its "Invite a friend" box (members only; two queries)."""
    if not permissions.is_member(user, club):
        return {"invite_form": None}
    form = form or InviteFriendForm(inviter=user, club=club)
    return {"invite_form": form, "invite_choices": list(form.fields["invitee"].queryset[:200])}


def open_poll_of(club: Club) -> Poll | None:
    """The open poll read with the club (Club.objects.with_open_poll()), or looked up when it was not."""
    if not hasattr(club, "open_poll_id"):
        return Poll.objects.open().filter(club=club).first()
    if club.open_poll_id is None:
        return None
    return Poll(
        pk=club.open_poll_id,
        club=club,
        title=club.open_poll_title,
        nominations_close_at=club.open_poll_nominations_close_at,
        voting_closes_at=club.open_poll_voting_closes_at,
    )


def club_page_context(request, club: Club) -> dict:
    """Everything clubs shows on the club page (templates/clubs/detail.html): the membership box, the
    manage bar, the members preview and the invite box. `club` comes `with_member_count()`."""
    context = membership_context(request, club)
    members = annotate_profile_visibility(
        Membership.objects.filter(club=club).for_members_page(), request.user, club=club
    )
    context["members_preview"] = with_profile_visibility(members[:MEMBERS_PREVIEW])
    mark_profile_linkable(request.user, [membership.user for membership in context["members_preview"]])
    if context["is_staff"]:
        context["pending_count"] = JoinRequest.objects.pending().filter(club=club).count()
    context["can_delete"] = permissions.can_delete_club(request.user, club)
    context["open_poll"] = open_poll_of(club)
    context.update(invite_context(request.user, club))
    return context
