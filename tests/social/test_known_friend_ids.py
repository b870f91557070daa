"""The profile rule reads the viewer's friend ids once per request; a friendship made or ended
through social.friends during that request shows at once, and nothing outlives the request."""

import pytest

from booky.core.request_memo import request_scope
from social import friends
from social.models import FriendRequest, ProfileVisibility, User
from social.permissions import profile_visible_q
from tests.factories import UserFactory
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


def _visible_to(viewer, user) -> bool:
    return User.objects.filter(profile_visible_q(viewer), pk=user.pk).exists()


@pytest.fixture
def pair():
    viewer = UserFactory()
    private_friend = UserFactory(profile_visibility=ProfileVisibility.FRIENDS)
    return viewer, private_friend


@pytest.fixture
def one_request():
    with request_scope():
        yield


def _accepted(viewer, other) -> None:
    friend_request = friends.friend_request_send(sender=other, to_user=viewer)
    friends.friend_request_accept(user=viewer, friend_request=FriendRequest.objects.get(pk=friend_request.pk))


def test_a_friends_only_profile_shows_once_the_request_is_accepted(pair, one_request):
    viewer, other = pair
    assert not _visible_to(viewer, other)

    _accepted(viewer, other)

    assert _visible_to(viewer, other)


def test_sending_back_a_request_makes_friends_and_shows_the_profile(pair, one_request):
    viewer, other = pair
    friends.friend_request_send(sender=other, to_user=viewer)
    assert not _visible_to(viewer, other)

    friends.friend_request_send(sender=viewer, to_user=other)

    assert _visible_to(viewer, other)


@pytest.mark.parametrize("how", ["unfriend", "block"])
def test_a_friends_only_profile_hides_again_when_the_friendship_ends(pair, one_request, how):
    viewer, other = pair
    _accepted(viewer, other)
    assert _visible_to(viewer, other)

    if how == "unfriend":
        friends.friendship_remove(user=viewer, other=other)
    else:
        friends.block_create(blocker=viewer, blocked=other)

    assert not _visible_to(viewer, other)


def test_the_friend_ids_are_read_once_per_request(pair, django_assert_num_queries):
    viewer, other = pair
    with request_scope():
        _visible_to(viewer, other)
        with django_assert_num_queries(2):  # the two checks, not the friend ids again
            _visible_to(viewer, other)
            _visible_to(viewer, UserFactory.build(pk=10_000))


def test_the_next_request_reads_them_again(pair):
    viewer, other = pair
    with request_scope():
        assert not _visible_to(viewer, other)
    befriend(viewer, other)  # not through social.friends: nothing was told
    with request_scope():
        assert _visible_to(viewer, other)
