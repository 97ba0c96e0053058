import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from concord.core import services
from concord.core.context import Actor
from concord.core.management.base import ConcordCommand
from concord.core.models import Role, User


class Command(ConcordCommand):
    help = "Give a user a role in an organisation (adds the membership or changes its role)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="Acronym, name or alias.")
        parser.add_argument("--role", required=True, choices=Role.values)

    def handle(self, username, **o):
        actor = Actor(user=None, interface="cli", label=f"cli:{getpass.getuser()}")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        org = services.resolve_organisation(o["org"], actor=actor)
        if org is None:
            raise CommandError(f"--org: no organisation called {o['org']!r}.")
        try:
            services.set_membership(actor=actor, user=user, organisation=org, role=o["role"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{username} is now {o['role']} at {org}.")
