from django.core.management.base import BaseCommand

from bets.standings import standings_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the leaderboards' standings from the ledger: after rows were bulk-loaded around the "
        "services, or when audit_points reports a standing that differs."
    )

    def handle(self, *args, **options):
        standings_rebuild()
        self.stdout.write(self.style.SUCCESS("Standings rebuilt from the ledger."))
