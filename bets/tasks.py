"""Background work for bets: settle a meeting's bets when it starts."""

import logging

from django.db import transaction
from django.tasks import default_task_backend, task
from django.utils import timezone

from bets import services
from meetings.models import Meeting, MeetingStatus

logger = logging.getLogger(__name__)


@task()
def resolve_meeting_bets(meeting_id: int) -> bool:
    """Settle one meeting if it is due; a no-op when it is not (yet) or already settled."""
    resolved = services.meeting_resolve_bets(meeting_id=meeting_id)
    if resolved:
        logger.info("Resolved bets of meeting %s", meeting_id)
    return resolved


@task()
def resolve_due_meetings_task() -> int:
    return resolve_due_meetings()


def resolve_due_meetings(now=None) -> int:
    """The sweep: settle every started or cancelled meeting not settled yet. Returns how many."""
    now = now or timezone.now()
    due = Meeting.objects.filter(bets_resolved_at__isnull=True, starts_at__lte=now).values_list(
        "pk", flat=True
    )
    cancelled = Meeting.objects.filter(
        bets_resolved_at__isnull=True, status=MeetingStatus.CANCELLED
    ).values_list("pk", flat=True)
    count = 0
    for meeting_id in sorted({*due, *cancelled}):
        count += services.meeting_resolve_bets(meeting_id=meeting_id, now=now)
    return count


def schedule_resolution(meeting: Meeting) -> None:
    """After commit, queue the settlement for the meeting's start (the sweep catches anything missed)."""
    if not default_task_backend.supports_defer:
        return  # in-process backend (tests, no worker): the sweep and explicit calls settle meetings
    starts_at = meeting.starts_at
    meeting_id = meeting.pk
    transaction.on_commit(lambda: resolve_meeting_bets.using(run_after=starts_at).enqueue(meeting_id))
