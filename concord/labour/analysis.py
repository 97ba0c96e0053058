"""Gaps, overlaps, clashes and handover holes in a division of labour. Pure functions over plain
values: no database, no request, so they can be tested at the edges and measured at scale.

Conventions
- Days are ``date.toordinal()`` integers; periods are inclusive at both ends. An open start is
  ``LO`` and an open end ``HI``, so a period ending on the 31st and one starting on the 1st of
  the next month touch without a gap, and two that share a day overlap on that day.
- A place is a country (its ISO alpha-3 code, a ``str``) or an area (its id, an ``int``). An
  area's parent is its parent area or, at adm1, its country; a place *covers* itself and every
  place below it (a country covers its adm1 areas, an adm1 area its adm2 areas).
- An actor is a string key: ``"o12"`` for organisation 12, ``"x5"`` for operation 5.
- A task covers its sub-tasks: a lead on "protection of civilians" covers a mandate for it, and
  so does a lead on one of its sub-tasks; a clash rule on a task applies to its sub-tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

LO, HI = 0, 10**7
Place = str | int


def day(value: dt.date | None, default: int) -> int:
    return value.toordinal() if value else default


def date_of(ordinal: int) -> dt.date | None:
    return None if ordinal in (LO, HI) else dt.date.fromordinal(ordinal)


def subtract(span: tuple[int, int], cover: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``span`` no period in ``cover`` covers (inclusive days)."""
    start, end = span
    out = []
    cursor = start
    for s, e in sorted(cover):
        if e < cursor:
            continue
        if s > end:
            break
        if s > cursor:
            out.append((cursor, s - 1))
        cursor = max(cursor, e + 1)
        if cursor > end:
            return out
    if cursor <= end:
        out.append((cursor, end))
    return out


def merge(periods: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of periods; touching periods (end + 1 == next start) become one."""
    out: list[list[int]] = []
    for s, e in sorted(periods):
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assignment:
    id: int
    actor: str
    task: int
    place: Place
    start: int
    end: int
    lead: bool  # role is lead
    active: bool  # status active or completed (planned and suspended carry nothing)
    funder: bool = False


@dataclass(frozen=True, slots=True)
class Requirement:
    """A task that must be led somewhere for a period: from a mandate or a declared need."""

    source: str  # "mandate" or "need"
    ref: int  # operation id (mandate) or need id
    task: int
    place: Place
    start: int
    end: int
    owner: str = ""  # the operation's actor key for a mandate


@dataclass(frozen=True, slots=True)
class Arrangement:
    id: int
    parties: frozenset[str]
    tasks: frozenset[int]  # empty: every task
    places: frozenset[Place]  # empty: everywhere
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    a: int
    b: int
    reason: str


@dataclass(frozen=True, slots=True)
class Handover:
    id: int  # the relation
    outgoing: int  # operation ids
    incoming: int
    on: int  # the handover day
    rehatting: bool = False


@dataclass
class World:
    task_parent: dict[int, int | None]
    place_parent: dict[Place, Place | None]
    assignments: list[Assignment] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    arrangements: list[Arrangement] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)
    # operation id -> (start, end) and its mandated tasks as (task, start, end)
    op_span: dict[int, tuple[int, int]] = field(default_factory=dict)
    mandates: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)

    def __post_init__(self):
        self._place_chain: dict[Place, tuple[Place, ...]] = {}
        self._task_chain: dict[int, tuple[int, ...]] = {}
        self._task_below: dict[int, set[int]] | None = None

    def places_up(self, place: Place) -> tuple[Place, ...]:
        """The place and every place above it, nearest first."""
        chain = self._place_chain.get(place)
        if chain is None:
            parent = self.place_parent.get(place)
            chain = (place, *self.places_up(parent)) if parent is not None else (place,)
            self._place_chain[place] = chain
        return chain

    def country(self, place: Place | None) -> str:
        """The country a place is in (its alpha-3 code), or "" for no place."""
        return "" if place is None else str(self.places_up(place)[-1])

    def tasks_up(self, task: int) -> tuple[int, ...]:
        chain = self._task_chain.get(task)
        if chain is None:
            parent = self.task_parent.get(task)
            chain = (task, *self.tasks_up(parent)) if parent is not None else (task,)
            self._task_chain[task] = chain
        return chain

    def tasks_below(self, task: int) -> set[int]:
        """The task and all its sub-tasks."""
        if self._task_below is None:
            below: dict[int, set[int]] = defaultdict(set)
            for t in self.task_parent:
                for up in self.tasks_up(t):
                    below[up].add(t)
            self._task_below = below
        return self._task_below.get(task) or {task}


# --- outputs ---------------------------------------------------------------------------------


@dataclass
class Finding:
    kind: str  # gap · overlap · clash · handover
    key: str  # stable across runs: reviews attach to it
    task: int | None
    place: Place | None
    periods: list[tuple[int, int]]
    actors: tuple[str, ...] = ()
    refs: dict[str, list[int]] = field(default_factory=dict)  # "assignment" -> ids, …
    detail: dict = field(default_factory=dict)

    @property
    def start(self) -> dt.date | None:
        return date_of(self.periods[0][0]) if self.periods else None

    @property
    def end(self) -> dt.date | None:
        return date_of(self.periods[-1][1]) if self.periods else None

    @property
    def days(self) -> int | None:
        if not self.periods or self.periods[0][0] == LO or self.periods[-1][1] == HI:
            return None
        return sum(e - s + 1 for s, e in self.periods)


def _clip(s: int, e: int, window: tuple[int, int]) -> tuple[int, int] | None:
    s, e = max(s, window[0]), min(e, window[1])
    return (s, e) if s <= e else None


class _Index:
    """Assignments by (task, place) and, for each place above theirs, by (task, that place)."""

    def __init__(self, world: World, items: Iterable[Assignment]):
        self.at: dict[tuple[int, Place], list[Assignment]] = defaultdict(list)
        self.below: dict[tuple[int, Place], list[Assignment]] = defaultdict(list)
        for a in items:
            self.at[(a.task, a.place)].append(a)
            for up in world.places_up(a.place)[1:]:
                self.below[(a.task, up)].append(a)


def _arrangement_cover(
    world: World,
    arrangements: dict[str, list[Arrangement]],
    actors: tuple[str, str],
    tasks: Iterable[int],
    place: Place,
) -> list[tuple[int, int]]:
    """Periods during which an arrangement between both actors covers the tasks at the place."""
    between = [arr for arr in arrangements.get(actors[0], ()) if actors[1] in arr.parties]
    if not between:  # most pairs of actors have no arrangement at all
        return []
    ups = set(world.places_up(place))
    task_ups = {u for t in tasks for u in world.tasks_up(t)}
    out = []
    for arr in between:
        if arr.tasks and not (arr.tasks & task_ups):
            continue
        if arr.places and not (arr.places & ups):
            continue
        out.append((arr.start, arr.end))
    return out


def _by_party(arrangements: list[Arrangement]) -> dict[str, list[Arrangement]]:
    out: dict[str, list[Arrangement]] = defaultdict(list)
    for arr in arrangements:
        for p in arr.parties:
            out[p].append(arr)
    return out


def gaps(world: World, window: tuple[int, int] = (LO, HI)) -> list[Finding]:
    """Required tasks with no active lead covering the place for part of their period."""
    leads = _Index(world, (a for a in world.assignments if a.lead and a.active))
    out = []
    for req in world.requirements:
        span = _clip(req.start, req.end, window)
        if span is None:
            continue
        tasks = world.tasks_below(req.task)
        cover, partial, covering = [], [], []
        for t in tasks:
            for up in world.places_up(req.place):
                for a in leads.at.get((t, up), ()):
                    cover.append((a.start, a.end))
                    covering.append(a.id)
            for a in leads.below.get((t, req.place), ()):
                if a.start <= span[1] and a.end >= span[0]:
                    partial.append(a)
        holes = subtract(span, cover)
        if not holes:
            continue
        out.append(
            Finding(
                kind="gap",
                key=f"gap:{req.source}:{req.ref}:{req.task}:{req.place}",  # untranslated: a key
                task=req.task,
                place=req.place,
                periods=holes,
                actors=(req.owner,) if req.owner else (),
                refs={
                    "operation" if req.source == "mandate" else "need": [req.ref],
                    "assignment": sorted(set(covering)),
                    "partial": sorted({a.id for a in partial}),
                },
                detail={
                    "source": req.source,
                    "required": (req.start, req.end),
                    "partial_places": sorted({a.place for a in partial}, key=str),
                },
            )
        )
    return out


def _pairs_in_time(items: list[Assignment], others: list[Assignment] | None):
    """Pairs (x, y) with overlapping periods: within ``items`` (each pair once) when ``others``
    is None, else across the two lists. Sorted sweep: no pair is looked at twice."""
    if others is None:
        seq = sorted(items, key=lambda a: a.start)
        for i, x in enumerate(seq):
            for y in seq[i + 1 :]:
                if y.start > x.end:
                    break
                yield x, y
    else:
        for x in items:
            for y in others:
                if x.start <= y.end and y.start <= x.end:
                    yield x, y


def _collect(
    acc: dict,
    key: tuple,
    x: Assignment,
    y: Assignment,
    span: tuple[int, int],
) -> None:
    entry = acc.get(key)
    if entry is None:
        entry = acc[key] = ([], set())
    entry[0].append(span)
    entry[1].update((x.id, y.id))


def overlaps(world: World, window: tuple[int, int] = (LO, HI)) -> list[Finding]:
    """Two lead actors on the same task, place and period with no arrangement covering them."""
    leads = [a for a in world.assignments if a.lead and a.active]
    index = _Index(world, leads)
    parties = _by_party(world.arrangements)
    acc: dict[tuple, tuple[list, set]] = {}
    for (task, place), items in index.at.items():
        pairs = list(_pairs_in_time(items, None))
        for up in world.places_up(place)[1:]:
            above = index.at.get((task, up))
            if above:
                pairs.extend(_pairs_in_time(items, above))
        for x, y in pairs:
            if x.actor == y.actor:
                continue
            span = _clip(max(x.start, y.start), min(x.end, y.end), window)
            if span is None:
                continue
            actors = tuple(sorted((x.actor, y.actor)))
            deeper = (
                x.place
                if len(world.places_up(x.place)) >= len(world.places_up(y.place))
                else y.place
            )
            _collect(acc, (task, deeper, actors), x, y, span)
    out = []
    for (task, place, actors), (spans, ids) in acc.items():
        covered = _arrangement_cover(world, parties, actors, (task,), place)
        periods = [h for s in merge(spans) for h in subtract(s, covered)]
        if not periods:
            continue
        out.append(
            Finding(
                kind="overlap",
                key=f"overlap:{task}:{place}:{actors[0]}:{actors[1]}",  # untranslated: a key
                task=task,
                place=place,
                periods=periods,
                actors=actors,
                refs={"assignment": sorted(ids)},
                detail={"partly_settled": bool(covered)},
            )
        )
    return out


def clashes(world: World, window: tuple[int, int] = (LO, HI)) -> list[Finding]:
    """Incompatible tasks of different actors in the same place and period, unsettled."""
    working = [a for a in world.assignments if a.active and not a.funder]
    by_task: dict[int, list[Assignment]] = defaultdict(list)
    for a in working:
        by_task[a.task].append(a)
    parties = _by_party(world.arrangements)
    acc: dict[tuple, tuple[list, set]] = {}
    tasks_of: dict[tuple, tuple[int, int]] = {}
    for rule in world.rules:
        side_a = [a for t in world.tasks_below(rule.a) for a in by_task.get(t, ())]
        side_b = [b for t in world.tasks_below(rule.b) for b in by_task.get(t, ())]
        if not side_a or not side_b:
            continue
        index = _Index(world, side_a)
        for b in side_b:
            ups = world.places_up(b.place)
            candidates: list[Assignment] = []
            for t in world.tasks_below(rule.a):
                for up in ups:
                    candidates.extend(index.at.get((t, up), ()))
                candidates.extend(index.below.get((t, b.place), ()))
            for a in candidates:
                if a.actor == b.actor or a.start > b.end or b.start > a.end:
                    continue
                span = _clip(max(a.start, b.start), min(a.end, b.end), window)
                if span is None:
                    continue
                deeper = a.place if len(world.places_up(a.place)) >= len(ups) else b.place
                key = (rule.id, deeper, a.actor, b.actor)
                _collect(acc, key, a, b, span)
                tasks_of[key] = (a.task, b.task)
    out = []
    for (rule_id, place, actor_a, actor_b), (spans, ids) in acc.items():
        key = (rule_id, place, actor_a, actor_b)
        pair = tuple(sorted((actor_a, actor_b)))
        covered = _arrangement_cover(world, parties, pair, tasks_of[key], place)
        periods = [h for s in merge(spans) for h in subtract(s, covered)]
        if not periods:
            continue
        out.append(
            Finding(
                kind="clash",
                key=f"clash:{rule_id}:{place}:{actor_a}:{actor_b}",  # untranslated: a key
                task=tasks_of[key][1],
                place=place,
                periods=periods,
                actors=(actor_a, actor_b),
                refs={"assignment": sorted(ids), "rule": [rule_id]},
                detail={"tasks": tasks_of[key]},
            )
        )
    return out


def _mandate_on(world: World, op: int, on: int) -> set[int]:
    return {t for t, s, e in world.mandates.get(op, ()) if s <= on <= e}


def handover_holes(world: World, window: tuple[int, int] = (LO, HI)) -> list[Finding]:
    """For each handover: the outgoing operation's mandated tasks on its last day that the
    incoming one's mandate on the handover day does not cover, and any days between exit and
    take-over."""
    out = []
    for h in world.handovers:
        if not window[0] <= h.on <= window[1]:
            continue
        out_span = world.op_span.get(h.outgoing)
        in_span = world.op_span.get(h.incoming)
        if out_span is None or in_span is None:
            continue
        last_day = min(out_span[1], h.on - 1) if out_span[1] != HI else h.on - 1
        take_over = max(in_span[0], h.on)
        before = _mandate_on(world, h.outgoing, last_day)
        after = _mandate_on(world, h.incoming, take_over)
        ref = {"relation": [h.id], "operation": [h.outgoing, h.incoming]}
        for task in sorted(before):
            if set(world.tasks_up(task)) & after:
                continue  # the same task, or one above it, is in the new mandate
            partly = sorted(t for t in after if task in world.tasks_up(t) and t != task)
            out.append(
                Finding(
                    kind="handover",
                    key=f"handover:{h.id}:{task}",  # untranslated: a key
                    task=task,
                    place=None,
                    periods=[(take_over, take_over)],
                    actors=(f"x{h.outgoing}", f"x{h.incoming}"),
                    refs=ref,
                    detail={"missing": task, "partly": partly, "rehatting": h.rehatting},
                )
            )
        if out_span[1] != HI and in_span[0] - out_span[1] > 1:
            hole = (out_span[1] + 1, in_span[0] - 1)
            out.append(
                Finding(
                    kind="handover",
                    key=f"handover-days:{h.id}",  # untranslated: a key
                    task=None,
                    place=None,
                    periods=[hole],
                    actors=(f"x{h.outgoing}", f"x{h.incoming}"),
                    refs=ref,
                    detail={"days": hole[1] - hole[0] + 1, "rehatting": h.rehatting},
                )
            )
    return out


ANALYSES: dict[str, Callable[[World, tuple[int, int]], list[Finding]]] = {
    "gap": gaps,
    "overlap": overlaps,
    "clash": clashes,
    "handover": handover_holes,
}


def analyse(world: World, window: tuple[int, int] = (LO, HI), kinds=None) -> list[Finding]:
    out = []
    for kind, fn in ANALYSES.items():
        if kinds is None or kind in kinds:
            out.extend(fn(world, window))
    return out


def unjudged(world: World, where: str | None) -> list[str]:
    """What the analysis could not judge in ``world`` and why: without them, no finding
    would read as good news ("every mandated task is led") where nothing was recorded.
    ``where``: the country's name, or None for the places chosen (in the reader's language)."""
    out = []
    if not world.requirements:
        if where:
            out.append(
                _("No mandate or need is recorded for %(place)s: gaps cannot be judged.")
                % {"place": where}
            )
        else:
            out.append(
                _("No mandate or need is recorded for the places you chose: gaps cannot be judged.")
            )
    if not world.assignments:
        if where:
            out.append(
                _("No assignment is recorded for %(place)s: overlaps and clashes cannot be judged.")
                % {"place": where}
            )
        else:
            out.append(
                _(
                    "No assignment is recorded for the places you chose: overlaps and "
                    "clashes cannot be judged."
                )
            )
    elif not world.rules:
        out.append(_("No clash rule is recorded: clashes cannot be judged."))
    return out


# --- the 4W matrix ---------------------------------------------------------------------------


@dataclass
class Cell:
    leads: set[str] = field(default_factory=set)
    others: set[str] = field(default_factory=set)
    assignments: list[int] = field(default_factory=list)
    gap: bool = False
    overlap: bool = False
    clash: bool = False


def matrix(
    world: World, places: Iterable[Place], window: tuple[int, int], findings: list[Finding]
) -> dict[tuple[int, Place], Cell]:
    """Cells (task, place) for the given places: who leads and who else works there during the
    window, counting work at a place above (a country-wide lead leads in each region) and
    flagged where a finding falls."""
    wanted = set(places)
    under: dict[Place, list[Place]] = defaultdict(list)  # place -> wanted places below it
    for p in wanted:
        for up in world.places_up(p)[1:]:
            under[up].append(p)
    cells: dict[tuple[int, Place], Cell] = defaultdict(Cell)
    for a in world.assignments:
        if not a.active or a.start > window[1] or a.end < window[0]:
            continue
        targets = [p for p in world.places_up(a.place) if p in wanted] + under.get(a.place, [])
        for p in targets:
            cell = cells[(a.task, p)]
            (cell.leads if a.lead else cell.others).add(a.actor)
            cell.assignments.append(a.id)
    for f in findings:
        if f.task is None or f.place is None:
            continue
        targets = [p for p in world.places_up(f.place) if p in wanted] + under.get(f.place, [])
        for p in targets:
            setattr(cells[(f.task, p)], f.kind, True)
    return cells


# --- an operation's mandate over time -----------------------------------------------------


@dataclass
class MandateChange:
    on: int  # the first day of the new mandate
    added: list[int]
    removed: list[int]
    reprioritised: list[int]
    sources: list[str]  # what the tasks that start that day cite


def mandate_changes(items: list[tuple[int, int, int, str, str]]) -> list[MandateChange]:
    """What changed at each renewal. ``items``: (task, start, end, priority, source) with
    inclusive days; a task ending on day d is gone on d + 1."""
    days = sorted({s for _, s, _, _, _ in items} | {e + 1 for _, _, e, _, _ in items if e < HI})
    out, before = [], {}
    for d in days:
        now = {t: p for t, s, e, p, _ in items if s <= d <= e}
        added = sorted(set(now) - set(before))
        removed = sorted(set(before) - set(now))
        changed = sorted(t for t in set(now) & set(before) if now[t] != before[t])
        if added or removed or changed:
            sources = sorted({src for _, s, _, _, src in items if s == d and src})
            out.append(MandateChange(d, added, removed, changed, sources))
        before = now
    return out
