"""Who is whose friend and who blocked whom: the reads other apps (and social.permissions) ask about.

The writes are in social.friends, which names people in its messages by social.permissions' rule;
keeping the reads here lets that rule build on them without importing the writes.
"""

from django.db.models import Q

from booky.core.request_memo import forget, remembered
from social.models import Block, Friendship, User


def pair(a: User, b: User) -> tuple[int, int]:
    """The two ids in the order a Friendship row stores them (low, high)."""
    return (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)


def are_friends(a: User, b: User) -> bool:
    if not (a and b and a.is_authenticated and b.is_authenticated) or a.pk == b.pk:
        return False
    low, high = pair(a, b)
    return Friendship.objects.filter(user_low_id=low, user_high_id=high).exists()


def is_blocked(*, blocker: User, blocked: User) -> bool:
    if not (blocker and blocked and blocker.is_authenticated and blocked.is_authenticated):
        return False
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def known_friend_ids(user: User) -> frozenset[int]:
    """The user's friends' ids, read once per request: the profile rule filters lists on them instead
    of a subquery in every list query. social.friends forgets them when it changes a friendship."""
    if user is None or not user.is_authenticated:
        return frozenset()

    def read() -> frozenset[int]:
        pairs = Friendship.objects.filter(Q(user_low=user) | Q(user_high=user)).values_list(
            "user_low_id", "user_high_id"
        )
        return frozenset(high if low == user.pk else low for low, high in pairs)

    return remembered(("friend_ids", user.pk), read)


def forget_friends(*users: User) -> None:
    for user in users:
        if user is not None:
            forget(("friend_ids", user.pk))


def friend_ids(user: User):
    """A subquery-friendly set of the user's friends' ids."""
    low = Friendship.objects.filter(user_high=user).values("user_low_id")
    high = Friendship.objects.filter(user_low=user).values("user_high_id")
    return low.union(high)


def friends_of(user: User):
    return User.objects.filter(
        Q(pk__in=Friendship.objects.filter(user_high=user).values("user_low_id"))
        | Q(pk__in=Friendship.objects.filter(user_low=user).values("user_high_id"))
    )
