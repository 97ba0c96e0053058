import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from concord.core import services
from concord.core.context import Actor
from concord.core.management.base import ConcordCommand
from concord.core.models import Space


class Command(ConcordCommand):
    help = "Coordination spaces: list them, create one, add or remove member organisations."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Every space and its organisations.")
        create = sub.add_parser("create", help="Create a space.")
        create.add_argument("name")
        create.add_argument("--description", default="")
        create.add_argument("--org", action="append", default=[], help="Member (repeatable).")
        for verb in ("add", "remove"):
            p = sub.add_parser(verb, help=f"{verb.capitalize()} member organisations.")
            p.add_argument("name")
            p.add_argument("--org", action="append", required=True, help="Repeatable.")

    def _orgs(self, names, actor):
        orgs = []
        for name in names:
            org = services.resolve_organisation(name, actor=actor)
            if org is None:
                raise CommandError(f"--org: no organisation called {name!r}.")
            orgs.append(org)
        return orgs

    def handle(self, action, **o):
        actor = Actor(user=None, interface="cli", label=f"cli:{getpass.getuser()}")
        if action == "list":
            for space in Space.objects.prefetch_related("organisations"):
                members = ", ".join(org.acronym or org.name for org in space.organisations.all())
                self.stdout.write(f"{space.name}: {members or '(no members)'}")
            return
        if action == "create":
            try:
                space = services.create_space(
                    actor=actor,
                    name=o["name"],
                    description=o["description"],
                    organisations=self._orgs(o["org"], actor),
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(f"Created space {space.name!r}.")
            return
        space = Space.objects.filter(name__iexact=o["name"]).first()
        if space is None:
            raise CommandError(f"No space called {o['name']!r}.")
        orgs = self._orgs(o["org"], actor)
        kwargs = {"add": orgs} if action == "add" else {"remove": orgs}
        services.set_space_members(actor=actor, space=space, **kwargs)
        self.stdout.write(f"{space.name}: {space.organisations.count()} member organisations.")
