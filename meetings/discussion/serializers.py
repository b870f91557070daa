"""The discussion's API shapes. Output goes through the gate: `body` and `body_html` are null unless
the caller may read the post (`seen: "text"`)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meetings.discussion.gate import Seen
from meetings.discussion.models import (
    MODERATION_REASON_MAX_LENGTH,
    POST_BODY_MAX_LENGTH,
    REPORT_REASON_MAX_LENGTH,
    PostStatus,
    ReactionKind,
    ReportStatus,
)

SEEN_CHOICES = [
    (Seen.TEXT, "You may read it"),
    (Seen.SPOILER, "About a page you have not reached: `placeholder` instead, reveal to read"),
    (Seen.BLOCKED, "By someone you blocked"),
    (Seen.DELETED, "Deleted by its author"),
    (Seen.HIDDEN, "Hidden by the moderators (`moderation_reason`)"),
    (Seen.REMOVED, "Removed by the moderators (`moderation_reason`)"),
]
MAX_PAGE = 2_147_483_647


class PostAuthorSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class ReactionCountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReactionKind.choices)
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    mine = serializers.BooleanField(help_text="Whether you reacted so.")


class ReplySerializer(serializers.Serializer):
    """A post as the caller may see it (marked by meetings.discussion.selectors.apply_gate)."""

    id = serializers.IntegerField(source="pk")
    meeting = serializers.IntegerField(source="meeting_id")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    author = serializers.SerializerMethodField()
    spoiler_page = serializers.IntegerField(help_text="The page of the meeting's target the post is about.")
    status = serializers.ChoiceField(choices=PostStatus.choices)
    seen = serializers.ChoiceField(choices=SEEN_CHOICES, help_text="What you see of it.")
    body = serializers.SerializerMethodField(help_text="The Markdown text; null unless `seen` is `text`.")
    body_html = serializers.SerializerMethodField(
        help_text="The text as sanitised HTML; null unless `seen` is `text`."
    )
    placeholder = serializers.SerializerMethodField(
        help_text='"About page 212 — you are on page 150" when `seen` is `spoiler`.'
    )
    moderation_reason = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    reply_count = serializers.IntegerField()
    version = serializers.IntegerField()
    is_mine = serializers.BooleanField()
    reactions = ReactionCountSerializer(source="reaction_counts", many=True)

    @extend_schema_field(PostAuthorSerializer(allow_null=True))
    def get_author(self, post):
        if post.author is None:
            return None
        return {
            "username": post.author.username,
            "display_name": post.author.display_name or post.author.username,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, post):
        return post.body if post.seen == Seen.TEXT else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body_html(self, post):
        return post.text_html if post.seen == Seen.TEXT else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_placeholder(self, post):
        return post.placeholder or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_moderation_reason(self, post):
        return post.moderation_reason if post.status in (PostStatus.HIDDEN, PostStatus.REMOVED) else None


class PostSerializer(ReplySerializer):
    replies = ReplySerializer(
        source="reply_list", many=True, help_text="Its replies, oldest first, each gated."
    )


class PostInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=POST_BODY_MAX_LENGTH, trim_whitespace=True)
    spoiler_page = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_PAGE,
        help_text="The page it talks about; default your current page, never above it before the start.",
    )


class PostEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=POST_BODY_MAX_LENGTH, required=False, trim_whitespace=True)
    spoiler_page = serializers.IntegerField(required=False, min_value=0, max_value=MAX_PAGE)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        help_text="The version you last saw: 409 when it changed.",
    )


class ReactionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReactionKind.choices)


class ReportInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REPORT_REASON_MAX_LENGTH)


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    post = serializers.IntegerField(source="post_id")
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    created_at = serializers.DateTimeField()


class ModerationInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("hide", "Hide"), ("remove", "Remove"), ("restore", "Restore")])
    reason = serializers.CharField(max_length=MODERATION_REASON_MAX_LENGTH, required=False, allow_blank=True)
