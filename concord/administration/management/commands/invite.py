"""concord invite: invite someone to an organisation by e-mail."""

from __future__ import annotations

import getpass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from concord.administration import services
from concord.administration.management.commands.org import errors
from concord.core import services as core
from concord.core.context import Actor
from concord.core.management.base import ConcordCommand
from concord.core.models import Classification, Role

CLEARANCES = {c.name.lower(): c.value for c in Classification}


class Command(ConcordCommand):
    help = "Invite someone by e-mail to join an organisation with a role and a clearance."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--org", required=True, help="Organisation (acronym, name or alias).")
        parser.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        parser.add_argument("--clearance", choices=list(CLEARANCES), default="internal")
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Invite as this manager (their limits apply); default: the platform operator.",
        )

    def handle(self, email, **o):
        if o["as_user"]:
            actor = self.actor(o["as_user"])
        else:
            actor = Actor(user=None, interface="cli", label=f"cli:{getpass.getuser()}")
        org = core.resolve_organisation(o["org"], actor=Actor.system("cli"))
        if org is None:
            raise CommandError(f"--org: no organisation called {o['org']!r}.")
        # The link in the e-mail: the site's address (CONCORD_SITE_URL), else this machine's.
        base = (settings.CONCORD_SITE_URL or "http://127.0.0.1:8000").rstrip("/")
        try:
            invitation, key = services.invite(
                actor=actor,
                email=email,
                organisation=org,
                role=o["role"],
                clearance=CLEARANCES[o["clearance"]],
                link=base + "/invitations/{key}/",
            )
        except ValidationError as exc:
            raise CommandError(errors(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Invited {invitation.email} to {org} as {invitation.role} (valid until "
            f"{invitation.expires_at:%Y-%m-%d}); the e-mail carries this link (shown once):\n"
            f"{base}/invitations/{key}/"
        )
