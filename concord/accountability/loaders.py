"""From the records a user may see to the pure analysis, and back to words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext

from concord.core.visibility import VisibleLabels
from concord.operations.models import Operation

from . import analysis
from .models import AccountabilityLine, Report, ReportingObligation


def schedule(o: ReportingObligation) -> analysis.Schedule:
    return analysis.Schedule(
        id=o.pk,
        first_due=o.first_due,
        every_days=o.every_days,
        fixed_dates=tuple(o.fixed_dates or ()),
        until=o.until,
        grace_days=o.grace_days,
    )


@dataclass
class DueRow:
    obligation: ReportingObligation
    due: analysis.Due
    days_late: int
    report: Report | None = None

    @property
    def state(self) -> str:
        return self.due.state


def dues(user, today: dt.date, days: int = 30, obligations=None) -> list[DueRow]:
    """Every due date of the obligations ``user`` may see, up to ``today + days``, with the
    report (among those ``user`` may see) that meets it."""
    obs = list(
        (obligations if obligations is not None else ReportingObligation.objects)
        .visible_to(user)
        .select_related("reporter_operation", "reporter_organisation")
    )
    visible_reports = Report.objects.visible_to(user)
    links = Report.obligations.through.objects.filter(
        reportingobligation_id__in=[o.pk for o in obs], report_id__in=visible_reports.values("pk")
    ).values_list("reportingobligation_id", "report_id")
    by_obligation: dict[int, list[int]] = {}
    for ob_id, report_id in links:
        by_obligation.setdefault(ob_id, []).append(report_id)
    reports = visible_reports.in_bulk({r for ids in by_obligation.values() for r in ids})
    out = []
    for o in obs:
        filed = [
            analysis.Filed(r.pk, r.submitted, r.status == "returned")
            for r in (reports[i] for i in by_obligation.get(o.pk, ()))
        ]
        for due in analysis.cycles(schedule(o), filed, today, horizon=days):
            out.append(DueRow(o, due, due.days_late(today, o.grace_days), reports.get(due.report)))
    return out


def outstanding(rows: list[DueRow]) -> tuple[list[DueRow], list[DueRow]]:
    """(overdue, coming up): the due dates with no report yet, oldest first."""
    overdue = sorted((r for r in rows if r.state == "overdue"), key=lambda r: r.due.due)
    upcoming = sorted((r for r in rows if r.state == "due"), key=lambda r: r.due.due)
    return overdue, upcoming


def reporter_label(o: ReportingObligation, labels) -> str:
    who = labels.get(Operation, o.reporter_operation_id) if o.reporter_operation_id else None
    if who is None and o.reporter_organisation_id:
        from concord.core.models import Organisation

        who = labels.get(Organisation, o.reporter_organisation_id)
    return str(who) if who is not None else gettext("(not shown)")


def lines_of(op: Operation, user) -> list[AccountabilityLine]:
    return list(
        AccountabilityLine.objects.visible_to(user)
        .filter(operation=op)
        .order_by("body", "mechanism", "pk")
    )


class Web(NamedTuple):
    lines: list[AccountabilityLine]  # the recorded lines that hold on the day
    authorisations: list  # operations.Authorisation by a multilateral body, dated by the day
    missing: tuple[str, ...]  # keys of analysis.THIN_REASONS


def web_on(op: Operation, user, on: dt.date) -> Web:
    """The operation's lines ``user`` may see that hold on ``on``, its authorisations by
    multilateral bodies by then (each a line to that body), and what its web lacks then."""
    held = [
        (x, analysis.Line(op.pk, x.body, x.mechanism, x.start, x.end)) for x in lines_of(op, user)
    ]
    held = [(x, line) for x, line in held if line.holds_on(on)]
    auths = [
        a
        for a in op.authorisations.all()
        if a.kind in analysis.AUTHORISED_BY and (a.date is None or a.date <= on)
    ]
    derived = analysis.authorisation_lines(op.pk, [(a.kind, a.date) for a in auths])
    missing = analysis.thin_accountability([line for _, line in held] + derived, on)
    return Web([x for x, _ in held], auths, missing)


def due_rows(user, today, days: int, include_met: bool = False) -> list[dict]:
    """The due dates as plain rows (for the API and the CLI): overdue and upcoming, or
    all of them with ``include_met``."""
    labels = VisibleLabels(user)
    rows = dues(user, today, days)
    if not include_met:
        overdue, upcoming = outstanding(rows)
        rows = overdue + upcoming
    return [
        {
            "obligation": r.obligation.pk,
            "subject": r.obligation.subject,
            "reporter": reporter_label(r.obligation, labels),
            "to": r.obligation.get_body_display(),
            "due": r.due.due,
            "state": r.state,
            "days_late": r.days_late,
            "report": r.due.report,
        }
        for r in rows
    ]


# --- due-diligence register and funding evaluation: the ORM reads behind the rules ---------


def case_register(cases_qs, today: dt.date):
    """The register's flags for the cases of ``cases_qs`` (already scoped by the caller).
    Allegations, intercessions and measures are read in full: the rules are the platform's,
    whoever recorded the records; pages show what the user may see of them."""
    from .analysis import cases as rules
    from .models import Allegation, Intercession, MitigatingMeasure, RiskAssessment
    from .services.cases import units_map

    rows = list(cases_qs.values("pk", "unit_id", "state"))
    ids = [r["pk"] for r in rows]
    assessments: dict[int, list] = {}
    for a in RiskAssessment.objects.filter(case_id__in=ids).values_list(
        "case_id", "version", "decision", "assessed_on", "expires_on"
    ):
        assessments.setdefault(a[0], []).append(rules.Assessment(*a[1:]))
    cases = [
        rules.Case(r["pk"], r["unit_id"], r["state"], tuple(assessments.get(r["pk"], ())))
        for r in rows
    ]
    parent_of, successor_of = units_map()
    tree = rules.UnitTree(parent_of, successor_of)
    concerned = set()
    for c in cases:
        concerned |= tree.concerned(c.unit)
    allegations = [
        rules.Allegation(*a)
        for a in Allegation.objects.filter(
            unit_id__in=concerned, resolved_on__isnull=True
        ).values_list("pk", "unit_id", "confidence", "violation", "recorded", "resolved_on")
    ]
    intercessions = [
        rules.Intercession(*i)
        for i in Intercession.objects.filter(case_id__in=ids).values_list(
            "pk", "case_id", "raised_on", "deadline", "resolved_on"
        )
    ]
    measures = [
        rules.Measure(*m)
        for m in MitigatingMeasure.objects.filter(case_id__in=ids).values_list(
            "pk", "case_id", "deadline", "done_on"
        )
    ]
    return cases, rules.register(
        cases, allegations, intercessions, measures, parent_of, successor_of, today
    )


def _recipient_key(operation_id, organisation_id) -> tuple[str, int]:
    return ("op", operation_id) if operation_id else ("org", organisation_id)


def evaluate_tranches(tranches_qs, on: dt.date | None = None) -> dict:
    """Evaluate every tranche of ``tranches_qs`` on ``on`` (today): {tranche id: verdict}.
    A fixed number of queries whatever the number of tranches."""
    from .analysis import funding as rules
    from .models import TrancheDecision

    on = on or timezone.localdate()
    tranches = list(
        tranches_qs.values_list(
            "pk", "commitment__recipient_operation_id", "commitment__recipient_organisation_id"
        )
    )
    ids = tranches_qs.values("pk")  # a subquery: no list of thousands of ids to compile
    decided = TrancheDecision.objects.filter(tranche_id__in=ids, status="approved")
    released = set(decided.filter(kind="release").values_list("tranche_id", flat=True))
    waived = set(decided.filter(kind="waiver").values_list("condition_id", flat=True))
    conditions = _conditions(ids, waived)
    reports_by_obligation = _reports_by_obligation(
        {c.obligation for cs in conditions.values() for c in cs if c.obligation}
    )
    recipients: dict[tuple, rules.Recipient] = {}
    for _, op, org in tranches:
        recipients.setdefault(_recipient_key(op, org), rules.Recipient())
    _load_recipients(recipients, on)
    return {
        pk: rules.evaluate(
            pk,
            conditions.get(pk, ()),
            on,
            recipients[_recipient_key(op, org)],
            reports_by_obligation,
            released=pk in released,
        )
        for pk, op, org in tranches
    }


def _conditions(tranche_ids, waived: set[int]) -> dict[int, list]:
    from .analysis import funding as rules
    from .models import Condition

    conditions: dict[int, list] = {}
    for row in Condition.objects.filter(tranche_id__in=tranche_ids).values_list(
        "pk",
        "tranche_id",
        "kind",
        "obligation_id",
        "period_start",
        "period_end",
        "days",
        "evidence_needed",
        "satisfied_on",
        "evidence",
    ):
        pk, tranche, *rest = row
        conditions.setdefault(tranche, []).append(rules.Condition(pk, *rest, waived=pk in waived))
    return conditions


def _reports_by_obligation(obligation_ids: set[int]) -> dict[int, list]:
    """The reports filed against each obligation the conditions name."""
    from .analysis import funding as rules
    from .models import Report

    reports_by_obligation: dict[int, list] = {}
    if not obligation_ids:
        return reports_by_obligation
    through = Report.obligations.through.objects.filter(reportingobligation_id__in=obligation_ids)
    links: dict[int, list[int]] = {}
    for report_id, obligation_id in through.values_list("report_id", "reportingobligation_id"):
        links.setdefault(report_id, []).append(obligation_id)
    for r in Report.objects.filter(pk__in=through.values("report_id")).values_list(
        "pk", "title", "period_start", "period_end", "submitted", "status"
    ):
        filed = rules.FiledReport(r[0], r[1], frozenset(links[r[0]]), *r[2:])
        for o in filed.obligations:
            reports_by_obligation.setdefault(o, []).append(filed)
    return reports_by_obligation


def _load_recipients(recipients: dict, on: dt.date) -> None:
    """Each recipient's due-diligence cases, the credible grave allegations against the units
    they concern, and their overdue mitigating measures."""
    from django.db.models import Q

    from .analysis import cases as case_rules
    from .analysis import funding as rules
    from .models import Allegation, MitigatingMeasure, SupportCase
    from .services.cases import units_map

    ops = [k[1] for k in recipients if k[0] == "op"]
    orgs = [k[1] for k in recipients if k[0] == "org"]
    cases = SupportCase.objects.filter(Q(operation_id__in=ops) | Q(provider_id__in=orgs))
    case_rows = list(
        cases.values_list("pk", "title", "state", "unit_id", "operation_id", "provider_id")
    )
    tree = case_rules.UnitTree(*units_map())
    case_owners: dict[int, list[tuple]] = {}
    recipient_units: dict[tuple, set[int]] = {k: set() for k in recipients}
    for pk, title, state, unit, op, provider in case_rows:
        keys = [k for k in (("op", op), ("org", provider)) if k in recipients]
        case_owners[pk] = keys
        units = tree.concerned(unit)
        for k in keys:
            recipients[k].cases.append(rules.CaseState(pk, title, state))
            recipient_units[k] |= units
    all_units = set().union(*recipient_units.values())
    credible_grave = Allegation.objects.filter(
        Q(resolved_on__isnull=True) | Q(resolved_on__gt=on),
        confidence__in=sorted(case_rules.CREDIBLE),
        violation__in=sorted(case_rules.GRAVE),
    )
    if len(all_units) <= 2000:  # else reading them all is cheaper than a long IN list
        credible_grave = credible_grave.filter(unit_id__in=all_units)
    by_unit: dict[int, list] = {}
    for a in credible_grave.values_list(
        "pk", "unit_id", "confidence", "violation", "recorded", "resolved_on"
    ):
        by_unit.setdefault(a[1], []).append(case_rules.Allegation(*a))
    for k, units in recipient_units.items():
        recipients[k].allegations = [a for u in units for a in by_unit.get(u, ())]
    measures = MitigatingMeasure.objects.filter(
        Q(done_on__isnull=True) | Q(done_on__gt=on), deadline__lt=on
    )  # only those that can hold a tranche: past their deadline and not done by then
    for m in measures.filter(case__in=cases).values_list("pk", "case_id", "deadline", "done_on"):
        for k in case_owners[m[1]]:
            recipients[k].measures.append(case_rules.Measure(*m))


def evaluation_rows(tranches, user, on) -> list[dict]:
    """Each tranche's verdict on ``on``, worded for ``user`` (the API's and the CLI's rows)."""
    from .access.shown import shown_many
    from .models import Commitment, Tranche

    tranches = list(tranches)
    verdicts = evaluate_tranches(Tranche.objects.filter(pk__in=[t.pk for t in tranches]), on)
    shown = shown_many([verdicts[t.pk].verdicts for t in tranches], user)
    # The currency is the commitment's: shown only to those who may see the commitment.
    currencies = dict(
        Commitment.objects.visible_to(user)
        .filter(pk__in={t.commitment_id for t in tranches})
        .values_list("pk", "currency")
    )
    return [
        {
            "tranche": t.pk,
            "label": t.label,
            "amount": t.amount,
            "currency": currencies.get(t.commitment_id, "(restricted)"),
            "on": on,
            "status": verdicts[t.pk].status,
            "conditions": conditions,
        }
        for t, conditions in zip(tranches, shown, strict=True)
    ]


# -- under a record's name in the header's search (its own fields only) --------------------


def describe_case(case) -> str:
    return f"{case.get_kind_display()} · {case.get_state_display()}"


def describe_unit(unit) -> str:
    return unit.country.local_name


def describe_commitment(commitment) -> str:
    return f"{commitment.amount:,} {commitment.currency}"


def describe_tranche(tranche) -> str:
    return gettext("%(amount)s · planned %(planned)s") % {
        "amount": f"{tranche.amount:,}",
        "planned": tranche.planned.isoformat(),
    }
