"""Reads for points and bets, shared by the pages and the API: each runs a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from bets.models import Account, Bet, LedgerEntry
from bets.payouts import odds
from meetings.models import Attendance, Meeting, MeetingStatus
from social.models import User


def bets_are_closed(meeting: Meeting, now: datetime | None = None) -> bool:
    """No more placing, changing or withdrawing: the meeting started, was cancelled or completed, or
    its bets were settled. From then on everyone who can see the meeting sees every bet."""
    now = now or timezone.now()
    return (
        meeting.status != MeetingStatus.SCHEDULED
        or now >= meeting.starts_at
        or meeting.bets_resolved_at is not None
    )


@dataclass(frozen=True)
class HorseOdds:
    horse: User
    going: bool  # still RSVPed "going"; stakes on a horse who declined are refunded
    staked: int  # points staked on this horse (withdrawn bets excluded)
    bettors: int
    returns: float | None  # what one point staked returns if this horse alone finishes; None: no stakes


@dataclass(frozen=True)
class OddsBoard:
    meeting: Meeting
    pool: int
    horses: list[HorseOdds]
    closed: bool

    @property
    def closes_at(self) -> datetime:
        return self.meeting.starts_at


def odds_board(meeting: Meeting, now: datetime | None = None) -> OddsBoard:
    """Every horse one may bet on (going attendees) plus any horse with stakes, most staked first
    (three queries)."""
    going = set(Attendance.objects.going().filter(meeting=meeting).values_list("user_id", flat=True))
    stakes = {
        row["horse"]: row
        for row in Bet.objects.active()
        .filter(meeting=meeting)
        .order_by()
        .values("horse")
        .annotate(staked=Sum("amount"), bettors=Count("pk"))
    }
    horses = User.objects.filter(pk__in=going | set(stakes)).only("pk", "username", "display_name", "avatar")
    returns = odds({horse_id: row["staked"] for horse_id, row in stakes.items()})
    rows = [
        HorseOdds(
            horse=horse,
            going=horse.pk in going,
            staked=stakes[horse.pk]["staked"] if horse.pk in stakes else 0,
            bettors=stakes[horse.pk]["bettors"] if horse.pk in stakes else 0,
            returns=returns.get(horse.pk),
        )
        for horse in horses
    ]
    # By username, not display name: the order must not hint at names hidden from the viewer.
    rows.sort(key=lambda row: (-row.staked, row.horse.username.lower(), row.horse.pk))
    return OddsBoard(
        meeting=meeting,
        pool=sum(row["staked"] for row in stakes.values()),
        horses=rows,
        closed=bets_are_closed(meeting, now),
    )


def bet_of(user, meeting: Meeting) -> Bet | None:
    """The user's active (not withdrawn) bet on the meeting."""
    if user is None or not user.is_authenticated:
        return None
    return Bet.objects.active().filter(meeting=meeting, bettor=user).select_related("horse").first()


def meeting_bets(meeting: Meeting) -> QuerySet:
    """Every active bet of the meeting with bettor and horse, earliest first: shown once bets closed."""
    return (
        Bet.objects.active()
        .filter(meeting=meeting)
        .select_related("bettor", "horse")
        .order_by("placed_at", "pk")
    )


def balance_of(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Account.objects.filter(user=user).values_list("balance", flat=True).first() or 0


def ledger_of(user) -> QuerySet:
    """The user's ledger, newest first, with each entry's meeting (and its book) and bet."""
    return (
        LedgerEntry.objects.filter(account__user=user)
        .select_related("meeting__book", "bet")
        .order_by("-created_at", "-pk")
    )


def balance_history(user, *, limit: int = 200) -> list[tuple[datetime, int]]:
    """(moment, balance after) of the user's latest `limit` ledger entries, oldest first (one query)."""
    rows = (
        LedgerEntry.objects.filter(account__user=user)
        .order_by("-created_at", "-pk")
        .values_list("created_at", "balance_after")[:limit]
    )
    return list(reversed(rows))
