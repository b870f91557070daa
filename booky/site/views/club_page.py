"""The club page: the club (about, membership box, members preview, invite box; built by
clubs/page_helpers.py) and its upcoming and past meetings. Mounted as `clubs:detail` by booky/site/urls.py.

Its HTMX fragments are the club's: an htmx GET answers with the #membership box alone, and the
membership actions and the invite form (clubs/views/) answer with the partials of clubs/detail.html,
which templates/site/club_page.html extends with the meetings.
"""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.htmx import is_fragment_request
from clubs.models import Club
from clubs.page_helpers import club_page_context, membership_context
from meetings.models import Meeting

CLUB_UPCOMING_MEETINGS = 20
CLUB_PAST_MEETINGS = 10


@require_safe
@vary_on_headers("HX-Request")
def detail(request, slug):
    club = get_object_or_404(
        Club.objects.visible_to(request.user).with_member_count().with_open_poll(), slug=slug
    )
    if is_fragment_request(request):
        return TemplateResponse(request, "clubs/detail.html#membership", membership_context(request, club))
    context = club_page_context(request, club)
    context.update(_meetings_context(club))
    # Where a club meets is for its members (a public page must not invite strangers to a home).
    context["hide_where"] = context["role"] is None
    return TemplateResponse(request, "site/club_page.html", context)


def _meetings_context(club: Club) -> dict:
    meetings = Meeting.objects.filter(club=club).with_page_data()
    return {
        "upcoming_meetings": list(meetings.upcoming()[:CLUB_UPCOMING_MEETINGS]),
        "past_meetings": list(meetings.past()[:CLUB_PAST_MEETINGS]),
    }
