"""Every write to meetings and attendances. Views, the API and the admin call these.

Edits of a meeting and of a member's progress use optimistic locking: the caller passes the
version it last saw, the UPDATE only matches that version, and a miss raises StaleVersion with
the current values, so two browser tabs can never silently overwrite each other.
"""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from booky.core.errors import Conflict, DomainError, NotAllowed, NotFound
from clubs.models import REMINDER_LEADS, Club, Membership, clean_reminder_leads
from clubs.polls import permissions as poll_permissions
from meetings import events, permissions, plan, recurrence, reminders, zones
from meetings.models import (
    REVIEW_MAX_LENGTH,
    RSVP_ANSWERS,
    Attendance,
    CalendarFeed,
    Meeting,
    MeetingAnnouncement,
    MeetingReview,
    MeetingSeries,
    MeetingStatus,
    ProgressEntry,
    ReminderPreference,
    Rsvp,
    new_calendar_token,
)
from meetings.selectors import reading_plan_of
from social.models import NotificationKind
from social.notifications import notify

MAX_SCHEDULE_AHEAD = timedelta(days=5 * 365)

MEETING_EDITABLE_FIELDS = (
    "book",
    "title",
    "description",
    "starts_at",
    "duration_minutes",
    "place",
    "online_link",
    "target_page",
    "attendance_limit",
)


class StaleVersion(Conflict):
    """Someone else changed the row since the caller loaded it; `current` holds what is there now."""

    code = "stale_version"

    def __init__(self, message: str, *, current):
        super().__init__(message)
        self.current = current


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _is_site_moderator(user) -> bool:
    """Site staff moderating through the admin may edit, cancel and complete any club's meetings."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("meetings.change_meeting")
    )


def _check_target(book, target_page: int | None) -> int:
    if target_page is None:
        if not book.page_count:
            raise DomainError("This book has no page count: set the target page.", code="target_required")
        return book.page_count
    if isinstance(target_page, bool) or not isinstance(target_page, int):
        raise DomainError("The target page must be a whole number.", code="invalid_target")
    if target_page < 1:
        raise DomainError("The target page must be at least 1.", code="invalid_target")
    if book.page_count and target_page > book.page_count:
        raise DomainError(
            f"The target page cannot be beyond the book's last page ({book.page_count}).",
            code="invalid_target",
        )
    return target_page


def _check_where(meeting: Meeting) -> None:
    if not meeting.place.strip() and not meeting.online_link.strip():
        raise DomainError("Give a place, an online link, or both.", code="place_required")


def _check_future(starts_at: datetime, now: datetime) -> None:
    if timezone.is_naive(starts_at):
        raise DomainError("The start time needs a timezone.", code="invalid_start")
    if starts_at <= now:
        raise DomainError("A meeting must start in the future.", code="start_in_past")
    if starts_at > now + MAX_SCHEDULE_AHEAD:
        raise DomainError("Schedule meetings at most five years ahead.", code="start_too_far")


@transaction.atomic
def meeting_schedule_poll_winner(
    *,
    actor,
    poll,
    starts_at: datetime,
    duration_minutes: int = 120,
    place: str = "",
    online_link: str = "",
    now: datetime | None = None,
) -> Meeting:
    """The one step from a closed poll to the next meeting: its winner, on the date the host picks.

    The poll's own rules say whether it has a winner to schedule (clubs.polls.permissions); a poll's
    winner becomes one meeting only (a second click answers with the first one's conflict).
    """
    if not poll_permissions.can_schedule_winner(actor, poll):
        if poll.winner_id is None:
            raise DomainError("This poll has no winner to schedule.", code="no_winner")
        raise NotAllowed("Only the club's owner and moderators schedule meetings.")
    existing = Meeting.objects.filter(from_poll=poll).first()
    if existing is not None:
        raise Conflict(
            f"The winner is already scheduled: “{existing.display_title}”.", code="already_scheduled"
        )
    book = poll.winner.book
    meeting = meeting_create(
        actor=actor,
        club=poll.club,
        book=book,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        online_link=online_link,
        now=now,
    )
    meeting.from_poll = poll
    try:
        with transaction.atomic():
            meeting.save(update_fields=["from_poll"])
    except IntegrityError as error:
        raise Conflict("The winner was just scheduled by another host.", code="already_scheduled") from error
    return meeting


@transaction.atomic
def meeting_create(
    *,
    actor,
    club: Club,
    book,
    starts_at: datetime,
    duration_minutes: int = 120,
    title: str = "",
    description: str = "",
    place: str = "",
    online_link: str = "",
    target_page: int | None = None,
    zone: str | None = None,
    attendance_limit: int | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Schedule a meeting of `club` about `book`; only the owner and moderators may. Its own time zone is
    `zone`, by default the host's (the one their form read the start in)."""
    _require(
        permissions.can_manage_meetings(actor, club), "Only the owner and moderators can schedule meetings."
    )
    _check_future(starts_at, now or timezone.now())
    meeting = Meeting(
        club=club,
        book=book,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        title=title.strip(),
        description=description.strip(),
        place=place.strip(),
        online_link=online_link.strip(),
        target_page=_check_target(book, target_page),
        attendance_limit=attendance_limit,
        timezone=_host_zone(actor) if zone is None else zone,
        created_by=actor,
    )
    _check_where(meeting)
    meeting.full_clean(exclude=["ends_at"])
    meeting.save()
    events.meeting_start_set.send(sender=Meeting, meeting=meeting)
    reminders.meeting_scheduled(meeting=meeting, actor=actor)
    return meeting


def _host_zone(actor) -> str:
    name = getattr(actor, "timezone", "") or ""
    return name if zones.zone_or_none(name) is not None else ""


def _stale_meeting(meeting_pk: int) -> StaleVersion:
    current = Meeting.objects.select_related("book", "club").get(pk=meeting_pk)
    return StaleVersion(
        "Someone else changed this meeting while you were editing. Here is the current version; "
        "check it and apply your change again.",
        current=current,
    )


@transaction.atomic
def meeting_update(*, actor, meeting: Meeting, expected_version: int, now: datetime | None = None, **changes):
    """Edit or reschedule a scheduled meeting, if nobody changed it since `expected_version`; an edit
    that changes the race under open bets (see _race_changed) announces it (events.race_changed), and
    bets refunds them all, in this transaction."""
    _require(
        permissions.can_manage_meeting(actor, meeting) or _is_site_moderator(actor),
        "Only the owner and moderators can edit meetings.",
    )
    unknown = set(changes) - set(MEETING_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    # Only the meeting: FOR UPDATE would lock the joined book too (lock order: bets/services.py).
    locked = (
        Meeting.objects.select_for_update(of=("self",)).select_related("book").filter(pk=meeting.pk).first()
    )
    if locked is None:
        raise NotFound("This meeting no longer exists.")
    if locked.version != expected_version:
        raise _stale_meeting(locked.pk)
    if locked.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"This meeting is {locked.get_status_display().lower()} and can no longer be edited.")
    now = now or timezone.now()
    if locked.has_started(now):
        # Bets closed at the start: moving it or changing its target now would change who won.
        raise Conflict("This meeting has started and can no longer be edited.", code="already_started")
    previous_start, previous_target, previous_book_id = locked.starts_at, locked.target_page, locked.book_id
    if "starts_at" in changes and changes["starts_at"] != locked.starts_at:
        _check_future(changes["starts_at"], now)
    for field, value in changes.items():
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    book_changed = "book" in changes and changes["book"].pk != meeting.book_id
    if "target_page" in changes or book_changed:
        locked.target_page = _check_target(locked.book, changes.get("target_page"))
    _check_where(locked)
    locked.full_clean(exclude=["ends_at"])
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    _refresh_finished(locked)
    why = _race_changed(locked, start=previous_start, target=previous_target, book_id=previous_book_id)
    if why:
        events.race_changed.send(sender=Meeting, meeting=locked, why=why)
    if "starts_at" in changes:
        events.meeting_start_set.send(sender=Meeting, meeting=locked)
    if locked.starts_at != previous_start:
        reminders.meeting_rescheduled(meeting=locked, actor=actor, previous_start=previous_start)
    if "attendance_limit" in changes:
        _promote_waitlist(locked)  # more places (or none to count): the waiting list moves up
    return locked


def _race_changed(meeting: Meeting, *, start: datetime, target: int, book_id: int) -> str:
    """Why the bets placed on the race before this edit no longer hold, or "" when they still do.

    An earlier start or another target page or book changes who can finish in time (a host could
    steer the result toward their own bet), so open bets are refunded; a later start or a new place
    changes nothing the bets are about."""
    changes = []
    if meeting.starts_at < start:
        changes.append("moved the start earlier")
    if meeting.book_id != book_id:
        changes.append("changed the book")
    if meeting.target_page < target:
        changes.append(f"lowered the target page from {target} to {meeting.target_page}")
    elif meeting.target_page > target:
        changes.append(f"raised the target page from {target} to {meeting.target_page}")
    return f"The hosts {' and '.join(changes)}" if changes else ""


def _refresh_finished(meeting: Meeting) -> None:
    """A new target page re-decides who has finished; every changed attendance gets a history row.
    A member who gave a percent of their own edition stands at that share of the book again (their
    page may have been capped by the old target)."""
    now = timezone.now()
    changed = []
    for attendance in Attendance.objects.select_for_update().filter(meeting=meeting):
        page = attendance.current_page
        if attendance.own_edition_percent is not None:
            page = meeting.page_for_book_percent(attendance.own_edition_percent)
        page = min(page, meeting.target_page)
        reached = page >= meeting.target_page
        if reached == attendance.finished and page == attendance.current_page:
            continue
        attendance.current_page = page
        attendance.finished = reached
        attendance.finished_at = (attendance.finished_at or now) if reached else None
        attendance.version += 1
        changed.append(attendance)
    Attendance.objects.bulk_update(changed, ["current_page", "finished", "finished_at", "version"])
    ProgressEntry.objects.bulk_create(
        ProgressEntry(attendance=a, page=a.current_page, finished=a.finished, recorded_at=now)
        for a in changed
    )


def _change_status(*, actor, meeting: Meeting, status: str, reason: str = "", now=None) -> Meeting:
    _require(
        permissions.can_manage_meeting(actor, meeting) or _is_site_moderator(actor),
        "Only the owner and moderators can do that.",
    )
    locked = Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if locked is None:
        raise NotFound("This meeting no longer exists.")
    if locked.status != MeetingStatus.SCHEDULED:
        raise Conflict(
            f"This meeting is already {locked.get_status_display().lower()}.", code="not_scheduled"
        )
    if status == MeetingStatus.COMPLETED and not locked.has_started(now):
        raise Conflict("A meeting can be completed only after it has started.", code="not_started")
    if status == MeetingStatus.CANCELLED and locked.has_started(now):
        # Bets closed and check-ins may be paid: a started meeting can only be completed.
        raise Conflict(
            "This meeting has started: it cannot be cancelled any more, only completed once it is over.",
            code="already_started",
        )
    locked.status = status
    locked.cancel_reason = reason
    locked.full_clean(exclude=["ends_at"])
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    return locked


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a scheduled meeting, with a reason members will see."""
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise DomainError("Keep the reason under 500 characters.", code="reason_too_long")
    cancelled = _change_status(actor=actor, meeting=meeting, status=MeetingStatus.CANCELLED, reason=reason)
    # Every open stake goes back at once, in the same transaction as the cancellation.
    events.meeting_cancelled.send(sender=Meeting, meeting=cancelled)
    reminders.meeting_cancelled(meeting=cancelled, actor=actor)
    return cancelled


@transaction.atomic
def meeting_complete(*, actor, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Mark a meeting that has taken place as completed; a series then gets its next meeting."""
    completed = _change_status(actor=actor, meeting=meeting, status=MeetingStatus.COMPLETED, now=now)
    if completed.series_id is not None:
        series_id = completed.series_id
        transaction.on_commit(lambda: series_advance(series_id=series_id))
    return completed


def _member_attendance(user, meeting: Meeting, *, lock: bool) -> Attendance:
    if not user.is_authenticated:
        raise NotAllowed("Log in first.", code="not_authenticated")
    _require(
        permissions.can_take_part(user, meeting), "Only members of the club can take part in its meetings."
    )
    attendance, created = Attendance.objects.get_or_create(meeting=meeting, user=user)
    if (
        created
        and meeting.attendance_limit
        and _going_count(meeting, exclude=attendance) >= meeting.attendance_limit
    ):
        # A first visit that records progress counts as "going": at a full meeting that is the list.
        attendance.rsvp, attendance.waitlisted_at = Rsvp.WAITLIST, timezone.now()
        attendance.save(update_fields=["rsvp", "waitlisted_at", "updated_at"])
    if lock:
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    return attendance


def _going_count(meeting: Meeting, *, exclude: Attendance | None = None) -> int:
    going = Attendance.objects.filter(meeting=meeting, rsvp=Rsvp.GOING)
    return going.exclude(pk=exclude.pk).count() if exclude is not None else going.count()


def _promote_waitlist(meeting: Meeting) -> list[Attendance]:
    """Move the first on the waiting list up while there is room; each is told. The meeting row is
    locked by the caller, so two answers never both take the last place."""
    promoted = []
    while True:
        if meeting.attendance_limit and _going_count(meeting) >= meeting.attendance_limit:
            return promoted
        first = (
            Attendance.objects.select_for_update()
            .filter(meeting=meeting, rsvp=Rsvp.WAITLIST)
            .order_by("waitlisted_at", "pk")
            .select_related("user")
            .first()
        )
        if first is None:
            return promoted
        first.rsvp, first.waitlisted_at = Rsvp.GOING, None
        first.version = F("version") + 1
        first.save(update_fields=["rsvp", "waitlisted_at", "version", "updated_at"])
        notify(
            recipient=first.user,
            kind=NotificationKind.WAITLIST_PROMOTED,
            message=f"A place opened up: you are going to {meeting.club.name} · {meeting.display_title}.",
            url=meeting.get_absolute_url(),
        )
        promoted.append(first)


@transaction.atomic
def attendance_rsvp(*, user, meeting: Meeting, rsvp: str, now: datetime | None = None) -> Attendance:
    """Answer going / maybe / not going; closes when the meeting starts. "Going" to a full meeting
    joins its waiting list; a place given up goes to the first on it."""
    if rsvp not in dict(RSVP_ANSWERS):
        raise DomainError(f"Unknown answer {rsvp!r}: choose going, maybe or declined.", code="invalid_rsvp")
    # The meeting row first (the lock order of bet writes): a bet placed on me meanwhile is refunded below.
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("club").get(pk=meeting.pk)
    attendance = _member_attendance(user, meeting, lock=True)
    if not meeting.is_scheduled():
        raise Conflict(f"This meeting is {meeting.get_status_display().lower()}.", code="not_scheduled")
    if not meeting.rsvp_is_open(now):
        raise Conflict("RSVP closed when the meeting started.", code="rsvp_closed")
    was_going = attendance.rsvp == Rsvp.GOING
    if (
        rsvp == Rsvp.GOING
        and not was_going
        and meeting.attendance_limit
        and (
            attendance.rsvp == Rsvp.WAITLIST
            or _going_count(meeting, exclude=attendance) >= meeting.attendance_limit
        )
    ):
        rsvp = Rsvp.WAITLIST
    if attendance.rsvp != rsvp:
        attendance.rsvp = rsvp
        if rsvp == Rsvp.WAITLIST:
            attendance.waitlisted_at = now or timezone.now()
        elif attendance.waitlisted_at is not None:
            attendance.waitlisted_at = None
        attendance.version = F("version") + 1
        attendance.save(update_fields=["rsvp", "waitlisted_at", "version", "updated_at"])
        attendance.refresh_from_db()
    if was_going and rsvp != Rsvp.GOING:
        _promote_waitlist(meeting)
    if rsvp == Rsvp.DECLINED:
        # Stakes on someone not going leave the pool now, so the odds board shows only live stakes.
        events.attendee_declined.send(sender=Meeting, meeting=meeting, user=user)
    return attendance


def _stale_attendance(attendance_pk: int) -> StaleVersion:
    return StaleVersion(
        "Your progress changed in another tab or device. Here is what is saved now; update it again if needed.",
        current=Attendance.objects.get(pk=attendance_pk),
    )


@transaction.atomic
def attendance_progress(
    *,
    user,
    meeting: Meeting,
    current_page: int | None = None,
    own_edition_percent: int | None = None,
    finished: bool | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Record the member's own page (0..target page), or how far they are in their own edition as a
    percent (0..100), kept with the page it stands for in the club's book; reaching the target marks
    them finished.

    After the start a finish is still recorded, with its date, but it is late (Attendance.finish_status)
    and changes no result; an in-time finish can no longer be taken back."""
    meeting = Meeting.objects.select_related("club", "book").get(pk=meeting.pk)
    attendance = _member_attendance(user, meeting, lock=True)
    if expected_version is not None and attendance.version != expected_version:
        raise _stale_attendance(attendance.pk)
    if not meeting.progress_is_open():
        raise Conflict(f"This meeting is {meeting.get_status_display().lower()}.", code="not_scheduled")
    if finished is True:
        current_page, own_edition_percent = meeting.target_page, None
    elif own_edition_percent is not None:
        if isinstance(own_edition_percent, bool) or not isinstance(own_edition_percent, int):
            raise DomainError("The percent must be a whole number from 0 to 100.", code="invalid_percent")
        if not 0 <= own_edition_percent <= 100:
            raise DomainError("Give a percent of your book from 0 to 100.", code="percent_out_of_range")
        current_page = meeting.page_for_book_percent(own_edition_percent)
    elif current_page is None:
        raise DomainError("Give the page you are on, or mark the book finished.", code="page_required")
    if isinstance(current_page, bool) or not isinstance(current_page, int):
        raise DomainError("The page must be a whole number.", code="invalid_page")
    if not 0 <= current_page <= meeting.target_page:
        raise DomainError(
            f"The page must be between 0 and the target page {meeting.target_page}.", code="page_out_of_range"
        )
    now = now or timezone.now()
    reached = current_page >= meeting.target_page
    attendance.meeting = meeting  # finish_status reads it
    if (
        attendance.current_page == current_page
        and attendance.finished == reached
        and attendance.own_edition_percent == own_edition_percent
    ):
        return attendance
    if meeting.has_started(now) and attendance.finished_in_time:
        # The race was decided at the start: an in-time finish stays, or bets and awards would flip.
        raise Conflict(
            "You finished in time, before the meeting started: the race is decided and your finish stays.",
            code="race_decided",
        )
    attendance.current_page, attendance.own_edition_percent = current_page, own_edition_percent
    if reached and not attendance.finished:
        attendance.finished, attendance.finished_at = True, now
    elif not reached:
        attendance.finished, attendance.finished_at = False, None
    attendance.version = F("version") + 1
    attendance.save(
        update_fields=[
            "current_page",
            "own_edition_percent",
            "finished",
            "finished_at",
            "version",
            "updated_at",
        ]
    )
    attendance.refresh_from_db()
    ProgressEntry.objects.create(
        attendance=attendance, page=attendance.current_page, finished=attendance.finished, recorded_at=now
    )
    attendance.meeting = meeting  # refresh_from_db dropped it; callers read finish_status
    return attendance


@transaction.atomic
def meeting_check_in(
    *, actor, meeting: Meeting, usernames: list[str], now: datetime | None = None
) -> list[str]:
    """The host confirms who came; returns the usernames checked in. Opens when the meeting starts.
    bets pays the check-in award (events.members_checked_in), in this transaction."""
    _require(permissions.can_manage_meeting(actor, meeting), "Only the owner and moderators check people in.")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.check_in_is_open(now):
        if meeting.is_scheduled():
            raise Conflict("Check-in opens when the meeting starts.", code="check_in_not_open")
        raise Conflict(f"This meeting is {meeting.get_status_display().lower()}.", code="not_scheduled")
    wanted = {name.lower() for name in usernames if isinstance(name, str)}
    if len(wanted) != len(usernames):
        raise DomainError("Usernames must be a list of distinct names.", code="invalid_usernames")
    memberships = (
        Membership.objects.filter(club=meeting.club)
        .annotate(username_lower=Lower("user__username"))
        .filter(username_lower__in=wanted)
        .select_related("user")
    )
    members = {membership.username_lower: membership.user for membership in memberships}
    unknown = sorted(wanted - set(members))
    if unknown:
        raise DomainError(f"Not members of this club: {', '.join(unknown)}.", code="not_members")
    declined = sorted(
        Attendance.objects.filter(meeting=meeting, user__in=members.values(), rsvp=Rsvp.DECLINED).values_list(
            "user__username", flat=True
        )
    )
    if declined:
        raise DomainError(
            f"These members answered “not going”: {', '.join(declined)}. Only members who said going or maybe "
            "can be checked in.",
            code="declined_attendees",
        )
    now = now or timezone.now()
    users = sorted(members.values(), key=lambda user: user.pk)  # the accounts' lock order
    walk_ins = []
    for user in users:
        attendance, created = Attendance.objects.get_or_create(meeting=meeting, user=user)
        if created:
            walk_ins.append(user)
        if not attendance.checked_in:
            Attendance.objects.filter(pk=attendance.pk).update(
                checked_in=True, checked_in_at=now, version=F("version") + 1
            )
    events.members_checked_in.send(sender=Meeting, meeting=meeting, users=users, walk_ins=walk_ins)
    return sorted(user.username for user in users)


@transaction.atomic
def calendar_feed_get_or_create(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """A new secret token; calendar apps subscribed with the old URL stop receiving meetings."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if not created:
        feed.token = new_calendar_token()
        feed.save(update_fields=["token"])
    return feed


@transaction.atomic
def review_save(*, user, meeting: Meeting, rating: int, review: str = "") -> MeetingReview:
    """Rate the meeting's book (1–5) with an optional short review for the club; saving again replaces it."""
    _require(permissions.is_member_of(user, meeting), "Only members of the club rate its books.")
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError("This meeting was cancelled: there is nothing to rate.", code="cancelled")
    if not meeting.has_started():
        raise DomainError("Rate the book once the meeting has started.", code="not_started")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise DomainError("A rating is 1 to 5 stars.", code="invalid_rating")
    review = (review or "").replace("\x00", "").strip()
    if len(review) > REVIEW_MAX_LENGTH:
        raise DomainError(f"Keep the review to {REVIEW_MAX_LENGTH} characters.", code="review_too_long")
    saved, _created = MeetingReview.objects.update_or_create(
        meeting=meeting, user=user, defaults={"rating": rating, "review": review}
    )
    return saved


@transaction.atomic
def review_delete(*, user, meeting: Meeting) -> bool:
    deleted, _ = MeetingReview.objects.filter(meeting=meeting, user=user).delete()
    return bool(deleted)


@transaction.atomic
def reminder_preference_set(*, user, club: Club, leads) -> ReminderPreference:
    """The reminders the member wants for this club's meetings (any of week, day, hour; none is fine)."""
    if not Membership.objects.filter(club=club, user=user).exists():
        raise NotAllowed("Choose reminders for the clubs you belong to.")
    unknown = set(leads or []) - set(REMINDER_LEADS)
    if unknown:
        raise DomainError("Choose reminders from: a week, a day or an hour before.", code="invalid_leads")
    preference, _created = ReminderPreference.objects.update_or_create(
        user=user, club=club, defaults={"leads": clean_reminder_leads(leads)}
    )
    return preference


ANNOUNCEMENTS_PER_DAY = 3


@transaction.atomic
def meeting_announce(*, actor, meeting: Meeting, message: str, now: datetime | None = None) -> int:
    """The hosts' note to everyone going (in the app, and by email per each member's preferences).
    At most ANNOUNCEMENTS_PER_DAY a meeting; returns how many members it reached."""
    _require(
        permissions.can_manage_meeting(actor, meeting), "Only the owner and moderators send announcements."
    )
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("club").get(pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"This meeting is {meeting.get_status_display().lower()}.", code="not_scheduled")
    message = " ".join((message or "").replace("\x00", "").split())
    if not message:
        raise DomainError("Write the announcement.", code="empty_announcement")
    if len(message) > 500:
        raise DomainError("Keep the announcement to 500 characters.", code="announcement_too_long")
    now = now or timezone.now()
    recent = MeetingAnnouncement.objects.filter(
        meeting=meeting, created_at__gte=now - timedelta(days=1)
    ).count()
    if recent >= ANNOUNCEMENTS_PER_DAY:
        raise Conflict(
            f"This meeting had {ANNOUNCEMENTS_PER_DAY} announcements in the last day; send the next one tomorrow.",
            code="too_many_announcements",
        )
    announcement = MeetingAnnouncement.objects.create(meeting=meeting, author=actor, message=message)
    going = (
        Attendance.objects.filter(meeting=meeting, rsvp=Rsvp.GOING).exclude(user=actor).select_related("user")
    )
    sent = 0
    for attendance in going:
        sent += (
            notify(
                recipient=attendance.user,
                kind=NotificationKind.MEETING_ANNOUNCEMENT,
                actor=actor,
                message=f"{meeting.club.name} · {meeting.display_title}: {message}",
                url=meeting.get_absolute_url(),
                dedupe_key=f"announcement:{announcement.pk}:{attendance.user_id}",
            )
            is not None
        )
    return sent


@transaction.atomic
def meeting_plan_set(
    *, actor, meeting: Meeting, milestones: list[plan.Milestone], now: datetime | None = None
) -> Meeting:
    """Set (or clear, with no milestones) the reading plan: pages to reach by dates before the meeting.
    Bets stay about the target page: a plan never changes who wins."""
    _require(
        permissions.can_manage_meeting(actor, meeting), "Only the owner and moderators set the reading plan."
    )
    locked = Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting.pk).first()
    if locked is None:
        raise NotFound("This meeting no longer exists.")
    if locked.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"This meeting is {locked.get_status_display().lower()}.", code="not_scheduled")
    now = now or timezone.now()
    zone = zones.zone_or_none(locked.timezone) or zones.zone_or_none(getattr(actor, "timezone", "")) or UTC
    today = now.astimezone(zone).date()
    try:
        checked = plan.check_milestones(
            milestones,
            target_page=locked.target_page,
            starts_on=locked.starts_at.astimezone(zone).date(),
            today=today,
        )
    except plan.PlanError as error:
        raise DomainError(str(error), code="invalid_plan") from error
    locked.reading_plan = [{"page": m.page, "due": m.due.isoformat(), "label": m.label} for m in checked]
    locked.plan_set_on = (locked.plan_set_on or today) if checked else None
    locked.save(update_fields=["reading_plan", "plan_set_on", "updated_at"])
    return locked


def send_plan_nudges(now: datetime | None = None) -> int:
    """The sweep: tell each member going who missed a milestone (its day passed, its page not reached),
    once per milestone. Returns how many it told."""
    now = now or timezone.now()
    sent = 0
    meetings = Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=now).exclude(
        reading_plan=[]
    )
    for meeting in meetings.select_related("club"):
        zone = zones.zone_or_none(meeting.timezone) or UTC
        today = now.astimezone(zone).date()
        missed = [m for m in reading_plan_of(meeting) if m.due < today]
        if not missed:
            continue
        latest = missed[-1]
        behind = Attendance.objects.filter(meeting=meeting, rsvp=Rsvp.GOING, current_page__lt=latest.page)
        for attendance in behind.select_related("user"):
            sent += (
                notify(
                    recipient=attendance.user,
                    kind=NotificationKind.BEHIND_PLAN,
                    message=(
                        f"{meeting.club.name} · {meeting.display_title}: the plan was page {latest.page} by "
                        f"{latest.due:%a %d %b}; you are on page {attendance.current_page}."
                    ),
                    url=meeting.get_absolute_url(),
                    dedupe_key=f"plan:{meeting.pk}:{latest.page}:{latest.due.isoformat()}:{attendance.user_id}",
                )
                is not None
            )
    return sent


# --- recurring meetings -----------------------------------------------------------------------------

REPEAT_CHOICES = {
    "weekly": ("weekly", 1),
    "fortnightly": ("weekly", 2),
    "monthly": ("monthly", 1),
}


def _pattern_for(meeting: Meeting, repeat: str, zone: str) -> recurrence.Pattern:
    """The pattern that repeats `meeting` as it is: its weekday and local time (and, monthly, its place
    among the month's weekdays: the 2nd Tuesday; a 5th one counts as the last)."""
    frequency, interval = REPEAT_CHOICES[repeat]
    local = meeting.starts_at.astimezone(zones.zone_or_none(zone) or UTC)
    week = None
    if frequency == "monthly":
        week = (local.day - 1) // 7 + 1
        week = -1 if week > 4 else week
    return recurrence.Pattern(
        frequency=frequency,
        interval=interval,
        weekday=local.weekday(),
        week_of_month=week,
        hour=local.hour,
        minute=local.minute,
        zone=zone,
    )


@transaction.atomic
def series_start(*, actor, meeting: Meeting, repeat: str, days_ahead: int = 14) -> MeetingSeries:
    """Make `meeting` the first of a series that repeats it weekly, every two weeks or monthly."""
    _require(
        permissions.can_manage_meeting(actor, meeting), "Only the owner and moderators make meetings repeat."
    )
    if repeat not in REPEAT_CHOICES:
        raise DomainError("Repeat every week, every two weeks or every month.", code="invalid_repeat")
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    if meeting.series_id is not None:
        raise Conflict("This meeting already repeats.", code="already_series")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"This meeting is {meeting.get_status_display().lower()}.", code="not_scheduled")
    zone = meeting.timezone or _host_zone(actor) or "UTC"
    try:
        rrule = recurrence.build_rrule(_pattern_for(meeting, repeat, zone))
    except recurrence.RecurrenceError as error:
        raise DomainError(str(error), code="invalid_repeat") from error
    series = MeetingSeries.objects.create(
        club_id=meeting.club_id,
        rrule=rrule,
        timezone=zone,
        days_ahead=days_ahead,
        duration_minutes=meeting.duration_minutes,
        place=meeting.place,
        online_link=meeting.online_link,
        created_by=actor,
    )
    meeting.series = series
    meeting.save(update_fields=["series"])
    return series


def series_description(series: MeetingSeries) -> str:
    try:
        return recurrence.describe(recurrence.parse_rrule(series.rrule, zone=series.timezone))
    except recurrence.RecurrenceError:
        return "Repeats"


@transaction.atomic
def series_update_from(*, actor, meeting: Meeting) -> MeetingSeries:
    """ "This and the following meetings": the series takes this meeting's weekday, time, length and place."""
    _require(
        permissions.can_manage_meeting(actor, meeting), "Only the owner and moderators change the series."
    )
    series = MeetingSeries.objects.select_for_update().filter(pk=meeting.series_id).first()
    if series is None:
        raise NotFound("This meeting does not repeat.")
    old = recurrence.parse_rrule(series.rrule, zone=series.timezone)
    repeat = next(key for key, value in REPEAT_CHOICES.items() if value == (old.frequency, old.interval))
    series.rrule = recurrence.build_rrule(_pattern_for(meeting, repeat, series.timezone))
    series.duration_minutes, series.place, series.online_link = (
        meeting.duration_minutes,
        meeting.place,
        meeting.online_link,
    )
    series.save(update_fields=["rrule", "duration_minutes", "place", "online_link"])
    return series


@transaction.atomic
def series_stop(*, actor, series: MeetingSeries) -> MeetingSeries:
    """No more meetings after the ones already created (they stay as they are)."""
    club = Club.objects.get(pk=series.club_id)
    _require(permissions.can_manage_meetings(actor, club), "Only the owner and moderators stop a series.")
    MeetingSeries.objects.filter(pk=series.pk).update(active=False)
    series.active = False
    return series


def series_advance(*, series_id: int, now: datetime | None = None) -> Meeting | None:
    """Create the series' next meeting if it is due (the latest took place, or the next start is within
    `days_ahead`); None otherwise. Exactly once: the series row is locked and (series, start) is unique."""
    now = now or timezone.now()
    with transaction.atomic():
        series = MeetingSeries.objects.select_for_update().filter(pk=series_id, active=True).first()
        if series is None:
            return None
        latest = (
            Meeting.objects.filter(series=series)
            .select_related("club", "book")
            .order_by("-starts_at")
            .first()
        )
        if latest is None:
            return None
        first = (
            Meeting.objects.filter(series=series)
            .order_by("starts_at")
            .values_list("starts_at", flat=True)
            .first()
        )
        next_start = recurrence.next_occurrence(
            series.rrule, series.timezone, after=latest.starts_at, starts=first
        )
        if next_start is None:
            return None
        taken_place = latest.status == MeetingStatus.COMPLETED or latest.ends_at <= now
        if not taken_place and now < next_start - timedelta(days=series.days_ahead):
            return None
        meeting = Meeting(
            club=latest.club,
            book=latest.book,
            starts_at=next_start,
            duration_minutes=series.duration_minutes,
            place=series.place,
            online_link=series.online_link,
            target_page=latest.target_page,
            timezone=series.timezone,
            description=latest.description,
            attendance_limit=latest.attendance_limit,
            created_by=series.created_by,
            series=series,
        )
        meeting.full_clean(exclude=["ends_at"])
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:
            return None  # another sweep created it a moment ago
        events.meeting_start_set.send(sender=Meeting, meeting=meeting)
        reminders.meeting_scheduled(meeting=meeting, actor=None)
        return meeting


def series_advance_due(now: datetime | None = None) -> int:
    """The sweep: the next meeting of every active series that is due. Returns how many it created."""
    ids = MeetingSeries.objects.filter(active=True).values_list("pk", flat=True)
    return sum(series_advance(series_id=pk, now=now) is not None for pk in ids)
