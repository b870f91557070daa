"""A meeting's discussion page: posts gated by each reader's page (meetings.discussion)."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from meetings.discussion import permissions as discussion_permissions
from meetings.discussion.selectors import discussion_page, post_count, reader_for
from meetings.sections import visible_meeting


@require_safe
def page(request, pk: int):
    meeting = visible_meeting(request, pk)
    if not discussion_permissions.can_see_post_count(request.user, meeting):
        raise PermissionDenied
    reader = reader_for(request.user, meeting)
    posts_page, posts = discussion_page(
        meeting, reader, order=request.GET.get("order", "newest"), page_number=request.GET.get("page", 1)
    )
    context = {
        "meeting": meeting,
        "reader": reader,
        "posts_page": posts_page,
        "posts": posts,
        "post_count": post_count(meeting),
    }
    return TemplateResponse(request, "meetings/discussion.html", context)
