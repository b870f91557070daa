"""The friends page: lists, find people, send by username, in-place accept/decline, rate limit, cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from social import friends
from social.models import Block, FriendRequest, FriendRequestStatus, Friendship, ProfileVisibility
from social.relationships import are_friends
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/friends/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def me(client):
    user = UserFactory(username="me", display_name="Mia Me")
    client.force_login(user)
    return user


def befriend(a, b):
    low, high = sorted([a, b], key=lambda user: user.pk)
    return Friendship.objects.create(user_low=low, user_high=high)


def pending(from_user, to_user):
    return FriendRequest.objects.filter(
        from_user=from_user, to_user=to_user, status=FriendRequestStatus.PENDING
    )


# --- the page ---------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_full_page_lists_friends_incoming_outgoing_and_blocked(client, me):
    befriend(me, UserFactory(username="frida", display_name="Frida Friend"))
    friends.friend_request_send(sender=UserFactory(username="ivan", display_name="Ivan Incoming"), to_user=me)
    friends.friend_request_send(sender=me, to_user=UserFactory(username="olga", display_name="Olga Outgoing"))
    friends.block_create(blocker=me, blocked=UserFactory(username="boris", display_name="Boris Blocked"))
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'aria-current="page">Friends</a>' in html
    for name in ("Frida Friend", "Ivan Incoming", "Olga Outgoing", "Boris Blocked"):
        assert name in html
    assert "Unfriend" in html and "Accept" in html and "Decline" in html
    assert "Cancel request" in html and "Unblock" in html
    assert 'action="/friends/send/"' in html and 'data-hx-post="/friends/send/"' in html


def test_empty_page_says_what_to_do(client, me):
    html = client.get(URL).content.decode()
    assert "No friends yet." in html
    assert "No requests waiting for an answer." in html
    assert "You have not blocked anyone." in html


def test_search_fragment_shows_matches_with_their_state(client, me):
    UserFactory(username="annie", display_name="Annie Stranger")
    befriend(me, UserFactory(username="anton", display_name="Anton Friend"))
    friends.friend_request_send(sender=me, to_user=UserFactory(username="anya", display_name="Anya Asked"))
    response = client.get(URL, {"q": "an"}, headers={**HTMX, "HX-Target": "people-results"})
    html = response.content.decode()
    assert response.status_code == 200
    # The fragment opens with its <title> (htmx sets the tab's title from it), then the region.
    title, region = html.lstrip().split("\n", 1)
    assert title == "<title>People matching “an” · Friends · Booky</title>"
    assert "<html" not in html and region.lstrip().startswith('<div id="people-results"')
    assert "Annie Stranger" in html and "Add friend" in html
    assert "Anton Friend" in html and "Friends</span>" in html
    assert "Anya Asked" in html and "Request sent" in html


def test_search_matches_display_names_too_and_never_lists_me(client, me):
    UserFactory(username="zz1", display_name="Tolstoy Fan")
    html = client.get(URL, {"q": "tolstoy"}).content.decode()
    assert "Tolstoy Fan" in html
    html = client.get(URL, {"q": "Mia"}).content.decode()
    assert "Nobody matches “Mia”." in html


def test_search_with_one_character_asks_for_more(client, me):
    assert "Type at least 2 characters." in client.get(URL, {"q": "a"}).content.decode()


def test_search_never_lists_people_who_blocked_me(client, me):
    blocker = UserFactory(username="blocker", display_name="Blocking Betty")
    friends.block_create(blocker=blocker, blocked=me)
    for query in ("block", "Betty", "blocker"):
        html = client.get(URL, {"q": query}).content.decode()
        assert "Blocking Betty" not in html and "@blocker" not in html


@pytest.mark.parametrize("visibility", [ProfileVisibility.PRIVATE, ProfileVisibility.FRIENDS])
def test_hidden_profiles_match_only_their_exact_username_and_show_no_details(client, me, visibility):
    UserFactory(username="hermit", display_name="Secret Name", profile_visibility=visibility)
    assert "hermit" not in client.get(URL, {"q": "Secret"}).content.decode()
    assert "hermit" not in client.get(URL, {"q": "herm"}).content.decode()
    html = client.get(URL, {"q": "HERMIT"}).content.decode()
    assert "@hermit" in html and "Add friend" in html
    assert "Secret Name" not in html and "/u/hermit/" not in html.replace(
        'action="/u/hermit/add/"', ""
    ).replace('data-hx-post="/u/hermit/add/"', "")


def test_a_friends_only_profile_is_searchable_by_name_for_friends(client, me):
    friend = UserFactory(
        username="quiet", display_name="Quiet Quentin", profile_visibility=ProfileVisibility.FRIENDS
    )
    befriend(me, friend)
    html = client.get(URL, {"q": "Quentin"}).content.decode()
    assert "Quiet Quentin" in html and 'href="/u/quiet/"' in html


# --- send by username -----------------------------------------------------------------------------


def test_sending_by_username_redirects_with_a_message(client, me):
    ann = UserFactory(username="ann", display_name="Ann")
    response = client.post("/friends/send/", {"username": "@ANN"}, headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == URL
    assert pending(me, ann).exists()
    assert "Friend request sent to Ann." in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("username", "setup", "message", "status"),
    [
        ("me", None, "You cannot send a friend request to yourself.", 422),
        ("nobody", None, "There is no member with the username “nobody”.", 422),
        ("", None, "This field is required.", 422),
        ("ann", "already_sent", "Your request to Ann is still waiting for an answer.", 409),
        ("ann", "friends", "You and Ann are already friends.", 409),
        ("ann", "blocked_me", "You cannot send a friend request to this member.", 422),
        ("ann", "i_blocked", "You blocked this member. Unblock them first.", 409),
    ],
)
def test_bad_requests_by_username_are_refused_in_the_form_and_change_nothing(
    client, me, username, setup, message, status
):
    ann = UserFactory(username="ann", display_name="Ann")
    if setup == "already_sent":
        friends.friend_request_send(sender=me, to_user=ann)
    elif setup == "friends":
        befriend(me, ann)
    elif setup == "blocked_me":
        friends.block_create(blocker=ann, blocked=me)
    elif setup == "i_blocked":
        friends.block_create(blocker=me, blocked=ann)
    before = (list(FriendRequest.objects.values_list("pk", "status")), Friendship.objects.count())
    response = client.post("/friends/send/", {"username": username}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == status
    assert "<html" not in html and html.lstrip().startswith('<form id="send-form"')
    assert message in html
    assert (list(FriendRequest.objects.values_list("pk", "status")), Friendship.objects.count()) == before


def test_an_invalid_send_without_javascript_renders_the_whole_page_with_422(client, me):
    response = client.post("/friends/send/", {"username": "nobody"})
    html = response.content.decode()
    assert response.status_code == 422 and "<html" in html
    assert "There is no member with the username “nobody”." in html


def test_a_crossing_request_makes_friends_at_once(client, me):
    ann = UserFactory(username="ann", display_name="Ann")
    friends.friend_request_send(sender=ann, to_user=me)
    response = client.post("/friends/send/", {"username": "ann"}, follow=True)
    assert "Ann had already asked you: you are now friends." in response.content.decode()
    assert are_friends(me, ann)
    assert not FriendRequest.objects.filter(status=FriendRequestStatus.PENDING).exists()


def test_sending_is_limited_to_20_an_hour_with_a_clear_429(client, me):
    people = [UserFactory() for _ in range(21)]
    for person in people[:20]:
        assert client.post("/friends/send/", {"username": person.username}, headers=HTMX).status_code == 200
    response = client.post("/friends/send/", {"username": people[20].username}, headers=HTMX)
    assert response.status_code == 429
    assert "You have sent 20 friend requests in the last hour." in response.content.decode()
    assert not pending(me, people[20]).exists()
    # The buttons on profiles and rows count against the same limit.
    response = client.post(f"/u/{people[20].username}/add/", {"view": "row"}, headers=HTMX)
    assert response.status_code == 429 and not pending(me, people[20]).exists()


# --- row buttons ------------------------------------------------------------------------------------


def test_accepting_an_incoming_request_swaps_the_row_in_place(client, me):
    ivan = UserFactory(username="ivan", display_name="Ivan")
    friends.friend_request_send(sender=ivan, to_user=me)
    response = client.post("/u/ivan/accept/", {"view": "row", "next": URL}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="person-{ivan.pk}" class="person-row"')
    assert "You and Ivan are now friends." in html and "Unfriend" in html
    assert are_friends(me, ivan)


def test_declining_swaps_the_row_and_a_second_decline_is_a_409(client, me):
    ivan = UserFactory(username="ivan", display_name="Ivan")
    friends.friend_request_send(sender=ivan, to_user=me)
    response = client.post("/u/ivan/decline/", {"view": "row"}, headers=HTMX)
    assert response.status_code == 200
    assert "You declined the request from Ivan." in response.content.decode()
    assert "Add friend" in response.content.decode()
    again = client.post("/u/ivan/decline/", {"view": "row"}, headers=HTMX)
    assert again.status_code == 409
    assert "There is no pending friend request between you any more." in again.content.decode()
    assert not are_friends(me, ivan)


def test_cancel_unfriend_and_unblock_from_rows(client, me):
    olga, frida, boris = (
        UserFactory(username=name, display_name=name.title()) for name in ("olga", "frida", "boris")
    )
    friends.friend_request_send(sender=me, to_user=olga)
    befriend(me, frida)
    friends.block_create(blocker=me, blocked=boris)
    assert (
        "Your friend request to Olga is cancelled."
        in client.post("/u/olga/cancel/", {"view": "row"}, headers=HTMX).content.decode()
    )
    assert (
        "You and Frida are no longer friends."
        in client.post("/u/frida/unfriend/", {"view": "row"}, headers=HTMX).content.decode()
    )
    assert (
        "You unblocked Boris."
        in client.post("/u/boris/unblock/", {"view": "row"}, headers=HTMX).content.decode()
    )
    assert not pending(me, olga).exists() and not are_friends(me, frida)
    assert not Block.objects.exists()


def test_without_javascript_row_buttons_go_back_to_the_page_they_came_from(client, me):
    friends.friend_request_send(sender=UserFactory(username="ivan", display_name="Ivan"), to_user=me)
    response = client.post("/u/ivan/accept/", {"view": "row", "next": "/friends/?q=iv"})
    assert response.status_code == 302 and response.url == "/friends/?q=iv"
    response = client.post("/u/ivan/unfriend/", {"view": "row", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/u/ivan/"


def test_block_then_request_is_refused_both_ways(client, me):
    ann = UserFactory(username="ann", display_name="Ann")
    friends.block_create(blocker=ann, blocked=me)
    response = client.post("/u/ann/add/", {"view": "row"}, headers=HTMX)
    assert response.status_code == 422
    assert "You cannot send a friend request to this member." in response.content.decode()
    client.force_login(ann)
    response = client.post("/u/me/add/", {"view": "row"}, headers=HTMX)
    assert response.status_code == 409 and "Unblock them first." in response.content.decode()
    assert not FriendRequest.objects.exists()


def test_a_request_to_myself_from_a_row_is_refused(client, me):
    response = client.post("/u/me/add/", {"view": "row"}, headers=HTMX)
    assert response.status_code == 422
    assert "You cannot send a friend request to yourself." in response.content.decode()
    assert not FriendRequest.objects.exists()


# --- cost --------------------------------------------------------------------------------------------


def _page_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params or {}).status_code == 200
    return len(queries)


def _populate(me, count, prefix):
    for index in range(count):
        befriend(me, UserFactory(username=f"{prefix}f{index}"))
        friends.friend_request_send(sender=UserFactory(username=f"{prefix}i{index}"), to_user=me)
        friends.friend_request_send(sender=me, to_user=UserFactory(username=f"{prefix}o{index}"))
        friends.block_create(blocker=me, blocked=UserFactory(username=f"{prefix}b{index}"))


def test_the_friends_page_costs_the_same_with_3_or_30_people_in_each_list(client, me):
    _populate(me, 3, "x")
    few = _page_queries(client, {"q": "x"})
    _populate(me, 27, "y")
    many = _page_queries(client, {"q": "y"})
    assert few == many
    assert many <= 9  # with the viewer's friend ids, read once for the profile rule
