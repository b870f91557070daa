"""Who sees a profile: visibility × viewer × door (page, HTMX fragment, API) → shown or 404.

A profile the viewer may not see answers exactly like a username that does not exist, so a hidden
profile cannot even be told apart from no profile at all.
"""

import pytest
from rest_framework.test import APIClient

from social import friends
from social.models import Friendship, ProfileVisibility
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VIEWERS = ["self", "friend", "stranger", "blocked", "anonymous"]
SHOWN, MISSING = "shown", "missing"

EXPECTED = {
    ProfileVisibility.PUBLIC: {
        "self": SHOWN,
        "friend": SHOWN,
        "stranger": SHOWN,
        # Public means public: anyone logged out sees it too, so hiding it from the blocked member
        # would protect nothing. They still cannot send requests (see test_friends_pages).
        "blocked": SHOWN,
        "anonymous": SHOWN,
    },
    ProfileVisibility.FRIENDS: {
        "self": SHOWN,
        "friend": SHOWN,
        "stranger": MISSING,
        "blocked": MISSING,
        "anonymous": MISSING,
    },
    ProfileVisibility.PRIVATE: {
        "self": SHOWN,
        "friend": MISSING,
        "stranger": MISSING,
        "blocked": MISSING,
        "anonymous": MISSING,
    },
}


def befriend(a, b):
    low, high = sorted([a, b], key=lambda user: user.pk)
    return Friendship.objects.create(user_low=low, user_high=high)


class Cast:
    def __init__(self, visibility):
        self.target = UserFactory(
            username="tara",
            display_name="Tara Hidden",
            bio="A bio nobody else should read.",
            profile_visibility=visibility,
        )
        self.friend = UserFactory(username="fred")
        befriend(self.target, self.friend)
        self.stranger = UserFactory(username="stan")
        # Blocked after having been a friend: the block ends the friendship.
        self.blocked = UserFactory(username="bob")
        befriend(self.target, self.blocked)
        friends.block_create(blocker=self.target, blocked=self.blocked)

    def viewer(self, name):
        return {
            "self": self.target,
            "friend": self.friend,
            "stranger": self.stranger,
            "blocked": self.blocked,
            "anonymous": None,
        }[name]


CASES = [
    pytest.param(visibility, viewer, EXPECTED[visibility][viewer], door, id=f"{visibility}-{viewer}-{door}")
    for visibility in ProfileVisibility.values
    for viewer in VIEWERS
    for door in ("html", "htmx", "api")
]


@pytest.mark.parametrize(("visibility", "viewer_name", "outcome", "door"), CASES)
def test_profile_visibility_matrix(client, visibility, viewer_name, outcome, door):
    cast = Cast(visibility)
    viewer = cast.viewer(viewer_name)
    if door == "api":
        api = APIClient()
        if viewer:
            api.force_authenticate(viewer)
        response = api.get("/api/v1/users/tara/")
        unknown = api.get("/api/v1/users/nobody-at-all/")
        if outcome == SHOWN:
            assert response.status_code == 200, response.content
            assert response.json()["bio"] == "A bio nobody else should read."
        else:
            assert response.status_code == 404
            assert response.json() == unknown.json() == {"detail": "Not found.", "code": "not_found"}
        return

    if viewer:
        client.force_login(viewer)
    headers = {"HX-Request": "true"} if door == "htmx" else {}
    response = client.get("/u/tara/", headers=headers)
    html = response.content.decode()
    if outcome == SHOWN:
        assert response.status_code == 200
        if door == "html":
            assert "A bio nobody else should read." in html and "Tara Hidden" in html
        else:
            assert "<html" not in html and 'id="relationship"' in html
    else:
        assert response.status_code == 404
        assert "Tara Hidden" not in html and "nobody else should read" not in html
        assert client.get("/u/nobody-at-all/", headers=headers).status_code == 404


@pytest.mark.parametrize("door", ["html", "api"])
def test_a_deleted_or_deactivated_account_has_no_profile_even_for_friends(client, door):
    cast = Cast(ProfileVisibility.PUBLIC)
    cast.target.is_active = False
    cast.target.save()
    client.force_login(cast.friend)
    if door == "html":
        assert client.get("/u/tara/").status_code == 404
    else:
        api = APIClient()
        api.force_authenticate(cast.friend)
        assert api.get("/api/v1/users/tara/").status_code == 404


def test_profile_urls_ignore_username_case(client):
    UserFactory(username="CamelCase", profile_visibility=ProfileVisibility.PUBLIC)
    assert client.get("/u/camelcase/").status_code == 200
