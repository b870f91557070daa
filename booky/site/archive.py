"""The club's memory: every past meeting with its book, who came, who finished in time, the race's
final picture, the bets' outcome and the members' ratings. The site layer, because it reads meetings,
bets and the club together. Each page of the archive costs a fixed number of queries."""

import csv
import io
from dataclasses import dataclass

from django.db.models import Avg, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from bets.models import Bet, BetStatus
from clubs.models import Club
from meetings.models import Attendance, Meeting, MeetingReview, MeetingStatus, Rsvp
from social.models import User

ARCHIVE_PER_PAGE = 10


def _scalar(queryset, value) -> Subquery:
    """One aggregate of rows about each meeting, as a subquery (joins would multiply each other's rows)."""
    return Coalesce(
        Subquery(
            queryset.filter(meeting=OuterRef("pk"))
            .order_by()
            .values("meeting")
            .annotate(v=value)
            .values("v")[:1]
        ),
        Value(0),
        output_field=IntegerField(),
    )


def past_meetings(club: Club, *, year: int | None = None):
    """The club's meetings that took place (not cancelled), latest first, with their numbers."""
    meetings = Meeting.objects.filter(club=club).past().exclude(status=MeetingStatus.CANCELLED)
    if year:
        meetings = meetings.filter(starts_at__year=year)
    going = Attendance.objects.filter(rsvp=Rsvp.GOING)
    in_time = Attendance.objects.filter(finished=True, finished_at__lte=F("meeting__starts_at"))
    settled = Bet.objects.filter(status__in=[BetStatus.WON, BetStatus.LOST])
    reviews = MeetingReview.objects.all()
    return meetings.select_related("book").annotate(
        attendee_count=_scalar(going, Count("pk")),
        finisher_count=_scalar(in_time, Count("pk")),
        pool=_scalar(settled, Sum("amount")),
        winning_bets=_scalar(settled.filter(status=BetStatus.WON), Count("pk")),
        rating_count=_scalar(reviews, Count("pk")),
        rating_average=Subquery(
            reviews.filter(meeting=OuterRef("pk"))
            .order_by()
            .values("meeting")
            .annotate(v=Avg("rating"))
            .values("v")[:1]
        ),
    )


def archive_years(club: Club) -> list[int]:
    return sorted(
        {
            d.year
            for d in Meeting.objects.filter(club=club)
            .past()
            .exclude(status=MeetingStatus.CANCELLED)
            .dates("starts_at", "year")
        },
        reverse=True,
    )


def attach_races(meetings: list[Meeting]) -> None:
    """Each meeting's `runners`: the members who were going, furthest first, with how far they got
    (the race's final picture). One query for the page."""
    by_meeting: dict[int, list[Attendance]] = {meeting.pk: [] for meeting in meetings}
    rows = (
        Attendance.objects.filter(meeting__in=meetings, rsvp=Rsvp.GOING)
        .select_related("user", "meeting")
        .order_by("-current_page", "finished_at", "user__username")
    )
    for attendance in rows:
        by_meeting[attendance.meeting_id].append(attendance)
    for meeting in meetings:
        for attendance in by_meeting[meeting.pk]:
            attendance.percent = min(100, round(100 * attendance.current_page / (meeting.target_page or 1)))
        meeting.runners = by_meeting[meeting.pk]


@dataclass(frozen=True)
class MemberRecord:
    user: object
    attended: int
    finished_in_time: int

    @property
    def finishing_rate(self) -> int:
        return round(100 * self.finished_in_time / self.attended) if self.attended else 0


def member_records(club: Club) -> list[MemberRecord]:
    """Per member of the club: meetings attended (going, not cancelled, in the past) and finished in
    time. One query."""
    now = timezone.now()
    rows = (
        Attendance.objects.filter(
            meeting__club=club, rsvp=Rsvp.GOING, meeting__ends_at__lte=now, user__memberships__club=club
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .values("user")
        .annotate(
            attended=Count("pk"),
            in_time=Count("pk", filter=Q(finished=True, finished_at__lte=F("meeting__starts_at"))),
        )
        .order_by("-attended")
    )
    users = {user.pk: user for user in User.objects.filter(pk__in=[row["user"] for row in rows])}
    return [
        MemberRecord(user=users[row["user"]], attended=row["attended"], finished_in_time=row["in_time"])
        for row in rows
        if row["user"] in users
    ]


CSV_HEADER = [
    "date",
    "title",
    "book",
    "authors",
    "attendees",
    "finished in time",
    "bets pool",
    "winning bets",
    "average rating",
    "ratings",
]


def archive_csv(club: Club) -> str:
    """The whole archive as CSV (UTF-8 with a BOM, for spreadsheets), cells safe from formula injection."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for meeting in past_meetings(club).iterator():
        writer.writerow(
            [
                meeting.starts_at.date().isoformat(),
                _safe(meeting.display_title),
                _safe(meeting.book.title),
                _safe(meeting.book.author_line),
                meeting.attendee_count,
                meeting.finisher_count,
                meeting.pool,
                meeting.winning_bets,
                f"{meeting.rating_average:.1f}" if meeting.rating_average is not None else "",
                meeting.rating_count,
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
