"""Import/export columns for accountability records: hand-written for the web and reporting,
derived from the model fields (:class:`FieldSpec`) for due-diligence and funding records."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.importers import SEP, RowError, Spec, _choice, _date, _org_key, _split
from concord.core.importers import iso as _iso
from concord.core.models import Organisation
from concord.core.numbers import record_id, whole_number
from concord.core.sources import format_sources, parse_sources
from concord.operations.exchange import operation_ref
from concord.operations.models import Operation

from .models import (
    AccountabilityLine,
    Allegation,
    Body,
    Commitment,
    Condition,
    FundingInstrument,
    Intercession,
    Mechanism,
    MitigatingMeasure,
    Report,
    ReportingObligation,
    ReportStatus,
    RiskAssessment,
    SecurityUnit,
    SupportCase,
    Tranche,
    UnitCommand,
)


def _op_label(labels, pk) -> str:
    op = labels.get(Operation, pk) if pk else None
    return (op.key or op.acronym or op.name) if op else ""


def _optional_org(row, ctx, column):
    value = row.get(column, "").strip()
    return ctx.organisation(value, column) if value else None


def _int(value: str, column: str) -> int | None:
    if not value:
        return None
    number = whole_number(value, 0, 2**31 - 1)
    if number is None:
        raise RowError(column, _("%(value)r is not a whole number") % {"value": value})
    return number


class AccountabilityLineSpec(Spec):
    model = AccountabilityLine
    name = gettext_lazy("accountability line")
    fields = AccountabilityLine.FIELDS
    required = {"operation", "body", "mechanism"}

    def key(self, row):
        return row.get("id") or "|".join(row.get(c, "") for c in self.fields)

    def values(self, a, labels):
        return [
            _op_label(labels, a.operation_id),
            a.body,
            _org_key(labels.get(Organisation, a.to_organisation_id)),
            a.mechanism,
            a.frequency,
            _iso(a.start),
            _iso(a.end),
            a.note,
            format_sources(a.sources),
        ]

    def parse(self, row, ctx):
        a = self.instance(row, ctx)
        a.operation = operation_ref(row.get("operation", ""), ctx.visible(Operation), "operation")
        a.body = _choice(row.get("body", ""), Body.choices, "body", a.body or "")
        a.to_organisation = _optional_org(row, ctx, "to_organisation")
        a.mechanism = _choice(
            row.get("mechanism", ""), Mechanism.choices, "mechanism", a.mechanism or ""
        )
        a.frequency = row.get("frequency", a.frequency or "")
        a.start = _date(row.get("start", ""), "start")
        a.end = _date(row.get("end", ""), "end")
        a.note = row.get("note", a.note or "")
        if "sources" in row:
            a.sources = parse_sources(row["sources"])
        return a, self.security(a, row, ctx), None


class ReportingObligationSpec(Spec):
    model = ReportingObligation
    name = gettext_lazy("reporting obligation")
    fields = ReportingObligation.FIELDS
    required = {"body", "subject", "first_due"}

    def key(self, row):
        return row.get("id") or row.get("subject", "").casefold()

    def values(self, o, labels):
        return [
            _op_label(labels, o.reporter_operation_id),
            _org_key(labels.get(Organisation, o.reporter_organisation_id)),
            o.body,
            _org_key(labels.get(Organisation, o.to_organisation_id)),
            o.subject,
            o.every_days or "",
            f"{SEP} ".join(o.fixed_dates or []),
            _iso(o.first_due),
            _iso(o.until),
            o.grace_days,
            format_sources(o.sources),
        ]

    def parse(self, row, ctx):
        o = self.instance(row, ctx)
        op = row.get("reporter_operation", "").strip()
        o.reporter_operation = (
            operation_ref(op, ctx.visible(Operation), "reporter_operation") if op else None
        )
        o.reporter_organisation = _optional_org(row, ctx, "reporter_organisation")
        o.body = _choice(row.get("body", ""), Body.choices, "body", o.body or "")
        o.to_organisation = _optional_org(row, ctx, "to_organisation")
        o.subject = row.get("subject", o.subject or "")
        o.every_days = _int(row.get("every_days", ""), "every_days")
        o.fixed_dates = _split(row.get("fixed_dates", ""))
        o.first_due = _date(row.get("first_due", ""), "first_due")
        o.until = _date(row.get("until", ""), "until")
        o.grace_days = _int(row.get("grace_days", ""), "grace_days") or 0
        if "sources" in row:
            o.sources = parse_sources(row["sources"])
        return o, self.security(o, row, ctx), None


class ReportSpec(Spec):
    model = Report
    name = gettext_lazy("report")
    prefetch_related = ("obligations",)
    fields = Report.FIELDS
    required = {"title", "obligations", "submitted"}

    def key(self, row):
        return row.get("id") or row.get("title", "").casefold()

    def values(self, r, labels):
        return [
            r.title,
            f"{SEP} ".join(
                str(o.pk) for o in r.obligations.all() if labels.get(ReportingObligation, o.pk)
            ),
            _iso(r.period_start),
            _iso(r.period_end),
            _iso(r.submitted),
            r.status,
            format_sources(r.attachments),
            r.note,
        ]

    def parse(self, row, ctx):
        r = self.instance(row, ctx)
        r.title = row.get("title", r.title or "")
        r.period_start = _date(row.get("period_start", ""), "period_start")
        r.period_end = _date(row.get("period_end", ""), "period_end")
        r.submitted = _date(row.get("submitted", ""), "submitted")
        r.status = _choice(row.get("status", ""), ReportStatus.choices, "status", r.status)
        r.note = row.get("note", r.note or "")
        if "attachments" in row:
            r.attachments = parse_sources(row["attachments"], "attachments")
        m2m = self.security(r, row, ctx)
        if "obligations" in row:
            visible = ctx.visible(ReportingObligation)
            found = []
            for ref in _split(row["obligations"]):
                ob = visible.filter(pk=record_id(ref)).first()
                if ob is None:
                    raise RowError(
                        "obligations",
                        _("no reporting obligation %(ref)r you may see") % {"ref": ref},
                    )
                found.append(ob)
            m2m["obligations"] = found
        return r, m2m, None


def _unit_ref(value: str, ctx, column: str):
    value = value.strip()
    if not value:
        return None
    qs = ctx.visible(SecurityUnit)
    found = list(qs.filter(pk=record_id(value))[:1])
    found = found or list(qs.filter(name__iexact=value)[:2])
    if len(found) != 1:
        if found:
            problem = _("several units are called %(value)r (give its id)")
        else:
            problem = _("no unit you may see called %(value)r (give its id)")
        raise RowError(column, problem % {"value": value})
    return found[0]


class SecurityUnitSpec(Spec):
    model = SecurityUnit
    name = gettext_lazy("security unit")
    select_related = ("country",)
    fields = SecurityUnit.FIELDS
    required = {"name", "country"}

    def values(self, u, labels):
        parent = labels.get(SecurityUnit, u.parent_id) if u.parent_id else None
        successor = labels.get(SecurityUnit, u.successor_id) if u.successor_id else None
        return [
            u.name,
            u.country.alpha3,
            parent.name if parent else "",
            successor.name if successor else "",
            _iso(u.start),
            _iso(u.end),
            u.note,
        ]

    def parse(self, row, ctx):
        u = self.instance(row, ctx)
        u.name = row.get("name", u.name or "")
        u.country = ctx.country(row.get("country", ""))
        u.parent = _unit_ref(row.get("parent", ""), ctx, "parent")
        u.successor = _unit_ref(row.get("successor", ""), ctx, "successor")
        u.start = _date(row.get("start", ""), "start")
        u.end = _date(row.get("end", ""), "end")
        u.note = row.get("note", u.note or "")
        return u, self.security(u, row, ctx), None


class UnitCommandSpec(Spec):
    model = UnitCommand
    name = gettext_lazy("unit command")
    fields = UnitCommand.FIELDS
    required = {"unit"}

    def key(self, row):
        return row.get("id") or "|".join(row.get(c, "") for c in self.fields)

    def values(self, c, labels):
        from concord.core.models import Person

        unit = labels.get(SecurityUnit, c.unit_id)
        person = labels.get(Person, c.commander_id) if c.commander_id else None
        return [
            unit.name if unit else "",
            str(person.pk) if person else "",
            c.commander_name,
            c.rank,
            _iso(c.start),
            _iso(c.end),
        ]

    def parse(self, row, ctx):
        from concord.core.models import Person

        c = self.instance(row, ctx)
        c.unit = _unit_ref(row.get("unit", ""), ctx, "unit")
        ref = row.get("commander", "").strip()
        c.commander = None
        if ref:
            c.commander = ctx.visible(Person).filter(pk=record_id(ref)).first()
            if c.commander is None:
                raise RowError(
                    "commander", _("no person %(ref)r you may see (give the id)") % {"ref": ref}
                )
        c.commander_name = row.get("commander_name", c.commander_name or "")
        c.rank = row.get("rank", c.rank or "")
        c.start = _date(row.get("start", ""), "start")
        c.end = _date(row.get("end", ""), "end")
        return c, self.security(c, row, ctx), None


class FieldSpec(Spec):
    """Columns derived from the model's ``FIELDS``: text and choices as they are, dates in
    ISO 8601, amounts as exact decimals, relations by id (organisations also by acronym or
    name, operations by key). Sensitive fields are exported as pseudonyms, never in clear."""

    def __init__(self, model, name: str, required: set[str]):
        self.model, self.name, self.required = model, name, required
        self.fields = list(model.FIELDS)

    def key(self, row):
        return row.get("id") or "|".join(row.get(c, "") for c in self.fields)

    def values(self, obj, labels):
        from concord.core.crypto import pseudonym

        out = []
        for name in self.fields:
            f = self.model._meta.get_field(name)
            value = getattr(obj, f.attname)
            if getattr(f, "sensitive", False):
                out.append(pseudonym(value or "", obj))
            elif f.is_relation:
                target = f.related_model
                if value is None:
                    out.append("")
                elif target is Organisation:
                    out.append(_org_key(labels.get(Organisation, value)))
                elif target is Operation:
                    out.append(_op_label(labels, value))
                else:
                    out.append(str(value))
            elif isinstance(value, dt.date):
                out.append(_iso(value))
            elif name == "sources":
                out.append(format_sources(value))
            elif value is None:
                out.append("")
            else:
                out.append(str(value) if not isinstance(value, str) else value)
        return out

    def parse(self, row, ctx):
        from django.db import models as m

        obj = self.instance(row, ctx)
        for name in self.fields:
            if name not in row and obj.pk:
                continue
            f = self.model._meta.get_field(name)
            raw = (row.get(name) or "").strip()
            if f.is_relation:
                target = f.related_model
                if not raw:
                    value = None
                elif target is Organisation:
                    value = ctx.organisation(raw, name)
                elif target is Operation:
                    value = operation_ref(raw, ctx.visible(Operation), name)
                elif target._meta.label == "core.User":
                    value = _colleague(raw, ctx, getattr(obj, f.attname), name)
                else:
                    value = ctx.visible(target).filter(pk=record_id(raw)).first()
                    if value is None:
                        raise RowError(
                            name,
                            _("no %(kind)s with id %(id)r you may see")
                            % {"kind": target._meta.verbose_name, "id": raw},
                        )
                setattr(obj, name, value)
            elif name == "sources":
                setattr(obj, name, parse_sources(raw, name))
            elif isinstance(f, m.DateField):
                setattr(obj, name, _date(raw, name))
            elif isinstance(f, m.DecimalField):
                setattr(obj, name, _decimal(raw, name))
            elif isinstance(f, m.IntegerField):
                setattr(obj, name, _int(raw, name))
            elif f.choices:
                setattr(obj, name, _choice(raw, f.choices, name, None) if raw else "")
            else:
                setattr(obj, name, row.get(name, "") or "")
        return obj, self.security(obj, row, ctx), None


def _colleague(username: str, ctx, current, column: str):
    """A user the importer may name (``colleagues``, or whoever the record names already):
    one message for a username that does not exist and for one the importer may not name."""
    from concord.core.models import User, colleagues

    users = (
        User.objects.filter(is_active=True)
        if ctx.actor.is_system
        else colleagues(ctx.user, keep=[current])
    )
    value = users.filter(username=username).first()
    if value is None:
        raise RowError(
            column,
            _(
                "no one you may name is called %(name)r (name someone who shares an "
                "organisation or a coordination space with you)"
            )
            % {"name": username},
        )
    return value


def _decimal(value: str, column: str):
    from decimal import Decimal, InvalidOperation

    if not value:
        return None
    try:
        return Decimal(value.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise RowError(
            column, _("%(value)r is not an amount (e.g. 1250000.00)") % {"value": value}
        ) from None


SPECS = {
    "support-cases": FieldSpec(
        SupportCase, gettext_lazy("due-diligence case"), {"title", "provider", "unit", "kind"}
    ),
    "risk-assessments": FieldSpec(
        RiskAssessment,
        gettext_lazy("risk assessment"),
        {
            "case",
            "recipient_record",
            "rating",
            "decision",
            "rationale",
            "assessed_on",
            "expires_on",
        },
    ),
    "mitigating-measures": FieldSpec(
        MitigatingMeasure, gettext_lazy("mitigating measure"), {"case", "description", "deadline"}
    ),
    "allegations": FieldSpec(
        Allegation, "allegation", {"unit", "violation", "confidence", "summary", "recorded"}
    ),
    "intercessions": FieldSpec(
        Intercession, "intercession", {"case", "raised_on", "raised_with", "what"}
    ),
    "funding-instruments": FieldSpec(
        FundingInstrument, gettext_lazy("funding instrument"), {"name", "kind"}
    ),
    "commitments": FieldSpec(Commitment, "commitment", {"donor", "amount", "currency", "purpose"}),
    "tranches": FieldSpec(Tranche, "tranche", {"commitment", "label", "amount", "planned"}),
    "conditions": FieldSpec(Condition, "condition", {"tranche", "kind"}),
    "security-units": SecurityUnitSpec(),
    "unit-commands": UnitCommandSpec(),
    "accountability-lines": AccountabilityLineSpec(),
    "reporting-obligations": ReportingObligationSpec(),
    "reports": ReportSpec(),
}
