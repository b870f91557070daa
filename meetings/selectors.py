"""Reads that pages of several apps share (the dashboard, "My meetings", the polled fragments)."""

from datetime import date, datetime

from django.db.models import Count, Expression, Max, OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.utils import timezone

from clubs.models import Membership
from meetings import plan
from meetings.models import Attendance, Meeting, Rsvp

# A polled fragment may show what its fingerprint does not name (a renamed member, a profile made
# private, a new friendship) at most this long after it changed.
FINGERPRINT_FRESHNESS_SECONDS = 300


def child_stats(model, *, meeting_field: str = "meeting", prefix: str) -> dict[str, Expression]:
    """How many rows of `model` a meeting has, the sum of their versions and the newest id: together
    they change whenever a row is added, changed (every change bumps `version`) or removed."""
    rows = model.objects.filter(**{meeting_field: OuterRef("pk")}).order_by().values(meeting_field)
    return {
        f"{prefix}_count": Subquery(rows.annotate(value=Count("pk")).values("value")),
        f"{prefix}_versions": Subquery(rows.annotate(value=Sum("version")).values("value")),
        f"{prefix}_newest": Subquery(rows.annotate(value=Max("pk")).values("value")),
    }


def meeting_fingerprint(viewer, pk: int, *, now: datetime | None = None, **extra: Expression) -> tuple:
    """What the race shows of meeting `pk` to `viewer`, as a tuple that changes when that does, in one
    query (counts and versions, not the rows); `extra` adds the caller's own columns (the bets).

    Raises Http404 when the viewer may not see the meeting, as the fragment itself would."""
    now = now or timezone.now()
    columns = {**child_stats(Attendance, prefix="attendances"), **extra}
    if viewer.is_authenticated:
        mine = Membership.objects.filter(club=OuterRef("club"), user=viewer)
        columns["my_role"] = Subquery(mine.values("role")[:1])
    row = (
        Meeting.objects.visible_to(viewer)
        .filter(pk=pk)
        .annotate(**columns)
        .values_list("version", "status", "starts_at", "ends_at", "bets_resolved_at", *columns)
        .first()
    )
    if row is None:
        raise Http404("No such meeting.")
    starts_at, ends_at = row[2], row[3]
    return (
        viewer.pk,
        timezone.get_current_timezone_name(),
        now >= starts_at,
        now >= ends_at,
        int(now.timestamp()) // FINGERPRINT_FRESHNESS_SECONDS,
        *row,
    )


def upcoming_with_my_attendance(user, meetings) -> list[Meeting]:
    """Attach `my_attendance` (or None) to each meeting, in one query for the lot."""
    meetings = list(meetings)
    mine = {
        attendance.meeting_id: attendance
        for attendance in Attendance.objects.filter(
            user=user, meeting__in=[meeting.pk for meeting in meetings]
        )
    }
    for meeting in meetings:
        meeting.my_attendance = mine.get(meeting.pk)
        if meeting.my_attendance:
            meeting.my_attendance.meeting = meeting  # finish_status reads it
        meeting.my_percent = (
            meeting.my_attendance.percent_of(meeting.target_page) if meeting.my_attendance else 0
        )
    return meetings


def waitlist_position(attendance: Attendance) -> int | None:
    """1 for the first on the waiting list; None when not on it."""
    if attendance.rsvp != Rsvp.WAITLIST:
        return None
    ahead = Attendance.objects.filter(meeting_id=attendance.meeting_id, rsvp=Rsvp.WAITLIST).filter(
        Q(waitlisted_at__lt=attendance.waitlisted_at)
        | Q(waitlisted_at=attendance.waitlisted_at, pk__lt=attendance.pk)
    )
    return ahead.count() + 1


def reading_plan_of(meeting: Meeting) -> list[plan.Milestone]:
    """The meeting's milestones as plan.Milestone values (what the row keeps as JSON)."""
    milestones = []
    for item in meeting.reading_plan or []:
        try:
            milestones.append(
                plan.Milestone(
                    page=int(item["page"]), due=date.fromisoformat(item["due"]), label=item.get("label", "")
                )
            )
        except (KeyError, TypeError, ValueError):
            continue  # a row written by hand in the admin: skipped, not a 500
    return milestones
