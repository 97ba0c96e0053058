from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = (
        "Learning: 'knowledge-manager' names (or, with --remove, un-names) who may break the "
        "seal of an organisation's sealed observations; 'knowledge-managers' lists them; "
        "'surface' ranks the lessons for an operation; 'duplicates' lists near-duplicate "
        "lessons and observations; 're-learned' the lessons identified more than twice; "
        "'reindex' rebuilds the terms that find alike records."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        k = sub.add_parser("knowledge-manager", help="Name a knowledge manager (a manager does).")
        k.add_argument("--org", required=True, help="The organisation (acronym or name).")
        k.add_argument("--user", required=True, help="The member to name (username).")
        k.add_argument("--remove", action="store_true", help="Un-name them.")
        self.add_as_argument(k)
        listing = sub.add_parser("knowledge-managers", help="List the knowledge managers.")
        self.add_as_argument(listing)
        surface = sub.add_parser("surface", help="Rank the lessons you may see for an operation.")
        surface.add_argument("--operation", required=True, help="Key, acronym or name.")
        surface.add_argument("--limit", type=int, default=20, help="How many (default 20).")
        surface.add_argument("--format", choices=["table", "json"], default="table")
        self.add_as_argument(surface)
        dupes = sub.add_parser("duplicates", help="Near-duplicate lessons and observations.")
        dupes.add_argument("--format", choices=["table", "json"], default="table")
        self.add_as_argument(dupes)
        again = sub.add_parser("re-learned", help="Lessons identified more than twice, by theme.")
        again.add_argument("--more-than", type=int, default=2, help="Default 2.")
        again.add_argument("--format", choices=["table", "json"], default="table")
        self.add_as_argument(again)
        sub.add_parser("reindex", help="Rebuild the terms of every observation and lesson.")

    def handle(self, action, **o):
        from django.core.exceptions import PermissionDenied, ValidationError

        from concord.core.models import Organisation, User
        from concord.core.services import resolve_organisation
        from concord.learning import services
        from concord.learning.models import KnowledgeManager

        if action == "reindex":
            counts = services.index_all()
            self.stdout.write(
                f"Indexed {counts['observation']} observations and {counts['lesson']} lessons."
            )
            return
        actor = self.actor(o["as_user"])
        if action in ("surface", "duplicates", "re-learned"):
            return self.report(action, actor, o)
        if action == "knowledge-managers":
            rows = KnowledgeManager.objects.filter(
                organisation__in=Organisation.objects.visible_to(actor.user)
            ).select_related("organisation", "user")
            for km in rows.order_by("organisation__name", "user__username"):
                self.stdout.write(f"{km.organisation.acronym or km.organisation.name}\t{km.user}")
            return
        try:
            org = resolve_organisation(o["org"], actor.user)
        except ValidationError as exc:
            raise CommandError(f"--org: {' '.join(exc.messages)}") from None
        if org is None:
            raise CommandError(f"--org: no organisation {o['org']!r} that you may see.")
        user = User.objects.filter(username=o["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user {o['user']!r}.")
        try:
            services.name_knowledge_manager(org, user, actor=actor, named=not o["remove"])
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        verb = "no longer a knowledge manager of" if o["remove"] else "a knowledge manager of"
        self.stdout.write(f"{user} is {verb} {org}.")

    def report(self, action, actor, o):
        import json

        from concord.core.importers import RowError
        from concord.learning import loaders
        from concord.operations.exchange import operation_ref
        from concord.operations.models import Operation

        if actor.user is None:
            raise CommandError("--as: say whose view to read (a username).")
        if action == "surface":
            if o["limit"] < 1:
                raise CommandError("--limit: a whole number of 1 or more.")
            try:
                op = operation_ref(
                    o["operation"], Operation.objects.visible_to(actor.user), "operation"
                )
            except RowError as exc:
                raise CommandError(f"--operation: {exc.message}") from None
            data = loaders.surfaced_data(loaders.surface(op, actor.user, limit=o["limit"]))
            if o["format"] == "json":
                self.stdout.write(
                    json.dumps(
                        {"operation": op.key or op.pk, "lessons": data},
                        indent=2,
                        ensure_ascii=False,
                    )
                )
            else:
                for row in data:
                    self.stdout.write(
                        f"{row['score']:.1f}\t{row['title']}\t{'; '.join(row['reasons'])}"
                    )
            return
        if action == "duplicates":
            data = loaders.duplicates(actor.user)
            if o["format"] == "json":
                self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            else:
                for kind, groups in data.items():
                    for g in groups:
                        self.stdout.write(f"{kind}\t{' | '.join(g['titles'])}")
            return
        if o["more_than"] < 0:
            raise CommandError("--more-than: a whole number of 0 or more.")
        data = loaders.clusters_data(loaders.relearned(actor.user, o["more_than"]))
        if o["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            for row in data:
                self.stdout.write(
                    f"{row['theme']}\t{row['recurrence']}\t{', '.join(map(str, row['years']))}"
                )
