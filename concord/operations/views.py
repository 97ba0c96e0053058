"""Operations pages: the registry (generic list/detail/edit), classification and its override,
the typology summaries, timelines per theatre and the world map."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from concord.core import capabilities
from concord.core.access import may
from concord.core.context import Actor
from concord.core.models import Country, Organisation
from concord.core.numbers import whole_number
from concord.web.generic import Column, Config

from . import analysis, loaders, pictures
from .access import access_operation
from .filters import OperationFilter, RelationFilter
from .forms import OperationForm, OverrideForm, RelationForm
from .models import Framework, Operation, Relation, Scenario
from .services import override_scenario

SCENARIO_LABELS = dict(Scenario.choices)


def _date_param(request, name: str, default: dt.date | None = None) -> dt.date:
    value = request.GET.get(name, "")
    if not value:
        return default or dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404(f"{name}: {value!r} is not a date (YYYY-MM-DD).") from None


def _org(labels, pk):
    return labels.label(Organisation, pk) if pk else "—"


def operation_fields(o: Operation, labels):
    return [
        ("Name", o.name),
        ("Acronym", o.acronym or "—"),
        ("Key", o.key or "—"),
        ("Also known as", "; ".join(o.aliases or []) or "—"),
        ("Kind", o.get_kind_display()),
        ("Framework", o.get_framework_display()),
        ("Run by", _org(labels, o.framework_organisation_id)),
        ("Lead organisation", _org(labels, o.lead_organisation_id)),
        ("Lead state", str(o.lead_state) if o.lead_state_id else "—"),
        ("Host countries", ", ".join(str(c) for c in o.host_countries.all()) or "—"),
        (
            "Areas of operation",
            ", ".join(str(a) for a in o.areas.visible_to(labels.user)) if o.pk else "—",
        ),
        ("Dates", f"{o.start} – {o.end or 'ongoing'}"),
        ("Status", dict(o._meta.get_field("status").choices).get(o.effective_status(), "")),
        ("Funding", o.get_funding_display() or "—"),
        ("Description", o.description or "—"),
    ]


def _sources_rows(sources):
    return [
        (
            format_html(
                "{}{}",
                f"{s.get('fact')}: " if s.get("fact") else "",
                s.get("citation") or s.get("url"),
            ),
            s.get("url") or None,
        )
        for s in sources or []
    ]


def country_section(country: Country, labels, user):
    """On a country's page: the operations there, each with its scenario today."""
    rows = []
    for o, result in loaders.in_country(country, user):
        if result is not None and result.scenario:
            today = f"today: {Scenario(result.scenario).label}"
        elif o.end is not None and o.end < dt.date.today():
            today = f"ended {o.end:%Y}"
        else:
            today = "not active today"
        years = f"{o.start:%Y}–{o.end:%Y}" if o.end else f"since {o.start:%Y}"
        rows.append((f"{o} ({years}), {today}", f"/operations/{o.pk}/"))
    if rows:
        timeline = reverse("operations:timeline") + f"?theatre={country.alpha3}"
        rows.append((f"Timeline of the operations in {country.name}", timeline))
    return [("Operations here", rows)]


def operation_sections(o: Operation, labels, user):
    rels = list(Relation.objects.visible_to(user).filter(Q(source=o) | Q(target=o)))
    labels.preload(rels)  # both ends of every relation in one query
    rel_rows = []
    for r in sorted(rels, key=lambda r: (r.start or dt.date.min, r.pk)):
        src, tgt = labels.get(Operation, r.source_id), labels.get(Operation, r.target_id)
        if src is None or tgt is None:
            continue  # the other end is not visible: the relation is not shown either
        when = (
            f" on {r.start}"
            if r.start and r.kind == "handed_over_to"
            else (f" {r.start or '…'} – {r.end or 'ongoing'}")
        )
        level = (
            f" (coordination: {r.get_coordination_level_display()})"
            if (r.coordination_level)
            else ""
        )
        rel_rows.append((f"{src} {r.get_kind_display()} {tgt}{when}{level}", r.get_absolute_url()))
    auths = [
        (str(a) + (" — renewal" if a.renewal else ""), a.url or None)
        for a in o.authorisations.all()
    ]
    contribs, hidden = [], 0
    for c in o.contributions.all():
        if (
            c.contributor_organisation_id
            and labels.get(Organisation, c.contributor_organisation_id) is None
        ):
            hidden += 1  # a row resting on a hidden organisation: counted, never described
            continue
        who = (
            str(c.contributor_state)
            if c.contributor_state_id
            else _org(labels, c.contributor_organisation_id)
        )
        nums = ", ".join(
            f"{v} {k}"
            for k, v in (("troops", c.troops), ("police", c.police), ("civilians", c.civilians))
            if v is not None
        )
        contribs.append((f"{who}: {nums or 'no figures'} (as of {c.date or 'undated'})", None))
    if hidden:
        contribs.append((f"{hidden} contribution{'s' * (hidden != 1)} you may not see", None))
    return [
        ("Relations", rel_rows),
        ("Authorisations and renewals", auths),
        ("Contributions", contribs),
        ("Sources", _sources_rows(o.sources)),
        *(
            section
            for extra in capabilities.sections("operation")
            for section in extra(o, labels, user)
        ),
    ]


def operation_context(o: Operation, user, request):
    day = _date_param(request, "as_of")
    derived, history = loaders.classification_of(o, user, day)
    can_edit = may(user, o)
    return {
        "as_of": day,
        "derived": derived,
        "derived_label": SCENARIO_LABELS.get(derived.scenario, "not active"),
        "override_label": SCENARIO_LABELS.get(o.scenario_override, ""),
        "history": [
            (p.start, p.end, SCENARIO_LABELS.get(p.result.scenario, "—"), p.result) for p in history
        ],
        "override_form": OverrideForm(
            initial={"scenario": o.scenario_override, "justification": o.override_justification}
        )
        if can_edit
        else None,
    }


def _edit_children(form):
    return form.children()


OPERATIONS = Config(
    model=Operation,
    name="operations",
    singular="operation",
    filterset=OperationFilter,
    form=OperationForm,
    select_related=("lead_state",),
    prefetch_related=("host_countries",),
    default_sort="start",
    columns=[
        Column("Name", lambda o, L: o.label, "name", link=True),
        Column("Framework", lambda o, L: o.get_framework_display(), "framework"),
        Column("Kind", lambda o, L: o.get_kind_display(), "kind"),
        Column("Hosts", lambda o, L: ", ".join(sorted(c.alpha3 for c in o.host_countries.all()))),
        Column("Start", lambda o, L: o.start.isoformat(), "start"),
        Column("End", lambda o, L: o.end.isoformat() if o.end else "ongoing", "end"),
    ],
    detail_fields=operation_fields,
    extra_detail=operation_sections,
    extra_context=operation_context,
    detail_template="operations/detail.html",
    children=_edit_children,
)


def relation_fields(r: Relation, labels):
    return [
        ("From", labels.label(Operation, r.source_id)),
        ("Relation", r.get_kind_display()),
        ("To", labels.label(Operation, r.target_id)),
        ("Start", r.start or "—"),
        ("End", r.end or "—"),
        ("Coordination level", r.get_coordination_level_display() or "—"),
        ("Re-hatting", "yes" if r.rehatting else "no"),
        ("Note", r.note or "—"),
    ]


RELATIONS = Config(
    model=Relation,
    name="relations",
    singular="relation",
    filterset=RelationFilter,
    form=RelationForm,
    default_sort="start",
    columns=[
        Column(
            "Relation",
            lambda r, L: (
                f"{L.label(Operation, r.source_id)} {r.get_kind_display()} "
                f"{L.label(Operation, r.target_id)}"
            ),
            link=True,
        ),
        Column("Start", lambda r, L: r.start.isoformat() if r.start else "", "start"),
        Column("End", lambda r, L: r.end.isoformat() if r.end else "", "end"),
        Column(
            "Coordination", lambda r, L: r.get_coordination_level_display(), "coordination_level"
        ),
        Column("Note", lambda r, L: r.note[:80]),
    ],
    detail_fields=relation_fields,
    extra_detail=lambda r, labels, user: [("Sources", _sources_rows(r.sources))],
)


@require_http_methods(["POST"])
def override(request, pk):
    """Set or clear a person's classification of an operation (audited)."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    op = access_operation(request.user, pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            override_scenario(
                op,
                actor=Actor.from_request(request),
                scenario=form.cleaned_data["scenario"],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        else:
            messages.success(request, "Classification saved.")
    else:
        messages.error(request, "Choose a scenario from the list.")
    return redirect(op.get_absolute_url())


# --- typology ------------------------------------------------------------------------------

PAPER_EXAMPLES = [
    # (operation key, partner key or None, scenario the paper gives)
    ("mss-haiti", None, "stand_alone"),
    ("imsc-sentinel", None, "stand_alone"),
    ("amib", "onub", "sequential"),
    ("interfet", "untaet", "sequential"),
    ("barkhane", "minusma", "parallel"),
    ("g5s-jf", "minusma", "parallel"),
    ("oef", "isaf", "parallel"),
]


def typology(request):
    """Without ``as_of``: every operation with the scenario of its whole life. With it: the
    operations active on that date and their scenario then."""
    lifetime = not request.GET.get("as_of")
    day = _date_param(request, "as_of")
    framework = request.GET.get("framework", "")
    scenario = request.GET.get("scenario", "")
    include_multilateral = request.GET.get("all") == "1"
    world, life = loaders.scenarios(request.user)
    results = life if lifetime else analysis.classify_all(world, day, loaders.country_names())
    rows = loaders.table(request.user, results, framework, scenario)
    if not include_multilateral and not framework:
        rows = [r for r in rows if r[0].framework not in analysis.MULTILATERAL_FRAMEWORKS]
    if request.GET.get("export") == "csv":
        from concord.exchange.tabular import write_csv

        headers = [
            "id",
            "key",
            "name",
            "framework",
            "start",
            "end",
            "as_of",
            "scenario",
            "confidence",
            "reason",
            "override",
            "justification",
        ]
        body = write_csv(
            headers,
            [
                [
                    o.pk,
                    o.key,
                    o.label,
                    o.framework,
                    o.start,
                    o.end or "",
                    "lifetime" if lifetime else day,
                    res.scenario or "",
                    res.confidence,
                    res.reason,
                    o.scenario_override,
                    o.override_justification,
                ]
                for o, res in rows
            ],
        )
        response = HttpResponse("".join(body), content_type="text/csv; charset=utf-8")
        name = "lifetime" if lifetime else day.isoformat()
        response["Content-Disposition"] = f'attachment; filename="concord-typology-{name}.csv"'
        return response
    keys = {
        o.key: o
        for o in Operation.objects.visible_to(request.user).filter(
            key__in=[k for e in PAPER_EXAMPLES for k in e[:2] if k]
        )
    }
    examples = []
    for key, partner, expected in PAPER_EXAMPLES:
        o = keys.get(key)
        if o is None:
            continue
        res = life.get(o.pk)
        examples.append(
            (
                o,
                keys.get(partner) if partner else None,
                SCENARIO_LABELS[expected],
                res,
                res is not None and res.scenario == expected,
            )
        )
    summary = loaders.summary(world, life)
    scenario_order = [s for s, _ in Scenario.choices]
    return render(
        request,
        "operations/typology.html",
        {
            "as_of": None if lifetime else day,
            "rows": rows,
            "framework": framework,
            "scenario": scenario,
            "all": include_multilateral,
            "frameworks": Framework.choices,
            "scenarios": Scenario.choices,
            "scenario_order": [SCENARIO_LABELS[s] for s in scenario_order],
            "by_decade": _table(summary["by_decade"], scenario_order),
            "by_region": _table(summary["by_region"], scenario_order),
            "examples": examples,
            "labels": SCENARIO_LABELS,
        },
    )


def _table(data, order):
    return [(k, [v.get(s, 0) for s in order], sum(v.values())) for k, v in data.items()]


# --- pictures ------------------------------------------------------------------------------


def _svg_response(svg: str, filename: str, download: bool):
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    if download:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def timeline(request):
    theatre = request.GET.get("theatre", "MLI").strip()
    country = Country.objects.filter(alpha3__iexact=theatre).first()
    regions = sorted(
        set(Country.objects.exclude(m49_region="").values_list("m49_region", flat=True))
    )
    qs = Operation.objects.visible_to(request.user)
    if country is not None:
        qs = qs.filter(host_countries=country)
        title = f"Peace operations in {country.name}"
    elif theatre in regions:
        qs = qs.filter(host_countries__m49_region=theatre)
        title = f"Peace operations in {theatre}"
    else:
        raise Http404(f"theatre: {theatre!r} is neither an ISO alpha-3 code nor a UN M49 region.")
    since = whole_number(request.GET.get("since"), dt.MINYEAR, dt.MAXYEAR)
    if since is not None:
        # Everything still running on 1 January of that year, or started since.
        qs = qs.filter(Q(end__isnull=True) | Q(end__gte=dt.date(since, 1, 1)))
    ops = list(qs.distinct().order_by("start"))
    world = loaders.world_for(request.user)
    names = loaders.country_names()
    bars = []
    for o in ops:
        life = analysis.overall(world, o.pk, names) if o.pk in world.ops else None
        bars.append(
            pictures.Bar(
                o.pk,
                o.acronym or o.name,
                o.framework,
                o.start,
                o.end,
                o.scenario_override or (life.scenario if life else None),
                o.get_absolute_url(),
            )
        )
    ids = {o.pk for o in ops}
    arrows = [
        (s, t, d)
        for s, t, d in Relation.objects.visible_to(request.user)
        .filter(kind="handed_over_to", source_id__in=ids, target_id__in=ids)
        .values_list("source_id", "target_id", "start")
    ]
    svg = pictures.timeline_svg(title, bars, arrows)
    fmt = request.GET.get("format", "")
    if fmt == "svg":
        return _svg_response(svg, f"concord-timeline-{theatre}.svg", download=True)
    countries = (
        Country.objects.filter(historical=False).order_by("name").values_list("alpha3", "name")
    )
    return render(
        request,
        "operations/timeline.html",
        {
            "svg": svg,
            "theatre": theatre,
            "countries": countries,
            "regions": regions,
            "title": title,
            "since": since,
            "count": len(ops),
            "svg_url": "?" + urlencode({"theatre": theatre, "since": since, "format": "svg"}),
            "png_name": f"concord-timeline-{theatre}.png",
        },
    )


def world_map(request):
    day = _date_param(request, "date")
    framework = request.GET.get("framework", "")
    scenario = request.GET.get("scenario", "")
    world, results = loaders.scenarios(request.user, day)
    rows = loaders.table(request.user, results, framework, scenario)
    numeric = dict(Country.objects.values_list("alpha3", "numeric"))
    names = {
        n: name for n, name in Country.objects.exclude(numeric="").values_list("numeric", "name")
    }
    pins = [
        pictures.Pin(
            o.pk,
            o.acronym or o.name,
            o.framework,
            o.scenario_override or res.scenario,
            tuple(numeric.get(c, "") for c in world.ops[o.pk].countries),
            o.get_absolute_url(),
        )
        for o, res in rows
    ]
    title = f"Peace operations active on {day.isoformat()}"
    svg = pictures.map_svg(title, pins, names)
    if request.GET.get("format") == "svg":
        return _svg_response(svg, f"concord-map-{day}.svg", download=True)
    return render(
        request,
        "operations/map.html",
        {
            "svg": svg,
            "date": day,
            "framework": framework,
            "scenario": scenario,
            "frameworks": Framework.choices,
            "scenarios": Scenario.choices,
            "active": rows,
            "labels": SCENARIO_LABELS,
            "svg_url": "?"
            + urlencode(
                {
                    "date": day.isoformat(),
                    "framework": framework,
                    "scenario": scenario,
                    "format": "svg",
                }
            ),
            "png_name": f"concord-map-{day.isoformat()}.png",
        },
    )
