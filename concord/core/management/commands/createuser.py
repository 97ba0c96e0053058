import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from concord.core import services
from concord.core.context import Actor
from concord.core.management.base import ConcordCommand
from concord.core.models import Classification, Role

CLEARANCES = {c.name.lower(): c.value for c in Classification}


class Command(ConcordCommand):
    help = "Create a user with a clearance and a role in an organisation."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--org", help="Organisation (acronym, name or alias).")
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--clearance", choices=list(CLEARANCES), default="internal")
        parser.add_argument("--admin", action="store_true", help="Platform administrator.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input instead of prompting.",
        )

    def handle(self, username, **o):
        org = None
        if o["org"]:
            org = services.resolve_organisation(o["org"], actor=Actor.system("cli"))
            if org is None:
                raise CommandError(f"--org: no organisation called {o['org']!r}.")
        elif not o["admin"]:
            raise CommandError("--org is required (only a platform administrator may have none).")
        if o["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        actor = Actor(user=None, interface="cli", label=f"cli:{getpass.getuser()}")
        try:
            user = services.create_user(
                actor=actor,
                username=username,
                password=password,
                email=o["email"],
                clearance=CLEARANCES[o["clearance"]],
                is_admin=o["admin"],
                memberships=[(org, o["role"])] if org else [],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        where = f" ({o['role']} at {org})" if org else ""
        self.stdout.write(f"Created {user.username}{where}, clearance {o['clearance']}.")
