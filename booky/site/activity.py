"""The home page's activity feed: what the viewer's friends did lately.

Friends' finished books, bet wins and clubs joined in the last 30 days, respecting privacy: only
friends whose profile is public or friends-only (never "only me"), never anyone blocked either way,
and only in clubs the viewer can see. At most five short queries, whatever the number of friends and
events: the friends' and the viewer's clubs' ids are read first, so the three event queries filter on
id lists (nested subqueries there cost PostgreSQL more to plan than to run).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from bets.models import Bet, BetStatus
from clubs.models import Club, Membership, Visibility
from meetings.models import Attendance
from social.models import Block, ProfileVisibility, User
from social.relationships import friends_of

FEED_WINDOW = timedelta(days=30)
FEED_LENGTH = 20


@dataclass(frozen=True)
class Activity:
    kind: str  # "finished", "bet_won" or "joined"
    user: User
    at: datetime
    club: Club
    meeting: object = None  # meetings.Meeting for "finished" and "bet_won"
    points: int | None = None
    late: bool = False  # "finished" after the meeting started: not a finisher of the race


def visible_friends(viewer: User) -> QuerySet:
    """The viewer's friends whose activity the viewer may see."""
    blocks = Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer))
    return (
        friends_of(viewer)
        .filter(
            is_active=True,
            deleted_at__isnull=True,
            profile_visibility__in=[ProfileVisibility.PUBLIC, ProfileVisibility.FRIENDS],
        )
        .exclude(pk__in=blocks.values("blocked"))
        .exclude(pk__in=blocks.values("blocker"))
    )


def activity_feed(viewer: User, *, now: datetime | None = None, limit: int = FEED_LENGTH) -> list[Activity]:
    """The latest `limit` events of the viewer's visible friends, newest first (at most five queries)."""
    if viewer is None or not viewer.is_authenticated:
        return []
    friends = list(visible_friends(viewer).values_list("pk", flat=True))
    if not friends:
        return []
    since = (now or timezone.now()) - FEED_WINDOW
    my_clubs = list(Membership.objects.filter(user=viewer).values_list("club_id", flat=True))
    # Club.objects.visible_to(viewer), spelled out on the id list.
    in_meeting_club = Q(meeting__club__visibility=Visibility.PUBLIC) | Q(meeting__club_id__in=my_clubs)
    in_club = Q(club__visibility=Visibility.PUBLIC) | Q(club_id__in=my_clubs)
    finished = (
        Attendance.objects.filter(in_meeting_club, user_id__in=friends, finished=True, finished_at__gte=since)
        .select_related("user", "meeting__book", "meeting__club")
        .order_by("-finished_at", "-pk")[:limit]
    )
    wins = (
        Bet.objects.filter(
            in_meeting_club, bettor_id__in=friends, status=BetStatus.WON, updated_at__gte=since
        )
        .select_related("bettor", "meeting__book", "meeting__club")
        .order_by("-updated_at", "-pk")[:limit]
    )
    joined = (
        Membership.objects.filter(in_club, user_id__in=friends, joined_at__gte=since)
        .select_related("user", "club")
        .order_by("-joined_at", "-pk")[:limit]
    )
    items = [
        *(
            Activity(
                "finished", a.user, a.finished_at, a.meeting.club, meeting=a.meeting, late=a.finished_late
            )
            for a in finished
        ),
        *(
            Activity("bet_won", b.bettor, b.updated_at, b.meeting.club, meeting=b.meeting, points=b.payout)
            for b in wins
        ),
        *(Activity("joined", m.user, m.joined_at, m.club) for m in joined),
    ]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
