"""Background work of the social app: notification emails, sent by the worker after commit."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from booky.core.site_url import site_url
from social.models import Notification
from social.unsubscribe import unsubscribe_token


def _absolute(base: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{base}{path if path.startswith('/') else '/' + path}"


def notification_email(notification: Notification, *, request_url: str = "") -> EmailMultiAlternatives:
    """The email for one notification: plain text and HTML, with a one-click unsubscribe link.

    Links point at `SITE_URL`, else at `request_url` (the host of the request that caused it)."""
    recipient = notification.recipient
    base = site_url(request_url)
    unsubscribe_url = _absolute(
        base,
        f"{reverse('notifications:unsubscribe')}?token={unsubscribe_token(recipient, notification.kind)}",
    )
    context = {
        "notification": notification,
        "recipient": recipient,
        "kind_label": notification.get_kind_display(),
        "event_url": _absolute(base, notification.url or reverse("notifications:list")),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": _absolute(base, reverse("notifications:settings")),
        "site_url": base,
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
def send_notification_email(notification_id: int, request_url: str = "") -> bool:
    """Mail one notification to its recipient, unless it is gone (withdrawn) or they muted its kind since.

    `request_url` is the `scheme://host` of the request that caused it, when one did."""
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
    return notification_email(notification, request_url=request_url).send(using="default") == 1
