import datetime as dt
import json

from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand
from concord.core.numbers import record_id


class Command(ConcordCommand):
    help = (
        "Conditional funding: 'evaluate' says for each tranche the acting user may see whether "
        "it is releasable, held (with every unmet condition and its evidence) or released."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        e = sub.add_parser("evaluate", help="Evaluate tranches: releasable or held, and why.")
        e.add_argument("--donor", help="One donor: id, acronym or name.")
        e.add_argument("--on", help="Evaluate on this date (YYYY-MM-DD; default today).")
        e.add_argument("--status", choices=["releasable", "held", "released"])
        e.add_argument("--format", choices=["table", "json"], default="table")
        self.add_as_argument(e, required=True)

    def handle(self, action, **o):
        from django.utils import timezone

        from concord.accountability.loaders import evaluation_rows
        from concord.accountability.models import Commitment, Tranche
        from concord.core.models import Organisation
        from concord.core.services import resolve_organisation

        user = self.actor(o["as_user"]).user
        try:
            on = dt.date.fromisoformat(o["on"]) if o.get("on") else timezone.localdate()
        except ValueError:
            raise CommandError(f"--on: {o['on']!r} is not a date (YYYY-MM-DD).") from None
        tranches = Tranche.objects.visible_to(user).order_by("planned", "pk")
        if o.get("donor"):
            ref = o["donor"].strip()
            if ref.isascii() and ref.isdigit():
                donor = Organisation.objects.visible_to(user).filter(pk=record_id(ref)).first()
            else:
                try:
                    donor = resolve_organisation(ref, user)
                except Exception as exc:  # ambiguous name
                    raise CommandError(f"--donor: {exc}") from None
            if donor is None:
                raise CommandError(f"--donor: no organisation {ref!r} that you may see.")
            # Through the commitments the user may see: a hidden commitment's donor is hidden.
            tranches = tranches.filter(
                commitment__in=Commitment.objects.visible_to(user).filter(donor=donor)
            )
        rows = evaluation_rows(tranches, user, on)
        if o.get("status"):
            rows = [r for r in rows if r["status"] == o["status"]]
        if o["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=1, default=str, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(
                f"{r['status']:10} {r['label']} — {r['amount']:,} {r['currency']} "
                f"(tranche {r['tranche']})"
            )
            for v in r["conditions"]:
                if not v["met"] or v["waived"]:
                    flag = "waived" if v["waived"] else "UNMET"
                    self.stdout.write(f"    {flag}: {v['kind']}: {v['evidence']}")
        counts = {
            s: sum(1 for r in rows if r["status"] == s) for s in ("releasable", "held", "released")
        }
        self.stdout.write(
            f"On {on}: {counts['releasable']} releasable, {counts['held']} held, "
            f"{counts['released']} released."
        )
