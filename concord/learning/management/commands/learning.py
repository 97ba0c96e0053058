from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = (
        "Learning: 'knowledge-manager' names (or, with --remove, un-names) who may break the "
        "seal of an organisation's sealed observations; 'knowledge-managers' lists them."
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

    def handle(self, action, **o):
        from django.core.exceptions import PermissionDenied, ValidationError

        from concord.core.models import Organisation, User
        from concord.core.services import resolve_organisation
        from concord.learning import services
        from concord.learning.models import KnowledgeManager

        actor = self.actor(o["as_user"])
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
