"""A member's profile as another member may see it: their clubs, what they are reading, the books they
finished, their standing. It reads clubs, meetings, books and bets, so the site composes it for the
profile page (booky.site.views.profile) and the API (booky.site.api.profile)."""

from dataclasses import dataclass, field

from django.db.models import Max

from bets.leaderboards import GLOBAL, board_for, rank_of
from books.models import Book
from clubs.models import Club, Membership
from meetings.models import Attendance, Meeting, Rsvp
from social.models import User

PROFILE_CLUBS_LIMIT = 50
PROFILE_READING_LIMIT = 10
PROFILE_FINISHED_LIMIT = 24


@dataclass
class Profile:
    """Everything a profile page (and the API's profile) shows, read in a fixed number of queries."""

    person: User
    memberships: list = field(default_factory=list)
    points: int = 0
    rank: int | None = None
    reading: list = field(default_factory=list)
    finished_books: list = field(default_factory=list)
    finished_count: int = 0


def profile_for(viewer, user: User) -> Profile:
    """The profile of `user` as `viewer` may see it; call only once can_view_profile said yes.

    Clubs, meetings and books come only from clubs the viewer may see, so a private club (and what
    its members read there) stays invisible to outsiders.
    """
    visible_clubs = Club.objects.visible_to(viewer)
    memberships = list(
        Membership.objects.filter(user=user, club__in=visible_clubs)
        .select_related("club")
        .order_by("club__name", "club__pk")[:PROFILE_CLUBS_LIMIT]
    )
    standing = rank_of(user, board_for(GLOBAL, "all", viewer=viewer))
    reading = list(
        Attendance.objects.filter(
            user=user, rsvp=Rsvp.GOING, meeting__in=Meeting.objects.visible_to(viewer).upcoming()
        )
        .select_related("meeting__book", "meeting__club")
        .order_by("meeting__starts_at", "meeting__pk")[:PROFILE_READING_LIMIT]
    )
    for attendance in reading:
        attendance.percent = attendance.percent_of(attendance.meeting.target_page)
    finished = Book.objects.filter(
        meetings__club__in=visible_clubs,
        meetings__attendances__user=user,
        meetings__attendances__finished=True,
    )
    finished_books = list(
        finished.annotate(last_finished=Max("meetings__attendances__finished_at")).order_by(
            "-last_finished", "pk"
        )[:PROFILE_FINISHED_LIMIT]
    )
    return Profile(
        person=user,
        memberships=memberships,
        points=standing.points if standing else 0,
        rank=standing.rank if standing else None,
        reading=reading,
        finished_books=finished_books,
        finished_count=finished.distinct().count(),
    )
