import secrets
import zoneinfo

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Least, Lower

from booky.core.validators import validate_visible_name


def timezone_choices() -> list[tuple[str, str]]:
    return [
        (name, name.replace("_", " "))
        for name in sorted(zoneinfo.available_timezones())
        if "/" in name or name == "UTC"
    ]


class BookyUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class ProfileVisibility(models.TextChoices):
    PUBLIC = "public", "Everyone"
    FRIENDS = "friends", "Friends only"
    PRIVATE = "private", "Only me"


def avatar_path(user, filename: str) -> str:
    # A fresh name per upload, so caches never show the previous picture.
    return f"avatars/{user.pk}/{secrets.token_hex(8)}.webp"


class User(AbstractUser):
    """A Booky member. Usernames and emails are unique regardless of case."""

    email = models.EmailField("email address", max_length=254)
    display_name = models.CharField(max_length=80, blank=True, validators=[validate_visible_name])
    bio = models.TextField(max_length=1000, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", choices=timezone_choices)
    profile_visibility = models.CharField(
        max_length=10, choices=ProfileVisibility, default=ProfileVisibility.PUBLIC
    )
    avatar = models.ImageField(upload_to=avatar_path, blank=True)
    # Event kinds (social.models.NotificationKind) the member does not want by email.
    email_muted_kinds = models.JSONField(default=list, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = BookyUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
            models.UniqueConstraint(
                Lower("email"), name="user_email_unique_ci", condition=~models.Q(email="")
            ),
        ]
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    def save(self, *args, **kwargs):
        # Stored in lower case, as allauth stores addresses from its forms: its "already registered"
        # check compares exactly, and it must see every account to keep a sign-up from revealing one
        # (social.adapters). Accounts made by createsuperuser or the admin come through here too.
        if self.email:
            self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        """What other members see: the display name, or the username when none is set."""
        return self.display_name or self.username


class FriendRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class FriendRequest(models.Model):
    from_user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="friend_requests_sent")
    to_user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="friend_requests_received")
    status = models.CharField(max_length=10, choices=FriendRequestStatus, default=FriendRequestStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_user=models.F("to_user")), name="friend_request_not_to_self"
            ),
            # One pending request per pair, whichever way it goes.
            models.UniqueConstraint(
                Least("from_user", "to_user"),
                Greatest("from_user", "to_user"),
                condition=Q(status="pending"),
                name="friend_request_one_pending_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FriendRequestStatus.values), name="friend_request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user} ({self.status})"


class FriendshipQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(Q(user_low=user) | Q(user_high=user))


class Friendship(models.Model):
    """One row per pair of friends, stored with the smaller user id first."""

    user_low = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    user_high = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FriendshipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user_low__lt=models.F("user_high")), name="friendship_ordered_pair"
            ),
            models.UniqueConstraint(fields=["user_low", "user_high"], name="friendship_one_per_pair"),
        ]
        indexes = [models.Index(fields=["user_high", "user_low"], name="friendship_reverse")]

    def __str__(self) -> str:
        return f"{self.user_low} ♥ {self.user_high}"

    def other(self, user) -> "User":
        return self.user_high if self.user_low_id == user.pk else self.user_low


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="block_not_self"),
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class NotificationKind(models.TextChoices):
    FRIEND_REQUEST = "friend_request", "Friend request received"
    FRIEND_ACCEPTED = "friend_accepted", "Friend request accepted"
    CLUB_INVITATION = "club_invitation", "Invitation to a club"
    JOIN_REQUEST = "join_request", "Request to join your club"
    JOIN_APPROVED = "join_approved", "Your request to join was approved"
    MEETING_SCHEDULED = "meeting_scheduled", "Meeting scheduled"
    MEETING_RESCHEDULED = "meeting_rescheduled", "Meeting rescheduled"
    MEETING_CANCELLED = "meeting_cancelled", "Meeting cancelled"
    MEETING_REMINDER = "meeting_reminder", "Meeting tomorrow"
    BET_WON = "bet_won", "Bet resolved"
    BET_REFUNDED = "bet_refunded", "Bet refunded"
    CLUB_ROLE = "club_role", "Made a moderator or owner of a club"
    POINTS_ADJUSTED = "points_adjusted", "Points adjusted by Booky's moderators"
    CLUB_REMOVED = "club_removed", "Club removed by Booky's moderators"
    POST_MENTION = "post_mention", "Mentioned in a meeting's discussion"
    DISCUSSION_DIGEST = "discussion_digest", "New posts in a meeting's discussion (at most daily)"
    POST_MODERATED = "post_moderated", "Your post was hidden or removed by the moderators"
    POLL_OPENED = "poll_opened", "A club opened a poll for its next book"
    POLL_CLOSING = "poll_closing", "A next-book poll closes tomorrow"
    POLL_RESULT = "poll_result", "The result of a next-book poll"
    MEETING_ANNOUNCEMENT = "meeting_announcement", "A note from the hosts to everyone going"
    WAITLIST_PROMOTED = "waitlist_promoted", "A place opened up for you at a meeting"
    BEHIND_PLAN = "behind_plan", "You are behind a meeting's reading plan"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Long enough for a meeting reminder carrying the place (300) and the online link (500).
    message = models.CharField(max_length=1000)
    url = models.CharField(max_length=300, blank=True)
    # Events that must reach a member once (a reminder per meeting) carry a key the database keeps unique.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"To {self.recipient}: {self.message}"
