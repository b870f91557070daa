"""My meetings: the upcoming meetings of my clubs, with my RSVP and progress on each."""

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
    upcoming = Meeting.objects.of_member(request.user).upcoming().with_page_data()
    page = Paginator(upcoming, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    meetings = upcoming_with_my_attendance(request.user, page.object_list)
    template = "meetings/mine.html#meeting-list" if _is_fragment_request(request) else "meetings/mine.html"
    return TemplateResponse(request, template, {"page": page, "meetings": meetings})
