"""concord user: deactivate or reactivate an account, set a clearance, list accounts."""

from __future__ import annotations

import getpass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from concord.administration import services
from concord.administration.management.commands.org import errors
from concord.core.context import Actor
from concord.core.management.base import ConcordCommand
from concord.core.models import Classification, User

CLEARANCES = {c.name.lower(): c.value for c in Classification}


class Command(ConcordCommand):
    help = "Accounts: list, deactivate, reactivate, set a clearance."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Every account, its clearance and memberships.")
        for verb in ("deactivate", "reactivate"):
            sub.add_parser(verb, help=f"{verb.capitalize()} an account.").add_argument("username")
        c = sub.add_parser("clearance", help="Set an account's clearance.")
        c.add_argument("username")
        c.add_argument("level", choices=list(CLEARANCES))

    def handle(self, action, **o):
        actor = Actor(user=None, interface="cli", label=f"cli:{getpass.getuser()}")
        if action == "list":
            for u in User.objects.prefetch_related("memberships__organisation"):
                orgs = ", ".join(
                    f"{m.organisation.acronym or m.organisation.name} ({m.role})"
                    for m in u.memberships.all()
                )
                state = "" if u.is_active else " [deactivated]"
                admin = " admin" if u.is_superuser else ""
                level = u.get_clearance_display().lower()
                self.stdout.write(f"{u.username}{state}{admin}: {level}; {orgs or '-'}")
            return
        user = User.objects.filter(username=o["username"]).first()
        if user is None:
            raise CommandError(f"username: no user called {o['username']!r}.")
        try:
            if action == "clearance":
                services.set_clearance(actor=actor, user=user, clearance=CLEARANCES[o["level"]])
            else:
                services.set_active(actor=actor, user=user, active=action == "reactivate")
        except ValidationError as exc:
            raise CommandError(errors(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{user.username}: {action} done.")
