"""Reads for the friends page, the people search and profiles; each list is one query.

`people_for(viewer)` annotates every User row with where it stands with the viewer, so a list of
people with their buttons ("Add friend", "Request sent", "Friends") never asks per row:

- `profile_visible`: the viewer may open the profile (social.permissions rule);
- `is_friend`, `blocked_by_me`;
- `incoming_request_id` / `outgoing_request_id`: the pending request between the two, if any.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Exists, IntegerField, Max, OuterRef, Q, Subquery, Value, When

from clubs.models import Club, Membership
from social.models import Block, FriendRequest, FriendRequestStatus, Friendship, User
from social.permissions import friend_of_q, profile_visible_q

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 100
PROFILE_CLUBS_LIMIT = 50
PROFILE_READING_LIMIT = 10
PROFILE_FINISHED_LIMIT = 24


def live_users():
    return User.objects.filter(is_active=True, deleted_at__isnull=True)


def people_for(viewer, queryset=None):
    queryset = live_users() if queryset is None else queryset
    visible = Case(
        When(profile_visible_q(viewer), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    if viewer is None or not viewer.is_authenticated:
        return queryset.annotate(
            profile_visible=visible,
            is_friend=Value(False),
            blocked_by_me=Value(False),
            incoming_request_id=Value(None, output_field=IntegerField()),
            outgoing_request_id=Value(None, output_field=IntegerField()),
        )
    pending = FriendRequest.objects.filter(status=FriendRequestStatus.PENDING)
    friendship = Friendship.objects.filter(
        Q(user_low=viewer, user_high=OuterRef("pk")) | Q(user_low=OuterRef("pk"), user_high=viewer)
    )
    return queryset.annotate(
        profile_visible=visible,
        is_friend=Exists(friendship),
        blocked_by_me=Exists(Block.objects.filter(blocker=viewer, blocked=OuterRef("pk"))),
        incoming_request_id=Subquery(
            pending.filter(from_user=OuterRef("pk"), to_user=viewer).values("pk")[:1]
        ),
        outgoing_request_id=Subquery(
            pending.filter(from_user=viewer, to_user=OuterRef("pk")).values("pk")[:1]
        ),
    )


def person(viewer, user: User) -> User:
    """`user` again, with the annotations of people_for (one query)."""
    return people_for(viewer, User.objects.filter(pk=user.pk)).get()


def friends_list(viewer):
    return people_for(viewer, live_users().filter(friend_of_q(viewer))).order_by("username")


def incoming_requests(viewer):
    senders = FriendRequest.objects.filter(status=FriendRequestStatus.PENDING, to_user=viewer).values(
        "from_user"
    )
    return people_for(viewer, live_users().filter(pk__in=senders)).order_by("username")


def outgoing_requests(viewer):
    receivers = FriendRequest.objects.filter(status=FriendRequestStatus.PENDING, from_user=viewer).values(
        "to_user"
    )
    return people_for(viewer, live_users().filter(pk__in=receivers)).order_by("username")


def blocked_list(viewer):
    blocked = Block.objects.filter(blocker=viewer).values("blocked")
    return people_for(viewer, live_users().filter(pk__in=blocked)).order_by("username")


def clean_search(text) -> str:
    return (text or "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]


def people_search(viewer, text: str):
    """Members matching `text`, for the "find people" box.

    Members whose profile the viewer may see match on username or display name. Others match only
    on their exact username (what sending a request by username needs anyway), so a search never
    reveals a hidden member's display name. Members who blocked the viewer never appear.
    """
    text = clean_search(text)
    if len(text) < SEARCH_MIN_LENGTH:
        return User.objects.none()
    matches = (
        profile_visible_q(viewer) & (Q(username__icontains=text) | Q(display_name__icontains=text))
    ) | Q(username__iexact=text)
    blocked_me = Block.objects.filter(blocker=OuterRef("pk"), blocked=viewer)
    people = live_users().filter(matches).exclude(pk=viewer.pk).exclude(Exists(blocked_me))
    return people_for(viewer, people).order_by("username", "pk")


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
    from bets.leaderboards import GLOBAL, board_for, rank_of
    from books.models import Book
    from meetings.models import Attendance, Meeting, Rsvp

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
