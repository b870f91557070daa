"""Leaderboards never name a member whose profile the viewer may not see.

Ranks are computed over everyone (a hidden member still takes their place, so the numbers are
honest), but on the global and friends boards a hidden member's row has no name, no username and no
link; on a club's board outsiders see them by "@username" only, and the club's members see them as
usual. The viewer's own row always shows.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bets.models import Account
from bets.services import account_open
from social.models import ProfileVisibility
from tests.factories import ClubFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db
HIDDEN_ROW = "A member with a private profile"


def member_with(points: int, *, username: str, visibility=ProfileVisibility.PUBLIC, club=None):
    user = UserFactory(
        username=username, display_name=f"{username.title()} SECRETNAME", profile_visibility=visibility
    )
    if visibility == ProfileVisibility.PUBLIC:
        user.display_name = f"{username.title()} Public"
        user.save(update_fields=["display_name"])
    account_open(user=user)
    Account.objects.filter(user=user).update(balance=points)
    if club is not None:
        add_member(club, user)
    return user


@pytest.fixture
def board():
    """grace (private, 500 points), frida (friends only, 400), pablo (public, 300)."""
    return {
        "grace": member_with(500, username="grace", visibility=ProfileVisibility.PRIVATE),
        "frida": member_with(400, username="frida", visibility=ProfileVisibility.FRIENDS),
        "pablo": member_with(300, username="pablo"),
    }


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page(client, user, path):
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("viewer", ["anonymous", "stranger"])
def test_the_global_board_hides_private_and_friends_only_members_from_strangers(client, board, viewer):
    user = UserFactory(username="stranger") if viewer == "stranger" else None

    html = page(client, user, "/leaderboards/global/")

    assert "SECRETNAME" not in html
    assert "grace" not in html and "frida" not in html
    assert html.count(HIDDEN_ROW) == 2
    assert "Pablo Public" in html
    # The hidden members keep their places: the public member is third.
    assert html.index("#1") < html.index(HIDDEN_ROW) < html.index("#3") < html.index("Pablo Public")


def test_a_friend_sees_a_friends_only_member_on_the_global_board_but_not_a_private_one(client, board):
    friend = UserFactory(username="friend")
    befriend(friend, board["frida"])
    befriend(friend, board["grace"])

    html = page(client, friend, "/leaderboards/global/")

    assert "Frida SECRETNAME" in html
    assert "Grace SECRETNAME" not in html and "grace" not in html
    assert html.count(HIDDEN_ROW) == 1


def test_the_friends_board_hides_a_private_friend_but_names_a_friends_only_one(client, board):
    me = member_with(10, username="me")
    befriend(me, board["frida"])
    befriend(me, board["grace"])

    html = page(client, me, "/leaderboards/friends/")

    assert "Frida SECRETNAME" in html
    assert "Grace SECRETNAME" not in html and "grace" not in html
    assert HIDDEN_ROW in html
    assert "pablo" not in html.lower()  # not a friend: not on this board at all


def test_my_own_row_shows_even_when_my_profile_is_private(client, board):
    html = page(client, board["grace"], "/leaderboards/global/")

    assert "Grace SECRETNAME" in html and "(you)" in html
    assert html.count(HIDDEN_ROW) == 1  # frida, not me


def test_the_api_gives_hidden_rows_no_username_and_no_name_but_their_rank(board):
    body = api().get("/api/v1/leaderboards/global/").json()

    assert "SECRETNAME" not in str(body) and "grace" not in str(body) and "frida" not in str(body)
    assert [(row["rank"], row["points"], row["user"]) for row in body["results"]] == [
        (1, 500, {"username": None, "display_name": None, "hidden": True}),
        (2, 400, {"username": None, "display_name": None, "hidden": True}),
        (3, 300, {"username": "pablo", "display_name": "Pablo Public"}),
    ]


def test_the_api_shows_me_my_own_row_and_standing(board):
    body = api(board["grace"]).get("/api/v1/leaderboards/global/").json()

    assert body["results"][0]["user"] == {"username": "grace", "display_name": "Grace SECRETNAME"}
    assert body["me"]["user"] == {"username": "grace", "display_name": "Grace SECRETNAME"}
    assert body["results"][1]["user"]["hidden"] is True


def test_the_friends_board_api_hides_a_private_friend(board):
    me = member_with(10, username="me")
    befriend(me, board["grace"])
    befriend(me, board["frida"])

    rows = api(me).get("/api/v1/leaderboards/friends/").json()["results"]

    assert [row["user"] for row in rows] == [
        {"username": None, "display_name": None, "hidden": True},
        {"username": "frida", "display_name": "Frida SECRETNAME"},
        {"username": "me", "display_name": "Me Public"},
    ]


@pytest.fixture
def club_board():
    club = ClubFactory(slug="readers")
    grace = member_with(500, username="grace", visibility=ProfileVisibility.PRIVATE, club=club)
    return club, grace


@pytest.mark.parametrize("viewer", ["anonymous", "outsider"])
def test_a_club_board_names_hidden_members_by_username_only_for_outsiders(client, club_board, viewer):
    user = UserFactory(username="outsider") if viewer == "outsider" else None

    html = page(client, user, "/leaderboards/club-readers/")
    rows = api(user).get("/api/v1/leaderboards/club-readers/").json()["results"]

    assert "SECRETNAME" not in html and "@grace" in html
    grace_row = next(row["user"] for row in rows if row["user"]["username"] == "grace")
    assert grace_row == {"username": "grace", "display_name": None, "hidden": True}


def test_a_club_board_names_every_member_for_a_fellow_member(client, club_board):
    club, _grace = club_board
    fellow = add_member(club, UserFactory(username="fellow")).user

    html = page(client, fellow, "/leaderboards/club-readers/")
    rows = api(fellow).get("/api/v1/leaderboards/club-readers/").json()["results"]

    assert "Grace SECRETNAME" in html
    assert {"username": "grace", "display_name": "Grace SECRETNAME"} in [row["user"] for row in rows]


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path", ["/leaderboards/global/", "/api/v1/leaderboards/global/", "/leaderboards/friends/"]
)
def test_hiding_names_costs_the_same_queries_for_3_or_30_hidden_members(client, path):
    me = member_with(1, username="me")
    client.force_login(me)

    def add_members(count):
        for visibility in [ProfileVisibility.PRIVATE, ProfileVisibility.FRIENDS] * (count // 2):
            other = member_with(
                50, username=f"m{UserFactory._meta.model.objects.count()}", visibility=visibility
            )
            befriend(me, other)

    add_members(4)
    few = _queries(client, path)
    add_members(30)
    assert _queries(client, path) == few
