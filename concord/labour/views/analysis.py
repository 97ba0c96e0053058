"""The analysis screen: the 4W matrix and map, findings with their reviews, an area's timeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from concord.core import capabilities
from concord.core.context import Actor
from concord.core.models import Area, Country, Organisation, Role
from concord.core.numbers import record_id
from concord.operations.models import Operation

from .. import analysis, loaders, pictures, services
from ..exchange import write_findings
from ..forms import (
    AnalysisForm,
    ReviewForm,
)
from ..models import Assignment

# --- analysis ---------------------------------------------------------------------------------


def _scope(form: AnalysisForm) -> loaders.Scope:
    d = form.cleaned_data
    return loaders.Scope(
        countries=[d["country"]] if d.get("country") else [],
        start=d.get("start"),
        end=d.get("end"),
        task=d.get("task"),
        organisation=d.get("organisation"),
        operation=d.get("operation"),
        space=d.get("space"),
    )


def export_findings(fmt: str, result: loaders.Run):
    try:
        body, content_type, ext = write_findings(fmt, result.rows())
    except ValueError as exc:
        raise Http404(str(exc)) from None
    response = HttpResponse(
        body if isinstance(body, bytes) else "".join(body), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="concord-findings.{ext}"'
    return response


def matrix_context(user, world, findings, names, scope: loaders.Scope):
    """Rows (tasks) × columns (places) for the 4W matrix."""
    if scope.countries:
        code = scope.countries[0]
        adm1 = list(
            Area.objects.visible_to(user)
            .filter(country__alpha3=code, level=1)
            .order_by("name")
            .values_list("pk", "name")
        )
        world.place_parent.update({pk: code for pk, _ in adm1})
        places = [(code, _("Country-wide"))] + [(pk, name) for pk, name in adm1]
    else:
        codes = sorted({world.country(a.place) for a in world.assignments})
        codes += sorted({world.country(r.place) for r in world.requirements} - set(codes))
        places = [(c, names.countries.get(c, c)) for c in codes[:60]]
    cells = analysis.matrix(world, [p for p, _ in places], scope.window, findings)
    task_ids = {t for t, _ in cells}
    tasks = sorted((names.tasks[t] for t in task_ids if t in names.tasks), key=lambda t: t.code)
    rows = []
    for t in tasks:
        row = []
        for p, _label in places:
            cell = cells.get((t.pk, p))
            if cell is None:
                row.append(None)
                continue
            row.append(
                {
                    "leads": len(cell.leads),
                    "lead_ids": cell.leads,
                    "others": len(cell.others),
                    "who": ", ".join(sorted(names.actor(a) for a in cell.leads)),
                    "gap": cell.gap,
                    "overlap": cell.overlap,
                    "clash": cell.clash,
                    "place": p,
                }
            )
        rows.append((t, row))
    return places, rows


def matrix_map(request, places, rows, scope: loaders.Scope) -> tuple[str, list[str]]:
    """The 4W matrix as a map: each column filled by its lead actors and outlined by its worst
    flag. Countries are shaded; a country's regions are dots at their point (their own
    coordinates, else the mean of their districts'). Returns the SVG and the names of the
    regions it could not place."""
    from concord.core.pictures import world_paths
    from concord.core.places import seat_point

    spots, unplaced = [], []
    codes = [p for p, _ in places if isinstance(p, str)]
    numeric, country_names = {}, {}
    for a3, num, name in Country.objects.filter(alpha3__in=codes).values_list(
        "alpha3", "numeric", "name"
    ):
        numeric[a3], country_names[a3] = num, name
    area_ids = [p for p, _ in places if not isinstance(p, str)]
    points: dict[int, tuple[float, float]] = {}
    if area_ids:
        visible = Area.objects.visible_to(request.user).filter(latitude__isnull=False)
        children: dict[int, list[tuple[float, float]]] = {}
        for parent, lat, lon in visible.filter(parent_id__in=area_ids).values_list(
            "parent_id", "latitude", "longitude"
        ):
            children.setdefault(parent, []).append((lat, lon))
        for pk, pts in children.items():
            points[pk] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        points.update(
            {
                pk: (lat, lon)
                for pk, lat, lon in visible.filter(pk__in=area_ids).values_list(
                    "pk", "latitude", "longitude"
                )
            }
        )
        # Regions a 3W import created (OCHA P-codes, no coordinates): their seat's point,
        # known by P-code or name (concord.core.places).
        missing = [pk for pk in area_ids if pk not in points]
        for pk, alpha2, name, pcode in (
            Area.objects.visible_to(request.user)
            .filter(pk__in=missing, level=1)
            .values_list("pk", "country__alpha2", "name", "pcode")
        ):
            point = seat_point(alpha2, name, pcode)
            if point:
                points[pk] = point
    for j, (place, label) in enumerate(places):
        leads, flags, detail = pictures.place_summary([row[j] for _, row in rows])
        if isinstance(place, str):
            query = request.GET.copy()
            query.pop("export", None)
            query["country"] = place
            url = reverse("labour:analysis") + "?" + query.urlencode()
            name = country_names.get(place, label)
            spots.append(
                pictures.Spot(name, leads, flags, detail, url, numeric=numeric.get(place, ""))
            )
        elif place in points:
            url = reverse("labour:timeline")
            url += f"?country={scope.countries[0]}&area_id={place}"
            spots.append(pictures.Spot(label, leads, flags, detail, url, point=points[place]))
        else:
            unplaced.append(label)
    focus = numeric.get(scope.countries[0], "") if scope.countries else ""
    if scope.countries:
        where = country_names.get(scope.countries[0], "")
        title = _("Who does what where: %(place)s") % {"place": where}
    else:
        title = _("Who does what where: the world")
    return pictures.matrix_map_svg(title, spots, world_paths(), focus=focus), unplaced


def country_section(country: Country, labels, user):
    """On a country's page: who does what where there (the 4W analysis and its timeline)."""
    n = Assignment.objects.visible_to(user).filter(country=country).count()
    if not n:
        return [(_("Who does what where"), [])]
    query = f"?country={country.alpha3}"
    words = ngettext("%(n)d assignment", "%(n)d assignments", n) % {"n": n}
    analysis_url = reverse("labour:analysis") + query
    return [
        (
            _("Who does what where"),
            [
                (
                    _("4W analysis (%(assignments)s): gaps, overlaps, clashes")
                    % {"assignments": words},
                    analysis_url,
                ),
                (
                    _("Timeline of who does what"),
                    reverse("labour:timeline") + query,
                ),
            ],
        )
    ]


def labour_analysis(request):
    """One screen: who does what in each region, what nobody covers, who does the same job
    without an arrangement, what clashes, and handover holes."""
    form = AnalysisForm(request.GET or None, user=request.user)
    ctx = {"form": form, "ran": False}
    if request.GET and form.is_valid():
        scope = _scope(form)
        result = loaders.run(request.user, scope)
        world, findings, names, reviews = (
            result.world,
            result.findings,
            result.names,
            result.reviews,
        )
        fmt = request.GET.get("export")
        if fmt:
            return export_findings(fmt, result)
        show = request.GET.get("show", "open")
        listed = []
        for f in sorted(findings, key=lambda f: (f.kind, f.periods[0][0] if f.periods else 0)):
            review = reviews.get(f.key)
            if show == "open" and review is not None and review.status == "resolved":
                continue
            listed.append((f, loaders.explain(f, names), review, _finding_links(f, names)))
        places, rows = matrix_context(request.user, world, findings, names, scope)
        map_svg, unplaced = matrix_map(request, places, rows, scope)
        counts = {k: sum(1 for f in findings if f.kind == k) for k in loaders.KIND_LABELS}
        country = (
            Country.objects.filter(alpha3=scope.countries[0]).first() if scope.countries else None
        )
        where = country.local_name if country else None  # None: the places chosen
        shown = {f.kind for f, *_rest in listed}
        beside = [
            section
            for add in capabilities.sections("findings")
            for section in add(shown, list(scope.countries), request.user)
        ]
        ctx.update(
            beside=beside,
            ran=True,
            unjudged=analysis.unjudged(world, where),
            findings=listed[:500],
            total=len(listed),
            counts=counts,
            places=places,
            rows=rows,
            map_svg=map_svg,
            unplaced=unplaced,
            show=show,
            kind_labels=loaders.KIND_LABELS,
            query=request.GET.urlencode(),
            can_review=request.user.is_authenticated
            and bool(request.user.principal().orgs_with_role(Role.CONTRIBUTOR)),
            review_form=ReviewForm(),
            next=request.get_full_path(),
        )
    return render(request, "labour/analysis.html", ctx, status=200 if not form.errors else 400)


def _finding_links(f: analysis.Finding, names: loaders.Names) -> list[tuple[str, str]]:
    links = []
    labels = names.labels
    for op_id in f.refs.get("operation", []):
        op = labels.get(Operation, op_id)
        if op is not None:
            links.append(
                (
                    _("mandate of %(operation)s") % {"operation": op},
                    reverse(
                        "labour:operation_mandate",
                        kwargs={"pk": op_id},
                    ),
                )
            )
    for need_id in f.refs.get("need", []):
        links.append(
            (
                _("need %(id)s") % {"id": need_id},
                reverse("labour:need_detail", kwargs={"pk": need_id}),
            )
        )
    for rule_id in f.refs.get("rule", []):
        links.append(
            (
                _("clash rule %(id)s") % {"id": rule_id},
                reverse(
                    "labour:clashrule_detail",
                    kwargs={"pk": rule_id},
                ),
            )
        )
    for rel_id in f.refs.get("relation", []):
        url = reverse(
            "operations:relation_detail",
            kwargs={"pk": rel_id},
        )
        links.append((_("handover"), url))
    for a_id in f.refs.get("assignment", [])[:12]:
        links.append(
            (
                _("assignment %(id)s") % {"id": a_id},
                reverse(
                    "labour:assignment_detail",
                    kwargs={"pk": a_id},
                ),
            )
        )
    extra = len(f.refs.get("assignment", [])) - 12
    if extra > 0:
        more = ngettext("and %(n)d more assignment", "and %(n)d more assignments", extra)
        links.append((more % {"n": extra}, ""))
    return links


@login_required
@require_http_methods(["POST"])
def review(request):
    """Acknowledge or resolve a finding, with a note (audited)."""
    form = ReviewForm(request.POST)
    back = request.POST.get("next") or reverse("labour:analysis")
    if not back.startswith("/"):
        back = reverse("labour:analysis")
    owners = request.user.principal().orgs_with_role(Role.CONTRIBUTOR)
    if not owners:
        raise PermissionDenied(_("Your role does not allow reviewing findings."))
    if not form.is_valid():
        messages.error(request, _("Choose a status and write a note."))
        return redirect(back)
    try:
        services.review_finding(
            form.cleaned_data["key"],
            form.cleaned_data["status"],
            form.cleaned_data["note"],
            actor=Actor.from_request(request),
            owner=Organisation.objects.get(pk=sorted(owners)[0]),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Review saved."))
    return redirect(back)


def area_timeline(request):
    """Who does what in one place over time (the place itself, above it and below it)."""
    code = request.GET.get("country", "").strip().upper()
    country = Country.objects.filter(alpha3=code).first()
    if country is None:
        raise Http404(_("Give ?country=ISO3 (and optionally &area=P-code)."))
    area = None
    if request.GET.get("area_id", "").strip():
        pk = record_id(request.GET["area_id"])  # None for a value that cannot be an id
        area = Area.objects.visible_to(request.user).filter(pk=pk).first() if pk else None
        if area is None:
            raise Http404(_("No area with that id that you may see."))
    elif request.GET.get("area"):
        qs = Area.objects.visible_to(request.user)
        value = request.GET["area"].strip()
        area = qs.filter(pcode=value).first() or qs.filter(iso_code__iexact=value).first()
        if area is None:
            raise Http404(_("No area with that code that you may see."))
    world = loaders.load(request.user, loaders.Scope(countries=[code]))
    place = area.pk if area else code
    up = set(world.places_up(place)) if area else {code}
    names = loaders.Names(request.user)
    bars = []
    for a in world.assignments:
        chain = world.places_up(a.place)
        if a.place not in up and place not in chain:
            continue
        bars.append(
            pictures.Bar(
                label=f"{names.actor(a.actor)} — {names.task(a.task)}",
                start=analysis.date_of(a.start),
                end=analysis.date_of(a.end),
                lead=a.lead,
                active=a.active,
                where=names.place(a.place),
                url=reverse(
                    "labour:assignment_detail",
                    kwargs={"pk": a.id},
                ),
            )
        )
    svg = pictures.area_timeline_svg(
        _("Who does what in %(place)s") % {"place": area.name if area else country.local_name}, bars
    )
    if request.GET.get("format") == "svg":
        return HttpResponse(svg, content_type="image/svg+xml")
    return render(
        request,
        "labour/timeline.html",
        {"svg": svg, "country": country, "area": area, "count": len(bars)},
    )
