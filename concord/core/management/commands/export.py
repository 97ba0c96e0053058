import sys

from django.core.management.base import CommandError

from concord.core.importers import SPECS, export_queryset, write
from concord.core.management.base import ConcordCommand
from concord.exchange import tabular


class Command(ConcordCommand):
    help = "Export the records of one kind that the acting user may see."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(SPECS))
        parser.add_argument(
            "--format",
            choices=[*tabular.FORMATS, "hxl"],
            default="csv",
            help="hxl: operations and relations",
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        self.add_as_argument(parser)

    def handle(self, kind, **o):
        actor = self.actor(o["as_user"])
        if o["format"] not in SPECS[kind].formats:
            raise CommandError(
                f"--format: {kind} can be exported as {', '.join(SPECS[kind].formats)}."
            )
        headers, qs = export_queryset(kind, actor.user)
        bar = self.progress(qs.count(), f"exporting {kind}")

        def counted(rows):
            for row in rows:
                bar.update(1)
                yield row

        rows = counted(SPECS[kind].rows(qs.iterator(chunk_size=500), actor.user))
        body, _ = write(kind, o["format"], headers, rows)
        if o["format"] == "xlsx":
            if not o["output"]:
                raise CommandError("--output is required for XLSX.")
            with open(o["output"], "wb") as fh:
                for chunk in body:
                    fh.write(chunk)
        else:
            fh = open(o["output"], "w", encoding="utf-8", newline="") if o["output"] else sys.stdout
            try:
                for chunk in body:
                    fh.write(chunk)
            finally:
                if o["output"]:
                    fh.close()
        bar.close()
        if o["output"]:
            self.stderr.write(f"Wrote {bar.n} {kind} to {o['output']}.")
