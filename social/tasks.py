"""Background work of the social app: notification emails, sent by the worker after commit."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from social.models import Notification


@task()
def send_notification_email(notification_id: int) -> bool:
    """Mail one notification to its recipient unless they muted its kind since. Placeholder body: the
    notifications issue adds the unsubscribe link and templates."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return False
    recipient = notification.recipient
    if not recipient.email or notification.kind in (recipient.email_muted_kinds or []):
        return False
    send_mail(
        subject=f"[Booky] {notification.get_kind_display()}",
        message=f"{notification.message}\n\n{notification.url}",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recipient.email],
    )
    return True
