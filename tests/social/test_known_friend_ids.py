"""The profile rule reads the viewer's friend ids once per user object (once per request); a
friendship made or ended through social.friends shows at once on that same object."""

import pytest

from social import friends
from social.models import FriendRequest, ProfileVisibility, User
from social.permissions import profile_visible_q
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _visible_to(viewer, user) -> bool:
    return User.objects.filter(profile_visible_q(viewer), pk=user.pk).exists()


@pytest.fixture
def pair():
    viewer = UserFactory()
    private_friend = UserFactory(profile_visibility=ProfileVisibility.FRIENDS)
    return viewer, private_friend


def test_a_friends_only_profile_shows_once_the_request_is_accepted(pair):
    viewer, other = pair
    assert not _visible_to(viewer, other)
    friend_request = friends.friend_request_send(sender=other, to_user=viewer)

    friends.friend_request_accept(user=viewer, friend_request=FriendRequest.objects.get(pk=friend_request.pk))

    assert _visible_to(viewer, other)


def test_sending_back_a_request_makes_friends_and_shows_the_profile(pair):
    viewer, other = pair
    friends.friend_request_send(sender=other, to_user=viewer)
    assert not _visible_to(viewer, other)

    friends.friend_request_send(sender=viewer, to_user=other)

    assert _visible_to(viewer, other)


@pytest.mark.parametrize("how", ["unfriend", "block"])
def test_a_friends_only_profile_hides_again_when_the_friendship_ends(pair, how):
    viewer, other = pair
    friend_request = friends.friend_request_send(sender=other, to_user=viewer)
    friends.friend_request_accept(user=viewer, friend_request=FriendRequest.objects.get(pk=friend_request.pk))
    assert _visible_to(viewer, other)

    if how == "unfriend":
        friends.friendship_remove(user=viewer, other=other)
    else:
        friends.block_create(blocker=viewer, blocked=other)

    assert not _visible_to(viewer, other)


def test_the_friend_ids_are_read_once_per_viewer_object(pair, django_assert_num_queries):
    viewer, other = pair
    _visible_to(viewer, other)
    with django_assert_num_queries(2):  # the two checks, not the friend ids again
        _visible_to(viewer, other)
        _visible_to(viewer, UserFactory.build(pk=10_000))
