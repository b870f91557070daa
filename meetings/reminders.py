"""What members of a club hear about its meetings: scheduled, moved, cancelled, and the reminder within
the 24 hours before (worded in each member's own time zone: "tonight at 19:00", "tomorrow at 19:00").

The reminder goes out exactly once per member, meeting and start time, however many sweeps run at
once or again after a restart: its notification carries the key
``reminder:<meeting>:<member>:<start>``, which the database keeps unique. Moving the meeting changes
the key (the next sweep reminds again for the new time) and withdraws unread reminders of the old
time; cancelling withdraws them, and the sweep only looks at scheduled meetings.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from clubs.models import Membership, clean_reminder_leads
from meetings.models import Attendance, Meeting, MeetingStatus, ReminderPreference, Rsvp
from social.models import Notification, NotificationKind, User
from social.notifications import local_time, notify, reminders_withdraw, user_timezone

logger = logging.getLogger(__name__)

REMINDER_LEAD = timedelta(hours=24)
# What each lead a member can choose means (clubs.models.REMINDER_LEADS names them).
LEAD_TIMES = {"week": timedelta(days=7), "day": REMINDER_LEAD, "hour": timedelta(hours=1)}
LONGEST_LEAD = max(LEAD_TIMES.values())
TONIGHT_FROM_HOUR = 17  # a meeting starting at 17:00 or later today is "tonight"


def reminder_key(meeting: Meeting, user: User, lead: str = "day") -> str:
    # The day-before key keeps the form it had before members chose their leads (sent ones stay sent).
    suffix = "" if lead == "day" else f":{lead}"
    return f"reminder:{meeting.pk}:{user.pk}:{meeting.starts_at.isoformat()}{suffix}"


def due_lead(leads: list[str], *, starts_at: datetime, now: datetime) -> str | None:
    """The member's reminder due now, if any. Each chosen lead owns the time from its moment before the
    start until the next shorter chosen lead's, so a meeting scheduled at short notice gets the one
    reminder that fits, not all of them at once."""
    chosen = sorted((lead for lead in leads if lead in LEAD_TIMES), key=LEAD_TIMES.get, reverse=True)
    for index, lead in enumerate(chosen):
        window_ends = starts_at - (LEAD_TIMES[chosen[index + 1]] if index + 1 < len(chosen) else timedelta(0))
        if starts_at - LEAD_TIMES[lead] <= now < window_ends:
            return lead
    return None


def leads_by_member(meeting: Meeting, members: list[User]) -> dict[int, list[str]]:
    """Each member's chosen leads for the meeting's club, or the club's defaults. One query."""
    chosen = dict(
        ReminderPreference.objects.filter(club_id=meeting.club_id, user__in=members).values_list(
            "user_id", "leads"
        )
    )
    default = clean_reminder_leads(meeting.club.reminder_leads)
    return {
        user.pk: clean_reminder_leads(chosen[user.pk]) if user.pk in chosen else default for user in members
    }


def _members(meeting: Meeting, *, exclude: User | None = None) -> list[User]:
    memberships = (
        Membership.objects.filter(club_id=meeting.club_id).select_related("user").order_by("user_id")
    )
    if exclude is not None and exclude.is_authenticated:
        memberships = memberships.exclude(user=exclude)
    return [membership.user for membership in memberships]


def notify_members(*, meeting: Meeting, kind: str, actor: User | None, message: Callable[[User], str]) -> int:
    """One notification to each member of the meeting's club but the actor; returns how many."""
    sent = 0
    for user in _members(meeting, exclude=actor):
        sent += (
            notify(
                recipient=user,
                kind=kind,
                actor=actor if actor is not None and actor.is_authenticated else None,
                message=message(user),
                url=meeting.get_absolute_url(),
            )
            is not None
        )
    return sent


def _title(meeting: Meeting) -> str:
    return f"“{meeting.display_title}” ({meeting.club.name})"


def meeting_scheduled(*, meeting: Meeting, actor: User | None) -> int:
    return notify_members(
        meeting=meeting,
        kind=NotificationKind.MEETING_SCHEDULED,
        actor=actor,
        message=lambda user: f"New meeting {_title(meeting)} on {local_time(user, meeting.starts_at)}.",
    )


def meeting_rescheduled(*, meeting: Meeting, actor: User | None, previous_start: datetime) -> int:
    reminders_withdraw(meeting_id=meeting.pk)
    return notify_members(
        meeting=meeting,
        kind=NotificationKind.MEETING_RESCHEDULED,
        actor=actor,
        message=lambda user: (
            f"{_title(meeting)} moved from {local_time(user, previous_start)} "
            f"to {local_time(user, meeting.starts_at)}."
        ),
    )


def meeting_cancelled(*, meeting: Meeting, actor: User | None) -> int:
    reminders_withdraw(meeting_id=meeting.pk)
    reason = f" Reason: {meeting.cancel_reason}" if meeting.cancel_reason else ""
    return notify_members(
        meeting=meeting,
        kind=NotificationKind.MEETING_CANCELLED,
        actor=actor,
        message=lambda user: (
            f"{_title(meeting)} on {local_time(user, meeting.starts_at)} is cancelled.{reason}"
        ),
    )


@transaction.atomic
def _remind(meeting_id: int, now: datetime) -> int:
    """Remind every member of one meeting who has not been reminded for its current start time.

    The meeting row is locked, so a cancellation or a move (which lock it too) is never interleaved
    with the reminders, and two sweeps take turns on the meeting; the unique key settles the rest."""
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return 0
    if not now < meeting.starts_at <= now + LONGEST_LEAD:
        return 0
    meeting = Meeting.objects.select_related("club", "book").get(pk=meeting.pk)
    declined = set(
        Attendance.objects.filter(meeting=meeting, rsvp=Rsvp.DECLINED).values_list("user_id", flat=True)
    )
    members = [user for user in _members(meeting) if user.pk not in declined]
    leads = leads_by_member(meeting, members)
    keys = {}
    for user in members:
        lead = due_lead(leads[user.pk], starts_at=meeting.starts_at, now=now)
        if lead is not None:
            keys[user.pk] = reminder_key(meeting, user, lead)
    done = set(Notification.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    sent = 0
    for user in members:
        if user.pk not in keys or keys[user.pk] in done:
            continue
        sent += (
            notify(
                recipient=user,
                kind=NotificationKind.MEETING_REMINDER,
                message=reminder_message(meeting, user, now=now),
                url=meeting.get_absolute_url(),
                dedupe_key=keys[user.pk],
            )
            is not None
        )
    return sent


def starts_in_words(starts_at: datetime, *, now: datetime, zone: tzinfo) -> str:
    """When a meeting starts, said the way its reader thinks of it, in their own time zone:
    "in 23 minutes", "tonight at 19:00", "today at 10:30", "tomorrow at 19:00", or the day."""
    minutes = round((starts_at - now).total_seconds() / 60)
    if minutes < 60:
        minutes = max(minutes, 1)
        return f"in {minutes} minute{'' if minutes == 1 else 's'}"
    local_start, local_now = starts_at.astimezone(zone), now.astimezone(zone)
    at = f"at {local_start:%H:%M} ({local_start.tzname()})"
    days = (local_start.date() - local_now.date()).days
    if days == 0:
        return f"tonight {at}" if local_start.hour >= TONIGHT_FROM_HOUR else f"today {at}"
    if days == 1:
        return f"tomorrow {at}"
    return f"on {format_date(local_start, 'l j F')} {at}"


def reminder_message(meeting: Meeting, user: User, *, now: datetime) -> str:
    """The reminder's sentence for one member: when (their time), where, and the call's link."""
    when = starts_in_words(meeting.starts_at, now=now, zone=user_timezone(user))
    parts = [f"Reminder: {_title(meeting)} starts {when}."]
    # Reminders go to members only, who may see where the club meets.
    if meeting.place:
        parts.append(f"Where: {meeting.place}.")
    if meeting.online_link:
        parts.append(f"Online: {meeting.online_link}")
    return " ".join(parts)


def send_due_reminders(now: datetime | None = None) -> int:
    """The sweep: remind the members of every scheduled meeting starting within a week, each at the
    leads they chose (a week, a day, an hour before; the club's defaults otherwise). Returns how many
    reminders this call recorded (a concurrent sweep records the others, never the same twice)."""
    now = now or timezone.now()
    due = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + LONGEST_LEAD
    ).order_by("starts_at", "pk")
    sent = 0
    for meeting_id in due.values_list("pk", flat=True):
        sent += _remind(meeting_id, now)
    if sent:
        logger.info("Sent %s meeting reminder(s)", sent)
    return sent
