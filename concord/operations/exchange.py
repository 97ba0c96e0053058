"""Columns of operations and relations for import and export (CSV, JSON, XLSX, HXL).

Lists inside a cell are separated by ';' and the parts of one item by '|':

- ``authorisations``: ``kind | reference | date | renewal`` (e.g. ``unsc | 2100 | 2013-04-25``)
- ``contributions``: ``contributor | date | troops | police | civilians`` where the
  contributor is an ISO alpha-3 country code or an organisation's acronym or name
- ``sources``: ``fact | citation | url``
- ``host_countries``: ISO alpha-3 codes; ``areas``: P-codes or ISO 3166-2 codes
"""

from __future__ import annotations

from django.utils.translation import gettext

from concord.core.importers import SEP, RowError, Spec, _choice, _date, _org_key, _split
from concord.core.models import Area, Country, Organisation
from concord.core.numbers import record_id
from concord.core.sources import format_sources, parse_sources, parts

from .models import (
    Authorisation,
    AuthorisationKind,
    CoordinationLevel,
    Framework,
    Funding,
    Kind,
    Operation,
    Relation,
    RelationKind,
    Scenario,
    Status,
)
from .services import set_children

SECURITY_TAGS = {
    "owner": "#org+owner",
    "classification": "#meta+classification",
    "releasability": "#meta+releasability",
    "shared_organisations": "#org+list+shared",
    "shared_spaces": "#meta+list+space",
}


def _int(value: str, column: str):
    if not value:
        return None
    try:
        number = int(value.replace(",", "").replace(" ", ""))
    except ValueError:
        raise RowError(
            column, gettext("%(value)s is not a whole number") % {"value": repr(value)}
        ) from None
    if number < 0:
        raise RowError(column, gettext("%(value)s is negative") % {"value": repr(value)})
    return number


def format_authorisation(a) -> str:
    """``kind | reference | date | renewal`` (trailing empty parts left out)."""
    day = a.date.isoformat() if a.date else ""
    return " | ".join([a.kind, a.reference, day, "renewal" if a.renewal else ""]).rstrip(" |")


def format_contribution(c, labels) -> str:
    """``contributor | date | troops | police | civilians``; empty if the contributing
    organisation is not visible to the reader."""
    if c.contributor_state_id:
        who = c.contributor_state.alpha3
    else:
        org = labels.get(Organisation, c.contributor_organisation_id)
        if org is None:
            return ""
        who = _org_key(org)
    nums = ["" if v is None else str(v) for v in (c.troops, c.police, c.civilians)]
    return " | ".join([who, c.date.isoformat() if c.date else "", *nums]).rstrip(" |")


def _yes_no(value: str, column: str) -> bool:
    answer = value.strip().casefold()
    if answer in ("yes", "y", "true", "1"):
        return True
    if answer in ("no", "n", "false", "0"):
        return False
    raise RowError(column, gettext("%(value)s: write yes or no") % {"value": repr(value)})


class OperationSpec(Spec):
    model = Operation
    name = "operation"
    fields = [
        *Operation.FIELDS[:-2],
        "authorisations",
        "contributions",
        "description",
        "sources",
        "scenario_override",
        "override_justification",
    ]
    required = {"name", "kind", "framework", "start"}
    hxl_tags = {
        "id": "#meta+id",
        "key": "#activity+code",
        "name": "#activity+name",
        "acronym": "#activity+acronym",
        "aliases": "#activity+alias+list",
        "kind": "#activity+type",
        "deploys_force": "#activity+force",
        "framework": "#activity+framework",
        "framework_organisation": "#org+framework",
        "lead_organisation": "#org+lead",
        "lead_state": "#country+code+lead",
        "host_countries": "#country+code+list",
        "areas": "#adm1+code+list",
        "start": "#date+start",
        "end": "#date+end",
        "status": "#status",
        "funding": "#meta+funding",
        "authorisations": "#meta+authorisation+list",
        "contributions": "#meta+contribution+list",
        "description": "#description",
        "sources": "#meta+list+source",
        "scenario_override": "#activity+override+scenario",
        "override_justification": "#description+justification",
        **SECURITY_TAGS,
    }

    def values(self, o, labels):
        auths = [format_authorisation(a) for a in o.authorisations.all()]
        contribs = [c for c in (format_contribution(c, labels) for c in o.contributions.all()) if c]
        areas = [labels.get(Area, a.pk) for a in o.areas.all()]
        return [
            o.key,
            o.name,
            o.acronym,
            f"{SEP} ".join(o.aliases or []),
            o.kind,
            "yes" if o.deploys_force else "no",
            o.framework,
            _org_key(labels.get(Organisation, o.framework_organisation_id)),
            _org_key(labels.get(Organisation, o.lead_organisation_id)),
            o.lead_state.alpha3 if o.lead_state_id else "",
            f"{SEP} ".join(sorted(c.alpha3 for c in o.host_countries.all())),
            f"{SEP} ".join(a.pcode or a.iso_code for a in areas if a is not None),
            o.start.isoformat(),
            o.end.isoformat() if o.end else "",
            o.status,
            o.funding,
            f"{SEP} ".join(auths),
            f"{SEP} ".join(contribs),
            o.description,
            format_sources(o.sources),
            o.scenario_override,
            o.override_justification,
        ]

    def key(self, row):
        return row.get("id") or row.get("key") or row.get("name", "").casefold()

    def instance(self, row, ctx):
        if not row.get("id") and row.get("key"):
            found = ctx.editable(Operation).filter(key=row["key"]).order_by("pk").first()
            if found is not None:
                return found
        return super().instance(row, ctx)

    def parse(self, row, ctx):
        o = self.instance(row, ctx)
        o.key = row.get("key", o.key or "")
        o.name = row.get("name", o.name)
        o.acronym = row.get("acronym", o.acronym or "")
        if "aliases" in row:
            o.aliases = _split(row["aliases"])
        o.kind = _choice(row.get("kind", ""), Kind.choices, "kind", o.kind or "")
        if row.get("deploys_force", "").strip():
            o.deploys_force = _yes_no(row["deploys_force"], "deploys_force")
        o.framework = _choice(
            row.get("framework", ""), Framework.choices, "framework", o.framework or ""
        )
        for col in ("framework_organisation", "lead_organisation"):
            if col in row:
                setattr(o, col, ctx.organisation(row[col], col) if row[col] else None)
        if "lead_state" in row:
            o.lead_state = (
                ctx.country(row["lead_state"], "lead_state") if row["lead_state"] else None
            )
        if "start" in row:
            o.start = _date(row["start"], "start")
        if "end" in row:
            o.end = _date(row["end"], "end")
        o.status = _choice(row.get("status", ""), Status.choices, "status", o.status or "")
        o.funding = _choice(row.get("funding", ""), Funding.choices, "funding", o.funding or "")
        o.description = row.get("description", o.description or "")
        if "sources" in row:
            o.sources = parse_sources(row["sources"])
        if "scenario_override" in row:
            o.scenario_override = _choice(
                row["scenario_override"], Scenario.choices, "scenario_override", ""
            )
        o.override_justification = row.get("override_justification", o.override_justification or "")
        m2m = self.security(o, row, ctx)
        if "host_countries" in row:
            m2m["host_countries"] = [
                ctx.country(c, "host_countries") for c in _split(row["host_countries"])
            ]
        if "areas" in row:
            m2m["areas"] = _areas(row["areas"], ctx)
        auths = _authorisations(row["authorisations"]) if "authorisations" in row else None
        contribs = _contributions(row["contributions"], ctx) if "contributions" in row else None
        return o, m2m, set_children(auths, contribs)


def _areas(value: str, ctx) -> list:
    qs = ctx.visible(Area)
    areas = []
    for code in _split(value):
        area = qs.filter(pcode=code).first() or qs.filter(iso_code__iexact=code).first()
        if area is None:
            raise RowError(
                "areas", gettext("no area with P-code or ISO code %(code)s") % {"code": repr(code)}
            )
        areas.append(area)
    return areas


def _authorisations(value: str) -> list[dict]:
    """``kind | reference | date | renewal`` items."""
    auths = []
    for item in _split(value):
        kind, ref, day, renewal = parts(item, 4)
        if not ref:
            raise RowError(
                "authorisations",
                gettext("%(item)s: write 'kind | reference | date'") % {"item": repr(item)},
            )
        auths.append(
            {
                "kind": _choice(kind, AuthorisationKind.choices, "authorisations", ""),
                "reference": ref,
                "date": _date(day, "authorisations"),
                "renewal": renewal.lower() in ("renewal", "yes", "true", "1"),
            }
        )
    return auths


def _contributions(value: str, ctx) -> list[dict]:
    """``contributor | date | troops | police | civilians`` items: a contributor is a state
    (ISO alpha-3, upper case) or an organisation."""
    contribs = []
    for item in _split(value):
        who, day, troops, police, civilians = parts(item, 5)
        entry = {
            "date": _date(day, "contributions"),
            "troops": _int(troops, "contributions"),
            "police": _int(police, "contributions"),
            "civilians": _int(civilians, "contributions"),
        }
        country = (
            Country.objects.filter(alpha3=who).first() if len(who) == 3 and who.isupper() else None
        )
        if country is not None:
            entry["contributor_state"] = country
        else:
            entry["contributor_organisation"] = ctx.organisation(who, "contributions")
        contribs.append(entry)
    return contribs


def operation_ref(value: str, queryset, column: str) -> Operation:
    """An operation named by its key, id, acronym or name, within ``queryset`` (the
    operations the user may see)."""
    qs = queryset
    value = value.strip()
    if not value:
        raise RowError(column, gettext("name the operation (key, id, acronym or name)"))
    found = list(qs.filter(key=value)[:2])
    if not found and record_id(value) is not None:
        found = list(qs.filter(pk=record_id(value))[:2])
    if not found:
        found = list(qs.filter(acronym__iexact=value)[:2]) or list(
            qs.filter(name__iexact=value)[:2]
        )
    if not found:
        raise RowError(
            column, gettext("no operation %(value)s that you may see") % {"value": repr(value)}
        )
    if len(found) > 1:
        raise RowError(
            column,
            gettext("%(value)s names several operations; use its key or id")
            % {"value": repr(value)},
        )
    return found[0]


class RelationSpec(Spec):
    model = Relation
    name = "relation"
    fields = Relation.FIELDS
    required = {"source", "kind", "target"}
    hxl_tags = {
        "id": "#meta+id",
        "source": "#activity+code+source",
        "kind": "#meta+relation",
        "target": "#activity+code+target",
        "start": "#date+start",
        "end": "#date+end",
        "coordination_level": "#meta+coordination",
        "rehatting": "#meta+rehatting",
        "note": "#description",
        "sources": "#meta+list+source",
        **SECURITY_TAGS,
    }

    def key(self, row):
        return row.get("id") or "|".join(
            row.get(c, "").casefold() for c in ("source", "kind", "target", "start")
        )

    def values(self, r, labels):
        def ref(pk):
            op = labels.get(Operation, pk)
            return (op.key or str(op.pk)) if op is not None else ""

        return [
            ref(r.source_id),
            r.kind,
            ref(r.target_id),
            r.start.isoformat() if r.start else "",
            r.end.isoformat() if r.end else "",
            r.coordination_level,
            "yes" if r.rehatting else "",
            r.note,
            format_sources(r.sources),
        ]

    def instance(self, row, ctx):
        if not row.get("id"):
            # Re-importing the same relation (same ends, kind and start) updates it.
            try:
                src = operation_ref(row.get("source", ""), ctx.visible(Operation), "source")
                tgt = operation_ref(row.get("target", ""), ctx.visible(Operation), "target")
            except RowError:
                return Relation()
            found = (
                ctx.editable(Relation)
                .filter(
                    source=src,
                    target=tgt,
                    kind=_choice(row.get("kind", ""), RelationKind.choices, "kind", ""),
                    start=_date(row.get("start", ""), "start"),
                )
                .first()
            )
            if found is not None:
                return found
        return super().instance(row, ctx)

    def parse(self, row, ctx):
        r = self.instance(row, ctx)
        if "source" in row:
            r.source = operation_ref(row["source"], ctx.visible(Operation), "source")
        if "target" in row:
            r.target = operation_ref(row["target"], ctx.visible(Operation), "target")
        r.kind = _choice(row.get("kind", ""), RelationKind.choices, "kind", r.kind or "")
        if "start" in row:
            r.start = _date(row["start"], "start")
        if "end" in row:
            r.end = _date(row["end"], "end")
        r.coordination_level = _choice(
            row.get("coordination_level", ""),
            CoordinationLevel.choices,
            "coordination_level",
            r.coordination_level or "",
        )
        if "rehatting" in row:
            value = row["rehatting"].strip().lower()
            if value not in ("", "yes", "no", "true", "false", "1", "0"):
                raise RowError(
                    "rehatting",
                    gettext("%(value)s: write yes or no") % {"value": repr(row["rehatting"])},
                )
            r.rehatting = value in ("yes", "true", "1")
        r.note = row.get("note", r.note or "")
        if "sources" in row:
            r.sources = parse_sources(row["sources"])
        return r, self.security(r, row, ctx), None


__all__ = ["OperationSpec", "RelationSpec", "Authorisation"]


SPECS = {"operations": OperationSpec(), "relations": RelationSpec()}
