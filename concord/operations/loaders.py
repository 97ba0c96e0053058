"""Load the typology's inputs from the database, through the enforcement point.

Only operations and relations the user may see are loaded, and a relation counts only when
both of its operations are visible too; the organisation that runs an operation is named only
if the user may see it. So a classification never reveals a hidden record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext

from concord.core.models import Area, Country, Organisation
from concord.core.models.registry import area_parents

from . import analysis
from .models import Operation, Relation


def country_names() -> dict[str, str]:
    """ISO alpha-3 → the country's name in the reader's language (the reasons name them)."""
    return Country.objects.local_names()


def region_of() -> dict[str, str]:
    return dict(Country.objects.values_list("alpha3", "m49_region"))


def world_for(user, operations=None, theatre_of: Operation | None = None) -> analysis.World:
    """The facts ``user`` may see. ``theatre_of`` limits them to what can bear on one
    operation: the operations sharing a host country with it, or related to it."""
    qs = Operation.objects.visible_to(user) if operations is None else operations
    if theatre_of is not None:
        countries = list(theatre_of.host_countries.values_list("pk", flat=True))
        related = Relation.objects.visible_to(user).filter(
            Q(source=theatre_of) | Q(target=theatre_of)
        )
        qs = qs.filter(
            Q(pk=theatre_of.pk)
            | Q(host_countries__in=countries)
            | Q(pk__in=related.values("source_id"))
            | Q(pk__in=related.values("target_id"))
        ).distinct()
    rows = list(
        qs.values_list(
            "pk",
            "name",
            "acronym",
            "framework",
            "kind",
            "start",
            "end",
            "framework_organisation_id",  # r[7]
            "deploys_force",
        )
    )
    ids = [r[0] for r in rows]
    # The running organisation, as the user may see it: a hidden one is no acronym at all
    # (its acronym would otherwise reach every reader through the reasons and the map).
    acronyms = dict(
        Organisation.objects.visible_to(user)
        .filter(pk__in={r[7] for r in rows if r[7] is not None})
        .values_list("pk", "acronym")
    )
    countries_of: dict[int, list[str]] = defaultdict(list)
    areas_of: dict[int, list[int]] = defaultdict(list)
    through_c = Operation.host_countries.through
    through_a = Operation.areas.through
    for chunk in _chunks(ids):
        for op_id, code in through_c.objects.filter(operation_id__in=chunk).values_list(
            "operation_id", "country__alpha3"
        ):
            countries_of[op_id].append(code)
        for op_id, area_id in through_a.objects.filter(operation_id__in=chunk).values_list(
            "operation_id", "area_id"
        ):
            areas_of[op_id].append(area_id)
    visible_areas = (
        set(
            Area.objects.visible_to(user)
            .filter(pk__in={a for v in areas_of.values() for a in v})
            .values_list("pk", flat=True)
        )
        if areas_of
        else set()
    )
    ops = [
        analysis.Op(
            id=pk,
            label=acronym or name,
            framework=framework,
            kind=kind,
            start=start,
            end=end,
            countries=tuple(sorted(countries_of.get(pk, ()))),
            areas=tuple(a for a in areas_of.get(pk, ()) if a in visible_areas),
            organisation=acronyms.get(org) or "",
            force=force,
        )
        for pk, name, acronym, framework, kind, start, end, org, force in rows
    ]
    idset = set(ids)
    rel_qs = Relation.objects.visible_to(user)
    if theatre_of is not None:
        rel_qs = rel_qs.filter(Q(source_id__in=ids) | Q(target_id__in=ids))
    rels = [
        analysis.Rel(s, k, t, a, b, lvl or "")
        for s, k, t, a, b, lvl in rel_qs.values_list(
            "source_id", "kind", "target_id", "start", "end", "coordination_level"
        )
        if s in idset and t in idset
    ]
    return analysis.World.build(ops, rels, area_parents(visible_areas))


def _chunks(ids: list[int], size: int = 900):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def classification_of(operation: Operation, user, day: dt.date | None = None):
    """(derived result, history) for one operation, as ``user`` may see the world."""
    world = world_for(user, theatre_of=operation)
    names = country_names()
    day = day or dt.date.today()
    return analysis.classify(world, operation.pk, day, names), analysis.history(
        world, operation.pk, names
    )


def in_country(country: Country, user, day: dt.date | None = None) -> list[tuple]:
    """[(operation, result on ``day`` or None when not active then)] for the operations
    ``user`` may see with ``country`` among their hosts, newest first. Each is judged against
    its theatre, as on its own page: every operation sharing a host country with one of
    them, or related to one."""
    day = day or dt.date.today()
    visible = Operation.objects.visible_to(user)
    ops = list(visible.filter(host_countries=country).order_by("-start", "name")[:200])
    if not ops:
        return []
    hosts = Country.objects.filter(operations__in=ops).values("pk")
    related = Relation.objects.visible_to(user).filter(Q(source__in=ops) | Q(target__in=ops))
    theatre = visible.filter(
        Q(host_countries__in=hosts)
        | Q(pk__in=related.values("source_id"))
        | Q(pk__in=related.values("target_id"))
    ).distinct()
    results = analysis.classify_all(world_for(user, operations=theatre), day, country_names())
    return [(o, results.get(o.pk)) for o in ops]


def scenarios(user, day: dt.date | None = None):
    """(world, {operation id: result}) for what ``user`` may see: as of ``day``, or, without
    a day, each operation's scenario over its whole life."""
    world = world_for(user)
    names = country_names()
    if day is None:
        return world, analysis.overall_all(world, names)
    return world, analysis.classify_all(world, day, names)


def summary(world: analysis.World, lifetime: dict) -> dict:
    """Counts per scenario per decade and per region, from whole-life results."""
    return analysis.summarise(world, lifetime, region_of())


def table(user, results: dict, framework: str = "", scenario: str = "") -> list[tuple]:
    """[(operation, result)] for the active results, filtered on the framework and on the
    effective scenario (a person's override wins), in order of start."""
    ops = Operation.objects.visible_to(user).filter(pk__in=list(results))
    rows = []
    for o in ops:
        res = results[o.pk]
        if res.scenario is None:
            continue
        if framework and o.framework != framework:
            continue
        if scenario and (o.scenario_override or res.scenario) != scenario:
            continue
        rows.append((o, res))
    rows.sort(key=lambda r: (r[0].start, r[0].name))
    return rows


def describe_operation(op: Operation) -> str:
    """Under its name in search results: "UN peacekeeping operation · 2013–2023"."""
    years = (
        f"{op.start.year}–{op.end.year}"
        if op.end
        else gettext("since %(year)s") % {"year": op.start.year}
    )
    return f"{op.get_kind_display()} · {years}"
