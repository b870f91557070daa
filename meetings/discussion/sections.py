"""What the discussion's pages and the meeting page's "Discussion" section show to one viewer."""

from django.utils import timezone

from meetings.discussion import permissions
from meetings.discussion.forms import PostForm, ReplyForm
from meetings.discussion.selectors import NOT_READ, discussion_page, post_stats, reader_for

SECTION_POSTS = 5


def discussion_context(
    request,
    meeting,
    *,
    order="newest",
    page_number=1,
    per_page=None,
    form=None,
    section=False,
    attendance=NOT_READ,
) -> dict:
    """The discussion (a page of posts, or with `section` the latest few), for `request.user`.
    Pass the viewer's attendance (or None) when the caller has read it already."""
    reader = reader_for(request.user, meeting, attendance=attendance)
    order = order if order in ("newest", "page") else "newest"
    kwargs = {"per_page": per_page} if per_page else {}
    posts_page, posts = discussion_page(
        meeting, reader, order=order, page_number=page_number, paginate=not section, **kwargs
    )
    ceiling = meeting.target_page if reader.meeting_started else reader.page
    if form is None and permissions.can_post(request.user, meeting):
        form = PostForm(reader_page=reader.page, ceiling=ceiling)
    count, latest = post_stats(meeting)
    return {
        "meeting": meeting,
        "reader": reader,
        "posts_page": posts_page,
        "posts": posts,
        "post_count": count,
        "latest_post_id": latest,
        "post_form": form,
        "reply_form": ReplyForm() if reader.is_member else None,
        "can_moderate": permissions.can_moderate(request.user, meeting),
        "order": order,
        "section": section,
        "now": timezone.now(),
    }


def section_context(request, meeting, *, attendance=NOT_READ) -> dict:
    """The meeting page's section: the latest few posts, the form, a link to all of them."""
    return discussion_context(request, meeting, per_page=SECTION_POSTS, section=True, attendance=attendance)
