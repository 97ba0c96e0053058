"""The four-scenario typology of ad hoc coalitions (Karlsrud & Reykers 2025), as pure functions.

Inputs are plain facts (no database): operations with dates, framework, host countries and
areas; relations between them; the parent of each area. The caller decides which facts a user
may see, so a classification never draws on a record its reader cannot see.

Rules, for an ad hoc coalition or single-state operation X on a date D:

1. Explicit relations first.
   - X ``integrated into`` a UN/regional mission (in force on D), or X coordinated with one
     at the level "shared governance": **fully integrated**.
   - X ``handed over to`` a UN/regional mission: **sequential**, for its whole life (it was a
     temporary force until the other took over), even when their dates overlap.
   - X ``operates alongside`` / ``supports`` / is supported by a UN/regional mission active
     on D: **parallel**, with the coordination level recorded on the relation.
2. Then evidence, when no relation decides:
   - X ended within HANDOVER_WINDOW days of the start of a UN/regional force in one of its
     host countries (in the same domain: naval or not), and no handover of X to anyone is
     recorded: **sequential**, for its whole life (medium confidence: a handover the
     register has not recorded yet).
   - A UN/regional force (a mission that deploys a force: ``Op.force``, from
     ``Operation.deploys_force``; not a political, observer, support, advisory, training or
     civilian mission, which sends people but no force) active on D in one of X's host
     countries, and in an overlapping area where both record areas: **parallel** (medium
     confidence; low when neither records areas).
3. Otherwise **stand-alone** (medium confidence: the absence of a mission is only as good as
   the register).

UN and regional missions are labelled **multilateral**, except that a regional mission that
handed over to another organisation's mission is **sequential** (a bridging force, as AMIB
was for ONUB in the paper's own example).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy, ngettext

from .wording import (
    _LEVELS,
    _fmt,
    _framework_label,
    _inactive_reasons,
    _integrated_reason,
    _months,
    _parallel_reason,
    _place,
    _rank,
    _shift,
    gettext,
)

STAND_ALONE = "stand_alone"
SEQUENTIAL = "sequential"
PARALLEL = "parallel"
FULLY_INTEGRATED = "fully_integrated"
MULTILATERAL = "multilateral"
SCENARIOS = [STAND_ALONE, SEQUENTIAL, PARALLEL, FULLY_INTEGRATED, MULTILATERAL]
LABELS = {
    STAND_ALONE: gettext_lazy("stand-alone"),
    SEQUENTIAL: gettext_lazy("sequential"),
    PARALLEL: gettext_lazy("parallel"),
    FULLY_INTEGRATED: gettext_lazy("fully integrated"),
    MULTILATERAL: gettext_lazy("multilateral"),
}

HIGH, MEDIUM, LOW = "high", "medium", "low"
CONFIDENCE_LABELS = {
    HIGH: gettext_lazy("high"),
    MEDIUM: gettext_lazy("medium"),
    LOW: gettext_lazy("low"),
}
# How close a coalition's end and a force's start must be to read as an unrecorded handover.
HANDOVER_WINDOW = dt.timedelta(days=42)
MARITIME = "maritime"  # Operation.kind of naval operations
MULTILATERAL_FRAMEWORKS = frozenset({"un", "regional"})


@dataclass(frozen=True)
class Op:
    id: int
    label: str
    framework: str
    kind: str
    start: dt.date
    end: dt.date | None
    countries: tuple[str, ...] = ()  # ISO alpha-3
    areas: tuple[int, ...] = ()
    organisation: str = ""  # the running organisation's acronym (UN, AU, EU…)
    force: bool = True  # deploys armed units (Operation.deploys_force)

    @property
    def multilateral(self) -> bool:
        return self.framework in MULTILATERAL_FRAMEWORKS

    def active(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Rel:
    source: int
    kind: str
    target: int
    start: dt.date | None = None
    end: dt.date | None = None
    level: str = ""

    def in_force(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Result:
    scenario: str | None  # None: not active on that date
    reason: str
    confidence: str
    partner: int | None = None
    basis: str = ""  # "relation", "evidence", "absence", "framework", "inactive"

    @property
    def scenario_label(self) -> str:
        """The scenario in the reader's language ("stand-alone"), or ""."""
        return str(LABELS.get(self.scenario or "", self.scenario or ""))

    @property
    def confidence_label(self) -> str:
        """The confidence in the reader's language ("high")."""
        return str(CONFIDENCE_LABELS.get(self.confidence, self.confidence))


@dataclass
class World:
    """Indexes over the facts, built once: O(n + r) space, used for any number of dates."""

    ops: dict[int, Op]
    rels_by_op: dict[int, list[Rel]] = field(default_factory=dict)
    area_parent: Mapping[int, int | None] = field(default_factory=dict)
    by_country: dict[str, list[Op]] = field(default_factory=dict)
    by_start: dict[str, list[Op]] = field(default_factory=dict)  # the same, by start date
    starts: dict[str, list[dt.date]] = field(default_factory=dict)  # their starts, to bisect

    @classmethod
    def build(
        cls, ops: Iterable[Op], rels: Iterable[Rel], area_parent: Mapping[int, int | None]
    ) -> World:
        ops_by_id = {o.id: o for o in ops}
        rels_by_op: dict[int, list[Rel]] = defaultdict(list)
        for r in rels:
            if r.source in ops_by_id and r.target in ops_by_id:
                rels_by_op[r.source].append(r)
                rels_by_op[r.target].append(r)
        by_country: dict[str, list[Op]] = defaultdict(list)
        for o in ops_by_id.values():
            if o.multilateral and o.force:  # the forces: evidence of a shared theatre
                for c in o.countries:
                    by_country[c].append(o)
        by_start = {c: sorted(f, key=lambda o: (o.start, o.id)) for c, f in by_country.items()}
        starts = {c: [o.start for o in forces] for c, forces in by_start.items()}
        return cls(ops_by_id, dict(rels_by_op), area_parent, dict(by_country), by_start, starts)

    def lineage(self, area: int) -> list[int]:
        out, node, guard = [], area, 0
        while node is not None and guard < 8:
            out.append(node)
            node = self.area_parent.get(node)
            guard += 1
        return out


def classify(
    world: World,
    op_id: int,
    day: dt.date,
    names: Mapping[str, str] = {},
    active: Mapping[str, Forces] | None = None,
    inactive: tuple[str, str] | None = None,
) -> Result:
    """The scenario of one operation on one date, with its reason in words. ``active``: the
    UN/regional forces per country active on ``day`` (``active_forces``), and ``inactive``:
    the reasons of an operation not active then (``_inactive_reasons``), when classifying
    many operations on one date."""
    op = world.ops[op_id]
    rels = world.rels_by_op.get(op_id, [])
    if not op.active(day):
        before, after = inactive or _inactive_reasons(day)
        return Result(None, before if day < op.start else after, HIGH, None, "inactive")
    if op.multilateral:
        return _multilateral(world, op, rels, names)
    recorded = _by_relation(world, op, rels, day, names)
    if recorded is not None:
        return recorded
    return _by_evidence(world, op, rels, day, names, active)


def _multilateral(world: World, op: Op, rels, names: Mapping[str, str]) -> Result:
    """A UN or regional mission: multilateral, unless a regional one handed over to another
    organisation's mission (a bridging force: sequential)."""
    for r in rels:
        other = world.ops[r.target]
        if (
            r.source == op.id
            and r.kind == "handed_over_to"
            and op.framework == "regional"
            and other.multilateral
            and other.organisation != op.organisation
        ):
            return _sequential(world, op, other, r, names, bridging=True)
    if op.framework == "un":
        reason = gettext("multilateral: a UN mission")
    elif op.organisation:
        reason = gettext("multilateral: a regional (%(organisation)s) mission") % {
            "organisation": op.organisation
        }
    else:
        reason = gettext("multilateral: a regional (organisation) mission")
    return Result(MULTILATERAL, reason, HIGH, None, "framework")


def _by_relation(world: World, op: Op, rels, day: dt.date, names) -> Result | None:
    """The scenario a recorded relation to a UN or regional mission says, if one does:
    integration first, then a handover, then the closest parallel coordination."""
    integrated = handover = parallel = None
    for r in rels:
        other = world.ops[r.target if r.source == op.id else r.source]
        if not other.multilateral:
            continue
        if r.kind == "integrated_into" and r.source == op.id:
            if r.in_force(day) and integrated is None:
                integrated = (r, other)
        elif r.kind == "handed_over_to" and r.source == op.id:
            # A temporary force until the other took over: sequential for its whole life.
            handover = handover or (r, other)
        elif r.kind in ("operates_alongside", "supports") and r.in_force(day) and other.active(day):
            if r.level == "shared_governance":
                integrated = integrated or (r, other)
            elif parallel is None or _rank(r.level) > _rank(parallel[0].level):
                parallel = (r, other)
    if integrated is not None:
        r, other = integrated
        values = {
            "other": other.label,
            "since": _fmt(r.start),
            "place": _place(world, op, other, names),
        }
        return Result(
            FULLY_INTEGRATED,
            _integrated_reason(r, op.id) % values,
            HIGH,
            other.id,
            "relation",
        )
    if handover is not None:
        r, other = handover
        return _sequential(world, op, other, r, names)
    if parallel is not None:
        r, other = parallel
        values = {
            "other": other.label,
            "place": _place(world, op, other, names),
            "since": _fmt(max(filter(None, [r.start, other.start, op.start]))),
            "level": dict(_LEVELS).get(r.level) or gettext("not recorded"),
        }
        return Result(
            PARALLEL,
            _parallel_reason(r, op.id) % values,
            HIGH,
            other.id,
            "relation",
        )
    return None


def _by_evidence(world: World, op: Op, rels, day: dt.date, names, active) -> Result:
    """No relation says: a UN or regional force that took over when it ended, or one in the
    same theatre on that date, is evidence; else it stood alone."""
    handed_over = any(r.kind == "handed_over_to" and r.source == op.id for r in rels)
    taken_over = None if handed_over else _successor(world, op)
    if taken_over is not None:
        return _unrecorded_handover(world, op, taken_over, names)
    confidence, other = _evidence(world, op, day, active)
    if confidence is not None:
        values = {
            "other": other.label,
            "framework": _framework_label(other),
            "place": _place(world, op, other, names),
            "day": day.isoformat(),
        }
        reason = (
            gettext(
                "parallel: %(other)s (%(framework)s) was deployed in an overlapping area of "
                "%(place)s on %(day)s; no relation is recorded"
            )
            if confidence == MEDIUM
            else gettext(
                "parallel: %(other)s (%(framework)s) was deployed in %(place)s on %(day)s; "
                "no relation is recorded"
            )
        )
        return Result(
            PARALLEL,
            reason % values,
            confidence,
            other.id,
            "evidence",
        )
    if other is not None:
        return Result(
            STAND_ALONE,
            gettext("stand-alone: %(other)s was in %(place)s on %(day)s, but in other areas")
            % {
                "other": other.label,
                "place": _place(world, op, other, names),
                "day": day.isoformat(),
            },
            LOW,
            other.id,
            "evidence",
        )
    return Result(
        STAND_ALONE,
        gettext("stand-alone: no UN or regional force recorded in %(place)s on %(day)s")
        % {"place": _place(world, op, None, names), "day": day.isoformat()},
        MEDIUM,
        None,
        "absence",
    )


def _sequential(world, op: Op, other: Op, r: Rel, names, bridging=False) -> Result:
    when = r.start or other.start
    months = _months(op.start, when)
    place = _place(world, op, other, names)
    values = {"other": other.label, "date": _fmt(when), "n": months, "place": place}
    if bridging:
        reason = ngettext(
            "sequential: a bridging regional force: handed over to %(other)s on %(date)s after "
            "%(n)d month in %(place)s",
            "sequential: a bridging regional force: handed over to %(other)s on %(date)s after "
            "%(n)d months in %(place)s",
            months,
        )
    else:
        reason = ngettext(
            "sequential: handed over to %(other)s on %(date)s after %(n)d month in %(place)s",
            "sequential: handed over to %(other)s on %(date)s after %(n)d months in %(place)s",
            months,
        )
    return Result(
        SEQUENTIAL,
        reason % values,
        HIGH,
        other.id,
        "relation",
    )


def _successor(world: World, op: Op) -> Op | None:
    """The UN/regional force that began in one of ``op``'s host countries closest to its end,
    within HANDOVER_WINDOW (and after ``op`` began), in the same domain (a naval operation
    takes over from a naval one, not from a force on land); None if none did."""
    if op.end is None:
        return None
    best = None
    naval = op.kind == MARITIME
    for c in op.countries:
        forces, starts = world.by_start.get(c, []), world.starts.get(c, [])
        # Only the forces that began within the window: found by bisection (the country's
        # forces are sorted by start), so the check does not grow with the country's history.
        lo = bisect.bisect_left(starts, _shift(op.end, -HANDOVER_WINDOW))
        hi = bisect.bisect_right(starts, _shift(op.end, HANDOVER_WINDOW))
        for o in forces[lo:hi]:
            gap = abs(o.start - op.end)
            if (
                o.id != op.id
                and o.start > op.start
                and gap <= HANDOVER_WINDOW
                and (o.kind == MARITIME) == naval
            ):
                if best is None or (gap, o.start, o.id) < (
                    abs(best.start - op.end),
                    best.start,
                    best.id,
                ):
                    best = o
    return best


def _unrecorded_handover(world: World, op: Op, other: Op, names) -> Result:
    days = (other.start - op.end).days
    values = {
        "end": _fmt(op.end),
        "other": other.label,
        "framework": _framework_label(other),
        "place": _place(world, op, other, names),
        "n": abs(days),
        "start": _fmt(other.start),
    }
    if days == 0:
        reason = gettext(
            "sequential: it ended on %(end)s and %(other)s (%(framework)s) began in %(place)s "
            "the day it ended, on %(start)s; no handover is recorded (a handover the register "
            "has not recorded yet?)"
        )
    elif days > 0:
        reason = ngettext(
            "sequential: it ended on %(end)s and %(other)s (%(framework)s) began in %(place)s "
            "%(n)d day after it ended, on %(start)s; no handover is recorded (a handover the "
            "register has not recorded yet?)",
            "sequential: it ended on %(end)s and %(other)s (%(framework)s) began in %(place)s "
            "%(n)d days after it ended, on %(start)s; no handover is recorded (a handover the "
            "register has not recorded yet?)",
            days,
        )
    else:
        reason = ngettext(
            "sequential: it ended on %(end)s and %(other)s (%(framework)s) began in %(place)s "
            "%(n)d day before it ended, on %(start)s; no handover is recorded (a handover the "
            "register has not recorded yet?)",
            "sequential: it ended on %(end)s and %(other)s (%(framework)s) began in %(place)s "
            "%(n)d days before it ended, on %(start)s; no handover is recorded (a handover the "
            "register has not recorded yet?)",
            -days,
        )
    return Result(
        SEQUENTIAL,
        reason % values,
        MEDIUM,
        other.id,
        "evidence",
    )


def classify_all(world: World, day: dt.date, names: Mapping[str, str] = {}) -> dict[int, Result]:
    """Every operation on one date. Linear in operations + relations (after World.build)."""
    active, inactive = active_forces(world, day), _inactive_reasons(day)
    return {op_id: classify(world, op_id, day, names, active, inactive) for op_id in world.ops}


@dataclass
class Forces:
    """The UN and regional forces active in one country on one date, indexed by area."""

    first: Op | None = None  # any of them (the theatre is shared when areas are unknown)
    by_area: dict[int, Op] = field(default_factory=dict)  # an area a force names
    within: dict[int, Op] = field(default_factory=dict)  # an area containing one it names
    first_with_areas: Op | None = None
    first_without_areas: Op | None = None


def active_forces(world: World, day: dt.date, countries=None) -> dict[str, Forces]:
    """Per country (all, or those given), the forces active on ``day``, indexed so that each
    operation's check is O(its countries × its areas × area depth), whatever the number of
    forces."""
    out: dict[str, Forces] = {}
    for c in world.by_country if countries is None else countries:
        ops = world.by_country.get(c, ())
        f = Forces()
        for o in ops:
            if not o.active(day):
                continue
            f.first = f.first or o
            if o.areas:
                f.first_with_areas = f.first_with_areas or o
            else:
                f.first_without_areas = f.first_without_areas or o
            for area in o.areas:
                f.by_area.setdefault(area, o)
                for up in world.lineage(area):
                    f.within.setdefault(up, o)
        out[c] = f
    return out


def _evidence(world: World, op: Op, day: dt.date, active: Mapping[str, Forces] | None):
    """(confidence, force) for the best same-theatre force, or (None, force elsewhere)."""
    if active is None:
        active = active_forces(world, day, op.countries)
    best = elsewhere = None
    for c in op.countries:
        f = active.get(c)
        if f is None or f.first is None:
            continue
        if op.areas:
            for area in op.areas:
                hit = f.within.get(area) or next(
                    (f.by_area[up] for up in world.lineage(area) if up in f.by_area), None
                )
                if hit is not None and hit.id != op.id:
                    return MEDIUM, hit
            without = f.first_without_areas
            if without is not None and without.id != op.id:
                best = best or (LOW, without)
            elif f.first_with_areas is not None and f.first_with_areas.id != op.id:
                elsewhere = elsewhere or f.first_with_areas
        elif f.first.id != op.id:
            best = best or (LOW, f.first)
    if best is not None:
        return best
    return None, elsewhere


def change_points(world: World, op_id: int) -> list[dt.date]:
    """The dates on which the classification of ``op_id`` can change, within its life."""
    op = world.ops[op_id]
    end = op.end or dt.date.today()
    days = {op.start}
    one = dt.timedelta(days=1)

    def add(day):
        if day and op.start <= day <= end:
            days.add(day)

    for r in world.rels_by_op.get(op_id, ()):
        other = world.ops[r.target if r.source == op_id else r.source]
        add(r.start)
        add(r.end + one if r.end else None)
        add(other.start)
        add(other.end + one if other.end else None)
    for c in op.countries:
        for other in world.by_country.get(c, ()):
            add(other.start)
            add(other.end + one if other.end else None)
    return sorted(days)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date | None
    result: Result


def history(world: World, op_id: int, names: Mapping[str, str] = {}) -> list[Period]:
    """The scenario over the operation's life, as consecutive periods."""
    op = world.ops[op_id]
    points = change_points(world, op_id)
    periods: list[Period] = []
    for i, day in enumerate(points):
        res = classify(world, op_id, day, names)
        nxt = points[i + 1] - dt.timedelta(days=1) if i + 1 < len(points) else op.end
        # One period while the scenario, the partner and what decided it stay the same (a
        # relation recorded later is a new period: its reason is not the evidence's).
        last = periods[-1].result if periods else None
        if last and (last.scenario, last.partner, last.basis) == (
            res.scenario,
            res.partner,
            res.basis,
        ):
            periods[-1] = Period(periods[-1].start, nxt, periods[-1].result)
        else:
            periods.append(Period(day, nxt, res))
    return periods


def overall(world: World, op_id: int, names: Mapping[str, str] = {}) -> Result:
    """One scenario for an operation's whole life (for summaries): what explicit relations
    say, if any did at some point; otherwise the scenario that held longest."""
    op = world.ops[op_id]
    last = op.end or max(dt.date.today(), op.start)
    best, best_key = None, None
    for p in history(world, op_id, names):
        days = ((p.end or last) - p.start).days + 1
        key = (p.result.basis == "relation", days)
        if best_key is None or key > best_key:
            best, best_key = p.result, key
    return best or classify(world, op_id, op.start, names)


def overall_all(world: World, names: Mapping[str, str] = {}) -> dict[int, Result]:
    return {op_id: overall(world, op_id, names) for op_id in world.ops}


def summarise(
    world: World, results: Mapping[int, Result], region_of: Mapping[str, str]
) -> dict[str, dict[str, dict[str, int]]]:
    """Counts per scenario per decade (of the start date) and per region (of any host
    country: an operation in two regions counts once in each)."""
    decades: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    regions: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for op_id, res in results.items():
        if res.scenario is None:
            continue
        op = world.ops[op_id]
        decades[f"{op.start.year // 10 * 10}s"][res.scenario] += 1
        for region in sorted({region_of.get(c) or "Unknown" for c in op.countries} or {"Unknown"}):
            regions[region][res.scenario] += 1
    return {
        "by_decade": {k: dict(v) for k, v in sorted(decades.items())},
        "by_region": {k: dict(v) for k, v in sorted(regions.items())},
    }
