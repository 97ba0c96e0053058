"""concord twofactor status [USERNAME] | reset USERNAME | code USERNAME"""

from __future__ import annotations

import getpass

from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.core.context import Actor
from concord.core.management.base import ConcordCommand
from concord.core.models import User
from concord.signin import services
from concord.signin.fixtures.demo import demo_code, is_demo_device
from concord.signin.models import (
    authenticator,
    recovery_codes_left,
    requirement_reasons,
)


class Command(ConcordCommand):
    help = (
        "Two-factor sign-in: who has it and who must (status), remove a user's second factor "
        "when they lost their phone (reset, audited), or print the current code of a demo "
        "persona's authenticator (code; refused for any other authenticator)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="Two-factor sign-in of one user, or of every user.")
        status.add_argument("username", nargs="?")
        reset = sub.add_parser("reset", help="Remove a user's authenticator and recovery codes.")
        reset.add_argument("username")
        code = sub.add_parser("code", help="The current code of a demo authenticator.")
        code.add_argument("username")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"USERNAME: no user called {username!r}.")
        return user

    def handle(self, action, **o):
        if action == "status":
            users = [self._user(o["username"])] if o.get("username") else User.objects.all()
            for user in users:
                self.stdout.write(self._status(user))
        elif action == "reset":
            user = self._user(o["username"])
            actor = Actor(user=None, interface="cli", label=f"cli:{getpass.getuser()}")
            n = services.reset(user, actor=actor)
            self.stdout.write(
                f"{user.username}: second factor removed ({n} authenticator"
                f"{'s' * (n != 1)}, recovery codes)."
                + (
                    " They add a new one at their next sign-in."
                    if requirement_reasons(user)
                    else ""
                )
            )
        else:
            user = self._user(o["username"])
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                raise CommandError(f"{user.username} has no authenticator.")
            if not is_demo_device(device):
                raise CommandError(
                    f"{user.username}'s authenticator is not a demo one: its codes are on "
                    "their phone only."
                )
            self.stdout.write(demo_code(user.username))

    def _status(self, user: User) -> str:
        device = authenticator(user)
        reasons = requirement_reasons(user)
        state = "on" if device else "off"
        need = f"required ({'; '.join(reasons)})" if reasons else "optional"
        extra = f", {recovery_codes_left(user)} recovery codes left" if device else ""
        missing = " — NOT ENROLLED: asked at next sign-in" if reasons and not device else ""
        return f"{user.username}: {state}, {need}{extra}{missing}"
