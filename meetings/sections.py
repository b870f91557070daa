"""What the meeting page's sections show: the race, my RSVP, my progress, the check-in list; and the
meetings about a book, on the book's page.

Read by the pages of booky.site that compose them (the meeting page adds the bets section; the book
page sits in books, below meetings) and by the fragments that swap one section in place
(meetings/views/race.py).
"""

from datetime import UTC

from django.db.models import Avg, Count
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clubs.models import Membership
from clubs.permissions import remember_role, role_subquery
from clubs.visibility import annotate_profile_visibility
from meetings import pace, permissions, plan, race
from meetings.forms import ProgressForm
from meetings.models import RSVP_ANSWERS, Attendance, Meeting, MeetingReview, ProgressEntry, Rsvp
from meetings.selectors import reading_plan_of, waitlist_position
from meetings.zones import zone_or_none
from social.permissions import mark_profile_linkable, with_profile_visibility

RACE_ORDER = ("-current_page", "finished_at", "user__username")  # as Attendance.objects.for_race()
BOOK_UPCOMING_MEETINGS = 20
BOOK_PAST_MEETINGS = 10


def visible_meeting(request, pk: int, *, page_data: bool = False) -> Meeting:
    meetings = Meeting.objects.visible_to(request.user)
    meetings = meetings.with_page_data() if page_data else meetings.select_related("club", "book")
    if not request.user.is_authenticated:
        return get_object_or_404(meetings, pk=pk)
    # The viewer's role comes with the meeting: every permission question after it costs no query.
    meeting = get_object_or_404(meetings.annotate(viewer_role=role_subquery(request.user)), pk=pk)
    remember_role(request.user, meeting.club, meeting.viewer_role)
    return meeting


def attendances(meeting: Meeting, viewer=None) -> list[Attendance]:
    """The meeting's attendances, leaders first, each user marked with what `viewer` may see of them."""
    # Through the meeting's manager: each row then knows its meeting, so finish_status costs no query.
    rows = meeting.attendances.select_related("user").order_by(*RACE_ORDER)
    rows = with_profile_visibility(annotate_profile_visibility(rows, viewer, club=meeting.club))
    mark_profile_linkable(viewer, [attendance.user for attendance in rows])
    return rows


def plan_status_for(meeting: Meeting, attendance: Attendance | None, *, now) -> plan.PlanStatus | None:
    """Where the member stands against the reading plan (None without a plan, or for a non-reader)."""
    milestones = reading_plan_of(meeting)
    if not milestones or attendance is None or attendance.rsvp != Rsvp.GOING or meeting.plan_set_on is None:
        return None
    zone = zone_or_none(meeting.timezone) or UTC
    return plan.plan_status(
        milestones,
        plan_starts=meeting.plan_set_on,
        today=now.astimezone(zone).date(),
        current_page=attendance.current_page,
    )


def race_context(request, meeting: Meeting, attendances: list[Attendance]) -> dict:
    going = [attendance for attendance in attendances if attendance.rsvp == Rsvp.GOING]
    runners = race.runners(going, target_page=meeting.target_page, me_id=request.user.pk)
    milestones = reading_plan_of(meeting)
    return {
        "meeting": meeting,
        "plan_markers": plan.marker_positions(milestones, meeting.target_page) if milestones else [],
        "runners": runners,
        "going": going,
        "maybe": [attendance for attendance in attendances if attendance.rsvp == Rsvp.MAYBE],
        "declined": [attendance for attendance in attendances if attendance.rsvp == Rsvp.DECLINED],
        "finished_count": sum(1 for attendance in going if attendance.finished_in_time),
        "late_count": sum(1 for attendance in going if attendance.finished_late),
        "poll_seconds": race.RACE_POLL_SECONDS if meeting.is_scheduled() else None,
    }


def progress_context(meeting: Meeting, attendance: Attendance | None, *, form=None, now=None) -> dict:
    """My progress form, my pace and the chart of my history."""
    now = now or timezone.now()
    if attendance is not None:
        attendance.meeting = meeting  # the template reads finish_status
    if form is None:
        form = ProgressForm(
            target_page=meeting.target_page,
            initial={
                "current_page": attendance.current_page if attendance else 0,
                "version": attendance.version if attendance else None,
            },
        )
    context = {
        "meeting": meeting,
        "attendance": attendance,
        "progress_form": form,
        "pace": None,
        "chart": None,
        "race_started": meeting.has_started(now),
        "plan_status": plan_status_for(meeting, attendance, now=now),
        "race_decided": bool(attendance and attendance.finished_in_time and meeting.has_started(now)),
    }
    if attendance is None:
        return context
    history = list(ProgressEntry.objects.filter(attendance=attendance).values_list("recorded_at", "page"))
    started_at = min([attendance.created_at, *(moment for moment, _page in history)])
    context["pace"] = pace.pace_for(
        current_page=attendance.current_page,
        target_page=meeting.target_page,
        started_at=started_at,
        meeting_starts_at=meeting.starts_at,
        now=now,
        finished_at=attendance.finished_at,
    )
    context["on_track"] = context["pace"].on_track(meeting.starts_at)
    if history:
        context["chart"] = race.progress_chart(
            history,
            target_page=meeting.target_page,
            started_at=started_at,
            meeting_starts_at=meeting.starts_at,
            now=now,
        )
        context["history_first"] = history[0]
    return context


def check_in_context(meeting: Meeting, attendances: list[Attendance]) -> dict:
    checked_in = {attendance.user_id for attendance in attendances if attendance.checked_in}
    rsvp_of = {attendance.user_id: attendance.get_rsvp_display() for attendance in attendances}
    members = Membership.objects.filter(club=meeting.club).select_related("user").order_by("user__username")
    rows = [
        {
            "user": membership.user,
            "checked_in": membership.user_id in checked_in,
            "rsvp": rsvp_of.get(membership.user_id, "No answer"),
        }
        for membership in members
    ]
    return {"meeting": meeting, "check_in_rows": rows}


def rsvp_context(request, meeting: Meeting, attendance: Attendance | None) -> dict:
    return {
        "meeting": meeting,
        "my_rsvp": attendance.rsvp if attendance else "",
        "waitlist_position": waitlist_position(attendance) if attendance else None,
        "rsvp_choices": RSVP_ANSWERS,
        "can_take_part": permissions.can_take_part(request.user, meeting),
        "rsvp_open": meeting.rsvp_is_open(),
    }


def book_meetings_context(viewer, book) -> dict:
    """The book page's "Clubs reading this": meetings about `book` in clubs `viewer` can see, upcoming
    first, then the latest past ones."""
    meetings = Meeting.objects.visible_to(viewer).filter(book=book).select_related("club", "book")
    return {
        "upcoming_meetings": list(meetings.upcoming()[:BOOK_UPCOMING_MEETINGS]),
        "past_meetings": list(meetings.past()[:BOOK_PAST_MEETINGS]),
        "club_ratings": club_ratings(viewer, book),
    }


def club_ratings(viewer, book) -> list[dict]:
    """The average rating of `book` in each club the viewer belongs to (ratings are for members). One
    query; none for visitors."""
    if not viewer.is_authenticated:
        return []
    return list(
        MeetingReview.objects.filter(meeting__book=book, meeting__club__memberships__user=viewer)
        .values("meeting__club__name", "meeting__club__slug")
        .annotate(average=Avg("rating"), count=Count("pk"))
        .order_by("meeting__club__name")
    )
