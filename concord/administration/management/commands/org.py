"""concord org: add organisations, merge duplicates, undo a merge (platform administration)."""

from __future__ import annotations

import getpass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from concord.administration import merge
from concord.core import services
from concord.core.context import Actor
from concord.core.management.base import ConcordCommand
from concord.core.models import AuditEntry, Classification, Country, Organisation
from concord.core.models.registry import OrganisationKind

CLASSIFICATIONS = {c.name.lower(): c.value for c in Classification}


def errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(ConcordCommand):
    help = (
        "Organisations taking part in the platform: create, list, merge duplicates, undo a merge."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Add an organisation (it owns its own entry).")
        create.add_argument("name")
        create.add_argument("--acronym", default="")
        create.add_argument("--kind", choices=OrganisationKind.values, default="other")
        create.add_argument("--country", default="", help="ISO 3166 alpha-3 code, e.g. ETH.")
        create.add_argument("--website", default="")
        create.add_argument("--alias", action="append", default=[], help="Repeatable.")
        create.add_argument(
            "--classification",
            choices=list(CLASSIFICATIONS),
            default="public",
            help="Of its registry entry (default public, released to everyone).",
        )
        sub.add_parser("list", help="Organisations that own their own entry, with members.")
        m = sub.add_parser("merge", help="Merge a duplicate into the organisation to keep.")
        m.add_argument("duplicate", help="Name, acronym, alias or id of the duplicate.")
        m.add_argument("into", help="Name, acronym, alias or id of the organisation kept.")
        u = sub.add_parser("unmerge", help="Undo a merge, by its audit entry's number.")
        u.add_argument("seq", type=int, help="The merge's audit entry (shown by merge).")

    def handle(self, action, **o):
        actor = Actor(user=None, interface="cli", label=f"cli:{getpass.getuser()}")
        try:
            getattr(self, f"do_{action}")(actor, o)
        except ValidationError as exc:
            raise CommandError(errors(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def _find(self, name: str, argument: str) -> Organisation:
        org = None
        if name.isdigit():
            org = Organisation.objects.filter(pk=int(name)).first()
        if org is None:
            org = services.resolve_organisation(name, actor=Actor.system("cli"))
        if org is None:
            entry = merge.merged_into(int(name)) if name.isdigit() else None
            hint = f" (it was merged: audit entry #{entry.seq})" if entry else ""
            raise CommandError(f"{argument}: no organisation called {name!r}{hint}.")
        return org

    def do_create(self, actor, o):
        country = None
        if o["country"]:
            country = Country.objects.filter(alpha3=o["country"].upper()).first()
            if country is None:
                raise CommandError(f"--country: no country with the code {o['country']!r}.")
        level = CLASSIFICATIONS[o["classification"]]
        org = Organisation(
            name=o["name"],
            acronym=o["acronym"],
            kind=o["kind"],
            country=country,
            website=o["website"],
            aliases=o["alias"],
            classification=level,
            releasability="public" if level == 0 else "signed_in",
        )
        existing = services.resolve_organisation(o["name"], actor=Actor.system("cli"))
        if existing is not None:
            raise CommandError(f"name: {existing} exists already (id {existing.pk}).")
        services.save(org, actor=actor)
        self.stdout.write(f"Created {org} (id {org.pk}).")

    def do_list(self, actor, o):
        for org in Organisation.objects.all().order_by("name"):
            if org.owner_id != org.pk:
                continue
            n = org.memberships.count()
            self.stdout.write(f"{org.pk:>6}  {org}  ({n} member{'s' if n != 1 else ''})")

    def do_merge(self, actor, o):
        duplicate = self._find(o["duplicate"], "duplicate")
        into = self._find(o["into"], "into")
        merge.merge(actor=actor, duplicate=duplicate, into=into)
        entry = merge.merged_into(duplicate.pk)
        self.stdout.write(
            f"Merged {duplicate} into {into}. Undo with: concord org unmerge {entry.seq}"
        )

    def do_unmerge(self, actor, o):
        entry = AuditEntry.objects.filter(seq=o["seq"]).first()
        if entry is None:
            raise CommandError(f"seq: no audit entry #{o['seq']}.")
        restored = merge.undo(actor=actor, entry=entry)
        self.stdout.write(f"Restored {restored} (id {restored.pk}).")
