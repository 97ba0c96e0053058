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
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_http_methods

from concord.core.context import Actor
from concord.core.models import Country
from concord.core.numbers import whole_number
from concord.core.text import fold as search_fold

from .. import analysis, loaders, pictures
from ..access import access_operation
from ..forms import OverrideForm
from ..models import Framework, Operation, Relation, Scenario
from ..services import override_scenario
from .records import _date_param

SCENARIO_LABELS = dict(Scenario.choices)
CSV_TYPE = "text/csv; charset=utf-8"  # untranslated: a media type
SVG_TYPE = "image/svg+xml; charset=utf-8"  # untranslated: a media type


@require_http_methods(["POST"])
def override(request, pk):
    """Set or clear a person's classification of an operation (audited)."""
    if not request.user.is_authenticated:
        raise PermissionDenied(gettext("Sign in first."))
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
            messages.success(request, gettext("Classification saved."))
    else:
        messages.error(request, gettext("Choose a scenario from the list."))
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
        response = HttpResponse("".join(body), content_type=CSV_TYPE)
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
            "by_decade": [
                # Translators: a decade, "1990s"; %(year)s is its first year.
                (gettext("%(year)ss") % {"year": k[:-1]}, counts, total)
                for k, counts, total in _table(summary["by_decade"], scenario_order)
            ],
            "by_region": [
                (pgettext("region", "Unknown") if k == "Unknown" else k, counts, total)
                for k, counts, total in _table(summary["by_region"], scenario_order)
            ],
            "examples": examples,
            "labels": SCENARIO_LABELS,
        },
    )


def _table(data, order):
    return [(k, [v.get(s, 0) for s in order], sum(v.values())) for k, v in data.items()]


# --- pictures ------------------------------------------------------------------------------


def _svg_response(svg: str, filename: str, download: bool):
    response = HttpResponse(svg, content_type=SVG_TYPE)
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
        title = gettext("Peace operations in %(theatre)s") % {"theatre": country.local_name}
    elif theatre in regions:
        qs = qs.filter(host_countries__m49_region=theatre)
        title = gettext("Peace operations in %(theatre)s") % {"theatre": theatre}
    else:
        raise Http404(
            gettext("theatre: %(value)s is neither an ISO alpha-3 code nor a UN M49 region.")
            % {"value": repr(theatre)}
        )
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
    local = loaders.country_names()
    countries = sorted(
        (
            (code, local.get(code, name))
            for code, name in Country.objects.filter(historical=False).values_list("alpha3", "name")
        ),
        key=lambda c: search_fold(c[1]),
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
    local = loaders.country_names()
    names = {
        n: local.get(code, name)
        for n, code, name in Country.objects.exclude(numeric="").values_list(
            "numeric", "alpha3", "name"
        )
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
    title = gettext("Peace operations active on %(day)s") % {"day": day.isoformat()}
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
