"""The friends leaderboard: me and my friends only, in the API at leaderboards/friends/."""

import pytest
from django.utils.html import escape

from bets.leaderboards import board_for, leaderboard, rank_of
from bets.services import account_open, points_adjust
from social.models import Block
from tests.factories import UserFactory
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_ledgerentry"))
    return UserFactory._meta.model.objects.get(pk=user.pk)


def _with_points(moderator, user, extra):
    account_open(user=user)
    if extra:
        points_adjust(actor=moderator, user=user, amount=extra, note="test")
    return user


def test_friends_board_ranks_me_and_my_friends_only(moderator):
    me = _with_points(moderator, UserFactory(), 0)
    friend = _with_points(moderator, UserFactory(), 50)
    other_friend = _with_points(moderator, UserFactory(), -20)
    stranger = _with_points(moderator, UserFactory(), 500)
    befriend(me, friend)
    befriend(me, other_friend)
    befriend(stranger, friend)  # a friend's friend is not mine
    board = board_for("friends", "all", viewer=me)
    rows = list(leaderboard(board, viewer=me))
    assert [row.pk for row in rows] == [friend.pk, me.pk, other_friend.pk]
    assert [row.rank for row in rows] == [1, 2, 3]
    assert rank_of(me, board).rank == 2


def test_blocking_ends_the_friendship_and_the_board_follows(moderator):
    from social.friends import block_create

    me = _with_points(moderator, UserFactory(), 0)
    friend = _with_points(moderator, UserFactory(), 10)
    befriend(me, friend)
    block_create(blocker=me, blocked=friend)
    assert Block.objects.count() == 1
    assert [row.pk for row in leaderboard(board_for("friends", "all", viewer=me), viewer=me)] == [me.pk]


def test_api_friends_board(api_client, moderator):
    me = _with_points(moderator, UserFactory(), 0)
    friend = _with_points(moderator, UserFactory(), 5)
    _with_points(moderator, UserFactory(), 900)
    befriend(me, friend)
    api_client.force_authenticate(me)
    body = api_client.get("/api/v1/leaderboards/friends/").json()
    assert body["scope"] == "friends"
    assert [row["user"]["username"] for row in body["results"]] == [friend.username, me.username]
    assert body["me"]["rank"] == 2
    assert api_client.get("/api/v1/leaderboards/friends/?period=30d").status_code == 200


def test_api_friends_board_needs_login(api_client, db):
    response = api_client.get("/api/v1/leaderboards/friends/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_leaderboard_page_has_a_friends_tab_listing_me_and_my_friends(client, moderator):
    me = _with_points(moderator, UserFactory(), 0)
    friend = _with_points(moderator, UserFactory(), 5)
    stranger = _with_points(moderator, UserFactory(), 900)
    befriend(me, friend)
    client.force_login(me)
    assert 'href="/leaderboards/friends/"' in client.get("/leaderboards/").text
    page = client.get("/leaderboards/friends/").text
    assert escape(friend.name) in page and escape(me.name) in page
    assert escape(stranger.name) not in page


def test_the_friends_leaderboard_page_asks_visitors_to_log_in(client, db):
    response = client.get("/leaderboards/friends/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
