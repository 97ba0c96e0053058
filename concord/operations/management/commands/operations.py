import datetime as dt

from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = "Operations: 'classify' prints each operation's scenario (four-scenario typology)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("classify", help="Print the scenario of each operation, with reasons.")
        c.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Operations active on this date and their scenario then "
            "(default: every operation over its whole life).",
        )
        c.add_argument("--framework", choices=["un", "regional", "ad_hoc", "single_state"])
        c.add_argument(
            "--scenario",
            choices=["stand_alone", "sequential", "parallel", "fully_integrated", "multilateral"],
        )
        c.add_argument("--all", action="store_true", help="Include UN and regional missions.")
        c.add_argument("--format", choices=["table", "csv"], default="table")
        self.add_as_argument(c, required=False)

    def handle(self, action, **o):
        from concord.operations import loaders

        user = self.actor(o["as_user"]).user if o.get("as_user") else None
        as_of = None
        if o.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(o["as_of"])
            except ValueError:
                raise CommandError(f"--as-of: {o['as_of']!r} is not a date (YYYY-MM-DD).") from None
        _world, results = loaders.scenarios(user, as_of)
        rows = loaders.table(user, results, o.get("framework") or "", o.get("scenario") or "")
        if not o["all"] and not o.get("framework"):
            rows = [r for r in rows if r[0].framework not in ("un", "regional")]
        data = [
            [
                (op.acronym or op.name)[:40],
                op.framework,
                f"{op.start} – {op.end or 'ongoing'}",
                (op.scenario_override + "*") if op.scenario_override else res.scenario,
                res.confidence,
                res.reason,
            ]
            for op, res in rows
        ]
        headers = ["operation", "framework", "dates", "scenario", "confidence", "reason"]
        if o["format"] == "csv":
            from concord.exchange.tabular import write_csv

            for chunk in write_csv(headers, data):
                self.stdout.write(chunk, ending="")
            return
        widths = [max([len(headers[i])] + [len(str(r[i])) for r in data]) for i in range(5)]
        line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)) + "  reason"
        self.stdout.write(line)
        self.stdout.write("-" * len(line))
        for r in data:
            self.stdout.write(
                "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=False)) + "  " + r[5]
            )
        when = f"as of {as_of}" if as_of else "over each operation's whole life"
        self.stdout.write(f"\n{len(data)} operations, {when}. * = set by a person (overridden).")
