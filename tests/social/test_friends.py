"""Friend requests, friendships and blocks as the services enforce them."""

import pytest
from django.db import IntegrityError, transaction

from booky.core.errors import Conflict, DomainError, NotAllowed, NotFound
from social import friends
from social.models import FriendRequest, FriendRequestStatus, Friendship, Notification, NotificationKind
from social.relationships import are_friends
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(db):
    return UserFactory(username="ann")


@pytest.fixture
def ben(db):
    return UserFactory(username="ben")


def test_request_then_accept_makes_one_friendship_and_notifies_both_ways(ann, ben):
    request = friends.friend_request_send(sender=ann, to_user=ben)
    assert Notification.objects.get(recipient=ben).kind == NotificationKind.FRIEND_REQUEST
    friends.friend_request_accept(user=ben, friend_request=request)
    assert are_friends(ann, ben) and are_friends(ben, ann)
    assert Friendship.objects.count() == 1
    assert Notification.objects.get(recipient=ann).kind == NotificationKind.FRIEND_ACCEPTED


def test_a_request_to_oneself_is_refused(ann):
    with pytest.raises(DomainError, match="yourself"):
        friends.friend_request_send(sender=ann, to_user=ann)
    assert not FriendRequest.objects.exists()


def test_the_database_refuses_self_requests_and_two_pending_per_pair(ann, ben):
    with pytest.raises(IntegrityError), transaction.atomic():
        FriendRequest.objects.create(from_user=ann, to_user=ann)
    FriendRequest.objects.create(from_user=ann, to_user=ben)
    with pytest.raises(IntegrityError), transaction.atomic():
        FriendRequest.objects.create(from_user=ben, to_user=ann)


def test_sending_twice_is_a_conflict(ann, ben):
    friends.friend_request_send(sender=ann, to_user=ben)
    with pytest.raises(Conflict, match="still waiting"):
        friends.friend_request_send(sender=ann, to_user=ben)


def test_a_crossing_request_becomes_a_friendship(ann, ben):
    friends.friend_request_send(sender=ann, to_user=ben)
    result = friends.friend_request_send(sender=ben, to_user=ann)
    assert isinstance(result, Friendship)
    assert FriendRequest.objects.get().status == FriendRequestStatus.ACCEPTED


def test_only_the_receiver_accepts_and_only_the_sender_cancels(ann, ben):
    request = friends.friend_request_send(sender=ann, to_user=ben)
    with pytest.raises(NotFound):
        friends.friend_request_accept(user=ann, friend_request=request)
    with pytest.raises(NotFound):
        friends.friend_request_cancel(user=ben, friend_request=request)
    friends.friend_request_cancel(user=ann, friend_request=request)
    with pytest.raises(Conflict, match="already cancelled"):
        friends.friend_request_accept(user=ben, friend_request=request)
    assert not Friendship.objects.exists()


def test_either_friend_can_unfriend(ann, ben):
    friends.friend_request_accept(
        user=ben, friend_request=friends.friend_request_send(sender=ann, to_user=ben)
    )
    friends.friendship_remove(user=ben, other=ann)
    assert not are_friends(ann, ben)
    with pytest.raises(NotFound):
        friends.friendship_remove(user=ann, other=ben)


def test_a_blocked_member_can_no_longer_send_requests(ann, ben):
    friends.friend_request_accept(
        user=ben, friend_request=friends.friend_request_send(sender=ann, to_user=ben)
    )
    friends.block_create(blocker=ben, blocked=ann)
    assert not are_friends(ann, ben)
    with pytest.raises(NotAllowed):
        friends.friend_request_send(sender=ann, to_user=ben)
    with pytest.raises(Conflict, match="Unblock"):
        friends.friend_request_send(sender=ben, to_user=ann)
    friends.block_remove(blocker=ben, blocked=ann)
    friends.friend_request_send(sender=ann, to_user=ben)


def test_blocking_withdraws_pending_requests(ann, ben):
    friends.friend_request_send(sender=ann, to_user=ben)
    friends.block_create(blocker=ben, blocked=ann)
    assert FriendRequest.objects.get().status == FriendRequestStatus.CANCELLED
