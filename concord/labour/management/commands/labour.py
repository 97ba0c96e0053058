import datetime as dt
import json
from pathlib import Path

from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


def _date(value: str | None, flag: str):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag}: {value!r} is not a date (YYYY-MM-DD).") from None


class Command(ConcordCommand):
    help = (
        "Division of labour: 'analyse' prints gaps, overlaps, clashes and handover holes; "
        "'import-3w' loads a 3W file in HXL (with --dry-run to see the plan only); "
        "'rollback-3w' undoes an import."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        a = sub.add_parser("analyse", help="Print the findings, explained.")
        a.add_argument("--country", metavar="ISO3")
        a.add_argument("--as-of", metavar="YYYY-MM-DD", help="One day (default: all time).")
        a.add_argument("--kind", choices=["gap", "overlap", "clash", "handover"])
        a.add_argument("--format", choices=["table", "json", "hxl", "csv"], default="table")
        self.add_as_argument(a, required=False)
        i = sub.add_parser("import-3w", help="Import a 3W file (HXL CSV or XLSX).")
        i.add_argument("file")
        i.add_argument("--owner", required=True, help="Owning organisation (acronym or name).")
        i.add_argument("--country", metavar="ISO3", help="For files without a #country column.")
        i.add_argument("--start", metavar="YYYY-MM-DD")
        i.add_argument("--end", metavar="YYYY-MM-DD")
        i.add_argument(
            "--role", default="support", choices=["lead", "support", "monitor", "funder"]
        )
        i.add_argument("--dry-run", action="store_true", help="Show the plan; write nothing.")
        i.add_argument("--allow-rejects", action="store_true", help="Import the good rows.")
        i.add_argument(
            "--create-areas",
            action="store_true",
            help="Create the areas the registry lacks (--dry-run lists them; never a "
            "country's first level when its ISO 3166-2 set is loaded).",
        )
        self.add_as_argument(i)
        r = sub.add_parser("rollback-3w", help="Undo a 3W import (a manager of its owner).")
        r.add_argument("batch", help="The import's id (its page: /assignments/imports/ID/).")
        self.add_as_argument(r)

    def handle(self, action, **o):
        if action == "analyse":
            return self.analyse(o)
        if action == "rollback-3w":
            return self.rollback(o)
        return self.import_3w(o)

    def rollback(self, o):
        from django.core.exceptions import PermissionDenied, ValidationError
        from django.http import Http404

        from concord.labour import services
        from concord.labour.access import access_import_batch

        actor = self.actor(o["as_user"])
        try:
            batch = access_import_batch(actor.user, o["batch"])
        except Http404:
            raise CommandError(f"batch: no import {o['batch']!r} that you may see.") from None
        try:
            services.rollback_import(batch, actor=actor)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        self.stdout.write(f"Rolled back import {batch.pk}: {batch.created} assignments removed.")

    def analyse(self, o):
        from concord.core.models import Country
        from concord.labour import loaders
        from concord.labour.exchange import write_findings

        user = self.actor(o["as_user"]).user if o.get("as_user") else None
        scope = loaders.Scope()
        if o.get("country"):
            code = o["country"].upper()
            if not Country.objects.filter(alpha3=code).exists():
                raise CommandError(f"--country: {o['country']!r} is not an ISO alpha-3 code.")
            scope.countries = [code]
        scope.start = scope.end = _date(o.get("as_of"), "--as-of")
        result = loaders.run(user, scope, {o["kind"]} if o.get("kind") else None)
        rows = result.rows()
        fmt = o["format"]
        if fmt == "table":
            for r in rows:
                self.stdout.write(f"{r[0]:9} {r[4]:4} {r[7] or '…':10} {r[11]}  [{r[12]}]")
            self.stdout.write(f"{len(rows)} findings.")
            return
        body, _, _ = write_findings(fmt, rows)
        self.stdout.write(body if isinstance(body, str) else "".join(body), ending="")

    def import_3w(self, o):
        from concord.core import services
        from concord.core.importers import ImportContext
        from concord.core.models import Country, Role
        from concord.exchange.tabular import FileRejected
        from concord.labour import threew

        actor = self.actor(o["as_user"])
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        owner = services.resolve_organisation(o["owner"], actor.user)
        if owner is None or owner.pk not in actor.user.principal().orgs_with_role(Role.CONTRIBUTOR):
            raise CommandError(f"--owner: {o['owner']!r} is not an organisation you contribute to.")
        country = None
        if o.get("country"):
            country = Country.objects.filter(alpha3=o["country"].upper()).first()
            if country is None:
                raise CommandError(f"--country: {o['country']!r} is not an ISO alpha-3 code.")
        options = threew.Options(
            owner=owner,
            country=country,
            start=_date(o.get("start"), "--start"),
            end=_date(o.get("end"), "--end"),
            role=o["role"],
            create_areas=o["create_areas"],
        )
        try:
            plan = threew.plan(path.read_bytes(), path.name, options, ImportContext(actor))
            report = plan.report()
            if o["dry_run"]:
                self.stdout.write(json.dumps(report, indent=1, ensure_ascii=False))
                return
            batch = threew.commit(plan, actor=actor, allow_rejects=o["allow_rejects"])
        except FileRejected as exc:
            for e in exc.errors[:200]:
                self.stderr.write(str(e))
            raise CommandError(f"{len(exc.errors)} problems; nothing was written.") from None
        self.stdout.write(
            f"Imported {batch.created} assignments from {batch.rows} rows (batch {batch.pk}); "
            f"{len(report['new_organisations'])} organisations and "
            f"{len(report['new_areas'])} areas created; "
            f"{sum(len(v) for v in report['unmatched'].values())} unmatched values reported."
        )
