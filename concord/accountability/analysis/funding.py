"""Funding released only on compliance, as pure rules: whether each condition on a tranche
is met on a date and the evidence that decides it, whether a tranche is releasable or held,
and totals that never add two currencies together."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_noop as _

from .cases import Allegation, Measure

# The wording of a verdict is a template kept in English (a decision stores it) and marked
# with ``_`` (gettext_noop): ``render`` translates it into the reader's language.

KINDS = {
    "report_accepted": gettext_lazy("A report for a given period submitted and accepted"),
    "no_case_suspended": gettext_lazy("No due-diligence case of the recipient suspended"),
    "no_grave_allegation": gettext_lazy(
        "No credible grave-violation allegation unresolved for more than N days"
    ),
    "measures_on_time": gettext_lazy("Mitigating measures on time"),
    "custom": gettext_lazy("A custom condition with named evidence"),
}
# A tranche's status (TrancheVerdict.status), in words.
STATUSES = {
    "released": gettext_lazy("released"),
    "releasable": gettext_lazy("releasable"),
    "held": gettext_lazy("held"),
}


class Condition(NamedTuple):
    pk: int
    kind: str
    obligation: int | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    days: int | None = None
    evidence_needed: str = ""
    satisfied_on: dt.date | None = None
    evidence: str = ""
    waived: bool = False  # a waiver approved by a second person


class FiledReport(NamedTuple):
    pk: int
    title: str
    obligations: frozenset[int]
    period_start: dt.date | None
    period_end: dt.date | None
    submitted: dt.date
    status: str


class CaseState(NamedTuple):
    pk: int
    label: str
    state: str


@dataclass
class Recipient:
    """What the evaluation needs to know about a recipient on the evaluation date."""

    cases: list[CaseState] = field(default_factory=list)
    allegations: list[Allegation] = field(default_factory=list)  # against units it supports
    measures: list[Measure] = field(default_factory=list)  # of its cases


@dataclass(frozen=True)
class Verdict:
    """Whether a condition is met, and what decides it. The wording is a ``template`` whose
    ``{records}`` are the records that decide it (``records``: (kind, id) pairs) and whose
    other fields are the condition's own values (``params``), so that it can be rendered for
    each reader from what that reader may see, now or later (a decision stores only the
    template and the references: see ``concord.accountability.access.shown``)."""

    condition: int
    kind: str
    met: bool
    template: str
    records: tuple[tuple[str, int], ...] = ()
    labels: tuple[str, ...] = ()  # the records as the rules read them, in order
    params: tuple[tuple[str, str], ...] = ()
    waived: bool = False

    @property
    def evidence(self) -> str:
        """The wording with every record described: what the rules see, never shown to a
        reader as it is."""
        return render(self.template, self.labels, dict(self.params), self.waived)


def render(template: str, labels, params: Mapping[str, str], waived: bool = False) -> str:
    """The wording in the reader's language (the template is a marked English string)."""
    text = gettext(template).format(records="; ".join(labels), **params)
    return gettext("Waived. %(evidence)s") % {"evidence": text} if waived else text


# How the rules name the records that decide a condition (the same words on every page).
def report_label(title: str, submitted, status: str) -> str:
    return gettext("“%(title)s” (submitted %(submitted)s, %(status)s)") % {
        "title": title,
        "submitted": submitted,
        "status": status,
    }


def case_label(title: str) -> str:
    return title


def allegation_label(pk: int, violation: str, recorded) -> str:
    return gettext("allegation #%(pk)s (%(violation)s, since %(recorded)s)") % {
        "pk": pk,
        "violation": violation.replace("_", " "),
        "recorded": recorded,
    }


def measure_label(pk: int, deadline) -> str:
    return gettext("measure #%(pk)s (due %(deadline)s)") % {"pk": pk, "deadline": deadline}


def condition_params(c) -> tuple[tuple[str, str], ...]:
    """A condition's own values that its wording may use (``c``: a :class:`Condition` or
    anything with the same attributes, such as the model)."""
    return (
        ("period", f"{c.period_start or '…'} – {c.period_end or '…'}"),
        ("days", str(c.days or 0)),
        ("needed", (c.evidence_needed or "").strip() or gettext("the named evidence")),
        ("evidence", (c.evidence or "").strip()),
        ("on", str(c.satisfied_on or "")),
    )


@dataclass
class TrancheVerdict:
    tranche: int
    status: str  # released | releasable | held
    verdicts: list[Verdict]

    @property
    def unmet(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.met]


def _covers(r: FiledReport, start: dt.date | None, end: dt.date | None) -> bool:
    if start and (r.period_start is None or r.period_start > start):
        return False
    return not (end and (r.period_end is None or r.period_end < end))


def judge(
    c: Condition,
    on: dt.date,
    recipient: Recipient,
    reports_by_obligation: Mapping[int, list[FiledReport]],
) -> Verdict:
    """Is condition ``c`` met on ``on``, and what decides it."""
    params = condition_params(c)

    def verdict(met: bool, template: str, records=(), labels=()) -> Verdict:
        return Verdict(c.pk, c.kind, met, template, tuple(records), tuple(labels), params)

    if c.kind == "report_accepted":
        filed = [
            r
            for r in reports_by_obligation.get(c.obligation, ())
            if r.submitted <= on and _covers(r, c.period_start, c.period_end)
        ]
        accepted = [r for r in filed if r.status == "accepted"]
        if accepted or filed:
            r = max(accepted or filed, key=lambda r: (r.submitted, r.pk))
            return verdict(
                bool(accepted),
                _("Accepted: report {records}, covering {period}.")
                if accepted
                else _("Not accepted: report {records}, covering {period}."),
                [("report", r.pk)],
                [report_label(r.title, r.submitted, r.status)],
            )
        return verdict(False, _("No report covering {period} has been filed."))
    if c.kind == "no_case_suspended":
        bad = [k for k in recipient.cases if k.state == "suspended"]
        if bad:
            return verdict(
                False,
                _("Suspended: {records}."),
                [("case", k.pk) for k in bad],
                [case_label(k.label) for k in bad],
            )
        return verdict(True, _("No case of the recipient is suspended."))
    if c.kind == "no_grave_allegation":
        limit = c.days or 0
        bad = [
            a
            for a in recipient.allegations
            if a.credible and a.grave and a.open_on(on) and (on - a.recorded).days > limit
        ]
        if bad:
            return verdict(
                False,
                _("Unresolved for more than {days} days: {records}."),
                [("allegation", a.pk) for a in bad],
                [allegation_label(a.pk, a.violation, a.recorded) for a in bad],
            )
        return verdict(
            True, _("No credible grave allegation unresolved for more than {days} days.")
        )
    if c.kind == "measures_on_time":
        bad = [
            m
            for m in recipient.measures
            if m.deadline is not None and m.deadline < on and (m.done_on is None or m.done_on > on)
        ]
        if bad:
            return verdict(
                False,
                _("Overdue: {records}."),
                [("measure", m.pk) for m in bad],
                [measure_label(m.pk, m.deadline) for m in bad],
            )
        return verdict(
            True,
            _("No mitigating measure of the recipient's cases is past its deadline and not done."),
        )
    if c.kind == "custom":
        if c.satisfied_on and c.satisfied_on <= on and c.evidence.strip():
            return verdict(True, _("{needed}: {evidence} (on {on})."))
        return verdict(False, _("Awaiting {needed}."))
    raise ValueError(f"Unknown condition kind: {c.kind}")


def evaluate(
    tranche: int,
    conditions: Iterable[Condition],
    on: dt.date,
    recipient: Recipient,
    reports_by_obligation: Mapping[int, list[FiledReport]],
    released: bool = False,
) -> TrancheVerdict:
    """Releasable when every condition is met or waived; held otherwise, with each unmet one.
    A released tranche stays released (and is never released again)."""
    verdicts = []
    for c in conditions:
        v = judge(c, on, recipient, reports_by_obligation)
        if not v.met and c.waived:
            v = replace(v, met=True, waived=True)
        verdicts.append(v)
    if released:
        status = "released"
    else:
        status = "held" if any(not v.met for v in verdicts) else "releasable"
    return TrancheVerdict(tranche, status, verdicts)


def release_problem(
    verdict: TrancheVerdict, proposer: int | None, approver: int | None
) -> str | None:
    """Why the tranche may not be released now (None: it may). "held": some condition is
    not met (the caller says which, in the words the approver may see)."""
    if verdict.status == "released":
        return gettext("This tranche has already been released; nothing is released twice.")
    if proposer is not None and proposer == approver:
        return gettext("Four eyes: the approver must be someone other than the proposer.")
    if verdict.unmet:
        return "held"
    return None


@dataclass
class Sums:
    committed: Decimal = Decimal(0)
    planned: Decimal = Decimal(0)
    released: Decimal = Decimal(0)
    releasable: Decimal = Decimal(0)
    held: Decimal = Decimal(0)


def totals(
    rows: Iterable[tuple[str, str, Decimal, str | None]],
) -> dict[tuple[str, str], Sums]:
    """Sum by (key, currency). ``rows``: (key, currency, amount, what) where ``what`` is
    "committed" for a commitment, else the tranche's status (planned counts every tranche)."""
    out: dict[tuple[str, str], Sums] = defaultdict(Sums)
    for key, currency, amount, what in rows:
        s = out[(key, currency)]
        if what == "committed":
            s.committed += amount
            continue
        s.planned += amount
        if what in ("released", "releasable", "held"):
            setattr(s, what, getattr(s, what) + amount)
    return dict(out)
