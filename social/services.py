"""Every write to a member's own profile. The settings page, the API and the admin call these.

Deleting an account touches every app, so booky.site.accounts.account_delete composes it; the social
steps it calls (lock, ties, anonymize) are here."""

from functools import cache

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone as django_timezone

from booky.core.errors import Conflict, DomainError
from booky.core.validators import validate_visible_name
from social.avatars import process_upload
from social.models import (
    Block,
    FriendRequest,
    Friendship,
    Notification,
    NotificationKind,
    ProfileVisibility,
    User,
    timezone_choices,
)

DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
BIO_MAX_LENGTH = User._meta.get_field("bio").max_length


@cache
def valid_timezones() -> frozenset[str]:
    """The zoneinfo names a member may pick: the same list the settings page offers."""
    return frozenset(name for name, _label in timezone_choices())


def _clean_text(value, *, label: str, max_length: int, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise DomainError(f"{label} must be text.", code="invalid")
    if "\x00" in value:
        raise DomainError(f"{label} may not contain null characters.", code="invalid")
    value = value.replace("\r\n", "\n").strip()
    if not multiline and ("\n" in value or "\r" in value):
        raise DomainError(f"{label} must fit on one line.", code="invalid")
    if len(value) > max_length:
        raise DomainError(
            f"{label} can be at most {max_length} characters (it has {len(value)}).", code="too_long"
        )
    return value


def clean_timezone(value) -> str:
    """The timezone name if zoneinfo knows it; a DomainError otherwise."""
    if not isinstance(value, str) or "\x00" in value or value.strip() not in valid_timezones():
        raise DomainError("Choose a time zone from the list, e.g. Europe/Lisbon.", code="invalid_timezone")
    return value.strip()


def clean_profile_visibility(value) -> str:
    if value not in ProfileVisibility.values:
        choices = ", ".join(f"{value!r}" for value in ProfileVisibility.values)
        raise DomainError(f"Profile visibility must be one of {choices}.", code="invalid_visibility")
    return value


@transaction.atomic
def user_update_profile(
    *, user: User, display_name: str, bio: str, timezone: str, profile_visibility: str | None = None
) -> User:
    """Save the member's display name, bio, time zone and (when given) profile visibility, all
    validated, or change nothing."""
    if not user.is_authenticated:
        raise DomainError("Log in to edit your profile.", code="not_authenticated")
    display_name = _clean_text(display_name, label="Display name", max_length=DISPLAY_NAME_MAX_LENGTH)
    try:
        validate_visible_name(display_name)
    except ValidationError as error:
        raise DomainError(f"Display name: {error.messages[0]}", code=error.code) from error
    bio = _clean_text(bio, label="Bio", max_length=BIO_MAX_LENGTH, multiline=True)
    timezone = clean_timezone(timezone)
    fields = ["display_name", "bio", "timezone"]
    if profile_visibility is not None:
        user.profile_visibility = clean_profile_visibility(profile_visibility)
        fields.append("profile_visibility")
    user.display_name, user.bio, user.timezone = display_name, bio, timezone
    user.save(update_fields=fields)
    return user


def _delete_file_after_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def avatar_set(*, user: User, upload) -> User:
    """Store `upload` as the member's picture once Pillow has decoded it; the old picture goes."""
    content = process_upload(upload)
    user = User.objects.select_for_update().get(pk=user.pk)
    old_name = user.avatar.name
    user.avatar.save(content.name, content, save=False)
    user.save(update_fields=["avatar"])
    _delete_file_after_commit(user.avatar.storage, old_name)
    return user


@transaction.atomic
def avatar_remove(*, user: User) -> User:
    """Back to the initials avatar."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old_name = user.avatar.name
    if not old_name:
        raise Conflict("You have no picture to remove.", code="no_avatar")
    user.avatar = ""
    user.save(update_fields=["avatar"])
    _delete_file_after_commit(user.avatar.storage, old_name)
    return user


def account_lock_for_delete(*, user: User, password: str) -> User:
    """The member's row, locked for the rest of the caller's transaction, once `password` is theirs and
    the account is not deleted yet. The first step of booky.site.accounts.account_delete."""
    # NO KEY: a bet on this member that holds its meeting's lock must still be able to insert its row
    # (which key-share-locks the user); a plain FOR UPDATE would wait in a circle with the meeting
    # locks the deletion takes next (lock order: bets/services.py).
    user = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    if user.deleted_at is not None or not user.is_active:
        raise Conflict("This account is already deleted.", code="already_deleted")
    if not isinstance(password, str) or not password or not user.check_password(password):
        raise DomainError("That is not your password. Nothing was deleted.", code="wrong_password")
    return user


def account_ties_delete(*, user: User) -> None:
    """The member's friendships, friend requests and blocks go (inside the caller's transaction)."""
    Friendship.objects.of(user).delete()
    FriendRequest.objects.filter(Q(from_user=user) | Q(to_user=user)).delete()
    Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()


def account_anonymize(*, user: User) -> User:
    """The last step of deleting an account, inside the caller's transaction on the row
    account_lock_for_delete locked: nothing that names the member stays on it.

    The user row is kept (its points account, ledger entries and bets point at it, PROTECTed), with
    the username "deleted-<id>", no email, no password and no way to log in. Notifications to and
    about the member, email addresses, groups and permissions go; the picture goes after commit.
    """
    # Others' notifications about this member carry their name in the message.
    Notification.objects.filter(Q(recipient=user) | Q(actor=user)).delete()
    EmailAddress.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()

    old_avatar = user.avatar.name
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.display_name = "Deleted member"
    user.bio = ""
    user.avatar = ""
    user.profile_visibility = ProfileVisibility.PRIVATE
    user.email_muted_kinds = list(NotificationKind.values)
    user.is_active = user.is_staff = user.is_superuser = False
    user.deleted_at = django_timezone.now()
    user.set_unusable_password()
    user.save()
    _delete_file_after_commit(user.avatar.storage, old_avatar)
    return user
