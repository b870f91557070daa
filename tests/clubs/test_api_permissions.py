"""Who may do what through the clubs API: roles × actions → status, for a public and a private club."""

import pytest

from clubs.models import JoinRequest, Visibility
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db


def _request(api_client, cast, action: str):
    club = cast.club
    base = f"/api/v1/clubs/{club.slug}/"
    join_request = JoinRequest.objects.get(user=cast.requester)
    calls = {
        "read": lambda: api_client.get(base),
        "edit": lambda: api_client.patch(base, {"description": "Changed"}, format="json"),
        "delete": lambda: api_client.delete(base),
        "rotate-invite": lambda: api_client.post(f"{base}rotate-invite/"),
        "transfer": lambda: api_client.post(
            f"{base}transfer/", {"username": cast.member.username}, format="json"
        ),
        "list-members": lambda: api_client.get(f"{base}members/"),
        "change-role": lambda: api_client.patch(
            f"{base}members/{cast.member.username}/", {"role": "moderator"}, format="json"
        ),
        "remove-member": lambda: api_client.delete(f"{base}members/{cast.member.username}/"),
        "list-requests": lambda: api_client.get(f"{base}join-requests/"),
        "approve": lambda: api_client.post(f"{base}join-requests/{join_request.pk}/approve/"),
        "decline": lambda: api_client.post(f"{base}join-requests/{join_request.pk}/decline/"),
    }
    return calls[action]()


# Expected status per role, in the order of ROLES: owner, moderator, member, requester, outsider, anonymous.
PUBLIC_CLUB = {
    "read": [200, 200, 200, 200, 200, 200],
    "edit": [200, 200, 403, 403, 403, 401],
    "delete": [204, 403, 403, 403, 403, 401],
    "rotate-invite": [200, 403, 403, 403, 403, 401],
    "transfer": [200, 403, 403, 403, 403, 401],
    "list-members": [200, 200, 200, 200, 200, 200],
    "change-role": [200, 403, 403, 403, 403, 401],
    "remove-member": [204, 204, 403, 403, 403, 401],
    "list-requests": [200, 200, 403, 403, 403, 401],
    "approve": [200, 200, 403, 403, 403, 401],
    "decline": [200, 200, 403, 403, 403, 401],
}

# A private club does not exist for people outside it; anonymous writes are asked to log in first.
PRIVATE_CLUB = {
    action: [*statuses[:3], 404, 404, 401 if statuses[5] == 401 else 404]
    for action, statuses in PUBLIC_CLUB.items()
}

CASES = [
    (visibility, action, role, table[action][index])
    for visibility, table in (("public", PUBLIC_CLUB), ("private", PRIVATE_CLUB))
    for action in table
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("visibility", "action", "role", "expected"), CASES)
def test_roles_and_actions(api_client, cast, visibility, action, role, expected):
    if visibility == "private":
        cast.club.visibility = Visibility.PRIVATE
        cast.club.save()
    actor = cast.user_for(role)
    if actor:
        api_client.force_authenticate(actor)

    response = _request(api_client, cast, action)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) >= {"detail", "code"}


@pytest.mark.parametrize("role", ["requester", "outsider"])
@pytest.mark.parametrize("action", ["join", "leave", "withdraw-request"])
def test_private_club_membership_actions_are_404_for_people_outside_it(api_client, cast, role, action):
    cast.club.visibility = Visibility.PRIVATE
    cast.club.save()
    api_client.force_authenticate(cast.user_for(role))
    base = f"/api/v1/clubs/{cast.club.slug}/"

    if action == "join":
        response = api_client.post(f"{base}join/", format="json")
    elif action == "leave":
        response = api_client.post(f"{base}leave/")
    else:
        response = api_client.delete(f"{base}join-request/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert JoinRequest.objects.filter(user=cast.requester).exists()


@pytest.mark.parametrize("action", ["join", "leave", "withdraw-request"])
def test_anonymous_membership_actions_are_401(api_client, cast, action):
    base = f"/api/v1/clubs/{cast.club.slug}/"
    if action == "withdraw-request":
        response = api_client.delete(f"{base}join-request/")
    else:
        response = api_client.post(f"{base}{action}/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
