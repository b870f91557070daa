"""Background work of the social app: notification emails, sent by the worker after commit."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from social.models import Notification
from social.unsubscribe import unsubscribe_token


def _absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path if path.startswith('/') else '/' + path}"


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """The email for one notification: plain text and HTML, with a one-click unsubscribe link."""
    recipient = notification.recipient
    unsubscribe_url = _absolute(
        f"{reverse('notifications:unsubscribe')}?token={unsubscribe_token(recipient, notification.kind)}"
    )
    context = {
        "notification": notification,
        "recipient": recipient,
        "kind_label": notification.get_kind_display(),
        "event_url": _absolute(notification.url or reverse("notifications:list")),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": _absolute(reverse("notifications:settings")),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=f"[Booky] {notification.message}"[:150],
        body=render_to_string("email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients show an "Unsubscribe" button that POSTs to the link.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("email/notification.html", context), "text/html")
    return message


@task()
def send_notification_email(notification_id: int) -> bool:
    """Mail one notification to its recipient, unless it is gone or they muted its kind since."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return False
    recipient = notification.recipient
    if (
        not recipient.email
        or not recipient.is_active
        or recipient.deleted_at is not None
        or notification.kind in (recipient.email_muted_kinds or [])
    ):
        return False
    return notification_email(notification).send(using="default") == 1
