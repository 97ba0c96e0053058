from pathlib import Path

from django.core.management.base import CommandError

from concord.core.importers import SPECS, import_file
from concord.core.management.base import ConcordCommand
from concord.exchange.tabular import FORMATS, FileRejected


class Command(ConcordCommand):
    help = "Import records of one kind from CSV, JSON, XLSX or HXL (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(SPECS))
        parser.add_argument("file")
        parser.add_argument(
            "--format",
            choices=[*FORMATS, "hxl"],
            help="Default: from the file extension (a CSV with a hashtag row is read as HXL).",
        )
        self.add_as_argument(parser)

    def handle(self, kind, file, **o):
        actor = self.actor(o["as_user"], interface="import")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        data = path.read_bytes()
        bar = self.progress(None, f"importing {path.name}")
        try:
            saved = import_file(
                kind, data, path.name, actor=actor, fmt=o["format"], progress=bar.update
            )
        except FileRejected as exc:
            raise CommandError(exc.report()) from exc
        finally:
            bar.close()
        self.stdout.write(
            f"{path.name}: imported {len(saved)} {kind} (request {actor.request_id})."
        )
