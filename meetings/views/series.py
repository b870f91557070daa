"""A club's recurring series: when it repeats, its meetings so far, and (hosts) stopping it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from booky.core.htmx import login_required_page, redirect_for
from clubs.models import Club
from meetings import permissions, services
from meetings.models import MeetingSeries


@require_http_methods(["GET", "HEAD", "POST"])
def series_page(request, pk: int):
    series = get_object_or_404(
        MeetingSeries.objects.select_related("club").filter(club__in=Club.objects.visible_to(request.user)),
        pk=pk,
    )
    if request.method == "POST":
        return _stop(request, series)
    context = {
        "series": series,
        "club": series.club,
        "description": services.series_description(series),
        "meetings": list(series.meetings.select_related("book").order_by("-starts_at")[:20]),
        "can_manage": permissions.can_manage_meetings(request.user, series.club),
    }
    return TemplateResponse(request, "meetings/series.html", context)


@login_required_page
def _stop(request, series):
    if not permissions.can_manage_meetings(request.user, series.club):
        raise PermissionDenied("Only the owner and moderators stop a series.")
    services.series_stop(actor=request.user, series=series)
    messages.success(request, "The series stops here: no more meetings are created.")
    return redirect_for(request, request.path)
