import time

from django.core.management.base import BaseCommand

from bets.tasks import resolve_due_meetings
from books.shelves.importing import imports_resume_stalled
from clubs.polls.services import polls_close_due, polls_remind_closing
from meetings.reminders import send_due_reminders
from meetings.services import send_plan_nudges, series_advance_due


class Command(BaseCommand):
    help = (
        "Settle the bets of every meeting that has started (or was cancelled) and is not settled yet, "
        "remind members of meetings starting within 24 hours (once per member and start time), and close "
        "next-book polls whose voting has ended (a day before, remind those who have not voted), and queue "
        "again the shelf imports whose worker died."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            default=0,
            help="Keep sweeping every SECONDS (the worker runs it this way); 0 sweeps once.",
        )

    def handle(self, *args, loop: int, **options):
        while True:
            count = resolve_due_meetings()
            if count or not loop:
                self.stdout.write(f"Resolved {count} meeting(s).")
            reminded = send_due_reminders()
            if reminded or not loop:
                self.stdout.write(f"Sent {reminded} meeting reminder(s).")
            closed = polls_close_due()
            if closed or not loop:
                self.stdout.write(f"Closed {closed} poll(s).")
            polls_remind_closing()
            send_plan_nudges()
            created = series_advance_due()
            if created or not loop:
                self.stdout.write(f"Created {created} meeting(s) of recurring series.")
            resumed = imports_resume_stalled()
            if resumed or not loop:
                self.stdout.write(f"Queued {resumed} stalled shelf import(s) again.")
            if not loop:
                return
            time.sleep(loop)
