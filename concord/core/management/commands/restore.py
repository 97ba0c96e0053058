from pathlib import Path

from django.core.management.base import CommandError

from concord.core.audit import verify
from concord.core.backup import BackupError, restore
from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = "Restore a backup made by 'concord backup' into an empty database, then verify it."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database that already holds records."
        )

    def handle(self, file, **o):
        try:
            restore(Path(file), force=o["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        count, problems = verify()
        if problems:
            raise CommandError(f"Restored, but the audit chain is broken: {problems[0]}")
        self.stdout.write(f"Restored {file}; audit chain intact ({count} entries).")
