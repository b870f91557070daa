"""A meeting's discussion: posts and one level of replies, each about a page of the meeting's book.

Imported by meetings/models.py, so these tables belong to the meetings app (and its migrations).
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q

POST_BODY_MAX_LENGTH = 5000
REPORT_REASON_MAX_LENGTH = 500
MODERATION_REASON_MAX_LENGTH = 500


class PostStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    DELETED = "deleted", "Deleted by its author"
    HIDDEN = "hidden", "Hidden by the moderators"
    REMOVED = "removed", "Removed by the moderators"


class Post(models.Model):
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="posts")
    # SET_NULL: a deleted account's posts stay in the thread (shown as "a former member").
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    # One level of nesting: a reply's parent is a top-level post (services.post_create checks it).
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(
        validators=[MaxLengthValidator(POST_BODY_MAX_LENGTH), ProhibitNullCharactersValidator()]
    )
    # The body as sanitised HTML (meetings.discussion.markdown), rendered once when it is written.
    body_html = models.TextField(editable=False, default="")
    # The page of the meeting's target the post talks about: readers below it see a placeholder.
    spoiler_page = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=PostStatus, default=PostStatus.PUBLISHED)
    moderation_reason = models.CharField(max_length=MODERATION_REASON_MAX_LENGTH, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Replies are counted on the parent by the services, so a page of posts needs no count per row.
    reply_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PostStatus.values), name="post_status_valid"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="post_not_own_parent"),
        ]
        indexes = [
            models.Index(fields=["meeting", "parent", "-created_at"], name="post_meeting_newest"),
            models.Index(fields=["meeting", "parent", "spoiler_page"], name="post_meeting_by_page"),
            models.Index(fields=["author", "-created_at"], name="post_author_newest"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} on meeting {self.meeting_id} (p.{self.spoiler_page})"

    @property
    def is_published(self) -> bool:
        return self.status == PostStatus.PUBLISHED

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None


class ReactionKind(models.TextChoices):
    # A small fixed set: one of each per member per post.
    LIKE = "like", "👍 Like"
    LOVE = "love", "❤️ Love"
    LAUGH = "laugh", "😂 Funny"
    WOW = "wow", "😮 Surprising"
    SAD = "sad", "😢 Sad"
    THINK = "think", "🤔 Thoughtful"


REACTION_EMOJI = {kind.value: kind.label.split(" ", 1)[0] for kind in ReactionKind}


class PostReaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReactionKind)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="post_reaction_once"),
            models.CheckConstraint(
                condition=Q(kind__in=ReactionKind.values), name="post_reaction_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} post {self.post_id}"


class PostReveal(models.Model):
    """A member chose "show anyway" on one post above their page: recorded, and that post stays shown."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="post_reveal_once")]
        indexes = [models.Index(fields=["user", "post"], name="post_reveal_user")]

    def __str__(self) -> str:
        return f"{self.user_id} revealed post {self.post_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    DISMISSED = "dismissed", "Dismissed"
    ACTIONED = "actioned", "Post hidden or removed"


class PostReport(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(
        max_length=REPORT_REASON_MAX_LENGTH, validators=[ProhibitNullCharactersValidator()]
    )
    status = models.CharField(max_length=10, choices=ReportStatus, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="post_report_status_valid"
            ),
            # One open report per member per post: reporting again changes nothing.
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=Q(status="open"), name="post_report_open_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="post_report_queue")]

    def __str__(self) -> str:
        return f"Report {self.pk} on post {self.post_id} ({self.status})"
