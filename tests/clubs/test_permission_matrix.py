"""Every club action × every role × every door (HTML page, HTMX fragment, API) → what the user gets.

One table, so a rule that changes in one door but not the others fails here. A refusal must also
leave the data exactly as it was: each case compares a snapshot of clubs, memberships and join
requests before and after.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from clubs.models import Club, JoinRequest, Membership, Visibility
from tests.conftest import ROLES
from tests.matrix import (
    CONFLICT,
    FORBIDDEN,
    LOGIN,
    MISSING,
    OK,
    check_api,
    check_data,
    check_page,
    send_api,
    send_page,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Action:
    html: Callable  # (cast) -> (method, url, data)
    api: Callable | None  # (cast) -> (method, url, json) or None where the API has no such call
    changes_data: bool = True


def _member_pk(cast):
    return Membership.objects.get(club=cast.club, user=cast.member).pk


def _request_pk(cast):
    return JoinRequest.objects.get(club=cast.club, user=cast.requester).pk


def _edit_form(cast):
    return {
        "name": "Renamed club",
        "description": "New words",
        "city": cast.club.city,
        "country": cast.club.country,
        "visibility": cast.club.visibility,
        "join_policy": cast.club.join_policy,
    }


ACTIONS = {
    "view": Action(
        html=lambda c: ("get", f"/clubs/{c.club.slug}/", None),
        api=lambda c: ("get", f"/api/v1/clubs/{c.club.slug}/", None),
        changes_data=False,
    ),
    "list members": Action(
        html=lambda c: ("get", f"/clubs/{c.club.slug}/members/", None),
        api=lambda c: ("get", f"/api/v1/clubs/{c.club.slug}/members/", None),
        changes_data=False,
    ),
    "edit": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/edit/", _edit_form(c)),
        api=lambda c: ("patch", f"/api/v1/clubs/{c.club.slug}/", {"name": "Renamed club"}),
    ),
    "delete": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/delete/", {"confirm_name": c.club.name}),
        api=lambda c: ("delete", f"/api/v1/clubs/{c.club.slug}/", None),
    ),
    "see invite link": Action(
        html=lambda c: ("get", f"/clubs/{c.club.slug}/invite/", None),
        api=None,
        changes_data=False,
    ),
    "reset invite link": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/invite/reset/", {}),
        api=lambda c: ("post", f"/api/v1/clubs/{c.club.slug}/rotate-invite/", {}),
    ),
    "transfer ownership": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/members/{_member_pk(c)}/transfer/", {}),
        api=lambda c: ("post", f"/api/v1/clubs/{c.club.slug}/transfer/", {"username": c.member.username}),
    ),
    "promote": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/members/{_member_pk(c)}/role/", {"role": "moderator"}),
        api=lambda c: (
            "patch",
            f"/api/v1/clubs/{c.club.slug}/members/{c.member.username}/",
            {"role": "moderator"},
        ),
    ),
    "remove member": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/members/{_member_pk(c)}/remove/", {}),
        api=lambda c: ("delete", f"/api/v1/clubs/{c.club.slug}/members/{c.member.username}/", None),
    ),
    "see join requests": Action(
        html=lambda c: ("get", f"/clubs/{c.club.slug}/requests/", None),
        api=lambda c: ("get", f"/api/v1/clubs/{c.club.slug}/join-requests/", None),
        changes_data=False,
    ),
    "approve request": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/requests/{_request_pk(c)}/approve/", {}),
        api=lambda c: ("post", f"/api/v1/clubs/{c.club.slug}/join-requests/{_request_pk(c)}/approve/", {}),
    ),
    "decline request": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/requests/{_request_pk(c)}/decline/", {}),
        api=lambda c: ("post", f"/api/v1/clubs/{c.club.slug}/join-requests/{_request_pk(c)}/decline/", {}),
    ),
    "join": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/join/", {}),
        api=lambda c: ("post", f"/api/v1/clubs/{c.club.slug}/join/", {}),
    ),
    "leave": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/leave/", {}),
        api=lambda c: ("post", f"/api/v1/clubs/{c.club.slug}/leave/", {}),
    ),
    "cancel request": Action(
        html=lambda c: ("post", f"/clubs/{c.club.slug}/request/cancel/", {}),
        api=lambda c: ("delete", f"/api/v1/clubs/{c.club.slug}/join-request/", None),
    ),
}

# Expected outcome per role, in the order of ROLES: owner, moderator, member, requester, outsider, anonymous.
# The club is public and open to joining; the requester has a pending request.
PUBLIC = {
    "view": [OK, OK, OK, OK, OK, OK],
    "list members": [OK, OK, OK, OK, OK, OK],
    "edit": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "delete": [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "see invite link": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "reset invite link": [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "transfer ownership": [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "promote": [OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "remove member": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "see join requests": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "approve request": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "decline request": [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN],
    "join": [CONFLICT, CONFLICT, CONFLICT, OK, OK, LOGIN],
    "leave": [CONFLICT, OK, OK, CONFLICT, CONFLICT, LOGIN],
    "cancel request": [CONFLICT, CONFLICT, CONFLICT, OK, CONFLICT, LOGIN],
}


def _private(outcomes: list[str], action: str) -> list[str]:
    """A private club does not exist for people outside it; anonymous visitors of pages that need an
    account are still asked to log in first (that reveals nothing about the club)."""
    owner, moderator, member, _requester, _outsider, anonymous = outcomes
    anonymous_reads_missing = action in ("view", "list members")
    return [owner, moderator, member, MISSING, MISSING, MISSING if anonymous_reads_missing else LOGIN]


PRIVATE = {action: _private(outcomes, action) for action, outcomes in PUBLIC.items()}


def snapshot():
    return (
        sorted(Club.objects.values_list("slug", "name", "description", "invite_code", "visibility")),
        sorted(Membership.objects.values_list("club_id", "user_id", "role")),
        sorted(JoinRequest.objects.values_list("club_id", "user_id", "status")),
    )


CASES = [
    pytest.param(
        visibility,
        action_name,
        role,
        table[action_name][index],
        door,
        id=f"{visibility}-{action_name}-{role}-{door}",
    )
    for visibility, table in (("public", PUBLIC), ("private", PRIVATE))
    for action_name in ACTIONS
    for index, role in enumerate(ROLES)
    for door in ("html", "htmx", "api")
    if not (door == "api" and ACTIONS[action_name].api is None)
]


@pytest.mark.parametrize(("visibility", "action_name", "role", "outcome", "door"), CASES)
def test_permission_matrix(client, cast, visibility, action_name, role, outcome, door):
    if visibility == "private":
        Club.objects.filter(pk=cast.club.pk).update(visibility=Visibility.PRIVATE)
        cast.club.refresh_from_db()
    action = ACTIONS[action_name]
    actor = cast.user_for(role)
    before = snapshot()

    if door == "api":
        check_api(send_api(actor, *action.api(cast)), outcome)
    else:
        if actor:
            client.force_login(actor)
        method, url, data = action.html(cast)
        response = send_page(
            client, method, url, data, htmx=door == "htmx", current_url=f"/clubs/{cast.club.slug}/"
        )
        check_page(response, outcome, htmx=door == "htmx")

    check_data(before, snapshot(), outcome=outcome, changes_data=action.changes_data)
