"""Friends, friend requests and blocks: every write. The reads (are_friends, friends_of, ...) are in
social.relationships.

Named for what it holds (the house style's services.py for this part of the social app); the
profile writes stay in social/services.py. What higher apps do when a friendship ends or a member is
blocked (club invitations withdrawn) they do on social.events' signals.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from booky.core.errors import Conflict, DomainError, NotAllowed, NotFound
from social.events import friendship_ended, user_blocked
from social.models import Block, FriendRequest, FriendRequestStatus, Friendship, NotificationKind, User
from social.notifications import notifications_withdraw, notify
from social.permissions import shown_name
from social.relationships import are_friends, forget_friends, is_blocked, pair


def friend_request_key(request_id: int) -> str:
    """The key of a request's notification, so withdrawing the request can withdraw it too."""
    return f"friend_request:{request_id}"


def _befriend(a: User, b: User) -> Friendship:
    low, high = pair(a, b)
    friendship, _created = Friendship.objects.get_or_create(user_low_id=low, user_high_id=high)
    forget_friends(a, b)
    return friendship


@transaction.atomic
def friend_request_send(*, sender: User, to_user: User) -> FriendRequest | Friendship:
    """Ask `to_user` to be friends. If they already asked `sender`, the two become friends at once."""
    if not sender.is_authenticated:
        raise NotAllowed("Log in first.", code="not_authenticated")
    if to_user is None or not to_user.is_active:
        raise NotFound("There is no member with that username.")
    if to_user.pk == sender.pk:
        raise DomainError("You cannot send a friend request to yourself.", code="self_request")
    if is_blocked(blocker=to_user, blocked=sender):
        # Same words as an unknown user would get would be a lie; a plain refusal does not say why.
        raise NotAllowed("You cannot send a friend request to this member.", code="blocked")
    if is_blocked(blocker=sender, blocked=to_user):
        raise Conflict("You blocked this member. Unblock them first.", code="you_blocked")
    if are_friends(sender, to_user):
        raise Conflict(f"You and {shown_name(sender, to_user)} are already friends.", code="already_friends")
    # Lock both users' pending requests in one order so crossing requests cannot both be created.
    pending = list(
        FriendRequest.objects.select_for_update()
        .filter(status=FriendRequestStatus.PENDING)
        .filter(Q(from_user=sender, to_user=to_user) | Q(from_user=to_user, to_user=sender))
    )
    for request in pending:
        if request.from_user_id == sender.pk:
            raise Conflict(
                f"Your request to {shown_name(sender, to_user)} is still waiting for an answer.",
                code="already_sent",
            )
        # They asked first: sending back means yes.
        return friend_request_accept(user=sender, friend_request=request)
    try:
        with transaction.atomic():
            friend_request = FriendRequest.objects.create(from_user=sender, to_user=to_user)
    except IntegrityError as error:  # a crossing request won the race
        raise Conflict(
            "A request between you two was just sent. Reload to see it.", code="already_sent"
        ) from error
    notify(
        recipient=to_user,
        kind=NotificationKind.FRIEND_REQUEST,
        actor=sender,
        message=f"{shown_name(to_user, sender)} wants to be your friend.",
        url="/friends/",
        dedupe_key=friend_request_key(friend_request.pk),
    )
    return friend_request


def _decide(
    *, user: User, friend_request: FriendRequest, status: str, as_sender: bool = False
) -> FriendRequest:
    locked = (
        FriendRequest.objects.select_for_update()
        .select_related("from_user", "to_user")
        .filter(pk=friend_request.pk)
        .first()
    )
    if locked is None or (locked.from_user_id if as_sender else locked.to_user_id) != user.pk:
        raise NotFound("No such friend request.")
    if locked.status != FriendRequestStatus.PENDING:
        raise Conflict(
            f"This request was already {locked.get_status_display().lower()}.", code="already_decided"
        )
    locked.status = status
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    return locked


@transaction.atomic
def friend_request_accept(*, user: User, friend_request: FriendRequest) -> Friendship:
    """The receiver says yes: one friendship for the pair."""
    request = _decide(user=user, friend_request=friend_request, status=FriendRequestStatus.ACCEPTED)
    friendship = _befriend(request.from_user, request.to_user)
    forget_friends(user)
    notify(
        recipient=request.from_user,
        kind=NotificationKind.FRIEND_ACCEPTED,
        actor=user,
        message=f"{shown_name(request.from_user, user)} accepted your friend request.",
        url=f"/u/{user.username}/",
    )
    return friendship


@transaction.atomic
def friend_request_decline(*, user: User, friend_request: FriendRequest) -> FriendRequest:
    return _decide(user=user, friend_request=friend_request, status=FriendRequestStatus.DECLINED)


@transaction.atomic
def friend_request_cancel(*, user: User, friend_request: FriendRequest) -> FriendRequest:
    """The sender takes the request back; if the receiver has not read its notification, it goes too."""
    cancelled = _decide(
        user=user, friend_request=friend_request, status=FriendRequestStatus.CANCELLED, as_sender=True
    )
    notifications_withdraw(dedupe_keys=[friend_request_key(cancelled.pk)])
    return cancelled


@transaction.atomic
def friendship_remove(*, user: User, other: User) -> None:
    """Either friend ends the friendship, and social.events.friendship_ended tells the apps that care
    (clubs withdraws pending invitations between the two)."""
    low, high = pair(user, other)
    deleted, _ = Friendship.objects.filter(user_low_id=low, user_high_id=high).delete()
    if not deleted:
        raise NotFound(f"You and {shown_name(user, other)} are not friends.")
    forget_friends(user, other)
    friendship_ended.send(sender=Friendship, user=user, other=other)


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    """Block a member: it ends any friendship and withdraws pending friend requests between the two;
    social.events.user_blocked tells the apps that care (clubs withdraws pending invitations)."""
    if blocked.pk == blocker.pk:
        raise DomainError("You cannot block yourself.", code="self_block")
    block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if not created:
        raise Conflict(f"You already blocked {shown_name(blocker, blocked)}.", code="already_blocked")
    low, high = pair(blocker, blocked)
    Friendship.objects.filter(user_low_id=low, user_high_id=high).delete()
    forget_friends(blocker, blocked)
    pending = FriendRequest.objects.filter(status=FriendRequestStatus.PENDING).filter(
        Q(from_user=blocker, to_user=blocked) | Q(from_user=blocked, to_user=blocker)
    )
    withdrawn = [friend_request_key(pk) for pk in pending.values_list("pk", flat=True)]
    pending.update(status=FriendRequestStatus.CANCELLED, decided_at=timezone.now())
    notifications_withdraw(dedupe_keys=withdrawn)
    user_blocked.send(sender=Block, blocker=blocker, blocked=blocked)
    return block


@transaction.atomic
def block_remove(*, blocker: User, blocked: User) -> None:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if not deleted:
        raise NotFound(f"You have not blocked {shown_name(blocker, blocked)}.")
