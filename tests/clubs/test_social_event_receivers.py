"""social.events' friendship_ended and user_blocked: social sends them inside its transaction, and
clubs.receivers withdraws the pending club invitations between the two, committing or rolling back
with the unfriending or the block."""

import pytest
from django.db import transaction

from booky.core.errors import NotFound
from clubs.invitations import invitation_send
from clubs.models import ClubInvitation, InvitationStatus
from social import events, friends
from social.models import Block, Friendship
from tests.factories import ClubFactory, UserFactory, add_member
from tests.social.notify_helpers import befriend

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


@pytest.fixture
def pair():
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    befriend(ann, bob)
    club = ClubFactory(name="Ann's club")
    add_member(club, ann)
    invitation_send(inviter=ann, club=club, invitee=bob)
    return ann, bob


def pending() -> int:
    return ClubInvitation.objects.filter(status=InvitationStatus.PENDING).count()


@pytest.fixture
def received():
    """What a test receiver got from each event, connected for the test only."""
    calls = []

    def on_unfriend(sender, **kwargs):
        calls.append(("friendship_ended", sender, kwargs))

    def on_block(sender, **kwargs):
        calls.append(("user_blocked", sender, kwargs))

    events.friendship_ended.connect(on_unfriend)
    events.user_blocked.connect(on_block)
    yield calls
    events.friendship_ended.disconnect(on_unfriend)
    events.user_blocked.disconnect(on_block)


def test_unfriending_sends_friendship_ended_with_both_members(pair, received):
    ann, bob = pair
    friends.friendship_remove(user=bob, other=ann)
    assert [(name, sender, kwargs["user"], kwargs["other"]) for name, sender, kwargs in received] == [
        ("friendship_ended", Friendship, bob, ann)
    ]


def test_blocking_sends_user_blocked_only(pair, received):
    ann, bob = pair
    friends.block_create(blocker=bob, blocked=ann)
    assert [(name, sender, kwargs["blocker"], kwargs["blocked"]) for name, sender, kwargs in received] == [
        ("user_blocked", Block, bob, ann)
    ]


def test_a_failed_unfriending_sends_nothing(pair, received):
    ann, bob = pair
    carol = UserFactory(username="carol")
    with pytest.raises(NotFound):
        friends.friendship_remove(user=ann, other=carol)
    assert received == []


def test_clubs_receives_friendship_ended_and_withdraws_the_invitations(pair):
    ann, bob = pair
    events.friendship_ended.send(sender=Friendship, user=ann, other=bob)
    assert pending() == 0


def test_clubs_receives_user_blocked_and_withdraws_the_invitations(pair):
    ann, bob = pair
    events.user_blocked.send(sender=Block, blocker=bob, blocked=ann)
    assert pending() == 0


def test_the_withdrawn_invitations_roll_back_with_the_unfriending(pair):
    ann, bob = pair
    with pytest.raises(Rollback), transaction.atomic():
        friends.friendship_remove(user=ann, other=bob)
        assert pending() == 0
        raise Rollback
    assert pending() == 1
    assert Friendship.objects.count() == 1


def test_the_withdrawn_invitations_roll_back_with_the_block(pair):
    ann, bob = pair
    with pytest.raises(Rollback), transaction.atomic():
        friends.block_create(blocker=ann, blocked=bob)
        assert pending() == 0
        raise Rollback
    assert pending() == 1
    assert not Block.objects.exists()
