"""Reads for points and bets, shared by the pages and the API: each runs a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, QuerySet, Subquery, Sum, When
from django.utils import timezone

from bets.models import Account, Bet, BetStatus, LedgerEntry
from bets.payouts import odds
from meetings.models import Attendance, Meeting, MeetingStatus
from meetings.selectors import child_stats, meeting_fingerprint
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
    going: bool  # still RSVPed "going"; stakes on a horse who declined were refunded at once
    staked: int  # points of the open (live) bets on this horse
    bettors: int
    returns: float | None  # what one point staked returns if this horse alone finishes; None: no stakes
    finished_in_time: bool = False  # once settled: finished the book before the start


@dataclass(frozen=True)
class OddsBoard:
    meeting: Meeting
    pool: int  # the live stakes (open bets) before settlement; what was shared out once settled
    horses: list[HorseOdds]
    closed: bool
    resolved: bool = False

    @property
    def closes_at(self) -> datetime:
        return self.meeting.starts_at

    @property
    def finishers(self) -> list[User]:
        return [row.horse for row in self.horses if row.finished_in_time]


def odds_board(meeting: Meeting, now: datetime | None = None) -> OddsBoard:
    """Every horse one may bet on (going attendees) plus any horse with stakes, most staked first
    (three queries). Before settlement it counts only open bets, the stakes settle() would share out
    now: refunded and withdrawn ones are gone from the pool. Once settled it shows the result: who
    finished in time, and the pool that was shared (stakes of won and lost bets), without odds."""
    resolved = meeting.bets_resolved_at is not None
    attendances = Attendance.objects.filter(meeting=meeting)
    # The rule meeting_resolve_bets applied (Attendance.finished_in_time).
    finished = set(attendances.finished_in_time().values_list("user_id", flat=True)) if resolved else set()
    # Settled too: the API documents going=false as "declined", which every horse would otherwise be.
    going = set(attendances.going().values_list("user_id", flat=True))
    counted = (
        Bet.objects.filter(meeting=meeting, status__in=[BetStatus.WON, BetStatus.LOST])
        if resolved
        else Bet.objects.live().filter(meeting=meeting)
    )
    stakes = {
        row["horse"]: row
        for row in counted.order_by().values("horse").annotate(staked=Sum("amount"), bettors=Count("pk"))
    }
    horses = User.objects.filter(pk__in=going | finished | set(stakes)).only(
        "pk", "username", "display_name", "avatar"
    )
    returns = {} if resolved else odds({horse_id: row["staked"] for horse_id, row in stakes.items()})
    rows = [
        HorseOdds(
            horse=horse,
            going=horse.pk in going,
            staked=stakes[horse.pk]["staked"] if horse.pk in stakes else 0,
            bettors=stakes[horse.pk]["bettors"] if horse.pk in stakes else 0,
            returns=returns.get(horse.pk),
            finished_in_time=horse.pk in finished,
        )
        for horse in horses
    ]
    # By username, not display name: the order must not hint at names hidden from the viewer.
    rows.sort(
        key=lambda row: (not row.finished_in_time, -row.staked, row.horse.username.lower(), row.horse.pk)
    )
    return OddsBoard(
        meeting=meeting,
        pool=sum(row["staked"] for row in stakes.values()),
        horses=rows,
        closed=bets_are_closed(meeting, now),
        resolved=resolved,
    )


def bet_of(user, meeting: Meeting) -> Bet | None:
    """The user's bet on the meeting: the open one, else the latest settled one (a refunded bet on
    someone who declined shows until a new bet replaces it); withdrawn bets are gone."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Bet.objects.active()
        .filter(meeting=meeting, bettor=user)
        .select_related("horse")
        .order_by(Case(When(status=BetStatus.OPEN, then=0), default=1), "-placed_at", "-pk")
        .first()
    )


def meeting_bets(meeting: Meeting) -> QuerySet:
    """Every active bet of the meeting with bettor and horse, earliest first: shown once bets closed."""
    return (
        Bet.objects.active()
        .filter(meeting=meeting)
        .select_related("bettor", "horse")
        .order_by("placed_at", "pk")
    )


def bets_fingerprint(viewer, pk: int, now: datetime | None = None) -> tuple:
    """What the "Bets" section of meeting `pk` shows to `viewer`, as a tuple that changes when that
    does (meetings.selectors.meeting_fingerprint plus the bets and my balance), in one query."""
    extra = child_stats(Bet, prefix="bets")
    if viewer.is_authenticated:
        # The balance also moves when the welcome bonus arrives, which is all "broke" depends on.
        extra["my_balance"] = Subquery(Account.objects.filter(user=viewer).values("balance")[:1])
    return meeting_fingerprint(viewer, pk, now=now, **extra)


def welcome_bonus_pending(user) -> bool:
    """The member has not had the welcome bonus yet: it comes when their email address is verified."""
    if user is None or not user.is_authenticated:
        return False
    return not LedgerEntry.objects.filter(award_key=f"signup:{user.pk}").exists()


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
