"""Shared pieces for Concord's commands: naming the acting user, progress bars, errors."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from concord.core.context import Actor
from concord.core.models import User


class ConcordCommand(BaseCommand):
    def add_as_argument(self, parser, required: bool = True) -> None:
        parser.add_argument(
            "--as",
            dest="as_user",
            required=required,
            metavar="USERNAME",
            help="The user this command acts as (its rights apply and the audit trail names it).",
        )

    def actor(self, username: str | None, interface: str = "cli") -> Actor:
        if not username:
            raise CommandError("Name the acting user with --as USERNAME.")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--as: no active user called {username!r}.")
        return Actor(user=user, interface=interface)

    def progress(self, total: int | None, desc: str):
        from tqdm import tqdm

        return tqdm(
            total=total,
            desc=desc,
            unit=" rows",
            file=self.stderr._out,
            leave=False,
            disable=not self.stderr.isatty(),
        )
