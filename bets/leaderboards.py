"""Leaderboards: who has the most points, overall, per club, and which clubs earn the most.

Scopes (the `scope` argument, also the API's path segment):

- ``global``: every active member with a points account.
- ``club-<slug>``: the current members of one club.
- ``friends``: the viewer and their friends (signed-in viewers only); points as for ``global``.
- ``clubs``: the clubs the viewer may see (``Club.objects.visible_to``: a private club never shows to
  a non-member), ranked by their *club score*.

What "points" means, for each period (``all`` or ``30d``, the last 30 days up to ``now``: whole UTC
days, from the day 30 days before ``now`` to today, so up to one day more than 30 × 24 hours):

- ``global`` / ``all``: the member's current balance (``Account.balance``). Read in the order of the
  ``account_balance_rank`` index, so a page costs the same with 10 or 10,000 members.
- ``global`` / ``30d``: the net change of the balance in the window, i.e. the sum of the member's
  ledger amounts created in it, *without* the welcome bonus (signing up is not an achievement). Stakes
  count as negative until the bet is settled, payouts and refunds as positive. Only members with a
  ledger entry in the window are listed.
- ``club-<slug>``: the sum of the member's ledger amounts tied to that club's meetings
  (``LedgerEntry.meeting.club``): check-in and finishing awards and payouts/refunds count positive,
  stakes negative. Every current member is listed, at 0 when they have earned nothing there. With
  ``30d`` only entries created in the window count.
- ``clubs``: the club score, the sum over *all* ledger entries tied to the club's meetings (also of
  people who have left since). Bets inside a club move points between its members and add up to zero
  once settled, so the score is in effect what the club's members were awarded for coming and
  finishing the book. Only clubs with at least one such entry (in the window, for ``30d``) are listed.
  Moderators' adjustments are not tied to a meeting, so they count only in ``global``.

Every board reads precomputed standings, never a sum over the ledger: ``Account.balance`` for the
all-time person boards, and the tables of bets/standings.py for the others (kept by bets.services in
the transaction that writes each ledger row, so they are always current). A 30-day board sums at most
31 day rows per person or club; the clubs board reads one ``ClubScore`` row per club.

Ranks are *competition* ranks ("1224"): equal points share a rank, and the next rank skips as many
places as shared it (SQL ``RANK()``). Rows with equal points are listed by user id (club id), so pages
are stable.

Every selector returns a queryset that Django's ``Paginator`` (and DRF's pagination) can count and
slice; each row has ``rank`` and ``points``. Person rows also say what the viewer may see of them:
``profile_visible`` (name and picture: social.permissions' rule, and on a club's board its members see
each other) and ``username_visible`` (a club's board names hidden members by username; the global and
friends boards do not). Ranks are computed over everyone, hidden or not, so the numbers stay honest. Rows are ``social.User`` for the person scopes and
``clubs.Club`` for ``clubs``. ``rank_of`` gives a viewer's own standing in a person scope, and
``club_standings_of`` the standings of the viewer's clubs in ``clubs``, so a page can show "my rank"
when it is not on the current page. Every function runs a fixed number of queries whatever the
number of members.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    BigIntegerField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone

from bets.models import ClubMemberScore, ClubMemberScoreDay
from bets.standings import day_of
from booky.core.errors import DomainError, NotAllowed, NotFound
from clubs.models import Club, Membership
from clubs.visibility import profile_visible_flag
from social.models import User
from social.relationships import friend_ids

GLOBAL = "global"
FRIENDS = "friends"
CLUBS = "clubs"
CLUB_PREFIX = "club-"
PERIODS = {"all": None, "30d": timedelta(days=30)}
PERIOD_LABELS = {"all": "All time", "30d": "Last 30 days"}


class UnknownLeaderboard(NotFound):
    code = "unknown_leaderboard"


class UnknownPeriod(DomainError):
    code = "invalid_period"


@dataclass(frozen=True)
class Board:
    """A resolved scope: which kind of board and, for a club board, which club."""

    scope: str
    period: str
    since: datetime | None
    club: Club | None = None
    viewer_id: int | None = None  # the `friends` board: this member and their friends

    @property
    def since_day(self) -> date | None:
        """The first day of the window in the standings' day rows."""
        return day_of(self.since) if self.since else None

    @property
    def ranks_clubs(self) -> bool:
        return self.scope == CLUBS


@dataclass(frozen=True)
class Standing:
    """One row's place on a board: `subject` is a User (person scopes) or a Club (`clubs`)."""

    rank: int
    points: int
    subject: object


def parse_period(period: str | None) -> str:
    period = period or "all"
    if period not in PERIODS:
        raise UnknownPeriod(f"Unknown period {period!r}: use one of {', '.join(PERIODS)}.")
    return period


def board_for(scope: str, period: str | None, *, viewer, now: datetime | None = None) -> Board:
    """Resolve `scope` and `period` for `viewer`; unknown scopes and clubs the viewer may not see are
    `UnknownLeaderboard` (404), an unknown period `UnknownPeriod` (400)."""
    period = parse_period(period)
    delta = PERIODS[period]
    since = (now or timezone.now()) - delta if delta else None
    if scope in (GLOBAL, CLUBS):
        return Board(scope=scope, period=period, since=since)
    if scope == FRIENDS:
        return friends_board(period, viewer=viewer, since=since)
    if isinstance(scope, str) and scope.startswith(CLUB_PREFIX):
        slug = scope.removeprefix(CLUB_PREFIX)
        club = Club.objects.visible_to(viewer).filter(slug=slug).first() if slug else None
        if club is not None:
            return Board(scope=scope, period=period, since=since, club=club)
        raise UnknownLeaderboard("No such club, or it is private.")
    raise UnknownLeaderboard(
        f"Unknown leaderboard: use {GLOBAL}, {FRIENDS}, {CLUBS} or {CLUB_PREFIX}<club slug>."
    )


def friends_board(period: str, *, viewer, since: datetime | None) -> Board:
    """The viewer and their friends; only a signed-in viewer has one."""
    if viewer is None or not viewer.is_authenticated:
        raise NotAllowed("Log in to see the leaderboard of you and your friends.", code="not_authenticated")
    return Board(scope=FRIENDS, period=period, since=since, viewer_id=viewer.pk)


def _friends_filter(board: Board) -> Q:
    if board.viewer_id is None:
        return Q()

    viewer = User(pk=board.viewer_id)
    return Q(pk=board.viewer_id) | Q(pk__in=friend_ids(viewer))


# --- points per row, unranked ---------------------------------------------------------------------


def _ranked_members() -> QuerySet:
    return User.objects.filter(is_active=True, deleted_at__isnull=True)


def _club_member_points(board: Board) -> Subquery:
    """A member's points on the board's club: one standings row, or at most 31 day rows."""
    if board.since is None:
        earned = ClubMemberScore.objects.filter(club=board.club, user=OuterRef("pk")).values("points")
    else:
        earned = (
            ClubMemberScoreDay.objects.filter(club=board.club, user=OuterRef("pk"), day__gte=board.since_day)
            .order_by()
            .values("user")
            .annotate(total=Sum("points"))
            .values("total")
        )
    return Subquery(earned, output_field=BigIntegerField())


def _person_points(board: Board) -> QuerySet:
    """Users with `points` (unranked, unordered) for a person scope."""
    if board.club is not None:
        members = Membership.objects.filter(club=board.club).values("user")
        return (
            _ranked_members()
            .filter(pk__in=members)
            .annotate(points=Coalesce(_club_member_points(board), Value(0)))
        )
    if board.since is None:
        return (
            _ranked_members()
            .filter(_friends_filter(board), points_account__isnull=False)
            .annotate(points=F("points_account__balance"))
        )
    # Filtering the joined day rows before annotating makes the sum count only those in the window.
    return (
        _ranked_members()
        .filter(_friends_filter(board))
        .filter(score_days__day__gte=board.since_day)
        .annotate(points=Sum("score_days__points"))
    )


def _club_points(board: Board, viewer) -> QuerySet:
    clubs = Club.objects.visible_to(viewer)
    if board.since is None:
        return clubs.filter(score__isnull=False).annotate(points=F("score__points"))
    return clubs.filter(score_days__day__gte=board.since_day).annotate(points=Sum("score_days__points"))


def _points(board: Board, viewer) -> QuerySet:
    return _club_points(board, viewer) if board.ranks_clubs else _person_points(board)


def _order(board: Board) -> list:
    if board.club is None and board.since is None and not board.ranks_clubs:
        # Spelled on the account's columns so PostgreSQL reads the account_balance_rank index in order.
        return [F("points_account__balance").desc(), F("points_account__user_id").asc()]
    return [F("points").desc(), F("pk").asc()]


# --- public selectors -----------------------------------------------------------------------------


def leaderboard(board: Board, *, viewer=None) -> QuerySet:
    """The board's rows, best first, each with `rank` and `points`: paginate it with `Paginator`."""
    rows = _points(board, viewer)
    rows = rows.annotate(rank=Window(Rank(), order_by=F("points").desc()))
    if not board.ranks_clubs:
        # profile_visibility, is_active and deleted_at: whose profile a name links to
        # (social.permissions.mark_profile_linkable, on the page's rows).
        rows = rows.only(
            "pk", "username", "display_name", "avatar", "profile_visibility", "is_active", "deleted_at"
        ).annotate(
            profile_visible=profile_visible_flag(viewer, club=board.club),
            # A club's own board names its members by username at least (as its members page does);
            # the global and friends boards show a hidden member as nobody in particular.
            username_visible=Value(True) if board.club is not None else profile_visible_flag(viewer),
        )
    return rows.order_by(*_order(board))


def rank_of(user, board: Board) -> Standing | None:
    """The user's own standing on a person board, or None (anonymous, not a member, nothing earned)."""
    if board.ranks_clubs:
        raise ValueError("Use club_standings_of() for the clubs board.")
    if user is None or not user.is_authenticated:
        return None
    rows = _points(board, user)
    mine = rows.filter(pk=user.pk).values_list("points", flat=True).first()
    if mine is None:
        return None
    ahead = rows.filter(points__gt=mine).count()
    return Standing(rank=ahead + 1, points=mine, subject=user)


def club_standings_of(user, board: Board) -> list[Standing]:
    """Standings of the clubs the user belongs to on the clubs board, best first (two queries)."""
    if not board.ranks_clubs:
        raise ValueError("club_standings_of() is for the clubs board.")
    if user is None or not user.is_authenticated:
        return []
    rows = _points(board, user)
    mine = list(rows.filter(memberships__user=user).order_by("-points", "pk"))
    if not mine:
        return []
    scores = sorted({club.points for club in mine})
    # How many clubs are strictly ahead of each of my scores, counted in one pass by the database.
    ahead = rows.order_by().aggregate(
        **{f"ahead_{index}": Count("pk", filter=Q(points__gt=score)) for index, score in enumerate(scores)}
    )
    rank = {score: ahead[f"ahead_{index}"] + 1 for index, score in enumerate(scores)}
    return [Standing(rank=rank[club.points], points=club.points, subject=club) for club in mine]
