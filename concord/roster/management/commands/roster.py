import json

from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = (
        "Roster: 'match REQUEST' ranks the experts you may see for a request (each fit in "
        "parts and words, who is not matched and why); 'assign' assigns experts to several "
        "open requests at once (all you may see, or --request each), with the first-come "
        "baseline beside it; 'screen EXPERT REQUEST' screens one expert for conflicts of "
        "interest; 'alert REQUEST' screens and alerts the best matches."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        m = sub.add_parser("match", help="Rank the roster for a request.")
        m.add_argument("request", help="The request's id.")
        m.add_argument("--limit", type=int, default=20, help="How many to print (table).")
        m.add_argument("--format", choices=["table", "json"], default="table")
        self.add_as_argument(m)
        a = sub.add_parser("assign", help="Assign experts to several open requests at once.")
        a.add_argument("--request", action="append", default=[], help="A request id (repeat).")
        a.add_argument("--method", choices=["optimal", "greedy"], default="optimal")
        a.add_argument("--format", choices=["table", "json"], default="table")
        self.add_as_argument(a)
        s = sub.add_parser("screen", help="Screen one expert against one request.")
        s.add_argument("expert", help="The expert's id.")
        s.add_argument("request", help="The request's id.")
        s.add_argument("--format", choices=["table", "json"], default="table")
        self.add_as_argument(s)
        al = sub.add_parser("alert", help="Screen and alert the best matches of a request.")
        al.add_argument("request", help="The request's id.")
        self.add_as_argument(al)

    def _request(self, ref, user, column="REQUEST"):
        from django.http import Http404

        from concord.roster.access import access_request

        if not str(ref).isdigit():
            raise CommandError(f"{column}: give the request's id (a number), not {ref!r}.")
        try:
            return access_request(user, int(ref))
        except Http404:
            raise CommandError(f"{column}: no request {ref} that you may see.") from None

    def handle(self, action, **o):
        from django.core.exceptions import PermissionDenied, ValidationError

        actor = self.actor(o["as_user"])
        try:
            getattr(self, action)(actor, o)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None

    def match(self, actor, o):
        from concord.roster import loaders

        ranking = loaders.rank(self._request(o["request"], actor.user), actor.user)
        if o["format"] == "json":
            self.stdout.write(json.dumps(ranking.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{ranking.roster} experts you may see; "
            f"{ranking.lacking} without the required expertise."
        )
        shown = [m for m in ranking.matches if m.eligible][: o["limit"]]
        for i, m in enumerate(shown, start=1):
            parts = "; ".join(f"{p.words} {p.points:.0f}/{p.out_of}" for p in m.parts)
            self.stdout.write(
                f"{i:>3}. {m.expert.name} [{m.expert.id}] fit {m.score:.0f} — {parts}"
            )
            for f in m.screening.findings:
                self.stdout.write(f"       {f.grade}: {f.reason}")
        if not shown:
            self.stdout.write("Nobody is matched.")
            for r in ranking.relax:
                self.stdout.write(f"  relax: {r.words} ({r.would_match} would match)")

    def assign(self, actor, o):
        from concord.roster import loaders

        requests = [self._request(ref, actor.user, "--request") for ref in o["request"]]
        if not requests:
            requests = list(loaders.open_requests(actor.user).order_by("received_at", "pk"))
        if not requests:
            raise CommandError("No open request you may see.")
        plans, facts = loaders.team_plan(requests, actor.user, methods=(o["method"],))
        plan = plans[o["method"]]
        if o["format"] == "json":
            self.stdout.write(json.dumps(plan.as_json(), ensure_ascii=False, indent=2))
            return
        titles = {f.id: f.title for f in facts}
        self.stdout.write(f"{plan.method}: total fit {plan.total_fit:.1f}")
        for c in plan.choices:
            self.stdout.write(
                f"{titles[c.request]}: {c.name} [{c.expert}] ({c.constraint}) {c.words}"
            )
        for rid, words in plan.gaps:
            self.stdout.write(f"{titles[rid]}: {words}")

    def screen(self, actor, o):
        from django.http import Http404

        from concord.roster import loaders
        from concord.roster.access import access_expert

        request = self._request(o["request"], actor.user)
        if not str(o["expert"]).isdigit():
            raise CommandError(f"EXPERT: give the expert's id (a number), not {o['expert']!r}.")
        try:
            expert = access_expert(actor.user, int(o["expert"]))
        except Http404:
            raise CommandError(f"EXPERT: no expert {o['expert']} that you may see.") from None
        result = loaders.screen(expert, request, actor.user)
        if o["format"] == "json":
            data = {"grade": result.grade, "findings": [f.as_json() for f in result.findings]}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(result.grade)
        for f in result.findings:
            self.stdout.write(f"  {f.grade}: {f.reason}")

    def alert(self, actor, o):
        from concord.roster import services

        made = services.alert(self._request(o["request"], actor.user), actor=actor)
        for c in made:
            self.stdout.write(f"{c.expert_id}\t{c.state}\t{c.grade}")
