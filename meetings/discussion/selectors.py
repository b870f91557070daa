"""Reads of a meeting's discussion, in a fixed number of queries whatever the number of posts.

`reader_for` reads who the viewer is to the discussion (three small queries); `discussion_page` reads
one page of top-level posts with their replies, reactions and authors, and applies the gate to each:
every row it returns carries `seen` and, only when the gate allows it, `text_html`.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from clubs import permissions as club_permissions
from meetings.discussion import gate
from meetings.discussion.models import REACTION_EMOJI, Post, PostReaction, PostReveal, ReactionKind
from meetings.models import Attendance, Meeting
from social.models import Block

POSTS_PER_PAGE = 20
# "The caller did not read the viewer's attendance" (None means it did, and there is none).
NOT_READ = object()
ORDERS = {"newest": ("-created_at", "-pk"), "page": ("spoiler_page", "created_at", "pk")}


def reader_page(user, meeting, *, attendance=NOT_READ) -> int:
    """The viewer's page in the meeting's book (0 without an attendance); pass the viewer's
    attendance (or None) when the caller has read it already."""
    if not user.is_authenticated:
        return 0
    if attendance is not NOT_READ:
        row = (attendance.current_page, attendance.finished) if attendance is not None else None
    else:
        row = (
            Attendance.objects.filter(meeting=meeting, user=user)
            .values_list("current_page", "finished")
            .first()
        )
    if row is None:
        return 0
    page, finished = row
    return meeting.target_page if finished else min(page, meeting.target_page)


def reader_for(user, meeting, *, now=None, attendance=NOT_READ) -> gate.Reader:
    """The gate's view of `user` in `meeting`'s discussion. Needs the role remembered (or costs a query)."""
    is_member = club_permissions.is_member(user, meeting.club)
    started = meeting.has_started(now or timezone.now())
    if not is_member:
        return gate.Reader(
            user_id=user.pk, is_member=False, is_moderator=False, page=0, meeting_started=False
        )
    revealed = frozenset(
        PostReveal.objects.filter(user=user, post__meeting=meeting).values_list("post_id", flat=True)
    )
    blocked = frozenset(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True))
    return gate.Reader(
        user_id=user.pk,
        is_member=True,
        is_moderator=club_permissions.is_staff_of(user, meeting.club),
        page=reader_page(user, meeting, attendance=attendance),
        meeting_started=started,
        revealed=revealed,
        blocked=blocked,
    )


def apply_gate(posts, reader: gate.Reader) -> None:
    """Mark each post with what `reader` sees; drop the text of the ones they may not read."""
    for post in posts:
        post.seen = gate.seen(post, reader)
        post.text_html = post.body_html if post.seen == gate.Seen.TEXT else ""
        post.placeholder = gate.placeholder(post, reader) if post.seen == gate.Seen.SPOILER else ""
        post.is_mine = reader.user_id is not None and post.author_id == reader.user_id


@dataclass
class ReactionCount:
    kind: str
    emoji: str
    label: str
    count: int
    mine: bool


def _attach_reactions(posts, reader: gate.Reader) -> None:
    ids = [post.pk for post in posts]
    if not ids:
        return
    counts: dict[int, dict[str, int]] = {}
    mine: set[tuple[int, str]] = set()
    # One query: how many of each kind per post, and whether the reader is among them.
    for post_id, kind, count, by_reader in (
        PostReaction.objects.filter(post_id__in=ids)
        .values_list("post_id", "kind")
        .annotate(count=Count("pk"), by_reader=Count("pk", filter=Q(user_id=reader.user_id or 0)))
        .order_by()
    ):
        counts.setdefault(post_id, {})[kind] = count
        if by_reader and reader.is_member:
            mine.add((post_id, kind))
    for post in posts:
        of_post = counts.get(post.pk, {})
        post.reaction_counts = [
            ReactionCount(
                kind=kind.value,
                emoji=REACTION_EMOJI[kind.value],
                label=kind.label.split(" ", 1)[1],
                count=of_post.get(kind.value, 0),
                mine=(post.pk, kind.value) in mine,
            )
            for kind in ReactionKind
        ]


def discussion_page(
    meeting,
    reader: gate.Reader,
    *,
    order: str = "newest",
    page_number=1,
    per_page=POSTS_PER_PAGE,
    paginate=True,
):
    """One page of top-level posts, newest first or by spoiler page, each with `.reply_list`;
    without `paginate`, the first `per_page` posts and no page (no count query: the meeting page's
    section links to the rest).

    Outsiders get an empty page (they see `post_count` only)."""
    posts = Post.objects.filter(meeting=meeting, parent__isnull=True)
    if not reader.is_member:
        posts = posts.none()
    posts = posts.select_related("author").order_by(*ORDERS.get(order, ORDERS["newest"]))
    if paginate:
        page = Paginator(posts, per_page).get_page(page_number)
        top = list(page.object_list)
    else:
        page, top = None, list(posts[:per_page])
    replies = []
    if with_replies_ids := [post.pk for post in top if post.reply_count]:
        replies = list(
            Post.objects.filter(parent__in=with_replies_ids)
            .select_related("author")
            .order_by("created_at", "pk")
        )
    by_parent: dict[int, list[Post]] = {}
    for reply in replies:
        by_parent.setdefault(reply.parent_id, []).append(reply)
    for post in top:
        post.reply_list = by_parent.get(post.pk, [])
    everything = [*top, *replies]
    apply_gate(everything, reader)
    _attach_reactions(everything, reader)
    return page, top


SHOWN = ~Q(status__in=["deleted", "removed"])


def post_count(meeting) -> int:
    """Posts and replies of the meeting that are not deleted or removed (what outsiders see)."""
    return Post.objects.filter(meeting=meeting).filter(SHOWN).count()


def post_stats(meeting) -> tuple[int, int]:
    """(post_count, the latest post's id or 0), in one query."""
    stats = Post.objects.filter(meeting=meeting).aggregate(count=Count("pk", filter=SHOWN), latest=Max("pk"))
    return stats["count"], stats["latest"] or 0


def latest_post_subquery():
    """The latest post id of the outer meeting: a column for the race poll's fingerprint."""
    return Subquery(Post.objects.filter(meeting=OuterRef("pk")).order_by("-pk").values("pk")[:1])


def new_post_count(meeting, *, after_id: int, viewer_id: int | None) -> int:
    """Posts by others since the page showed post `after_id` (for "3 new posts — show")."""
    posts = Post.objects.filter(meeting=meeting, pk__gt=after_id, status="published")
    if viewer_id is not None:
        posts = posts.exclude(author_id=viewer_id)
    return posts.count()


def visible_post(post_id: int, user):
    """A post whose discussion `user` may read, with its meeting and club (None otherwise)."""
    post = (
        Post.objects.select_related("author", "meeting__club", "meeting__book", "parent")
        .filter(pk=post_id, meeting__in=Meeting.objects.visible_to(user))
        .first()
    )
    if post is None or not club_permissions.is_member(user, post.meeting.club):
        return None
    return post


def gated(posts, reader: gate.Reader, *, with_replies: bool = False) -> list[Post]:
    """Posts read elsewhere (one post, a page of replies) marked like `discussion_page`'s: the gate,
    the reactions, and for top-level posts with `with_replies`, their gated replies."""
    posts = list(posts)
    replies: list[Post] = []
    if with_replies:
        tops = [post.pk for post in posts if post.parent_id is None]
        replies = list(
            Post.objects.filter(parent__in=tops).select_related("author").order_by("created_at", "pk")
        )
        by_parent: dict[int, list[Post]] = {}
        for reply in replies:
            by_parent.setdefault(reply.parent_id, []).append(reply)
        for post in posts:
            post.reply_list = by_parent.get(post.pk, [])
    everything = [*posts, *replies]
    apply_gate(everything, reader)
    _attach_reactions(everything, reader)
    return posts


def page_opens_posts(meeting, *, viewer_id: int, old_page: int, new_page: int) -> bool:
    """Did moving from `old_page` to `new_page` open posts by others that the gate hid before?"""
    if new_page <= old_page or meeting.has_started():
        return False
    posts = Post.objects.filter(meeting=meeting, spoiler_page__gt=old_page, spoiler_page__lte=new_page)
    return posts.exclude(author_id=viewer_id).exists()
