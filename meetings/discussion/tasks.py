"""Notifications of a new post, sent after its commit: mentions at once, the rest as a daily digest.

A mention carries the post's text only when the gate lets the mentioned member read it; otherwise it
says which page the post is about. Every other member who may read the post gets at most one
"new posts" notification (and so at most one email) a day per meeting: its key holds the day.
"""

import nh3
from django.tasks import task
from django.utils import timezone

from clubs.models import Membership
from meetings.discussion import gate
from meetings.discussion.links import post_url
from meetings.discussion.models import Post, PostStatus
from meetings.discussion.selectors import reader_for
from social.models import Block, NotificationKind, User
from social.notifications import notify

EXCERPT_LENGTH = 200


def excerpt(post: Post) -> str:
    text = " ".join(nh3.clean(post.body_html, tags=set()).split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def mention_message(post: Post, recipient: User) -> str:
    reader = reader_for(recipient, post.meeting)
    author = post.author.username if post.author else "A former member"
    where = f"the discussion of {post.meeting.display_title}"
    if gate.seen(post, reader) == gate.Seen.TEXT:
        return f"{author} mentioned you in {where}: “{excerpt(post)}”"
    return (
        f"{author} mentioned you in {where}, in a post about page {post.spoiler_page} "
        f"(you are on page {reader.page}): open it to read it or keep it hidden."
    )


@task()
def post_published_notify(post_id: int, mentioned_ids: list[int]) -> None:
    post = (
        Post.objects.select_related("author", "meeting__club", "meeting__book")
        .filter(pk=post_id, status=PostStatus.PUBLISHED)
        .first()
    )
    if post is None:
        return
    meeting, url = post.meeting, post_url(post)
    mentioned = set(mentioned_ids)
    for recipient in User.objects.filter(pk__in=mentioned):
        notify(
            recipient=recipient,
            kind=NotificationKind.POST_MENTION,
            actor=post.author,
            message=mention_message(post, recipient),
            url=url,
            dedupe_key=f"mention:{post.pk}:{recipient.pk}",
        )
    blocking_author = set(
        Block.objects.filter(blocked_id=post.author_id).values_list("blocker_id", flat=True)
    )
    day = timezone.localdate().isoformat()
    members = User.objects.filter(
        pk__in=Membership.objects.filter(club=meeting.club).values("user"), is_active=True
    ).exclude(pk__in=[post.author_id, *mentioned, *blocking_author])
    for member in members:
        if gate.seen(post, reader_for(member, meeting)) != gate.Seen.TEXT:
            continue
        notify(
            recipient=member,
            kind=NotificationKind.DISCUSSION_DIGEST,
            message=f"New posts you can read in the discussion of {meeting.display_title}.",
            url=url,
            dedupe_key=f"digest:{meeting.pk}:{member.pk}:{day}",
        )
