"""Human-rights due diligence (HRDDP) on support to non-UN security forces, as pure rules:
which decisions a case may take from where it stands, which assessment is in date, which
units an allegation concerns, and what the register must flag. No ORM here: services apply
these rules, pages and the CLI show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _

from .reporting import chain

# The life of a case. "resumed" and "active" both mean support flows; so it does while a
# review or an intercession runs, until someone suspends it.
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"assessed", "withdrawn"}),
    "assessed": frozenset({"approved", "approved_with_conditions", "denied", "withdrawn"}),
    "denied": frozenset({"assessed", "withdrawn"}),
    "approved": frozenset({"active", "assessed", "withdrawn"}),
    "approved_with_conditions": frozenset({"active", "assessed", "withdrawn"}),
    "active": frozenset({"under_review", "withdrawn"}),
    "resumed": frozenset({"under_review", "withdrawn"}),
    "under_review": frozenset({"intercession", "suspended", "resumed", "withdrawn"}),
    "intercession": frozenset({"suspended", "resumed", "withdrawn"}),
    "suspended": frozenset({"intercession", "resumed", "withdrawn"}),
    "withdrawn": frozenset(),
}
SUPPORT_FLOWS = frozenset({"active", "resumed", "under_review", "intercession"})
DECISIONS = frozenset({"approved", "approved_with_conditions", "denied"})
APPROVING = frozenset({"approved", "approved_with_conditions"})
CREDIBLE = frozenset({"credible", "confirmed"})
GRAVE = frozenset(
    {
        "unlawful_killing",
        "sexual_violence",
        "torture",
        "enforced_disappearance",
        "child_recruitment",
        "attack_on_civilians",
    }
)


class Assessment(NamedTuple):
    version: int
    decision: str
    assessed_on: dt.date
    expires_on: dt.date


def in_date(assessments: Iterable[Assessment], on: dt.date) -> Assessment | None:
    """The assessment that governs the case on ``on``: the newest one made by then (a new
    version supersedes the old, even a denial an approval), if it has not expired."""
    made = [a for a in assessments if a.assessed_on <= on]
    if not made:
        return None
    latest = max(made, key=lambda a: (a.version, a.assessed_on))
    return latest if latest.expires_on >= on else None


def transition_problem(
    state: str, to: str, on: dt.date, assessments: Iterable[Assessment], rationale: str
) -> str | None:
    """Why the case may not go from ``state`` to ``to`` on ``on`` (None: it may)."""
    if not (rationale or "").strip():
        return _("Every decision needs a written rationale.")
    if to not in TRANSITIONS.get(state, ()):
        allowed = ", ".join(sorted(TRANSITIONS.get(state, ()))) or _("none (the case is closed)")
        return _(
            "A case cannot go from %(state)s to %(to)s; from %(state)s it may go to: %(allowed)s."
        ) % {"state": state, "to": to, "allowed": allowed}
    assessments = list(assessments)
    current = in_date(assessments, on)
    if to == "assessed" and current is None:
        return _("Record an in-date risk assessment first.")
    if to in DECISIONS:
        if current is None:
            return _("Record an in-date risk assessment first.")
        if current.decision != to:
            return _(
                "The in-date assessment (version %(version)s) decided %(decision)s, not %(to)s; "
                "record a new version to change the decision."
            ) % {"version": current.version, "decision": current.decision, "to": to}
    if to in {"active", "resumed"}:
        if current is None:
            expired = [a for a in assessments if a.assessed_on <= on]
            if expired:
                return _(
                    "No support becomes active without an in-date risk assessment: "
                    "the latest (version %(version)s) has expired."
                ) % {"version": max(a.version for a in expired)}
            return _("No support becomes active without an in-date risk assessment: there is none.")
        if current.decision not in APPROVING:
            return _(
                "No support becomes active on an assessment that decided %(decision)s "
                "(version %(version)s)."
            ) % {"decision": current.decision, "version": current.version}
    return None


class UnitTree:
    """Chains of command and lineages, indexed once: which units' allegations concern
    support to a unit, memoised (a register or an evaluation asks for thousands of cases)."""

    def __init__(self, parent_of: Mapping[int, int | None], successor_of: Mapping[int, int | None]):
        self.parent_of = parent_of
        self.predecessors_of: dict[int, list[int]] = {}
        for u, s in successor_of.items():
            if s is not None:
                self.predecessors_of.setdefault(s, []).append(u)
        self._memo: dict[int, frozenset[int]] = {}

    def affected_by(self, unit: int, successor_of: Mapping[int, int | None]) -> set[int]:
        """The inverse: every unit whose support an allegation against ``unit`` concerns —
        the units under it, and under what it became (renamed or merged)."""
        children: dict[int, list[int]] = {}
        for u, p in self.parent_of.items():
            if p is not None:
                children.setdefault(p, []).append(u)
        roots = [unit, *chain(unit, successor_of)]
        out, frontier = set(roots), list(roots)
        while frontier:
            frontier = [c for u in frontier for c in children.get(u, ()) if c not in out]
            out.update(frontier)
        return out

    def concerned(self, unit: int) -> frozenset[int]:
        """The unit, the units it belongs to, and every name each of them had before."""
        if unit not in self._memo:
            units = {unit, *chain(unit, self.parent_of)}
            frontier = list(units)
            while frontier:
                frontier = [
                    p for u in frontier for p in self.predecessors_of.get(u, ()) if p not in units
                ]
                units.update(frontier)
            self._memo[unit] = frozenset(units)
        return self._memo[unit]


def units_concerned(
    unit: int, parent_of: Mapping[int, int | None], successor_of: Mapping[int, int | None]
) -> set[int]:
    """Every unit whose allegations concern support to ``unit``: the unit, the units it
    belongs to, and what each of them was called before (renamed or merged units keep their
    lineage)."""
    return set(UnitTree(parent_of, successor_of).concerned(unit))


class Allegation(NamedTuple):
    pk: int
    unit: int
    confidence: str
    violation: str
    recorded: dt.date
    resolved_on: dt.date | None = None

    @property
    def credible(self) -> bool:
        return self.confidence in CREDIBLE

    @property
    def grave(self) -> bool:
        return self.violation in GRAVE

    def open_on(self, on: dt.date) -> bool:
        return self.recorded <= on and (self.resolved_on is None or self.resolved_on > on)


class Intercession(NamedTuple):
    pk: int
    case: int
    raised_on: dt.date
    deadline: dt.date | None
    resolved_on: dt.date | None = None


class Measure(NamedTuple):
    pk: int
    case: int
    deadline: dt.date | None
    done_on: dt.date | None = None

    def late_on(self, on: dt.date) -> bool:
        """Not done by its deadline, as seen on ``on``."""
        if self.deadline is None or self.deadline >= on:
            return False
        return self.done_on is None or self.done_on > self.deadline


@dataclass(frozen=True)
class Case:
    pk: int
    unit: int
    state: str
    assessments: tuple[Assessment, ...] = ()


@dataclass
class Flag:
    case: int
    kind: str  # review | suspend | expired | measure
    text: str
    record: tuple[str, int] | None = None  # (model, pk) behind it


@dataclass
class Register:
    flags: list[Flag] = field(default_factory=list)

    def of(self, case: int) -> list[Flag]:
        return [f for f in self.flags if f.case == case]


def needs_review(case: Case, allegations: Iterable[Allegation], concerned: set[int]) -> list:
    """Credible allegations, still open, against the case's unit or one it belongs to."""
    return [a for a in allegations if a.credible and a.resolved_on is None and a.unit in concerned]


def register(
    cases: Iterable[Case],
    allegations: Iterable[Allegation],
    intercessions: Iterable[Intercession],
    measures: Iterable[Measure],
    parent_of: Mapping[int, int | None],
    successor_of: Mapping[int, int | None],
    today: dt.date,
) -> Register:
    """What the due-diligence register must flag today, case by case."""
    by_unit: dict[int, list[Allegation]] = {}
    for a in allegations:
        by_unit.setdefault(a.unit, []).append(a)
    open_interc: dict[int, list[Intercession]] = {}
    for i in intercessions:
        if i.resolved_on is None:
            open_interc.setdefault(i.case, []).append(i)
    late: dict[int, list[Measure]] = {}
    for m in measures:
        if m.late_on(today):
            late.setdefault(m.case, []).append(m)
    out = Register()
    tree = UnitTree(parent_of, successor_of)
    for c in cases:
        if c.state == "withdrawn":
            continue
        out.flags += _allegation_flags(c, tree.concerned(c.unit), by_unit, today)
        out.flags += _intercession_flags(c, open_interc.get(c.pk, ()), today)
        out.flags += _assessment_flags(c, today)
        out.flags += [
            Flag(
                c.pk,
                "measure",
                (
                    _("Mitigating measure #%(pk)s was due on %(deadline)s and was done late.")
                    if m.done_on
                    else _("Mitigating measure #%(pk)s was due on %(deadline)s and is not done.")
                )
                % {"pk": m.pk, "deadline": m.deadline},
                ("measure", m.pk),
            )
            for m in late.get(c.pk, ())
        ]
    return out


def _allegation_flags(c: Case, concerned, by_unit, today: dt.date) -> list[Flag]:
    """A credible allegation, unresolved, against the unit or one it belongs to (or was):
    the case is to be reviewed."""
    flags = []
    for u in sorted(concerned):
        for a in by_unit.get(u, ()):
            if a.credible and a.resolved_on is None and a.recorded <= today:
                values = {
                    "pk": a.pk,
                    "violation": a.violation.replace("_", " "),
                    "recorded": a.recorded,
                }
                if u == c.unit:
                    text = (
                        _(
                            "Credible grave allegation #%(pk)s (%(violation)s) unresolved since "
                            "%(recorded)s"
                        )
                        if a.grave
                        else _(
                            "Credible allegation #%(pk)s (%(violation)s) unresolved since "
                            "%(recorded)s"
                        )
                    )
                else:
                    text = (
                        _(
                            "Credible grave allegation #%(pk)s (%(violation)s) unresolved since "
                            "%(recorded)s against a unit it belongs to or was"
                        )
                        if a.grave
                        else _(
                            "Credible allegation #%(pk)s (%(violation)s) unresolved since "
                            "%(recorded)s against a unit it belongs to or was"
                        )
                    )
                flags.append(Flag(c.pk, "review", text % values, ("allegation", a.pk)))
    return flags


def _intercession_flags(c: Case, open_intercessions, today: dt.date) -> list[Flag]:
    return [
        Flag(
            c.pk,
            "suspend",
            _(
                "Suspension recommended: intercession #%(pk)s raised on %(raised)s "
                "is unresolved past its deadline (%(deadline)s)."
            )
            % {"pk": i.pk, "raised": i.raised_on, "deadline": i.deadline},
            ("intercession", i.pk),
        )
        for i in open_intercessions
        if i.deadline is not None and i.deadline < today and c.state != "suspended"
    ]


def _assessment_flags(c: Case, today: dt.date) -> list[Flag]:
    """Support flowing needs an in-date assessment that approved it."""
    if c.state not in SUPPORT_FLOWS:
        return []
    current = in_date(c.assessments, today)
    if current is None:
        return [Flag(c.pk, "expired", _("Support flows but no risk assessment is in date."))]
    if current.decision not in APPROVING:
        return [
            Flag(
                c.pk,
                "expired",
                _(
                    "Support flows but the in-date assessment (version %(version)s) "
                    "decided %(decision)s."
                )
                % {"version": current.version, "decision": current.decision},
            )
        ]
    return []
