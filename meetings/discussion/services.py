"""Every write to a meeting's discussion: posts, replies, reactions, reveals, reports, moderation.

Used by the pages, the API and the admin alike. Each function owns its transaction and raises a
DomainError a member can read. Notifications go out after commit (meetings.discussion.tasks), and
carry a post's text only to members the gate lets read it.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from booky.core.errors import Conflict, DomainError, NotAllowed
from clubs.models import Membership
from meetings.discussion import gate, permissions
from meetings.discussion.links import post_url
from meetings.discussion.markdown import mentioned_usernames, render_post_body
from meetings.discussion.models import (
    MODERATION_REASON_MAX_LENGTH,
    POST_BODY_MAX_LENGTH,
    REPORT_REASON_MAX_LENGTH,
    Post,
    PostReaction,
    PostReport,
    PostReveal,
    PostStatus,
    ReactionKind,
    ReportStatus,
)
from meetings.discussion.selectors import reader_for, reader_page
from meetings.discussion.tasks import post_published_notify
from meetings.services import _is_site_moderator
from social.models import Block, User
from social.notifications import notify

POSTS_PER_MINUTE = 10
MENTIONS_PER_POST = 20


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"


class StalePost(Conflict):
    code = "stale_version"

    def __init__(self, current: Post):
        super().__init__("Someone changed this post since you opened it: reload it and try again.")
        self.current = current


def _clean_body(body) -> str:
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body:
        raise DomainError("Write something first: the post is empty.", code="empty_body")
    if len(body) > POST_BODY_MAX_LENGTH:
        raise DomainError(
            f"A post can be {POST_BODY_MAX_LENGTH:,} characters at most (this one has {len(body):,}).",
            code="body_too_long",
        )
    if "\x00" in body:
        raise DomainError("The post contains a character that cannot be stored (NUL).", code="invalid_body")
    return body


def _spoiler_page_for(*, author: User, meeting, requested, parent: Post | None, now) -> int:
    """The spoiler page a post by `author` gets: the author's page unless they name a lower one; never
    above their own progress (before the start); for a reply, at least its parent's."""
    own_page = reader_page(author, meeting)
    ceiling = meeting.target_page if meeting.has_started(now) else own_page
    if requested is None or requested == "":
        page = own_page
    else:
        try:
            page = int(requested)
        except (TypeError, ValueError):
            raise DomainError(
                "The spoiler page must be a whole number.", code="invalid_spoiler_page"
            ) from None
        if page < 0:
            raise DomainError("The spoiler page cannot be negative.", code="invalid_spoiler_page")
        if page > meeting.target_page:
            raise DomainError(
                f"The meeting's target is page {meeting.target_page}: a post can be about that page at most.",
                code="invalid_spoiler_page",
            )
        if page > ceiling:
            raise DomainError(
                f"You are on page {own_page}: a post can only talk about pages you have read.",
                code="spoiler_above_progress",
            )
    if parent is not None:
        page = max(page, parent.spoiler_page)
    return min(page, meeting.target_page)


def _mentioned_members(*, author: User, meeting, body: str) -> list[User]:
    names = mentioned_usernames(body)[:MENTIONS_PER_POST]
    if not names:
        return []
    members = list(
        User.objects.annotate(lower_name=Lower("username"))
        .filter(
            lower_name__in=names,
            pk__in=Membership.objects.filter(club=meeting.club).values("user"),
            is_active=True,
        )
        .exclude(pk=author.pk)
    )
    blockers = set(
        Block.objects.filter(blocker__in=members, blocked=author).values_list("blocker_id", flat=True)
    )
    for member in members:
        if member.pk in blockers:
            raise NotAllowed(f"You cannot mention @{member.username}.", code="mention_blocked")
    return members


def _check_rate(author: User, now) -> None:
    recent = Post.objects.filter(author=author, created_at__gte=now - timedelta(minutes=1)).count()
    if recent >= POSTS_PER_MINUTE:
        raise RateLimited(
            f"You have posted {POSTS_PER_MINUTE} times in the last minute. Wait a moment, then try again."
        )


def _after_commit_notify(post: Post, mentioned: list[User]) -> None:
    ids = [user.pk for user in mentioned]
    transaction.on_commit(lambda: post_published_notify.enqueue(post.pk, ids))


@transaction.atomic
def post_create(
    *, author: User, meeting, body: str, spoiler_page=None, parent: Post | None = None, now=None
) -> Post:
    """Publish a post (or, with `parent`, a reply) in the meeting's discussion."""
    now = now or timezone.now()
    if not permissions.can_post(author, meeting):
        raise NotAllowed("Only members of the club can post in its discussions.")
    body = _clean_body(body)
    if parent is not None:
        parent = Post.objects.select_for_update().get(pk=parent.pk)
        if parent.meeting_id != meeting.pk:
            raise DomainError("That post belongs to another meeting.", code="wrong_meeting")
        if parent.parent_id is not None:
            raise DomainError(
                "Replies go under the first post of a thread, not under a reply.", code="nested_reply"
            )
        if parent.status != PostStatus.PUBLISHED:
            raise Conflict("This post was deleted or hidden: it takes no more replies.", code="post_closed")
        if parent.author_id and Block.objects.filter(blocker_id=parent.author_id, blocked=author).exists():
            raise NotAllowed("You cannot reply to this member.", code="reply_blocked")
        if not gate.can_read_text(parent, reader_for(author, meeting, now=now)):
            raise NotAllowed(
                "This post is about a page you have not reached: show it first, then reply.",
                code="reply_to_hidden",
            )
    _check_rate(author, now)
    page = _spoiler_page_for(author=author, meeting=meeting, requested=spoiler_page, parent=parent, now=now)
    mentioned = _mentioned_members(author=author, meeting=meeting, body=body)
    post = Post.objects.create(
        meeting=meeting,
        author=author,
        parent=parent,
        body=body,
        body_html=render_post_body(body),
        spoiler_page=page,
    )
    if parent is not None:
        Post.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
        parent.reply_count += 1
    _after_commit_notify(post, mentioned)
    return post


def _lock_own_post(actor: User, post: Post, expected_version) -> Post:
    # Lock the post alone: PostgreSQL refuses FOR UPDATE on the nullable side of the parent join.
    post = (
        Post.objects.select_for_update(of=("self",)).select_related("meeting__club", "parent").get(pk=post.pk)
    )
    if post.author_id != actor.pk:
        raise NotAllowed("Only its author can change a post.")
    if post.status != PostStatus.PUBLISHED:
        raise Conflict("This post was deleted or hidden, so it cannot be changed.", code="post_closed")
    if expected_version is not None and expected_version != post.version:
        raise StalePost(post)
    return post


@transaction.atomic
def post_edit(
    *, actor: User, post: Post, body=None, spoiler_page=None, expected_version=None, now=None
) -> Post:
    """The author changes the text and/or the spoiler page; the post is marked edited."""
    now = now or timezone.now()
    post = _lock_own_post(actor, post, expected_version)
    meeting = post.meeting
    if body is not None:
        post.body = _clean_body(body)
        post.body_html = render_post_body(post.body)
    already = set(mentioned_usernames(Post.objects.get(pk=post.pk).body))
    if spoiler_page is not None:
        post.spoiler_page = _spoiler_page_for(
            author=actor, meeting=meeting, requested=spoiler_page, parent=post.parent, now=now
        )
    mentioned = _mentioned_members(author=actor, meeting=meeting, body=post.body)
    post.edited_at = now
    post.version += 1
    post.save(update_fields=["body", "body_html", "spoiler_page", "edited_at", "version"])
    # A reply is about at least what its parent is about: raising the parent's page raises theirs.
    Post.objects.filter(parent=post, spoiler_page__lt=post.spoiler_page).update(
        spoiler_page=post.spoiler_page
    )
    newly = [user for user in mentioned if user.username.lower() not in already]
    if newly:
        _after_commit_notify(post, newly)
    return post


@transaction.atomic
def post_delete(*, actor: User, post: Post, expected_version=None) -> Post | None:
    """The author deletes a post. One with replies stays as "deleted" (its text gone) so the thread
    reads on; one without disappears. Returns the kept post, or None."""
    post = _lock_own_post(actor, post, expected_version)
    if post.reply_count > 0:
        post.status = PostStatus.DELETED
        post.body, post.body_html = "", ""
        post.version += 1
        post.save(update_fields=["status", "body", "body_html", "version"])
        PostReaction.objects.filter(post=post).delete()
        return post
    if post.parent_id is not None:
        Post.objects.filter(pk=post.parent_id).update(reply_count=F("reply_count") - 1)
    post.delete()
    return None


MODERATION_ACTIONS = {
    "hide": PostStatus.HIDDEN,
    "remove": PostStatus.REMOVED,
    "restore": PostStatus.PUBLISHED,
}


@transaction.atomic
def post_moderate(*, actor: User, post: Post, action: str, reason: str = "") -> Post:
    """The owner or a moderator hides a post (members see the reason instead of the text), removes it
    (gone from the thread), or restores a hidden one. Open reports on it are closed as actioned."""
    post = Post.objects.select_for_update(of=("self",)).select_related("meeting__club").get(pk=post.pk)
    # Site staff moderating meetings in the admin (meetings.change_meeting) act on any club's posts.
    if not (permissions.can_moderate(actor, post.meeting) or _is_site_moderator(actor)):
        raise NotAllowed("Only the club's owner and moderators can hide or remove posts.")
    if action not in MODERATION_ACTIONS:
        raise DomainError("Choose hide, remove or restore.", code="invalid_action")
    reason = (reason or "").strip()
    if action != "restore" and not reason:
        raise DomainError("Give a reason: the author and the members will read it.", code="reason_required")
    if len(reason) > MODERATION_REASON_MAX_LENGTH:
        raise DomainError(
            f"A reason can be {MODERATION_REASON_MAX_LENGTH} characters at most.", code="reason_too_long"
        )
    if post.status == PostStatus.DELETED:
        raise Conflict("Its author already deleted this post.", code="post_closed")
    if action == "restore" and post.status != PostStatus.HIDDEN:
        raise Conflict("Only a hidden post can be restored.", code="not_hidden")
    post.status = MODERATION_ACTIONS[action]
    post.moderation_reason = reason if action != "restore" else ""
    post.moderated_by = actor
    post.version += 1
    post.save(update_fields=["status", "moderation_reason", "moderated_by", "version"])
    if action != "restore":
        PostReport.objects.filter(post=post, status=ReportStatus.OPEN).update(
            status=ReportStatus.ACTIONED, resolved_at=timezone.now(), resolved_by=actor
        )
        if post.author_id and post.author_id != actor.pk:
            verb = "hid" if action == "hide" else "removed"
            notify(
                recipient=post.author,
                kind="post_moderated",
                actor=actor,
                message=f"The moderators of {post.meeting.club.name} {verb} your post: {reason}",
                url=post_url(post),
            )
    return post


def _require_readable(user: User, post: Post, now=None) -> gate.Reader:
    reader = reader_for(user, post.meeting, now=now)
    if not reader.is_member:
        raise NotAllowed("Only members of the club can take part in its discussions.")
    return reader


@transaction.atomic
def reaction_add(*, user: User, post: Post, kind: str) -> bool:
    """React to a post (once per kind); returns False when the reaction was already there."""
    if kind not in ReactionKind.values:
        raise DomainError(f"Choose one of: {', '.join(ReactionKind.values)}.", code="invalid_reaction")
    reader = _require_readable(user, post)
    if post.status != PostStatus.PUBLISHED:
        raise Conflict("This post was deleted or hidden: it takes no reactions.", code="post_closed")
    if gate.seen(post, reader) != gate.Seen.TEXT:
        raise NotAllowed(
            "Show this post first: you cannot react to what you have not read.", code="post_not_read"
        )
    try:
        with transaction.atomic():
            PostReaction.objects.create(post=post, user=user, kind=kind)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def reaction_remove(*, user: User, post: Post, kind: str) -> bool:
    if kind not in ReactionKind.values:
        raise DomainError(f"Choose one of: {', '.join(ReactionKind.values)}.", code="invalid_reaction")
    _require_readable(user, post)
    deleted, _ = PostReaction.objects.filter(post=post, user=user, kind=kind).delete()
    return bool(deleted)


@transaction.atomic
def post_reveal(*, user: User, post: Post) -> Post:
    """ "Show anyway": the member reads one post above their page; recorded, so it stays shown."""
    _require_readable(user, post)
    PostReveal.objects.get_or_create(post=post, user=user)
    return post


@transaction.atomic
def post_report(*, reporter: User, post: Post, reason: str) -> PostReport:
    """Report a post to the club's moderators; reporting it again while open changes nothing."""
    _require_readable(reporter, post)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "Say what is wrong with the post, so the moderators can judge.", code="reason_required"
        )
    if len(reason) > REPORT_REASON_MAX_LENGTH:
        raise DomainError(
            f"A report can be {REPORT_REASON_MAX_LENGTH} characters at most.", code="reason_too_long"
        )
    if post.author_id == reporter.pk:
        raise DomainError("You cannot report your own post: edit or delete it instead.", code="own_post")
    existing = PostReport.objects.filter(post=post, reporter=reporter, status=ReportStatus.OPEN).first()
    if existing is not None:
        return existing
    return PostReport.objects.create(post=post, reporter=reporter, reason=reason)


@transaction.atomic
def report_dismiss(*, actor: User, report: PostReport) -> PostReport:
    report = (
        PostReport.objects.select_for_update(of=("self",))
        .select_related("post__meeting__club")
        .get(pk=report.pk)
    )
    if not (permissions.can_moderate(actor, report.post.meeting) or _is_site_moderator(actor)):
        raise NotAllowed("Only the club's owner and moderators handle reports.")
    if report.status != ReportStatus.OPEN:
        raise Conflict("This report was already handled.", code="report_closed")
    report.status, report.resolved_at, report.resolved_by = ReportStatus.DISMISSED, timezone.now(), actor
    report.save(update_fields=["status", "resolved_at", "resolved_by"])
    return report
