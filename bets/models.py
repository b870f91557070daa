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


class Bet(models.Model):
    """A bettor's stake that `horse` finishes the book before the meeting starts."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.PROTECT, related_name="bets")
    bettor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bets")
    horse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bets_on")
    amount = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=BetStatus, default=BetStatus.OPEN)
    paid = models.BooleanField(default=False)
    payout = models.PositiveIntegerField(null=True, blank=True)
    placed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BetQuerySet.as_manager()

    class Meta:
        ordering = ["placed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "bettor"],
                condition=~Q(status=BetStatus.WITHDRAWN),
                name="bet_one_per_bettor",
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
