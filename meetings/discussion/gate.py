"""The spoiler gate: what one reader sees of one post. The one place the rule lives; the pages, the
fragments, the API, the notifications and the emails all ask it, so hidden text is never sent.

A post's text is shown to its author; to a member whose page has reached the post's spoiler page; to
every member once the meeting has started; and to a member who chose "show anyway" on that post.
Everyone else gets the placeholder ("About page 212 — you are on page 150"), without the text.
"""

from dataclasses import dataclass, field

from meetings.discussion.models import Post, PostStatus


class Seen:
    TEXT = "text"  # the body is shown
    SPOILER = "spoiler"  # above the reader's page: placeholder and "show anyway"
    BLOCKED = "blocked"  # by someone the reader blocked: collapsed
    DELETED = "deleted"  # deleted by its author (kept because it has replies)
    HIDDEN = "hidden"  # hidden by the moderators, with their reason
    REMOVED = "removed"  # removed by the moderators


@dataclass(frozen=True)
class Reader:
    """One viewer of one meeting's discussion, read once per request (meetings.discussion.selectors)."""

    user_id: int | None
    is_member: bool
    is_moderator: bool
    page: int
    meeting_started: bool
    revealed: frozenset[int] = field(default_factory=frozenset)
    blocked: frozenset[int] = field(default_factory=frozenset)  # the users this reader blocked


def seen(post: Post, reader: Reader) -> str:
    if not reader.is_member:
        # Outsiders and anonymous visitors see the number of posts, never a post.
        return Seen.SPOILER
    if post.status == PostStatus.DELETED:
        return Seen.DELETED
    if post.status == PostStatus.REMOVED:
        return Seen.REMOVED
    is_author = reader.user_id is not None and post.author_id == reader.user_id
    if post.status == PostStatus.HIDDEN and not (is_author or reader.is_moderator):
        return Seen.HIDDEN
    if is_author:
        return Seen.TEXT
    if post.author_id in reader.blocked:
        return Seen.BLOCKED
    if can_read_text(post, reader):
        return Seen.TEXT
    return Seen.SPOILER


def can_read_text(post: Post, reader: Reader) -> bool:
    """The spoiler rule alone (status and blocks aside)."""
    if not reader.is_member:
        return False
    return (
        post.author_id == reader.user_id
        or reader.meeting_started
        or reader.page >= post.spoiler_page
        or post.pk in reader.revealed
    )


def placeholder(post: Post, reader: Reader) -> str:
    return f"About page {post.spoiler_page} — you are on page {reader.page}"
