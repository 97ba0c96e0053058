"""Load the division-of-labour analysis's inputs from the database, through the enforcement
point, and put its findings into words.

Only records the user may see are loaded: assignments, needs, arrangements, clash rules,
operations and their mandates, handovers whose two ends are both visible. Linked records the
user may not see (an assignment's organisation or district, say) take part under an opaque
key (``Hidden``), never their id, and are labelled "(restricted)", never by name; a task under
a hidden task is a top-level task.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concord.core.models import Area, Country, Organisation, Space
from concord.core.models.registry import area_parents
from concord.core.visibility import RESTRICTED, VisibleLabels
from concord.operations.models import Operation, Relation, RelationKind

from . import analysis
from .analysis import HI, LO, day
from .models import (
    Arrangement,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ClashRule,
    FindingReview,
    MandatedTask,
    Need,
    Task,
)


@dataclass
class Scope:
    """What to analyse: countries (ISO3), a window of days, and optional filters."""

    countries: list[str] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    task: Task | None = None
    organisation: Organisation | None = None
    operation: Operation | None = None
    space: Space | None = None

    @property
    def window(self) -> tuple[int, int]:
        return day(self.start, LO), day(self.end, HI)


def _scope_space(qs, space: Space | None):
    if space is None:
        return qs
    orgs = list(space.organisations.values_list("pk", flat=True))
    return qs.filter(Q(owner_id__in=orgs) | Q(shared_spaces=space)).distinct()


def _dates(qs, scope: Scope, start="start", end="end"):
    if scope.end:
        qs = qs.filter(Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": scope.end}))
    if scope.start:
        qs = qs.filter(Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": scope.start}))
    return qs


def opaque(kind: str, pk: int) -> str:
    """The key of a record the reader may not see, in the analysis (an actor "h…", in
    finding keys): the same in every analysis and for every reader, so reviews of a finding
    keep matching, but no id anyone could look up (a digest keyed by the server's secret)."""
    return "h" + salted_hmac("concord.labour.hidden", f"{kind}{pk}").hexdigest()[:12]


def opaque_area(pk: int) -> int:
    """An area the reader may not see, as a place: a negative number standing for it (places
    stay numbers, so the analysis still nests it in the region it belongs to)."""
    return -int(salted_hmac("concord.labour.hidden", f"a{pk}").hexdigest()[:15], 16)


class Hidden:
    """Which organisations, operations and areas the analysis's inputs link to that the user
    may not see (one query per model), and their opaque stand-ins."""

    def __init__(self, user):
        self.user = user
        self.seen: dict[type, set[int]] = {Organisation: set(), Operation: set(), Area: set()}

    def load(self, model, ids) -> None:
        self.seen[model] |= set(
            model.objects.visible_to(self.user).filter(pk__in=ids).values_list("pk", flat=True)
        )

    def actor(self, org_id, op_id) -> str:
        if org_id:
            return f"o{org_id}" if org_id in self.seen[Organisation] else opaque("o", org_id)
        return f"x{op_id}" if op_id in self.seen[Operation] else opaque("x", op_id)

    def place(self, place):
        if isinstance(place, int) and place not in self.seen[Area]:
            return opaque_area(place)
        return place


def _place(code: str, area_id: int | None):
    return area_id if area_id else code


def load(user, scope: Scope | None = None) -> analysis.World:
    """What ``user`` may see of the division of labour in ``scope``, as the analysis's plain
    data: assignments, operations (mandates, spans, handovers), needs, arrangements, rules."""
    scope = scope or Scope()
    tasks = dict(Task.objects.visible_to(user).values_list("pk", "parent_id"))
    # A task under one the user may not see is a top-level task here: the analysis would
    # otherwise apply a rule on the hidden task to its visible sub-tasks, and so show them.
    tasks = {pk: parent if parent in tasks else None for pk, parent in tasks.items()}
    world = analysis.World(task_parent=tasks, place_parent={})
    area_ids: set[int] = set()
    hidden = Hidden(user)  # links the user may not see: opaque keys, never their ids
    _load_assignments(world, user, scope, tasks, hidden, area_ids)
    _load_operations(world, user, scope, tasks, area_ids)
    _load_needs(world, user, scope, tasks, area_ids)
    _load_arrangements(world, user, scope, hidden, area_ids)
    _load_rules(world, user)
    world.place_parent = area_parents(area_ids, country_at_top=True)
    _hide_areas(world, hidden, area_ids)
    if scope.task:
        wanted = _below(world, scope.task.pk)
        world.assignments = [a for a in world.assignments if a.task in wanted]
    return world


def _load_assignments(world, user, scope: Scope, tasks, hidden: Hidden, area_ids: set) -> None:
    qs = Assignment.objects.visible_to(user).filter(task_id__in=list(tasks))
    if scope.countries:
        qs = qs.filter(country__alpha3__in=scope.countries)
    if scope.organisation:
        qs = qs.filter(organisation=scope.organisation)
    if scope.operation:
        qs = qs.filter(operation=scope.operation)
    qs = _dates(_scope_space(qs, scope.space), scope)
    lead, working = AssignmentRole.LEAD, (AssignmentStatus.ACTIVE, AssignmentStatus.COMPLETED)
    hidden.load(Organisation, qs.values("organisation_id"))
    hidden.load(Operation, qs.values("operation_id"))
    for pk, org, op, task, code, area, start, end, role, status in qs.values_list(
        "pk",
        "organisation_id",
        "operation_id",
        "task_id",
        "country__alpha3",
        "area_id",
        "start",
        "end",
        "role",
        "status",
    ).iterator(chunk_size=5000):
        if area:
            area_ids.add(area)
        world.assignments.append(
            analysis.Assignment(
                pk,
                hidden.actor(org, op),
                task,
                area or code,
                day(start, LO),
                day(end, HI),
                role == lead,
                status in working,
                role == AssignmentRole.FUNDER,
            )
        )


def _load_operations(world, user, scope: Scope, tasks, area_ids: set) -> None:
    """Operations in scope: their spans, the handovers between them, their places and the
    requirements their mandates make."""
    ops = Operation.objects.visible_to(user)
    if scope.countries:
        ops = ops.filter(host_countries__alpha3__in=scope.countries).distinct()
    if scope.operation:
        ops = ops.filter(pk=scope.operation.pk)
    op_rows = {pk: (s, e) for pk, s, e in ops.values_list("pk", "start", "end")}
    spans = _load_handovers(world, user, op_rows)
    places_of = _operation_places(user, scope, op_rows, area_ids)
    mandates = MandatedTask.objects.filter(operation_id__in=list(spans), task_id__in=list(tasks))
    for op_id, task, start, end in mandates.values_list("operation_id", "task_id", "start", "end"):
        op_start, op_end = world.op_span[op_id]
        s, e = max(day(start, LO), op_start), min(day(end, HI), op_end)
        world.mandates.setdefault(op_id, []).append((task, s, e))
        if op_id not in op_rows:
            continue
        if scope.task and task not in _below(world, scope.task.pk):
            continue
        for place in places_of.get(op_id, ()):
            world.requirements.append(
                analysis.Requirement("mandate", op_id, task, place, s, e, owner=f"x{op_id}")
            )


def _load_handovers(world, user, op_rows: dict) -> dict:
    """The handovers from or to the operations in scope, and the spans of every operation
    they involve (the partners' too)."""
    handovers = Relation.objects.visible_to(user).filter(kind=RelationKind.HANDED_OVER_TO)
    handovers = handovers.filter(Q(source_id__in=list(op_rows)) | Q(target_id__in=list(op_rows)))
    handover_rows = list(
        handovers.values_list("pk", "source_id", "target_id", "start", "rehatting")
    )
    partner_ids = {s for _, s, _, _, _ in handover_rows} | {t for _, _, t, _, _ in handover_rows}
    partners = Operation.objects.visible_to(user).filter(pk__in=partner_ids - set(op_rows))
    spans = {**op_rows, **{pk: (s, e) for pk, s, e in partners.values_list("pk", "start", "end")}}
    world.op_span = {pk: (day(s, LO), day(e, HI)) for pk, (s, e) in spans.items()}
    for pk, src, tgt, on, rehat in handover_rows:
        if src in spans and tgt in spans and on:
            world.handovers.append(analysis.Handover(pk, src, tgt, day(on, LO), rehat))
    return spans


def _operation_places(user, scope: Scope, op_rows: dict, area_ids: set) -> dict[int, list]:
    """Where each operation is: its areas the user may see, else its host countries."""
    places_of: dict[int, list] = defaultdict(list)
    through_a = Operation.areas.through
    visible_areas = Area.objects.visible_to(user)
    for op_id, area_id, code in through_a.objects.filter(
        operation_id__in=list(op_rows), area__in=visible_areas
    ).values_list("operation_id", "area_id", "area__country__alpha3"):
        if not scope.countries or code in scope.countries:
            places_of[op_id].append(area_id)
            area_ids.add(area_id)
    through_c = Operation.host_countries.through
    for op_id, code in through_c.objects.filter(operation_id__in=list(op_rows)).values_list(
        "operation_id", "country__alpha3"
    ):
        if op_id not in places_of or isinstance(places_of[op_id][0], str):
            if not scope.countries or code in scope.countries:
                places_of[op_id].append(code)
    return places_of


def _load_needs(world, user, scope: Scope, tasks, area_ids: set) -> None:
    needs = Need.objects.visible_to(user).filter(task_id__in=list(tasks))
    if scope.countries:
        needs = needs.filter(country__alpha3__in=scope.countries)
    needs = _dates(_scope_space(needs, scope.space), scope)
    for pk, task, code, area, start, end in needs.values_list(
        "pk", "task_id", "country__alpha3", "area_id", "start", "end"
    ):
        if scope.task and task not in _below(world, scope.task.pk):
            continue
        if area:
            area_ids.add(area)
        world.requirements.append(
            analysis.Requirement("need", pk, task, _place(code, area), day(start, LO), day(end, HI))
        )


def _load_arrangements(world, user, scope: Scope, hidden: Hidden, area_ids: set) -> None:
    arrs = _dates(Arrangement.objects.visible_to(user), scope).prefetch_related(
        "organisations", "operations", "tasks", "countries", "areas"
    )
    arrs = list(arrs)
    hidden.load(Organisation, {o.pk for a in arrs for o in a.organisations.all()})
    hidden.load(Operation, {o.pk for a in arrs for o in a.operations.all()})
    for a in arrs:
        parties = frozenset(
            [hidden.actor(o.pk, None) for o in a.organisations.all()]
            + [hidden.actor(None, o.pk) for o in a.operations.all()]
        )
        places = [x.alpha3 for x in a.countries.all()] + [x.pk for x in a.areas.all()]
        area_ids.update(x.pk for x in a.areas.all())
        world.arrangements.append(
            analysis.Arrangement(
                a.pk,
                parties,
                frozenset(t.pk for t in a.tasks.all()),
                frozenset(places),
                day(a.start, LO),
                day(a.end, HI),
            )
        )


def _load_rules(world, user) -> None:
    pairs = set()  # owners may each hold a rule for the same pair: one finding, the first rule
    for pk, a, b, reason in (
        ClashRule.objects.visible_to(user)
        .order_by("pk")
        .values_list("pk", "task_a_id", "task_b_id", "reason")
    ):
        if (a, b) not in pairs:
            pairs.add((a, b))
            world.rules.append(analysis.Rule(pk, a, b, reason))


def _hide_areas(world: analysis.World, hidden: Hidden, area_ids: set[int]) -> None:
    """Areas the user may not see take part under an opaque number, nested as they are."""
    hidden.load(Area, {p for p in world.place_parent if isinstance(p, int)} | area_ids)
    place = hidden.place
    world.place_parent = {place(k): place(v) for k, v in world.place_parent.items()}
    world.assignments = [
        replace(a, place=place(a.place)) if isinstance(a.place, int) else a
        for a in world.assignments
    ]
    world.requirements = [replace(r, place=place(r.place)) for r in world.requirements]
    world.arrangements = [
        replace(a, places=frozenset(place(p) for p in a.places)) for a in world.arrangements
    ]


def _below(world: analysis.World, task: int) -> set[int]:
    return world.tasks_below(task)


# --- words -----------------------------------------------------------------------------------


class Names:
    """Labels for actors, tasks and places, through the enforcement point."""

    def __init__(self, user):
        self.user = user
        self.labels = VisibleLabels(user)
        self.countries = Country.objects.local_names()  # in the reader's language
        self.tasks = {t.pk: t for t in Task.objects.visible_to(user)}

    def preload(self, findings) -> None:
        orgs, ops, areas = set(), set(), set()
        for f in findings:
            for a in f.actors:
                if a[0] in "ox":  # (an "h…" key is a record the user may not see)
                    (orgs if a[0] == "o" else ops).add(int(a[1:]))
            if isinstance(f.place, int):
                areas.add(f.place)
            for p in f.detail.get("partial_places", ()):
                if isinstance(p, int):
                    areas.add(p)
        self.labels.load(Organisation, orgs)
        self.labels.load(Operation, ops)
        self.labels.load(Area, areas)

    def actor(self, key: str) -> str:
        if not key:
            return ""
        if key[0] == "h":
            return _(RESTRICTED)
        model = Organisation if key[0] == "o" else Operation
        return self.labels.label(model, int(key[1:]))

    def task(self, pk) -> str:
        t = self.tasks.get(pk)
        return t.name if t else _(RESTRICTED)

    def place(self, place) -> str:
        if place is None:
            return ""
        if isinstance(place, str):
            return self.countries.get(place, place)
        area = self.labels.get(Area, place)
        return area.name if area is not None else _(RESTRICTED)


def period_text(periods) -> str:
    def one(s, e):
        a, b = analysis.date_of(s), analysis.date_of(e)
        if a == b and a is not None:
            return _("on %(date)s") % {"date": a}
        if a is None and b is None:
            return _("from the start to open end")
        if a is None:
            return _("from the start to %(end)s") % {"end": b}
        if b is None:
            return _("from %(start)s to open end") % {"start": a}
        return _("from %(start)s to %(end)s") % {"start": a, "end": b}

    text = "; ".join(one(s, e) for s, e in periods[:3])
    if len(periods) <= 3:
        return text
    n = len(periods) - 3
    return ngettext(
        "%(periods)s and %(n)d more period", "%(periods)s and %(n)d more periods", n
    ) % {"periods": text, "n": n}


def explain(f: analysis.Finding, names: Names) -> str:
    """The finding in one sentence a coordination officer can act on."""
    when = period_text(f.periods)
    if f.kind == "gap":
        values = {"task": names.task(f.task), "place": names.place(f.place), "when": when}
        if f.detail.get("source") == "mandate":
            text = _(
                "No active lead for %(task)s in %(place)s (mandated to %(actor)s) %(when)s."
            ) % {**values, "actor": names.actor(f.actors[0])}
        else:
            text = (
                _("No active lead for %(task)s in %(place)s (a declared need) %(when)s.") % values
            )
        partial = f.detail.get("partial_places") or []
        if partial:
            shown = ", ".join(names.place(p) for p in partial[:5])
            if len(partial) > 5:
                n = len(partial) - 5
                part = ngettext(
                    "Led only in part of it: %(places)s and %(n)d more.",
                    "Led only in part of it: %(places)s and %(n)d more.",
                    n,
                ) % {"places": shown, "n": n}
            else:
                part = _("Led only in part of it: %(places)s.") % {"places": shown}
            text += " " + part
        return text
    if f.kind == "overlap":
        a, b = (names.actor(x) for x in f.actors)
        values = {
            "a": a,
            "b": b,
            "task": names.task(f.task),
            "place": names.place(f.place),
            "when": when,
        }
        if f.detail.get("partly_settled"):
            return (
                _(
                    "%(a)s and %(b)s both lead %(task)s in %(place)s %(when)s, with no "
                    "coordination arrangement covering them for this part of the time."
                )
                % values
            )
        return (
            _(
                "%(a)s and %(b)s both lead %(task)s in %(place)s %(when)s, with no coordination "
                "arrangement covering them."
            )
            % values
        )
    if f.kind == "clash":
        ta, tb = f.detail["tasks"]
        a, b = (names.actor(x) for x in f.actors)
        return _(
            "%(task_a)s by %(a)s beside %(task_b)s by %(b)s in %(place)s %(when)s, with no "
            "arrangement between them."
        ) % {
            "task_a": names.task(ta),
            "a": a,
            "task_b": names.task(tb),
            "b": b,
            "place": names.place(f.place),
            "when": when,
        }
    if f.kind == "handover":
        out_op, in_op = (names.actor(x) for x in f.actors)
        values = {"outgoing": out_op, "incoming": in_op, "when": when}
        if "days" in f.detail:
            return ngettext(
                "%(days)d day with neither operation deployed between %(outgoing)s's exit and "
                "%(incoming)s's take-over (%(when)s).",
                "%(days)d days with neither operation deployed between %(outgoing)s's exit and "
                "%(incoming)s's take-over (%(when)s).",
                f.detail["days"],
            ) % {**values, "days": f.detail["days"]}
        values["task"] = names.task(f.task)
        if f.detail.get("rehatting"):
            text = (
                _(
                    "%(outgoing)s re-hatted into %(incoming)s: %(task)s was in the outgoing "
                    "mandate but is not in the incoming one at the handover (%(when)s)."
                )
                % values
            )
        else:
            text = (
                _(
                    "%(outgoing)s handed over to %(incoming)s: %(task)s was in the outgoing "
                    "mandate but is not in the incoming one at the handover (%(when)s)."
                )
                % values
            )
        if f.detail.get("partly"):
            tasks = ", ".join(names.task(t) for t in f.detail["partly"])
            text += " " + _("Only part of it is: %(tasks)s.") % {"tasks": tasks}
        return text
    return f.key


@dataclass
class Run:
    """One analysis for one reader: its inputs, findings, labels and reviews."""

    world: analysis.World
    findings: list[analysis.Finding]
    names: Names
    reviews: dict[str, FindingReview]

    def rows(self) -> list[list]:
        """The findings as rows of ``exchange.FINDING_COLUMNS``."""
        from .exchange import finding_rows

        return finding_rows(self.findings, self.names, self.reviews, self.world.country)


def run(user, scope: Scope, kinds=None) -> Run:
    world = load(user, scope)
    findings = analysis.analyse(world, scope.window, kinds)
    names = Names(user)
    names.preload(findings)
    return Run(world, findings, names, reviews_for(user, [f.key for f in findings]))


def reviews_for(user, keys) -> dict[str, FindingReview]:
    """The latest visible review of each finding."""
    out: dict[str, FindingReview] = {}
    for r in FindingReview.objects.visible_to(user).filter(key__in=list(keys)).order_by("pk"):
        out[r.key] = r
    return out


KIND_LABELS = {
    "gap": gettext_lazy("Gap"),
    "overlap": gettext_lazy("Overlap"),
    "clash": gettext_lazy("Clash"),
    "handover": gettext_lazy("Handover hole"),
}


def describe_task(task: Task) -> str:
    """Under its name in search results."""
    return (task.description or "")[:120]
