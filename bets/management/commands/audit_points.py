from django.core.management.base import BaseCommand, CommandError

from bets.audit import audit_points


class Command(BaseCommand):
    help = "Re-add every ledger and compare with the balances and with the points minted; non-zero exit on drift."

    def handle(self, *args, **options):
        report = audit_points()
        for problem in report.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"Accounts: {report.accounts}. Ledger entries: {report.entries}. "
            f"Points in balances: {report.total_balance}. Minted: {report.minted}. "
            f"Held in open bets: {report.open_stakes}."
        )
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s) found.")
        self.stdout.write(self.style.SUCCESS("Points are consistent."))
