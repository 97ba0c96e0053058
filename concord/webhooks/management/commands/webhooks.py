from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404

from concord.core.management.base import ConcordCommand


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(
            f"--{k.replace('_', '-')}: {' '.join(v)}" for k, v in exc.message_dict.items()
        )
    return " ".join(exc.messages)


class Command(ConcordCommand):
    help = (
        "Webhooks of your organisations (managers): 'list', 'add' (prints the secret once), "
        "'ping' (a test delivery), 'deliveries' (the log), 'resume' (after a pause)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        lst = sub.add_parser("list", help="Your organisations' webhooks.")
        self.add_as_argument(lst)
        a = sub.add_parser("add", help="Subscribe a URL to changes.")
        a.add_argument("--org", required=True, help="The organisation (acronym or name).")
        a.add_argument("--name", required=True)
        a.add_argument("--url", required=True)
        a.add_argument(
            "--types",
            required=True,
            help="Record types, comma-separated (labour.assignment,operations.operation); "
            "'all' for every one.",
        )
        a.add_argument("--actions", default="create,update,delete")
        a.add_argument("--country", metavar="ISO3")
        a.add_argument("--operation", metavar="ID")
        a.add_argument("--space", metavar="NAME")
        self.add_as_argument(a)
        for name, text in (
            ("ping", "Send a test delivery now."),
            ("resume", "Resume a paused webhook (its waiting events are sent)."),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("webhook", help="The webhook's id.")
            self.add_as_argument(p)
        d = sub.add_parser("deliveries", help="A webhook's delivery log, newest first.")
        d.add_argument("webhook", help="The webhook's id.")
        d.add_argument("--limit", type=int, default=20)
        d.add_argument("--state", choices=["pending", "sending", "delivered", "failed", "skipped"])
        self.add_as_argument(d)

    def handle(self, action, **o):
        actor = self.actor(o["as_user"])
        try:
            return getattr(self, f"do_{action}")(actor, o)
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None

    def _webhook(self, actor, pk):
        from concord.webhooks.access import access_webhook

        try:
            return access_webhook(actor.user, pk)
        except Http404:
            raise CommandError(f"webhook: no webhook {pk!r} that you manage.") from None

    def do_list(self, actor, o):
        from concord.webhooks.access import webhooks_for

        rows = list(webhooks_for(actor.user).select_related("organisation", "owner"))
        if not rows:
            self.stdout.write("No webhooks you manage.")
        for w in rows:
            state = "active" if w.active else f"paused ({w.paused_reason})"
            self.stdout.write(
                f"{w.pk}\t{w.name}\t{w.url}\t{w.organisation}\towner {w.owner.username}\t{state}"
                f"\tfailures {w.failures}\t{','.join(w.record_types)}\t{','.join(w.actions)}"
            )

    def _filters(self, actor, o) -> dict:
        from django.apps import apps

        from concord.core.models import Country, Space

        out = {"country": None, "operation": None, "space": None}
        if o.get("country"):
            out["country"] = Country.objects.filter(alpha3=o["country"].upper()).first()
            if out["country"] is None:
                raise CommandError(f"--country: no country with the code {o['country']!r}.")
        if o.get("operation"):
            op = apps.get_model("operations", "Operation")
            out["operation"] = (
                op.objects.visible_to(actor.user)
                .filter(pk=o["operation"] if str(o["operation"]).isdigit() else None)
                .first()
            )
            if out["operation"] is None:
                raise CommandError(f"--operation: no operation {o['operation']!r} you may see.")
        if o.get("space"):
            out["space"] = Space.objects.filter(
                name=o["space"], pk__in=actor.user.principal().space_ids
            ).first()
            if out["space"] is None:
                raise CommandError(f"--space: no coordination space {o['space']!r} of yours.")
        return out

    def do_add(self, actor, o):
        from concord.core.services import resolve_organisation
        from concord.webhooks import services
        from concord.webhooks.events import event_models

        org = resolve_organisation(o["org"], actor.user)
        if org is None:
            raise CommandError(f"--org: no organisation called {o['org']!r} that you may see.")
        types = [t.strip() for t in o["types"].split(",") if t.strip()]
        if types == ["all"]:
            types = list(event_models())
        hook, secret = services.create_webhook(
            actor=actor,
            organisation=org,
            name=o["name"],
            url=o["url"],
            record_types=types,
            actions=[a.strip() for a in o["actions"].split(",")],
            **self._filters(actor, o),
        )
        self.stdout.write(f"Created webhook {hook.pk} ({hook.name}).")
        self.stdout.write(f"Signing secret (shown once, keep it safe): {secret}")

    def do_ping(self, actor, o):
        from concord.webhooks import services

        delivery = services.ping(self._webhook(actor, o["webhook"]), actor=actor)
        delivery.refresh_from_db()
        self.stdout.write(
            f"Ping {delivery.key}: {delivery.state}"
            + (f" (HTTP {delivery.status_code})" if delivery.status_code else "")
            + (f": {delivery.note}" if delivery.note else "")
        )

    def do_resume(self, actor, o):
        from concord.webhooks import services

        hook = services.resume(self._webhook(actor, o["webhook"]), actor=actor)
        self.stdout.write(f"Resumed webhook {hook.pk} ({hook.name}).")

    def do_deliveries(self, actor, o):
        from concord.core.visibility import RESTRICTED, VisibleLabels
        from concord.webhooks.events import event_models

        hook = self._webhook(actor, o["webhook"])
        if o["limit"] < 1:
            raise CommandError("--limit: give a number of at least 1.")
        qs = hook.deliveries.all()
        if o.get("state"):
            qs = qs.filter(state=o["state"])
        labels = VisibleLabels(actor.user)
        rows = list(qs[: o["limit"]])
        if not rows:
            self.stdout.write("No deliveries.")
        for d in rows:
            model = event_models().get(d.model)
            if d.is_ping:
                record = "ping"
            elif model is not None and labels.get(model, int(d.object_id)) is not None:
                record = f"{d.model}:{d.object_id} {d.action}"
            else:
                record = f"{d.model} {RESTRICTED} {d.action}"
            self.stdout.write(
                f"{d.created_at:%Y-%m-%d %H:%M:%S}\t{d.key}\t{record}\t{d.state}"
                f"\tattempts {d.attempts}\tstatus {d.status_code or '-'}\t{d.note}"
            )
