"""Play-money points: one account per user, an append-only ledger, and bets on who finishes."""

from django.conf import settings
from django.db import models
from django.db.models import Q

SIGNUP_BONUS = 100
CHECK_IN_AWARD = 10
FINISH_AWARD = 25
MAX_STAKE = 1_000_000
# Points are earned at meetings with at least this many members going: a race needs two runners.
MIN_RUNNERS = 2


class Account(models.Model):
    # PROTECT: an account with history is never deleted; deleting a user anonymizes it instead.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_account"
    )
    balance = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="account_balance_not_negative")
        ]
        indexes = [
            # The all-time leaderboard: richest first, ties by user id; read in index order with LIMIT.
            models.Index(fields=["-balance", "user"], name="account_balance_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.balance} points"


class Reason(models.TextChoices):
    SIGNUP = "signup", "Welcome bonus"
    CHECK_IN = "check_in", "Came to a meeting"
    FINISHED = "finished", "Finished the book in time"
    STAKE = "stake", "Bet placed"
    STAKE_CHANGE = "stake_change", "Bet changed"
    WITHDRAWAL = "withdrawal", "Bet withdrawn"
    PAYOUT = "payout", "Bet won"
    REFUND = "refund", "Bet refunded"
    ADJUSTMENT = "adjustment", "Adjusted by a moderator"


# Reasons that create points out of nothing; everything else moves points between accounts and bets.
MINTING_REASONS = (Reason.SIGNUP, Reason.CHECK_IN, Reason.FINISHED, Reason.ADJUSTMENT)


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger entries are append-only.")

    def delete(self):
        raise TypeError("Ledger entries are append-only.")


class LedgerEntry(models.Model):
    """One change of one balance. Never updated or deleted."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    balance_after = models.BigIntegerField()
    reason = models.CharField(max_length=20, choices=Reason)
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bet = models.ForeignKey(
        "bets.Bet", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    # Awards and settlements carry a key ("checkin:12:7"), so the database refuses paying one twice.
    award_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="ledger_balance_after_not_negative"
            ),
            models.CheckConstraint(condition=Q(reason__in=Reason.values), name="ledger_reason_valid"),
            models.CheckConstraint(
                condition=~Q(reason=Reason.ADJUSTMENT) | ~Q(note=""), name="ledger_adjustment_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="ledger_account_recent"),
            models.Index(fields=["reason", "created_at"], name="ledger_reason_time"),
            # Last-30-days leaderboards: a range scan over the window, whatever the number of users.
            models.Index(fields=["created_at"], name="ledger_created"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+} {self.get_reason_display()} → {self.balance_after}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger entries are append-only.")


class BetStatus(models.TextChoices):
    OPEN = "open", "Open"
    WITHDRAWN = "withdrawn", "Withdrawn"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    REFUNDED = "refunded", "Refunded"


class BetQuerySet(models.QuerySet):
    def active(self):
        """Bets that still count: not withdrawn."""
        return self.exclude(status=BetStatus.WITHDRAWN)

    def live(self):
        """Open bets: their stakes are the pool settlement would share out now."""
        return self.filter(status=BetStatus.OPEN)


class Bet(models.Model):
    """A bettor's stake that `horse` finishes the book before the meeting starts."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.PROTECT, related_name="bets")
    bettor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bets")
    horse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bets_on")
    amount = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=BetStatus, default=BetStatus.OPEN)
    paid = models.BooleanField(default=False)
    payout = models.PositiveIntegerField(null=True, blank=True)
    # The points of the pool that flooring left over, included in `payout` (settle() gives them to one
    # winning bet): shown there so nobody wonders where the extra point came from.
    payout_remainder = models.PositiveIntegerField(default=0)
    # Optimistic locking, like a member's progress: every change of the row bumps it, and a change or
    # withdrawal made from a stale tab (an older version) is refused with the current bet.
    version = models.PositiveIntegerField(default=1)
    placed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BetQuerySet.as_manager()

    class Meta:
        ordering = ["placed_at", "pk"]
        constraints = [
            # A withdrawn bet, or one refunded because its horse said "not going", leaves room for a new one.
            models.UniqueConstraint(
                fields=["meeting", "bettor"],
                condition=~Q(status__in=[BetStatus.WITHDRAWN, BetStatus.REFUNDED]),
                name="bet_one_live_per_bettor",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=1, amount__lte=MAX_STAKE), name="bet_amount_range"
            ),
            models.CheckConstraint(condition=Q(status__in=BetStatus.values), name="bet_status_valid"),
            models.CheckConstraint(
                condition=Q(paid=False) | Q(status__in=[BetStatus.WON, BetStatus.LOST, BetStatus.REFUNDED]),
                name="bet_paid_only_when_settled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bettor} bets {self.amount} on {self.horse} ({self.status})"

    @property
    def net(self) -> int | None:
        """What the bet did to the bettor's balance in the end: payout minus stake (None while open)."""
        if self.status in (BetStatus.WON, BetStatus.LOST, BetStatus.REFUNDED):
            return (self.payout or 0) - self.amount
        if self.status == BetStatus.WITHDRAWN:
            return 0
        return None

    @property
    def result_text(self) -> str:
        """Gross and net in plain words, the same on the page, the ledger, notifications and emails:
        "won 22 (stake 20, +2)", "lost 10", "refunded 10"."""
        if self.status == BetStatus.WON:
            return f"won {self.payout} (stake {self.amount}, {self.net:+d})"
        if self.status == BetStatus.LOST:
            return f"lost {self.amount}"
        if self.status == BetStatus.REFUNDED:
            return f"refunded {self.payout if self.payout is not None else self.amount}"
        if self.status == BetStatus.WITHDRAWN:
            return f"withdrawn {self.amount}"
        return f"staked {self.amount}"

    @property
    def remainder_text(self) -> str:
        """Where the rounding's left-over points landed: "+1 rounding remainder" ("" elsewhere)."""
        if self.status == BetStatus.WON and self.payout_remainder:
            return f"+{self.payout_remainder} rounding remainder"
        return ""


# --- standings: the leaderboards' points, precomputed (bets/standings.py keeps them) ---------------
# Derived data: every row is a sum of ledger amounts, written by the same `_post` that writes the
# ledger row, in its transaction. `manage.py rebuild_standings` recomputes them from the ledger and
# `audit_points` compares them. A "day" is a UTC date (LedgerEntry.created_at's), for the 30-day boards.


class ClubScore(models.Model):
    """A club's score: the sum of every ledger amount tied to its meetings, all time."""

    club = models.OneToOneField(
        "clubs.Club", on_delete=models.CASCADE, primary_key=True, related_name="score"
    )
    points = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-points", "club"], name="club_score_rank")]

    def __str__(self) -> str:
        return f"club #{self.club_id}: {self.points}"


class ClubScoreDay(models.Model):
    """The same, for the ledger rows of one day."""

    club = models.ForeignKey("clubs.Club", on_delete=models.CASCADE, related_name="score_days")
    day = models.DateField()
    points = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["club", "day"], name="club_score_day_unique")]
        indexes = [models.Index(fields=["day", "club", "points"], name="club_score_day_window")]

    def __str__(self) -> str:
        return f"club #{self.club_id} on {self.day}: {self.points}"


class ClubMemberScore(models.Model):
    """What one person earned at one club's meetings, all time (kept after they leave the club)."""

    club = models.ForeignKey("clubs.Club", on_delete=models.CASCADE, related_name="member_scores")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    points = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["club", "user"], name="club_member_score_unique")]
        indexes = [models.Index(fields=["club", "-points", "user"], name="club_member_score_rank")]

    def __str__(self) -> str:
        return f"user #{self.user_id} at club #{self.club_id}: {self.points}"


class ClubMemberScoreDay(models.Model):
    """The same, for the ledger rows of one day."""

    club = models.ForeignKey("clubs.Club", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    points = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["club", "user", "day"], name="club_member_score_day_unique")
        ]

    def __str__(self) -> str:
        return f"user #{self.user_id} at club #{self.club_id} on {self.day}: {self.points}"


class MemberScoreDay(models.Model):
    """A person's net change of balance on one day, without the welcome bonus (the global 30-day board)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="score_days")
    day = models.DateField()
    points = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="member_score_day_unique")]
        indexes = [models.Index(fields=["day", "user", "points"], name="member_score_day_window")]

    def __str__(self) -> str:
        return f"user #{self.user_id} on {self.day}: {self.points}"
