"""Accountability pages: security-force units and their commanders (generic lists and
forms; a unit's page with its chain of command and the due-diligence cases about it)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.importers import iso as _iso
from concord.web.generic import Column, Config

from .. import analysis
from ..filters import (
    SecurityUnitFilter,
    UnitCommandFilter,
)
from ..forms import (
    SecurityUnitForm,
    UnitCommandForm,
)
from ..models import (
    SecurityUnit,
    UnitCommand,
)


def _commander(c: UnitCommand, L) -> str:
    from concord.core.models import Person

    who = L.label(Person, c.commander_id) if c.commander_id else c.commander_name
    return f"{c.rank} {who}".strip()


def _command_text(c: UnitCommand, L, in_command: bool) -> str:
    end = _iso(c.end) or _("today")
    text = f"{_commander(c, L)}: {_iso(c.start) or '…'} – {end}"
    return _("%(command)s (in command today)") % {"command": text} if in_command else text


def _unit_sections(u: SecurityUnit, L, user):
    links = list(
        SecurityUnit.objects.visible_to(user).values_list("pk", "parent_id", "successor_id")
    )
    # A link to a unit the reader may not see is cut here, so neither the chain nor the
    # lineage shows it (not even as a "(restricted)" link, whose address is its id).
    seen = {pk for pk, _, _ in links}
    parent_of = {pk: (p if p in seen else None) for pk, p, _ in links}
    successor_of = {pk: (s if s in seen else None) for pk, _, s in links}

    def rows(ids):
        return [
            (
                L.label(SecurityUnit, i),
                reverse(
                    "accountability:securityunit_detail",
                    args=[i],
                ),
            )
            for i in ids
        ]

    before, after = analysis.lineage(u.pk, successor_of)
    commands = list(UnitCommand.objects.visible_to(user).filter(unit=u))
    today = timezone.localdate()
    now = set(
        analysis.commanders_on([analysis.Command(c.pk, c.start, c.end) for c in commands], today)
    )
    command_rows = [
        (
            _command_text(c, L, c.pk in now),
            c.get_absolute_url(),
        )
        for c in sorted(commands, key=lambda c: c.start or dt.date.min, reverse=True)
    ]
    add = reverse("accountability:unitcommand_add")
    return [
        (_("Chain of command (nearest first)"), rows(analysis.chain(u.pk, parent_of))),
        (_("Units under it"), rows(sorted(p for p, parent in parent_of.items() if parent == u.pk))),
        (_("Came from (renamed or merged)"), rows(before)),
        (_("Became"), rows(after)),
        (_("Commanders over time"), command_rows or [(_("None recorded: add one."), add)]),
    ]


UNITS = Config(
    model=SecurityUnit,
    name="security-units",
    singular=gettext_lazy("security unit"),
    plural=gettext_lazy("security units"),
    filterset=SecurityUnitFilter,
    form=SecurityUnitForm,
    select_related=("country",),
    columns=[
        Column(gettext_lazy("Unit"), lambda u, L: u.name, "name", link=True),
        Column(gettext_lazy("Country"), lambda u, L: u.country.local_name),
        Column(gettext_lazy("Part of"), lambda u, L: L.label(SecurityUnit, u.parent_id)),
        Column(gettext_lazy("Became"), lambda u, L: L.label(SecurityUnit, u.successor_id)),
        Column(gettext_lazy("From"), lambda u, L: _iso(u.start), "start"),
        Column(gettext_lazy("To"), lambda u, L: _iso(u.end), "end"),
    ],
    detail_fields=lambda u, L: [
        (_("Country"), u.country.local_name),
        (_("Part of"), L.label(SecurityUnit, u.parent_id)),
        (_("Became"), L.label(SecurityUnit, u.successor_id)),
        (_("From"), _iso(u.start)),
        (_("To"), _iso(u.end)),
        (_("Note"), u.note),
    ],
    extra_detail=_unit_sections,
    url_name="securityunit",
)

COMMANDS = Config(
    model=UnitCommand,
    name="unit-commands",
    singular=gettext_lazy("unit command"),
    plural=gettext_lazy("unit commands"),
    filterset=UnitCommandFilter,
    form=UnitCommandForm,
    default_sort="-start",
    columns=[
        Column(gettext_lazy("Command"), lambda c, L: str(c), "pk", link=True),
        Column(gettext_lazy("Unit"), lambda c, L: L.label(SecurityUnit, c.unit_id)),
        Column(gettext_lazy("Commander"), lambda c, L: _commander(c, L)),
        Column(gettext_lazy("Rank"), lambda c, L: c.rank),
        Column(gettext_lazy("From"), lambda c, L: _iso(c.start), "start"),
        Column(gettext_lazy("To"), lambda c, L: _iso(c.end), "end"),
    ],
    detail_fields=lambda c, L: [
        (_("Unit"), L.label(SecurityUnit, c.unit_id)),
        (_("Commander"), _commander(c, L)),
        (_("From"), _iso(c.start)),
        (_("To"), _iso(c.end) or _("today")),
    ],
    url_name="unitcommand",
)
