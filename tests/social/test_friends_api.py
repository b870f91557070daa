"""The friends API: friends, friend requests, blocks, profiles and me/ PATCH; errors are JSON."""

import pytest
from rest_framework.test import APIClient

from social import friends
from social.models import Block, FriendRequest, FriendRequestStatus, Friendship, ProfileVisibility
from social.relationships import are_friends
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(db):
    return UserFactory(username="me", display_name="Mia")


@pytest.fixture
def api(me):
    client = APIClient()
    client.force_authenticate(me)
    return client


@pytest.fixture
def ann(db):
    return UserFactory(username="ann", display_name="Ann Public")


def befriend(a, b):
    low, high = sorted([a, b], key=lambda user: user.pk)
    return Friendship.objects.create(user_low=low, user_high=high)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert {"detail", "code"} <= set(body)
    if code:
        assert body["code"] == code, body
    return body


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/friends/"),
        ("delete", "/api/v1/friends/ann/"),
        ("get", "/api/v1/friend-requests/"),
        ("post", "/api/v1/friend-requests/"),
        ("post", "/api/v1/friend-requests/1/accept/"),
        ("get", "/api/v1/blocks/"),
        ("post", "/api/v1/blocks/"),
        ("delete", "/api/v1/blocks/ann/"),
        ("patch", "/api/v1/me/"),
    ],
)
def test_everything_but_profiles_needs_a_login(ann, method, url):
    assert_error(getattr(APIClient(), method)(url, {}, format="json"), 401)


def test_send_then_accept_then_list_friends_then_unfriend(api, me, ann):
    response = api.post("/api/v1/friend-requests/", {"to": "ANN"}, format="json")
    assert response.status_code == 201
    request_id = response.json()["id"]
    assert response.json() | {"created_at": None} == {
        "id": request_id,
        "from_user": "me",
        "to_user": "ann",
        "status": "pending",
        "created_at": None,
        "decided_at": None,
    }
    ann_api = APIClient()
    ann_api.force_authenticate(ann)
    incoming = ann_api.get("/api/v1/friend-requests/", {"direction": "incoming"}).json()["results"]
    assert [item["id"] for item in incoming] == [request_id]
    assert ann_api.get("/api/v1/friend-requests/", {"direction": "outgoing"}).json()["results"] == []
    accepted = ann_api.post(f"/api/v1/friend-requests/{request_id}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"

    listing = api.get("/api/v1/friends/").json()
    assert listing["count"] == 1
    assert listing["results"] == [
        {
            "username": "ann",
            "display_name": "Ann Public",
            "avatar_url": None,
            "profile_visible": True,
            "relationship": "friend",
        }
    ]
    assert api.delete("/api/v1/friends/ann/").status_code == 204
    assert not are_friends(me, ann)
    assert_error(api.delete("/api/v1/friends/ann/"), 404)


def test_a_friend_with_a_private_profile_is_listed_by_username_only(api, me):
    hermit = UserFactory(
        username="hermit", display_name="Secret Name", profile_visibility=ProfileVisibility.PRIVATE
    )
    befriend(me, hermit)
    [row] = api.get("/api/v1/friends/").json()["results"]
    assert row == {
        "username": "hermit",
        "display_name": None,
        "avatar_url": None,
        "profile_visible": False,
        "relationship": "friend",
    }
    assert "Secret Name" not in api.get("/api/v1/friends/").content.decode()


def test_decline_and_cancel_and_deciding_twice_is_409(api, me, ann):
    request = friends.friend_request_send(sender=ann, to_user=me)
    assert api.post(f"/api/v1/friend-requests/{request.pk}/decline/").json()["status"] == "declined"
    assert_error(api.post(f"/api/v1/friend-requests/{request.pk}/accept/"), 409, "already_decided")
    mine = api.post("/api/v1/friend-requests/", {"to": "ann"}, format="json").json()
    assert api.post(f"/api/v1/friend-requests/{mine['id']}/cancel/").json()["status"] == "cancelled"


def test_only_the_receiver_accepts_and_only_the_sender_cancels(api, me, ann):
    request = friends.friend_request_send(sender=me, to_user=ann)
    assert_error(api.post(f"/api/v1/friend-requests/{request.pk}/accept/"), 404)
    other = friends.friend_request_send(sender=UserFactory(), to_user=UserFactory())
    assert_error(api.post(f"/api/v1/friend-requests/{other.pk}/decline/"), 404)
    assert FriendRequest.objects.get(pk=other.pk).status == FriendRequestStatus.PENDING
    assert FriendRequest.objects.get(pk=request.pk).status == FriendRequestStatus.PENDING


@pytest.mark.parametrize(
    ("payload", "setup", "status", "code"),
    [
        ({"to": "me"}, None, 400, "self_request"),
        ({"to": "nobody"}, None, 404, "unknown_user"),
        ({}, None, 400, "invalid"),
        ({"to": ["ann"]}, None, 400, "invalid"),
        ({"to": "ann"}, "already_sent", 409, "already_sent"),
        ({"to": "ann"}, "friends", 409, "already_friends"),
        ({"to": "ann"}, "blocked_me", 403, "blocked"),
        ({"to": "ann"}, "i_blocked", 409, "you_blocked"),
    ],
)
def test_bad_friend_requests_are_refused_and_change_nothing(api, me, ann, payload, setup, status, code):
    if setup == "already_sent":
        friends.friend_request_send(sender=me, to_user=ann)
    elif setup == "friends":
        befriend(me, ann)
    elif setup == "blocked_me":
        friends.block_create(blocker=ann, blocked=me)
    elif setup == "i_blocked":
        friends.block_create(blocker=me, blocked=ann)
    before = (sorted(FriendRequest.objects.values_list("pk", "status")), Friendship.objects.count())
    assert_error(api.post("/api/v1/friend-requests/", payload, format="json"), status, code)
    assert (sorted(FriendRequest.objects.values_list("pk", "status")), Friendship.objects.count()) == before


def test_a_crossing_request_answers_200_with_their_accepted_request(api, me, ann):
    theirs = friends.friend_request_send(sender=ann, to_user=me)
    response = api.post("/api/v1/friend-requests/", {"to": "ann"}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == theirs.pk and response.json()["status"] == "accepted"
    assert are_friends(me, ann)


def test_unknown_direction_is_a_400(api):
    assert_error(api.get("/api/v1/friend-requests/", {"direction": "sideways"}), 400)


def test_sending_is_rate_limited_with_a_429_json(api, me):
    people = [UserFactory() for _ in range(21)]
    for person in people[:20]:
        assert api.post("/api/v1/friend-requests/", {"to": person.username}, format="json").status_code == 201
    body = assert_error(api.post("/api/v1/friend-requests/", {"to": people[20].username}, format="json"), 429)
    assert body == {
        "detail": "You have sent 20 friend requests in the last hour. Wait a while, then try again.",
        "code": "rate_limited",
    }
    assert not FriendRequest.objects.filter(to_user=people[20]).exists()


def test_block_list_and_unblock(api, me, ann):
    befriend(me, ann)
    response = api.post("/api/v1/blocks/", {"username": "ann"}, format="json")
    assert response.status_code == 201 and response.json()["username"] == "ann"
    assert not are_friends(me, ann)
    assert [row["username"] for row in api.get("/api/v1/blocks/").json()["results"]] == ["ann"]
    assert_error(api.post("/api/v1/blocks/", {"username": "ann"}, format="json"), 409, "already_blocked")
    assert_error(api.post("/api/v1/blocks/", {"username": "me"}, format="json"), 400, "self_block")
    assert_error(api.post("/api/v1/blocks/", {"username": "nobody"}, format="json"), 404)
    assert api.delete("/api/v1/blocks/ann/").status_code == 204
    assert_error(api.delete("/api/v1/blocks/ann/"), 404)
    assert not Block.objects.exists()


def test_usernames_with_dots_work_in_urls(api, me):
    dotted = UserFactory(username="j.r.r")
    befriend(me, dotted)
    assert api.get("/api/v1/users/j.r.r/").status_code == 200
    assert api.delete("/api/v1/friends/j.r.r/").status_code == 204


def test_profile_api_shows_the_relationship_and_no_private_club(api, me, ann):
    friends.friend_request_send(sender=ann, to_user=me)
    body = api.get("/api/v1/users/ann/").json()
    assert body["relationship"] == "incoming_request"
    assert body["display_name"] == "Ann Public" and body["points"] == 0 and body["rank"] is None
    assert api.get("/api/v1/users/me/").json()["relationship"] == "self"


def test_me_patch_sets_profile_visibility_and_keeps_the_rest(api, me):
    response = api.patch("/api/v1/me/", {"profile_visibility": "friends"}, format="json")
    assert response.status_code == 200
    assert response.json()["profile_visibility"] == "friends"
    assert response.json()["display_name"] == "Mia"
    me.refresh_from_db()
    assert me.profile_visibility == "friends"


def test_me_patch_refuses_an_unknown_visibility(api, me):
    body = assert_error(api.patch("/api/v1/me/", {"profile_visibility": "everyone"}, format="json"), 400)
    assert "profile_visibility" in body["errors"]
    me.refresh_from_db()
    assert me.profile_visibility == "public"
