"""Checks that no point was created, lost or counted twice."""

from dataclasses import dataclass, field

from django.db.models import Sum

from bets.models import MINTING_REASONS, Account, Bet, BetStatus, LedgerEntry
from bets.standings import standings_problems


@dataclass
class AuditReport:
    accounts: int = 0
    entries: int = 0
    total_balance: int = 0
    minted: int = 0
    open_stakes: int = 0
    problems: list[str] = field(default_factory=list)


def audit_points() -> AuditReport:
    """Every balance equals its ledger's sum and last balance_after; all balances plus the stakes
    held in open bets equal the points minted; every leaderboard standing equals its ledger sum."""
    report = AuditReport()
    sums = dict(
        LedgerEntry.objects.values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    latest = {}
    for account_id, balance_after in LedgerEntry.objects.order_by("account_id", "pk").values_list(
        "account_id", "balance_after"
    ):
        latest[account_id] = balance_after
    for account in Account.objects.select_related("user").order_by("pk"):
        report.accounts += 1
        report.total_balance += account.balance
        ledger_sum = sums.get(account.pk, 0)
        if ledger_sum != account.balance:
            report.problems.append(
                f"Account of {account.user} (#{account.pk}): balance {account.balance} but its ledger adds up to {ledger_sum}."
            )
        if latest.get(account.pk, 0) != account.balance:
            report.problems.append(
                f"Account of {account.user} (#{account.pk}): balance {account.balance} but the last entry says "
                f"{latest.get(account.pk, 0)}."
            )
    report.entries = LedgerEntry.objects.count()
    report.minted = (
        LedgerEntry.objects.filter(reason__in=MINTING_REASONS).aggregate(total=Sum("amount"))["total"] or 0
    )
    report.open_stakes = (
        Bet.objects.filter(status=BetStatus.OPEN).aggregate(total=Sum("amount"))["total"] or 0
    )
    stranded = Bet.objects.filter(
        status=BetStatus.OPEN, meeting__bets_resolved_at__isnull=False
    ).select_related("bettor", "meeting")
    for bet in stranded:
        report.problems.append(
            f"Bet #{bet.pk} of {bet.bettor} ({bet.amount} points) is still open on meeting #{bet.meeting_id}, "
            "which was already settled."
        )
    if report.total_balance + report.open_stakes != report.minted:
        report.problems.append(
            f"Balances ({report.total_balance}) plus open stakes ({report.open_stakes}) do not equal the points "
            f"minted ({report.minted})."
        )
    # Standings are derived: a difference is fixed by `manage.py rebuild_standings`, not by a ledger row.
    report.problems += standings_problems()
    return report
