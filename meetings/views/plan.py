"""A meeting's reading plan: milestones ("page 120 by Sat 12 Dec") the hosts set, and where each member
stands against it. The race on the meeting page shows the milestones as markers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from booky.core.errors import DomainError
from booky.core.htmx import login_required_page, redirect_for
from meetings import permissions, plan, services
from meetings.forms import PlanForm
from meetings.models import Attendance
from meetings.sections import plan_status_for, visible_meeting
from meetings.selectors import reading_plan_of


@require_http_methods(["GET", "HEAD", "POST"])
def reading_plan(request, pk: int):
    meeting = visible_meeting(request, pk)
    if request.method == "POST":
        return _set_plan(request, meeting)
    return _page(request, meeting, form=None)


@login_required_page
def _set_plan(request, meeting):
    if not permissions.can_manage_meeting(request.user, meeting):
        raise PermissionDenied("Only the owner and moderators set the reading plan.")
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_plan_set(
                actor=request.user, meeting=meeting, milestones=form.cleaned_data["milestones"]
            )
        except DomainError as error:
            form.add_error("milestones", error.message)
        else:
            messages.success(request, "Reading plan saved.")
            return redirect_for(request, meeting.get_absolute_url())
    return _page(request, meeting, form=form, status=422)


def _page(request, meeting, *, form, status=200):
    milestones = reading_plan_of(meeting)
    can_manage = permissions.can_manage_meeting(request.user, meeting) and meeting.is_scheduled()
    attendance = (
        Attendance.objects.filter(meeting=meeting, user=request.user).first()
        if request.user.is_authenticated
        else None
    )
    context = {
        "meeting": meeting,
        "milestones": milestones,
        "can_manage": can_manage,
        "form": (form or PlanForm(initial=PlanForm.initial_for(milestones))) if can_manage else None,
        "my_plan": plan_status_for(meeting, attendance, now=timezone.now()),
        "markers": plan.marker_positions(milestones, meeting.target_page) if milestones else [],
    }
    return TemplateResponse(request, "meetings/plan.html", context, status=status)
