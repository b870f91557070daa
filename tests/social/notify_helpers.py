"""Small builders shared by the notification tests."""

from social.models import Friendship, Notification


def befriend(a, b) -> Friendship:
    low, high = sorted([a.pk, b.pk])
    return Friendship.objects.create(user_low_id=low, user_high_id=high)


def inbox(user, kind=None) -> list[Notification]:
    rows = Notification.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows)


def recipients(kind) -> list[int]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))
