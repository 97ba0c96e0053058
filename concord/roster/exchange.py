"""Import/export columns for experts and requests, and the cells' small languages (the forms
read the same):

- expertise: ``security_arrangements:3 (led ceasefire talks, 2019); elections:2`` — an area
  code of the catalogue, a level (1 working knowledge, 2 advanced, 3 lead expert), the
  evidence in brackets;
- languages: ``ar:C2; fr:B2`` — an ISO 639 code and a CEFR level;
- ties: ``advisory:GOVA:2019-01-01:2021-06-30; family:ALF`` — kind, organisation, from, to
  (empty: current);
- unavailable: ``2027-03-01:2027-03-20 (elections at home)``;
- a request's expertise: ``security_arrangements:2; gender_inclusion:2?`` (``?``: desirable);
  its languages: ``ar:C1; fr:B2?``.

Each error names its column and the item at fault."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.importers import SEP, RowError, Spec, _choice, _date, _split
from concord.core.importers import iso as _iso
from concord.core.models import Classification, Person

from .models import (
    Cefr,
    Deployment,
    Expert,
    ExpertiseArea,
    ExpertRequest,
    Gender,
    GenderRule,
    Level,
    Mode,
    TieKind,
    Tier,
    language_problem,
)

CEFR_BY_NAME = {label: value for value, label in Cefr.choices}
SKILL = re.compile(r"^(?P<code>[a-z0-9_.]+)\s*:\s*(?P<level>\d)\s*(?:\((?P<evidence>.*)\))?$")
NEED = re.compile(r"^(?P<code>[a-z0-9_.]+)\s*:\s*(?P<level>[A-Za-z0-9]+)\s*(?P<wish>\?)?$")


def _items(value: str) -> list[str]:
    """Items separated by ';' or new lines."""
    return [v.strip() for v in re.split(r"[;\n]", value or "") if v.strip()]


def _areas() -> dict[str, ExpertiseArea]:
    return {a.code: a for a in ExpertiseArea.objects.all()}


def _area(code: str, areas, column: str) -> ExpertiseArea:
    if code not in areas:
        raise RowError(
            column,
            _("%(code)r is not an expertise code of the catalogue (Roster › Expertise catalogue)")
            % {"code": code},
        )
    return areas[code]


def _level(text: str, column: str, item: str) -> int:
    if not text.isdigit() or int(text) not in Level.values:
        raise RowError(
            column,
            _("%(item)r: a level is 1 (working knowledge), 2 (advanced) or 3 (lead expert)")
            % {"item": item},
        )
    return int(text)


def _cefr(text: str, column: str, item: str) -> int:
    level = CEFR_BY_NAME.get(text.upper())
    if level is None:
        raise RowError(
            column, _("%(item)r: a CEFR level is A1, A2, B1, B2, C1 or C2") % {"item": item}
        )
    return level


def _language(code: str, column: str, item: str) -> str:
    problem = language_problem(code.lower())
    if problem:
        raise RowError(column, f"{item!r}: {problem}")
    return code.lower()


def parse_skills(value: str, column: str = "expertise") -> list[dict]:
    areas, out, seen = _areas(), [], set()
    for item in _items(value):
        m = SKILL.match(item)
        if not m:
            raise RowError(column, _("%(item)r: write code:level (evidence)") % {"item": item})
        area = _area(m["code"], areas, column)
        if area.code in seen:
            raise RowError(column, _("%(code)r is given twice") % {"code": area.code})
        seen.add(area.code)
        evidence = (m["evidence"] or "").strip()
        if not evidence:
            raise RowError(
                column,
                _("%(item)r: give the evidence for it in brackets") % {"item": item},
            )
        out.append({"area": area, "level": _level(m["level"], column, item), "evidence": evidence})
    return out


def format_skills(skills) -> str:
    return f"{SEP} ".join(f"{s.area.code}:{s.level} ({s.evidence})" for s in skills)


def parse_languages(value: str, column: str = "languages", *, needs: bool = False) -> list[dict]:
    out, seen = [], set()
    for item in _items(value):
        m = NEED.match(item.strip())
        if not m or (m["wish"] and not needs):
            raise RowError(column, _("%(item)r: write code:level, e.g. ar:C1") % {"item": item})
        code = _language(m["code"], column, item)
        if code in seen:
            raise RowError(column, _("%(code)r is given twice") % {"code": code})
        seen.add(code)
        row = {"code": code, "level": _cefr(m["level"], column, item)}
        if needs:
            row["required"] = not m["wish"]
        out.append(row)
    return out


def format_languages(rows) -> str:
    return f"{SEP} ".join(
        f"{r.code}:{Cefr(r.level).label}" + ("" if getattr(r, "required", True) else "?")
        for r in rows
    )


def parse_needs(value: str, column: str = "expertise") -> list[dict]:
    areas, out, seen = _areas(), [], set()
    for item in _items(value):
        m = NEED.match(item)
        if not m:
            raise RowError(
                column, _("%(item)r: write code:level, ? for desirable") % {"item": item}
            )
        area = _area(m["code"], areas, column)
        if area.code in seen:
            raise RowError(column, _("%(code)r is given twice") % {"code": area.code})
        seen.add(area.code)
        out.append(
            {
                "area": area,
                "level": _level(m["level"], column, item),
                "required": not m["wish"],
            }
        )
    return out


def format_needs(rows) -> str:
    return f"{SEP} ".join(f"{r.area.code}:{r.level}" + ("" if r.required else "?") for r in rows)


def parse_ties(value: str, organisation, column: str = "ties") -> list[dict]:
    """``organisation(ref, column)`` resolves an organisation among those the importer may
    see."""
    out = []
    kinds = dict(TieKind.choices)
    for item in _items(value):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) < 2 or parts[0] not in kinds:
            raise RowError(
                column,
                _("%(item)r: write kind:organisation:from:to, the kind one of %(kinds)s")
                % {"item": item, "kinds": ", ".join(kinds)},
            )
        parts += ["", ""]
        out.append(
            {
                "kind": parts[0],
                "organisation": organisation(parts[1], column),
                "start": _date(parts[2], column),
                "end": _date(parts[3], column),
            }
        )
    return out


def format_ties(ties, labels) -> str:
    from concord.core.models import Organisation

    out = []
    for t in ties:
        org = labels.get(Organisation, t.organisation_id)
        if org is None:
            continue
        ref = org.acronym or org.name
        cells = [t.kind, ref, _iso(t.start), _iso(t.end)]
        out.append(":".join(cells).rstrip(":"))
    return f"{SEP} ".join(out)


PERIOD = re.compile(r"^(?P<start>[\d-]+)\s*:\s*(?P<end>[\d-]+)\s*(?:\((?P<reason>.*)\))?$")


def parse_periods(value: str, column: str = "unavailable") -> list[dict]:
    out = []
    for item in _items(value):
        m = PERIOD.match(item)
        if not m:
            raise RowError(column, _("%(item)r: write from:to (reason)") % {"item": item})
        out.append(
            {
                "start": _date(m["start"], column),
                "end": _date(m["end"], column),
                "reason": (m["reason"] or "").strip(),
            }
        )
    return out


def format_periods(rows) -> str:
    return f"{SEP} ".join(
        f"{_iso(r.start)}:{_iso(r.end)}" + (f" ({r.reason})" if r.reason else "") for r in rows
    )


def _countries(ctx, value: str, column: str) -> list:
    return [ctx.country(v, column) for v in _split(value)]


def _named(obj, ctx, m2m: dict) -> None:
    """A strictly confidential record is named to its importer (and keeps whom it named)."""
    if obj.classification >= Classification.STRICTLY_CONFIDENTIAL and not ctx.actor.is_system:
        kept = list(obj.named_users.values_list("pk", flat=True)) if obj.pk else []
        m2m["named_users"] = sorted({*kept, ctx.user.pk})


class ExpertSpec(Spec):
    model = Expert
    name = gettext_lazy("expert")
    select_related = ("person",)
    prefetch_related = (
        "skills__area",
        "languages",
        "ties",
        "unavailable",
        "countries",
        "nationalities",
    )
    fields = [
        "name",
        "summary",
        "tier",
        "gender",
        "email",
        "nationalities",
        "countries",
        "security_clearance",
        "expertise",
        "languages",
        "ties",
        "unavailable",
        "references",
        "active",
    ]
    required = {"name", "tier"}

    def key(self, row):
        return row.get("id") or row.get("email", "").casefold() or row.get("name", "").casefold()

    def values(self, e, labels):
        person = labels.get(Person, e.person_id)
        return [
            person.name if person else "",
            e.summary,
            e.tier,
            e.gender,
            e.email,
            f"{SEP} ".join(c.alpha3 for c in e.nationalities.all()),
            f"{SEP} ".join(c.alpha3 for c in e.countries.all()),
            Classification(e.security_clearance).name.lower(),
            format_skills(e.skills.all()),
            format_languages(e.languages.all()),
            format_ties(e.ties.all(), labels),
            format_periods(e.unavailable.all()),
            e.references,
            "true" if e.active else "false",
        ]

    def parse(self, row, ctx):
        e = self.instance(row, ctx)
        e.summary = row.get("summary", e.summary or "")
        e.tier = _choice(row.get("tier", ""), Tier.choices, "tier", e.tier or "")
        e.gender = _choice(
            row.get("gender", ""), Gender.choices, "gender", e.gender or Gender.UNDISCLOSED
        )
        e.email = row.get("email", e.email or "").strip()
        e.security_clearance = _choice(
            row.get("security_clearance", ""),
            [(c.value, c.name.lower()) for c in Classification],
            "security_clearance",
            e.security_clearance,
        )
        e.references = row.get("references", e.references or "")
        if "active" in row:
            e.active = row["active"].strip().lower() not in ("false", "no", "0")
        m2m = self.security(e, row, ctx)
        _named(e, ctx, m2m)
        if "nationalities" in row:
            m2m["nationalities"] = _countries(ctx, row["nationalities"], "nationalities")
        if "countries" in row:
            m2m["countries"] = _countries(ctx, row["countries"], "countries")
        rows = {
            "skills": parse_skills(row["expertise"]) if "expertise" in row else None,
            "languages": parse_languages(row["languages"]) if "languages" in row else None,
            "ties": parse_ties(row["ties"], ctx.organisation) if "ties" in row else None,
            "unavailable": parse_periods(row["unavailable"]) if "unavailable" in row else None,
        }
        name = row.get("name", "").strip()
        if not name and e.pk is None:
            raise RowError("name", _("give the expert's name"))
        return e, m2m, ExpertRows(name, rows, m2m.get("named_users"))

    def save(self, obj, *, actor, m2m, children):
        from concord.core import services as core

        from . import services

        rows = {k: v for k, v in children.rows.items() if v is not None}
        if obj.pk is None:
            return services.create_expert(obj, children.name, actor=actor, m2m=m2m, **rows)
        person = obj.person
        if children.name and person.name != children.name:
            person.name = children.name
            core.save(person, actor=actor)
        return services.save_expert(obj, actor=actor, m2m=m2m, **rows)


class ExpertRows:
    """What an imported expert brings beside its fields: its name and its rows."""

    def __init__(self, name, rows, named):
        self.name, self.rows, self.named = name, rows, named


class RequestSpec(Spec):
    model = ExpertRequest
    name = gettext_lazy("request for experts")
    prefetch_related = ("requirements__area", "languages", "countries", "parties", "stakeholders")
    fields = [
        "title",
        "requester",
        "process",
        "countries",
        "parties",
        "stakeholders",
        "description",
        "mode",
        "location",
        "start",
        "duration_days",
        "team_size",
        "shortlist_size",
        "gender_rule",
        "clearance_needed",
        "expertise",
        "languages",
        "received_at",
        "state",
    ]
    required = {"title", "requester", "process", "start", "duration_days", "expertise"}

    def key(self, row):
        return row.get("id") or row.get("title", "").casefold()

    def values(self, r, labels):
        from concord.core.models import Organisation

        def orgs(rel):
            found = [labels.get(Organisation, o.pk) for o in rel.all()]
            return f"{SEP} ".join(o.acronym or o.name for o in found if o)

        requester = labels.get(Organisation, r.requester_id)
        return [
            r.title,
            (requester.acronym or requester.name) if requester else "",
            r.process,
            f"{SEP} ".join(c.alpha3 for c in r.countries.all()),
            orgs(r.parties),
            orgs(r.stakeholders),
            r.description,
            r.mode,
            r.location,
            _iso(r.start),
            r.duration_days,
            r.team_size,
            r.shortlist_size,
            r.gender_rule,
            Classification(r.clearance_needed).name.lower(),
            format_needs(r.requirements.all()),
            format_languages(r.languages.all()),
            r.received_at.isoformat() if r.received_at else "",
            r.state,
        ]

    def parse(self, row, ctx):
        import datetime as dt

        r = self.instance(row, ctx)
        r.title = row.get("title", r.title or "")
        if "requester" in row:
            r.requester = ctx.organisation(row["requester"], "requester")
        r.process = row.get("process", r.process or "")
        r.description = row.get("description", r.description or "")
        r.mode = _choice(row.get("mode", ""), Mode.choices, "mode", r.mode or Mode.EITHER)
        r.location = row.get("location", r.location or "")
        if "start" in row:
            r.start = _date(row["start"], "start")
        for name in ("duration_days", "team_size", "shortlist_size"):
            if row.get(name, "") != "":
                try:
                    setattr(r, name, int(row[name]))
                except ValueError:
                    raise RowError(name, _("a whole number")) from None
        r.gender_rule = _choice(
            row.get("gender_rule", ""),
            GenderRule.choices,
            "gender_rule",
            r.gender_rule or GenderRule.POLICY,
        )
        r.clearance_needed = _choice(
            row.get("clearance_needed", ""),
            [(c.value, c.name.lower()) for c in Classification],
            "clearance_needed",
            r.clearance_needed if r.pk else Classification.INTERNAL,
        )
        if row.get("received_at", ""):
            try:
                r.received_at = dt.datetime.fromisoformat(row["received_at"])
            except ValueError:
                raise RowError("received_at", _("a date and time, e.g. 2027-03-01T08:00")) from None
        m2m = self.security(r, row, ctx)
        _named(r, ctx, m2m)
        if "countries" in row:
            m2m["countries"] = _countries(ctx, row["countries"], "countries")
        for name in ("parties", "stakeholders"):
            if name in row:
                m2m[name] = [ctx.organisation(v, name) for v in _split(row[name])]
        children = {
            "requirements": parse_needs(row["expertise"]) if "expertise" in row else None,
            "languages": parse_languages(row["languages"], needs=True)
            if "languages" in row
            else None,
        }
        return r, m2m, children

    def save(self, obj, *, actor, m2m, children):
        from . import services

        rows = {k: v for k, v in children.items() if v is not None}
        return services.save_request(obj, actor=actor, m2m=m2m, **rows)


class DeploymentSpec(Spec):
    """Deployments as a file: the request and the expert by id (those the importer may
    see); states change through the workflow, never by import."""

    model = Deployment
    name = gettext_lazy("deployment")
    fields = ["request", "expert", "assignment", "mode", "start", "end", "state", "rating"]
    required = {"request", "expert", "assignment", "start", "end"}

    def key(self, row):
        return row.get("id") or ""

    def values(self, d, labels):
        request = labels.get(ExpertRequest, d.request_id)
        expert = labels.get(Expert, d.expert_id)
        return [
            request.pk if request else "",
            expert.pk if expert else "",
            d.assignment,
            d.mode,
            _iso(d.start),
            _iso(d.end),
            d.state,
            d.rating or "",
        ]

    def parse(self, row, ctx):
        d = self.instance(row, ctx)
        for name, model in (("request", ExpertRequest), ("expert", Expert)):
            if name in row:
                ref = row[name].strip()
                found = ctx.visible(model).filter(pk=int(ref)).first() if ref.isdigit() else None
                if found is None:
                    raise RowError(
                        name,
                        _("no %(kind)s with id %(id)r that you may see")
                        % {"kind": model._meta.verbose_name, "id": ref},
                    )
                setattr(d, name, found)
        d.assignment = row.get("assignment", d.assignment or "")
        d.mode = _choice(row.get("mode", ""), Mode.choices, "mode", d.mode or Mode.IN_PERSON)
        if "start" in row:
            d.start = _date(row["start"], "start")
        if "end" in row:
            d.end = _date(row["end"], "end")
        m2m = self.security(d, row, ctx)
        _named(d, ctx, m2m)
        return d, m2m, None


SPECS = {"experts": ExpertSpec(), "expert-requests": RequestSpec(), "deployments": DeploymentSpec()}
