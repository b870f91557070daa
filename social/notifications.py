"""In-app notifications, and the email that follows each one when the member wants it.

`notify` is the one door: it writes the notification in the caller's transaction and queues the
email for after commit, so a rolled-back action never mails anyone and no request waits on SMTP.
"""

import zoneinfo
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from booky.core.errors import DomainError, NotFound
from booky.core.site_url import request_site_url
from social.models import Notification, NotificationKind, User
from social.tasks import send_notification_email

# Room for a reminder's place (300) and online link (500) besides its sentence.
MESSAGE_MAX_LENGTH = Notification._meta.get_field("message").max_length


def notify(
    *,
    recipient: User,
    kind: str,
    message: str,
    url: str = "",
    actor: User | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Record one notification; with a `dedupe_key`, at most once ever (returns None the second time)."""
    if recipient is None or not recipient.is_active or recipient.deleted_at is not None:
        return None
    if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                actor=actor,
                message=message[:MESSAGE_MAX_LENGTH],
                url=url,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:  # the same keyed event, recorded concurrently
        return None
    if kind not in (recipient.email_muted_kinds or []) and recipient.email:
        # The worker sends it later, without a request: tell it which host this one came to.
        request_url = request_site_url()
        transaction.on_commit(
            lambda: send_notification_email.enqueue(notification.pk, request_url=request_url)
        )
    return notification


def notify_each(
    recipients: Iterable[User], *, kind: str, message: str, url: str = "", actor: User | None = None
) -> list[Notification]:
    """The same event to several people (each once), skipping the actor who caused it."""
    sent, seen = [], set()
    for recipient in recipients:
        if recipient.pk in seen or (actor is not None and recipient.pk == actor.pk):
            continue
        seen.add(recipient.pk)
        notification = notify(recipient=recipient, kind=kind, message=message, url=url, actor=actor)
        if notification is not None:
            sent.append(notification)
    return sent


def user_timezone(user: User) -> zoneinfo.ZoneInfo:
    """The user's own time zone (UTC when unset or unknown)."""
    try:
        return zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_time(user: User, moment: datetime) -> str:
    """`moment` as the user reads it: in their own timezone, with the zone's name."""
    local = timezone.localtime(moment, user_timezone(user))
    return f"{format_date(local, 'D j M, H:i')} ({local.tzname()})"


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user).unread().count()


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (reading it twice changes nothing)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def email_preferences_update(*, user: User, muted_kinds: Iterable[str]) -> User:
    """Store which kinds of event the user does not want by email (the in-app list keeps them all)."""
    muted = sorted(set(muted_kinds))
    unknown = [kind for kind in muted if kind not in NotificationKind.values]
    if unknown:
        raise DomainError(f"Unknown kind of notification: {', '.join(unknown)}.", code="invalid_kind")
    User.objects.filter(pk=user.pk).update(email_muted_kinds=muted)
    user.email_muted_kinds = muted
    return user


@transaction.atomic
def email_kind_mute(*, user: User, kind: str) -> User:
    """Stop emails of one kind (the unsubscribe link); muting twice changes nothing."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    return email_preferences_update(user=locked, muted_kinds=[*(locked.email_muted_kinds or []), kind])


def notifications_withdraw(*, dedupe_keys: Iterable[str]) -> int:
    """Delete the unread notifications of events that no longer hold (a cancelled friend request):
    the bell stops counting them, and an email the worker has not sent yet is not sent (the task
    finds the notification gone). Read ones stay as history. Returns how many were deleted."""
    deleted, _ = Notification.objects.filter(dedupe_key__in=list(dedupe_keys), read_at__isnull=True).delete()
    return deleted


def reminders_withdraw(*, meeting_id: int) -> int:
    """Delete the unread reminders of a meeting (it was cancelled or moved); returns how many."""
    deleted, _ = Notification.objects.filter(
        kind=NotificationKind.MEETING_REMINDER,
        dedupe_key__startswith=f"reminder:{meeting_id}:",
        read_at__isnull=True,
    ).delete()
    return deleted
