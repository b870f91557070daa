from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from booky.core import backups


class Command(BaseCommand):
    help = (
        "Back up the default database: a pg_dump custom-format archive (PostgreSQL) or an online copy "
        "(SQLite). Prints the file's path."
    )
    # The checks may open the database, and SQLite would create a missing file: never touch it first.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="where to write it (default: backups/booky-<database>-<UTC time>.dump or .sqlite3)",
        )

    def handle(self, *args, output: Path | None, **options):
        database = settings.DATABASES["default"]
        try:
            written = backups.backup(database, output or backups.default_backup_path(database))
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(written))
