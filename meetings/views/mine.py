"""My meetings: the upcoming (or past) meetings of my clubs, with my RSVP and progress on each."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from booky.core.htmx import is_fragment_request as _is_fragment_request
from booky.core.htmx import login_required_page
from booky.core.numbers import Paginator
from meetings.models import Meeting
from meetings.selectors import upcoming_with_my_attendance

MEETINGS_PER_PAGE = 20


@require_safe
@vary_on_headers("HX-Request")
@login_required_page
def mine(request):
    """Upcoming meetings (the default), or with `?when=past` the past ones, latest first."""
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    meetings = Meeting.objects.of_member(request.user).with_page_data()
    meetings = meetings.past() if when == "past" else meetings.upcoming()
    page = Paginator(meetings, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    listed = upcoming_with_my_attendance(request.user, page.object_list)
    template = "meetings/mine.html#meeting-list" if _is_fragment_request(request) else "meetings/mine.html"
    context = {
        "page": page,
        "meetings": listed,
        "when": when,
        "page_query": "when=past" if when == "past" else "",
    }
    return TemplateResponse(request, template, context)
