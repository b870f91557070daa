import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from booky.core.validators import validate_visible_name
from clubs.models import Club, Membership
from meetings.zones import validate_timezone_name, zone_or_none

NO_NUL = [ProhibitNullCharactersValidator()]
NAME = [*NO_NUL, validate_visible_name]
MAX_DURATION_MINUTES = 24 * 60


def validate_http_url(value: str) -> None:
    if value and not value.lower().startswith(("http://", "https://")):
        raise ValidationError("Online links must start with http:// or https://.", code="scheme")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Meetings of clubs the user can see (public clubs, and private clubs they belong to)."""
        return self.filter(club__in=Club.objects.visible_to(user))

    def of_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(club__in=Membership.objects.filter(user=user).values("club"))

    def upcoming(self, now=None):
        """Scheduled meetings that have not ended yet, soonest first."""
        now = now or timezone.now()
        return self.filter(status=MeetingStatus.SCHEDULED, ends_at__gt=now).order_by("starts_at", "pk")

    def in_calendar_feed(self, now=None):
        """What a member's calendar feed lists: meetings still to come, cancelled ones included (as
        STATUS:CANCELLED, so calendar apps strike them out instead of silently keeping them)."""
        now = now or timezone.now()
        return self.filter(
            status__in=[MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED], ends_at__gt=now
        ).order_by("starts_at", "pk")

    def past(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(ends_at__lte=now) | ~Q(status=MeetingStatus.SCHEDULED)).order_by(
            "-starts_at", "-pk"
        )

    def with_page_data(self):
        going = Count("attendances", filter=Q(attendances__rsvp="going"), distinct=True)
        return self.select_related("club", "book").annotate(going_count=going)


class MeetingSeries(models.Model):
    """Meetings that repeat (an RFC 5545 RRULE in the club's zone). Its meetings are created one at a time,
    each with its own book, race and bets; the series keeps what the next one starts from."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="series")
    rrule = models.CharField(max_length=200)  # meetings.recurrence.validate_rrule's form
    timezone = models.CharField(max_length=64, validators=[validate_timezone_name])
    # The next meeting is created when the latest has taken place, or this many days before its start.
    days_ahead = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    duration_minutes = models.PositiveIntegerField(default=120)
    place = models.CharField(max_length=300, blank=True, validators=NAME)
    online_link = models.URLField(max_length=500, blank=True, validators=[validate_http_url])
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return f"{self.club}: {self.rrule}"


class Meeting(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="meetings")
    # PROTECT: a book in use cannot disappear from under a meeting (merge books instead).
    book = models.ForeignKey("books.Book", on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200, blank=True, validators=NAME)
    description = models.TextField(max_length=4000, blank=True, validators=NO_NUL)
    starts_at = models.DateTimeField(help_text="Stored in UTC.")
    # The zone the hosts scheduled it in (where the club meets): pages show its time beside the viewer's.
    # Empty for meetings from before it was kept, which then show the viewer's time alone.
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_timezone_name])
    duration_minutes = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    # Derived from starts_at + duration on save; stored so "upcoming" is one indexed comparison.
    ends_at = models.DateTimeField(editable=False)
    place = models.CharField(max_length=300, blank=True, validators=NAME)
    online_link = models.URLField(max_length=500, blank=True, validators=[validate_http_url])
    target_page = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # The reading plan: [{"page": 120, "due": "2026-12-12", "label": "Chapter 7"}, …], pages and dates
    # rising (meetings.plan checks it), kept on the row so the race reads it without a query.
    reading_plan = models.JSONField(default=list, blank=True, editable=False)
    # The day the plan was set: where its line starts from page 0.
    plan_set_on = models.DateField(null=True, blank=True, editable=False)
    # At most this many going; "going" beyond it joins the waiting list. Empty: no limit.
    attendance_limit = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    status = models.CharField(max_length=10, choices=MeetingStatus, default=MeetingStatus.SCHEDULED)
    cancel_reason = models.CharField(max_length=500, blank=True, validators=NO_NUL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    series = models.ForeignKey(
        MeetingSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        editable=False,
    )
    # The next-book poll whose winner this meeting reads (meetings.services.meeting_schedule_poll_winner).
    from_poll = models.ForeignKey(
        "clubs.Poll", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # Set once, when the bets closed at the start were settled (see bets.services.meeting_resolve_bets).
    bets_resolved_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(target_page__gte=1), name="meeting_target_page_positive"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_DURATION_MINUTES),
                name="meeting_duration_range",
            ),
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            # A series creates each of its meetings once, however many sweeps run.
            models.UniqueConstraint(
                fields=["series", "starts_at"],
                condition=Q(series__isnull=False),
                name="meeting_once_per_series_start",
            ),
            # A poll's winner becomes one meeting, however often the host clicks.
            models.UniqueConstraint(
                fields=["from_poll"], condition=Q(from_poll__isnull=False), name="meeting_one_per_poll"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]
        indexes = [
            # "Upcoming meetings of my clubs": filter by club and status, range on ends_at, order by start.
            models.Index(fields=["club", "status", "ends_at", "starts_at"], name="meeting_club_upcoming"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_start"),
            models.Index(
                fields=["starts_at"],
                condition=Q(bets_resolved_at__isnull=True),
                name="meeting_unresolved_start",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def save(self, *args, **kwargs):
        self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes or 1)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "ends_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or (self.book.title if self.book_id else "Meeting")

    @property
    def zone(self):
        """The meeting's own zone, or None when it is not known."""
        return zone_or_none(self.timezone)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def has_started(self, now=None) -> bool:
        return (now or timezone.now()) >= self.starts_at

    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    def rsvp_is_open(self, now=None) -> bool:
        return self.is_scheduled() and not self.has_started(now)

    def check_in_is_open(self, now=None) -> bool:
        return self.is_scheduled() and self.has_started(now)

    def progress_is_open(self) -> bool:
        return self.is_scheduled()

    def page_for_book_percent(self, percent: int) -> int:
        """The page of the club's book at `percent` of the whole book, up to the target page: where a
        member reading another edition stands in this one. Needs `book` loaded."""
        pages = self.book.page_count or self.target_page
        return min(self.target_page, round(pages * percent / 100))


class Rsvp(models.TextChoices):
    GOING = "going", "Going"
    MAYBE = "maybe", "Maybe"
    DECLINED = "declined", "Not going"
    # Not an answer a member gives: "going" to a full meeting puts them here, first come first served.
    WAITLIST = "waitlist", "On the waiting list"


# The answers a member chooses from (the waiting list is where "going" lands when the meeting is full).
RSVP_ANSWERS = [(value, label) for value, label in Rsvp.choices if value != Rsvp.WAITLIST]


class FinishStatus(models.TextChoices):
    IN_TIME = "in_time", "Finished in time"
    LATE = "late", "Finished late"


class AttendanceQuerySet(models.QuerySet):
    def going(self):
        return self.filter(rsvp=Rsvp.GOING)

    def for_race(self):
        return self.going().select_related("user").order_by("-current_page", "finished_at", "user__username")

    def finished_in_time(self):
        """The queryset form of `Attendance.finished_in_time`: the target reached at or before the start."""
        return self.filter(finished=True, finished_at__lte=F("meeting__starts_at"))


class Attendance(models.Model):
    """One member's RSVP, reading progress and check-in for one meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances")
    rsvp = models.CharField(max_length=10, choices=Rsvp, default=Rsvp.GOING)
    current_page = models.PositiveIntegerField(default=0)
    # A member reading another edition gives how far they are as a percent of their own copy; it is kept
    # beside the page it stands for in the club's book (Meeting.page_for_book_percent), which the race
    # uses. Null when they gave a page.
    own_edition_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    finished = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked_in = models.BooleanField(default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # When the member joined the waiting list: its order (first in, first moved up).
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_one_per_member"),
            models.CheckConstraint(condition=Q(rsvp__in=Rsvp.values), name="attendance_rsvp_valid"),
            models.CheckConstraint(
                condition=Q(finished=False) | Q(finished_at__isnull=False),
                name="attendance_finished_has_time",
            ),
            models.CheckConstraint(
                condition=Q(own_edition_percent__isnull=True) | Q(own_edition_percent__lte=100),
                name="attendance_own_edition_percent_range",
            ),
        ]
        indexes = [models.Index(fields=["user", "meeting"])]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting_id}: p.{self.current_page} ({self.rsvp})"

    def percent_of(self, target_page: int) -> int:
        if not target_page:
            return 0
        return min(100, round(100 * self.current_page / target_page))

    @property
    def finish_status(self) -> str | None:
        """The race's one rule, for pages, API, feed and bets alike: reaching the target at or before
        the meeting's start is a finish in time; reaching it later is a late finish, which wins nothing.

        Reads `self.meeting`: load attendances through `meeting.attendances` (or select_related) so
        this costs no query per row."""
        if not self.finished or self.finished_at is None:
            return None
        return FinishStatus.IN_TIME if self.finished_at <= self.meeting.starts_at else FinishStatus.LATE

    @property
    def finished_in_time(self) -> bool:
        return self.finish_status == FinishStatus.IN_TIME

    @property
    def finished_late(self) -> bool:
        return self.finish_status == FinishStatus.LATE


class ProgressEntry(models.Model):
    """Append-only history of an attendance's page, one row per change."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="history")
    page = models.PositiveIntegerField()
    finished = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name_plural = "progress entries"

    def __str__(self) -> str:
        return f"p.{self.page} at {self.recorded_at:%Y-%m-%d %H:%M}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class ReminderPreference(models.Model):
    """Which reminders a member wants for one club's meetings (the club's defaults when they have none)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="reminder_preferences")
    leads = models.JSONField(default=list, blank=True)  # some of clubs.models.REMINDER_LEADS; [] = none
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "club"], name="reminder_preference_one_per_club")
        ]

    def __str__(self) -> str:
        return f"{self.user} reminders for {self.club}: {', '.join(self.leads) or 'none'}"


class MeetingAnnouncement(models.Model):
    """A note the hosts sent to everyone going (kept so the limit per day can be counted)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.CharField(max_length=500, validators=NO_NUL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Announcement for {self.meeting_id}"


REVIEW_MAX_LENGTH = 1000


class MeetingReview(models.Model):
    """A member's rating (1–5) of the meeting's book, and an optional short review for the club."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_reviews"
    )
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    review = models.TextField(max_length=REVIEW_MAX_LENGTH, blank=True, validators=NO_NUL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meeting_review_one_per_member"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="meeting_review_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} rates {self.meeting_id}: {self.rating}/5"


class CalendarFeed(models.Model):
    """A secret URL per user for calendar apps; resetting the token revokes old subscriptions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


# The discussion's tables belong to this app; they live beside the rest of the discussion.
from meetings.discussion.models import (  # noqa: E402, F401
    Post,
    PostReaction,
    PostReport,
    PostReveal,
    PostStatus,
    ReactionKind,
    ReportStatus,
)
