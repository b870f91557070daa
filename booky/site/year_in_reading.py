"""A member's year: books finished (their "Read" shelf and the meetings they finished in time), pages
read (from their progress history), meetings attended and points won. Four queries whatever the year."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from bets.models import LedgerEntry, Reason
from books.models import Shelf, ShelfEntry
from booky.site.year_chart import YearChart, year_chart
from meetings.models import Attendance, MeetingStatus, ProgressEntry, Rsvp

WON = (Reason.PAYOUT, Reason.CHECK_IN, Reason.FINISHED)


@dataclass(frozen=True)
class YearInReading:
    year: int
    books_finished: int
    pages_read: int
    meetings_attended: int
    points_won: int
    books_chart: YearChart
    pages_chart: YearChart


def _bounds(year: int, zone):
    start = timezone.make_aware(datetime.combine(datetime(year, 1, 1).date(), time.min), zone)
    end = timezone.make_aware(datetime.combine(datetime(year + 1, 1, 1).date(), time.min), zone)
    return start, end


def year_in_reading(user, year: int, zone) -> YearInReading:
    start, end = _bounds(year, zone)
    books = defaultdict(int)
    shelf_rows = (
        ShelfEntry.objects.filter(user=user, shelf=Shelf.READ, finished_on__year=year)
        .annotate(month=ExtractMonth("finished_on"))
        .values_list("month", "book_id")
    )
    counted = set()
    for month, book_id in shelf_rows:
        counted.add(book_id)
        books[month] += 1
    finished = Attendance.objects.filter(
        user=user, finished=True, finished_at__gte=start, finished_at__lt=end
    ).values_list("finished_at", "meeting__book_id")
    for finished_at, book_id in finished:
        if book_id not in counted:  # a book on the Read shelf too counts once
            counted.add(book_id)
            books[timezone.localtime(finished_at, zone).month] += 1
    pages = defaultdict(int)
    last_page: dict[int, int] = {}
    history = ProgressEntry.objects.filter(attendance__user=user, recorded_at__lt=end).order_by(
        "recorded_at", "pk"
    )
    for attendance_id, recorded_at, page in history.values_list(
        "attendance_id", "recorded_at", "page"
    ).iterator():
        before = last_page.get(attendance_id, 0)
        last_page[attendance_id] = page
        if recorded_at >= start and page > before:
            pages[timezone.localtime(recorded_at, zone).month] += page - before
    attended = (
        Attendance.objects.filter(
            user=user, rsvp=Rsvp.GOING, meeting__starts_at__gte=start, meeting__starts_at__lt=end
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .filter(meeting__ends_at__lte=timezone.now())
        .count()
    )
    won = (
        LedgerEntry.objects.filter(
            account__user=user, reason__in=WON, created_at__gte=start, created_at__lt=end
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    return YearInReading(
        year=year,
        books_finished=sum(books.values()),
        pages_read=sum(pages.values()),
        meetings_attended=attended,
        points_won=won,
        books_chart=year_chart(year, books, metric="books"),
        pages_chart=year_chart(year, pages, metric="pages"),
    )
