"""Core's import/export kinds: organisations, people and areas (see concord.core.importers)."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from . import services
from .importers import (
    SEP,
    RowError,
    Spec,
    _choice,
    _date,
    _org_key,
    _split,
)
from .models import (
    Area,
    Organisation,
    Person,
)


class OrganisationSpec(Spec):
    model = Organisation
    name = "organisation"
    select_related = ("country",)
    fields = Organisation.FIELDS
    required = {"name", "kind"}

    def values(self, o, labels):
        return [
            o.name,
            o.acronym,
            o.kind,
            _org_key(labels.get(Organisation, o.parent_id)),
            o.country.alpha3 if o.country_id else "",
            o.website,
            f"{SEP} ".join(o.aliases or []),
            o.description,
        ]

    def parse(self, row, ctx):
        from .models.registry import OrganisationKind

        o = self.instance(row, ctx)
        o.name = row.get("name", o.name)
        o.acronym = row.get("acronym", o.acronym or "")
        o.kind = _choice(row.get("kind", ""), OrganisationKind.choices, "kind", o.kind or "")
        if "parent" in row:
            o.parent = ctx.organisation(row["parent"], "parent") if row["parent"] else None
        if "country" in row:
            o.country = ctx.country(row["country"]) if row["country"] else None
        o.website = row.get("website", o.website or "")
        if "aliases" in row:
            o.aliases = _split(row["aliases"])
        o.description = row.get("description", o.description or "")
        return o, self.security(o, row, ctx), None


class PersonSpec(Spec):
    model = Person
    name = "person"
    prefetch_related = ("affiliations",)
    fields = ["name", "languages", "contacts", "affiliations", "notes"]

    def values(self, p, labels):
        affs = []
        for a in p.affiliations.all():
            org = labels.get(Organisation, a.organisation_id)
            if org is None:
                continue
            affs.append(
                " | ".join(
                    [
                        _org_key(org),
                        a.title,
                        a.start.isoformat() if a.start else "",
                        a.end.isoformat() if a.end else "",
                    ]
                ).rstrip(" |")
            )
        return [
            p.name,
            f"{SEP} ".join(p.languages or []),
            f"{SEP} ".join(f"{c['kind']}: {c['value']}" for c in p.contacts or []),
            f"{SEP} ".join(affs),
            p.notes,
        ]

    def parse(self, row, ctx):
        p = self.instance(row, ctx)
        p.name = row.get("name", p.name)
        if "languages" in row:
            p.languages = [v.lower() for v in _split(row["languages"])]
        if "contacts" in row:
            contacts = []
            for item in _split(row["contacts"]):
                kind, _, value = item.partition(":")
                if not value.strip():
                    raise RowError(
                        "contacts", _("%(item)r: write channels as 'kind: value'") % {"item": item}
                    )
                contacts.append({"kind": kind.strip().lower(), "value": value.strip()})
            p.contacts = contacts
        p.notes = row.get("notes", p.notes or "")
        children = None
        if "affiliations" in row:
            rows = []
            for item in _split(row["affiliations"]):
                parts = [x.strip() for x in item.split("|")] + ["", "", ""]
                rows.append(
                    {
                        "organisation": ctx.organisation(parts[0], "affiliations"),
                        "title": parts[1],
                        "start": _date(parts[2], "affiliations"),
                        "end": _date(parts[3], "affiliations"),
                    }
                )
            children = services.set_affiliations(rows)
        return p, self.security(p, row, ctx), children


class AreaSpec(Spec):
    model = Area
    name = "area"
    select_related = ("country",)
    fields = Area.FIELDS
    required = {"name", "country"}

    def values(self, a, labels):
        parent = labels.get(Area, a.parent_id)
        return [
            a.name,
            a.country.alpha3,
            a.level,
            (parent.pcode or parent.iso_code) if parent else "",
            a.pcode,
            a.iso_code,
            a.subdivision_type,
            a.latitude if a.latitude is not None else "",
            a.longitude if a.longitude is not None else "",
            json.dumps(a.geometry) if a.geometry else "",
        ]

    def key(self, row):
        return (
            row.get("id")
            or row.get("pcode")
            or row.get("iso_code")
            or row.get("name", "").casefold()
        )

    def parse(self, row, ctx):
        a = self.instance(row, ctx)
        a.name = row.get("name", a.name)
        if "country" in row:
            a.country = ctx.country(row["country"])
        if row.get("level"):
            if row["level"] not in {"1", "2", "3"}:
                raise RowError("level", _("level must be 1, 2 or 3 (adm1–adm3)"))
            a.level = int(row["level"])
        if "parent" in row:
            a.parent = None
            if row["parent"]:
                code = row["parent"]
                qs = ctx.visible(Area)
                a.parent = qs.filter(pcode=code).first() or qs.filter(iso_code=code).first()
                if a.parent is None:
                    raise RowError(
                        "parent", _("no area with P-code or ISO code %(code)r") % {"code": code}
                    )
        a.pcode = row.get("pcode", a.pcode or "")
        a.iso_code = row.get("iso_code", a.iso_code or "")
        a.subdivision_type = row.get("subdivision_type", a.subdivision_type or "")
        for col in ("latitude", "longitude"):
            if col in row:
                try:
                    setattr(a, col, float(row[col]) if row[col] else None)
                except ValueError:
                    raise RowError(
                        col, _("%(value)r is not a number") % {"value": row[col]}
                    ) from None
        if "geometry" in row:
            try:
                a.geometry = json.loads(row["geometry"]) if row["geometry"] else None
            except json.JSONDecodeError:
                raise RowError("geometry", _("not valid GeoJSON (JSON syntax error)")) from None
        return a, self.security(a, row, ctx), None


KINDS: dict[str, Spec] = {
    "organisations": OrganisationSpec(),
    "people": PersonSpec(),
    "areas": AreaSpec(),
}
