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
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from concord.core import capabilities
from concord.core.access import may
from concord.core.context import Actor
from concord.core.models import Country, Organisation
from concord.core.numbers import whole_number
from concord.core.search import fold as search_fold
from concord.web.generic import Column, Config

from . import analysis, loaders, pictures
from .access import access_operation
from .filters import OperationFilter, RelationFilter
from .forms import OperationForm, OverrideForm, RelationForm
from .models import Framework, Operation, Relation, Scenario
from .services import override_scenario

SCENARIO_LABELS = dict(Scenario.choices)
CSV_TYPE = "text/csv; charset=utf-8"  # untranslated: a media type
SVG_TYPE = "image/svg+xml; charset=utf-8"  # untranslated: a media type


def _date_param(request, name: str, default: dt.date | None = None) -> dt.date:
    value = request.GET.get(name, "")
    if not value:
        return default or dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404(
            gettext("%(name)s: %(value)s is not a date (YYYY-MM-DD).")
            % {"name": name, "value": repr(value)}
        ) from None


def _org(labels, pk):
    return labels.label(Organisation, pk) if pk else "—"


def operation_fields(o: Operation, labels):
    ongoing = gettext("ongoing")
    return [
        (gettext("Name"), o.name),
        (gettext("Acronym"), o.acronym or "—"),
        (pgettext("an operation's field", "Key"), o.key or "—"),
        (gettext("Also known as"), "; ".join(o.aliases or []) or "—"),
        (gettext("Kind"), o.get_kind_display()),
        (gettext("Framework"), o.get_framework_display()),
        (gettext("Run by"), _org(labels, o.framework_organisation_id)),
        (gettext("Lead organisation"), _org(labels, o.lead_organisation_id)),
        (gettext("Lead state"), str(o.lead_state) if o.lead_state_id else "—"),
        (gettext("Host countries"), ", ".join(str(c) for c in o.host_countries.all()) or "—"),
        (
            gettext("Areas of operation"),
            ", ".join(str(a) for a in o.areas.visible_to(labels.user)) if o.pk else "—",
        ),
        (gettext("Dates"), f"{o.start} – {o.end or ongoing}"),
        (
            gettext("Status"),
            dict(o._meta.get_field("status").choices).get(o.effective_status(), ""),
        ),
        (gettext("Funding"), o.get_funding_display() or "—"),
        (gettext("Description"), o.description or "—"),
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
            today = gettext("today: %(scenario)s") % {"scenario": Scenario(result.scenario).label}
        elif o.end is not None and o.end < dt.date.today():
            today = gettext("ended %(year)s") % {"year": f"{o.end:%Y}"}
        else:
            today = gettext("not active today")
        years = (
            f"{o.start:%Y}–{o.end:%Y}"
            if o.end
            else gettext("since %(year)s") % {"year": f"{o.start:%Y}"}
        )
        rows.append((f"{o} ({years}), {today}", f"/operations/{o.pk}/"))
    if rows:
        url = reverse("operations:timeline")  # untranslated: a URL name
        timeline = f"{url}?theatre={country.alpha3}"
        rows.append(
            (
                gettext("Timeline of the operations in %(country)s")
                % {"country": loaders.local_name(country)},
                timeline,
            )
        )
    return [(gettext("Operations here"), rows)]


def _relation_line(r: Relation, src, tgt) -> str:
    """ "INTERFET handed over to UNTAET on 2000-02-23", one sentence per case."""
    values = {
        "source": src,
        "relation": r.get_kind_display(),
        "target": tgt,
        "date": r.start,
        "start": r.start or "…",
        "end": r.end or gettext("ongoing"),
        "level": r.get_coordination_level_display(),
    }
    if r.start and r.kind == "handed_over_to":
        if r.coordination_level:
            return (
                gettext("%(source)s %(relation)s %(target)s on %(date)s (coordination: %(level)s)")
                % values
            )
        return gettext("%(source)s %(relation)s %(target)s on %(date)s") % values
    if r.coordination_level:
        return (
            gettext(
                "%(source)s %(relation)s %(target)s %(start)s – %(end)s (coordination: %(level)s)"
            )
            % values
        )
    return gettext("%(source)s %(relation)s %(target)s %(start)s – %(end)s") % values


def _figures(c) -> str:
    """ "400 troops, 20 police": the figures a contribution gives."""
    # Translators: the number of troops, police or civilians a country or organisation
    # contributes to an operation (the English is the same for one and for several).
    parts = [
        ngettext("%(n)s troops", "%(n)s troops", c.troops) % {"n": c.troops}
        if c.troops is not None
        else None,
        ngettext("%(n)s police", "%(n)s police", c.police) % {"n": c.police}
        if c.police is not None
        else None,
        ngettext("%(n)s civilians", "%(n)s civilians", c.civilians) % {"n": c.civilians}
        if c.civilians is not None
        else None,
    ]
    return ", ".join(p for p in parts if p)


def operation_sections(o: Operation, labels, user):
    rels = list(Relation.objects.visible_to(user).filter(Q(source=o) | Q(target=o)))
    labels.preload(rels)  # both ends of every relation in one query
    rel_rows = []
    for r in sorted(rels, key=lambda r: (r.start or dt.date.min, r.pk)):
        src, tgt = labels.get(Operation, r.source_id), labels.get(Operation, r.target_id)
        if src is None or tgt is None:
            continue  # the other end is not visible: the relation is not shown either
        rel_rows.append((_relation_line(r, src, tgt), r.get_absolute_url()))
    auths = [
        (
            gettext("%(authorisation)s — renewal") % {"authorisation": a} if a.renewal else str(a),
            a.url or None,
        )
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
        contribs.append(
            (
                gettext("%(who)s: %(figures)s (as of %(date)s)")
                % {
                    "who": who,
                    "figures": _figures(c) or gettext("no figures"),
                    "date": c.date or gettext("undated"),
                },
                None,
            )
        )
    if hidden:
        contribs.append(
            (
                ngettext(
                    "%(n)d contribution you may not see",
                    "%(n)d contributions you may not see",
                    hidden,
                )
                % {"n": hidden},
                None,
            )
        )
    return [
        (gettext("Relations"), rel_rows),
        (gettext("Authorisations and renewals"), auths),
        (gettext("Contributions"), contribs),
        (gettext("Sources"), _sources_rows(o.sources)),
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
        "derived_label": SCENARIO_LABELS.get(derived.scenario, gettext("not active")),
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
        Column(_("Name"), lambda o, L: o.label, "name", link=True),
        Column(_("Framework"), lambda o, L: o.get_framework_display(), "framework"),
        Column(_("Kind"), lambda o, L: o.get_kind_display(), "kind"),
        Column(
            _("Hosts"), lambda o, L: ", ".join(sorted(c.alpha3 for c in o.host_countries.all()))
        ),
        Column(_("Start"), lambda o, L: o.start.isoformat(), "start"),
        Column(_("End"), lambda o, L: o.end.isoformat() if o.end else gettext("ongoing"), "end"),
    ],
    detail_fields=operation_fields,
    extra_detail=operation_sections,
    extra_context=operation_context,
    detail_template="operations/detail.html",
    children=_edit_children,
)


def relation_fields(r: Relation, labels):
    return [
        (gettext("From"), labels.label(Operation, r.source_id)),
        (gettext("Relation"), r.get_kind_display()),
        (gettext("To"), labels.label(Operation, r.target_id)),
        (gettext("Start"), r.start or "—"),
        (gettext("End"), r.end or "—"),
        (gettext("Coordination level"), r.get_coordination_level_display() or "—"),
        (gettext("Re-hatting"), gettext("yes") if r.rehatting else gettext("no")),
        (gettext("Note"), r.note or "—"),
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
            _("Relation"),
            lambda r, L: (
                gettext("%(source)s %(relation)s %(target)s")
                % {
                    "source": L.label(Operation, r.source_id),
                    "relation": r.get_kind_display(),
                    "target": L.label(Operation, r.target_id),
                }
            ),
            link=True,
        ),
        Column(_("Start"), lambda r, L: r.start.isoformat() if r.start else "", "start"),
        Column(_("End"), lambda r, L: r.end.isoformat() if r.end else "", "end"),
        Column(
            _("Coordination"), lambda r, L: r.get_coordination_level_display(), "coordination_level"
        ),
        Column(_("Note"), lambda r, L: r.note[:80]),
    ],
    detail_fields=relation_fields,
    extra_detail=lambda r, labels, user: [(gettext("Sources"), _sources_rows(r.sources))],
)


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
        title = gettext("Peace operations in %(theatre)s") % {
            "theatre": loaders.local_name(country)
        }
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
