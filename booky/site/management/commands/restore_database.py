from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from booky.core import backups


class Command(BaseCommand):
    help = (
        "Restore a backup into a NEW database beside the configured one (never over it) and print "
        "what to point Booky at: a DATABASE_URL (PostgreSQL) or a SQLITE_PATH (SQLite)."
    )
    # The checks may open the database, and SQLite would create a missing file: never touch it first.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="a file written by backup_database")
        parser.add_argument(
            "--into",
            help="PostgreSQL: a database name on the same server or a postgres:// URL "
            "(default <name>_restored_<UTC time>; it must not exist or be empty). "
            "SQLite: a file path (default <name>_restored_<UTC time>.sqlite3 beside SQLITE_PATH).",
        )
        parser.add_argument(
            "--force", action="store_true", help="SQLite: replace the --into file if it exists"
        )
        parser.add_argument(
            "--jobs", type=int, default=0, help="PostgreSQL: pg_restore's parallel jobs (default: up to 4)"
        )

    def handle(self, *args, archive: Path, into: str | None, force: bool, jobs: int, **options):
        try:
            restored = backups.restore(
                settings.DATABASES["default"], archive, into=into, force=force, jobs=jobs
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        if isinstance(restored, Path):
            self.stdout.write(f"Restored into {restored}; it passes SQLite's integrity check.")
            self.stdout.write(f"Switch to it with: SQLITE_PATH={restored}")
        else:
            self.stdout.write(f"Restored into a new database; switch to it with: DATABASE_URL={restored}")
