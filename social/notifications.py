"""In-app notifications, and the email that follows each one when the member wants it.

`notify` is the one door: it writes the notification in the caller's transaction and queues the
email for after commit, so a rolled-back action never mails anyone and no request waits on SMTP.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from social.models import Notification, User


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
                message=message[:300],
                url=url,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:  # the same keyed event, recorded concurrently
        return None
    if kind not in (recipient.email_muted_kinds or []) and recipient.email:
        from social.tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.enqueue(notification.pk))
    return notification


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    from booky.errors import NotFound

    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
