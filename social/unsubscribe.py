"""Signed one-click unsubscribe tokens: a member id and a kind of event, no login needed.

The token is signed with SECRET_KEY (salted, so no other signed value of the site can be replayed as
one) and expires after UNSUBSCRIBE_MAX_AGE; a forged, altered or expired token is refused.
"""

from dataclasses import dataclass

from django.core import signing

from booky.core.errors import DomainError
from social.models import NotificationKind, User

SALT = "booky.notifications.unsubscribe"
UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 90  # emails stay in inboxes; three months is long enough


class InvalidUnsubscribeToken(DomainError):
    code = "invalid_token"


@dataclass(frozen=True)
class Unsubscription:
    user: User
    kind: str

    @property
    def kind_label(self) -> str:
        return NotificationKind(self.kind).label


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"u": user.pk, "k": kind}, compress=True)


def unsubscribe_read(token: str) -> Unsubscription:
    """The member and kind a token stands for, or InvalidUnsubscribeToken."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign_object(token or "", max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvalidUnsubscribeToken(
            "This unsubscribe link has expired. Change your email preferences in your notification settings."
        ) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidUnsubscribeToken(
            "This unsubscribe link is not valid: it may be incomplete or altered. "
            "Copy the whole link from the email, or change your preferences in your notification settings."
        ) from error
    if not isinstance(value, dict) or value.get("k") not in NotificationKind.values:
        raise InvalidUnsubscribeToken("This unsubscribe link is not valid.")
    user = User.objects.filter(pk=value.get("u"), is_active=True, deleted_at__isnull=True).first()
    if user is None:
        raise InvalidUnsubscribeToken("This unsubscribe link belongs to an account that no longer exists.")
    return Unsubscription(user=user, kind=value["k"])
