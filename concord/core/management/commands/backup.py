from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection

from concord.core.backup import BackupError, backup
from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = "Write a consistent snapshot of the database (SQLite file, or pg_dump custom format)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **o):
        try:
            path = backup(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up the {connection.vendor} database to {path} ({path.stat().st_size:,} bytes)."
        )
