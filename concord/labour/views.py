"""Division-of-labour pages: the catalogue, assignments (list, fast grid, 3W import with
preview), needs and arrangements (generic list/detail/edit), an operation's mandate over
time, and the analysis screen (4W matrix, findings with reviews, per-area timeline)."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from concord.core.access import DELETE, may
from concord.core.context import Actor
from concord.core.importers import ImportContext, import_table
from concord.core.importers import iso as _iso
from concord.core.models import Area, Classification, Country, Organisation, Releasability, Role
from concord.core.numbers import record_id, whole_number
from concord.exchange import tabular
from concord.labour.access import access_import_batch
from concord.operations.access import access_operation
from concord.operations.models import Operation
from concord.web.generic import Column, Config, report_refusal

from . import analysis, loaders, pictures, services, threew
from .exchange import AssignmentSpec, write_findings
from .filters import (
    ArrangementFilter,
    AssignmentFilter,
    ClashRuleFilter,
    NeedFilter,
    SectorMappingFilter,
    TaskFilter,
)
from .forms import (
    AnalysisForm,
    ArrangementForm,
    AssignmentForm,
    ClashRuleForm,
    MandateForm,
    NeedForm,
    ReviewForm,
    SectorMappingForm,
    TaskForm,
    format_mandate_line,
)
from .models import (
    Arrangement,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ClashRule,
    ImportBatch,
    Need,
    SectorMapping,
    Task,
)


def _place_label(obj, labels) -> str:
    area = labels.get(Area, obj.area_id)
    if obj.area_id and area is None:
        return f"{obj.country.name} · (restricted)"
    return f"{obj.country.name} · {area}" if area else f"{obj.country.name} (country-wide)"


def _who(a: Assignment, labels) -> str:
    if a.organisation_id:
        return labels.label(Organisation, a.organisation_id)
    return labels.label(Operation, a.operation_id)


# --- catalogue ------------------------------------------------------------------------------


def task_fields(t: Task, labels):
    parent = labels.get(Task, t.parent_id)
    return [
        ("Code", t.code),
        ("Name", t.name),
        ("Part of", parent.name if parent else "—"),
        ("Description", t.description or "—"),
        ("HXL sectors", "; ".join(t.hxl_sectors or []) or "—"),
        ("HXL activities", "; ".join(t.hxl_activities or []) or "—"),
    ]


def task_sections(t: Task, labels, user):
    subs = Task.objects.visible_to(user).filter(parent=t)
    rules = ClashRule.objects.visible_to(user).filter(task_a=t) | ClashRule.objects.visible_to(
        user
    ).filter(task_b=t)
    return [
        ("Sub-tasks", [(s.name, s.get_absolute_url()) for s in subs]),
        ("Clashes with", [(r.reason, r.get_absolute_url()) for r in rules.distinct()]),
    ]


TASKS = Config(
    model=Task,
    name="tasks",
    singular="task",
    filterset=TaskFilter,
    form=TaskForm,
    default_sort="code",
    columns=[
        Column("Code", lambda t, L: t.code, "code", link=True),
        Column("Name", lambda t, L: t.name, "name"),
        Column("Part of", lambda t, L: (L.get(Task, t.parent_id) or t).code if t.parent_id else ""),
        Column("HXL sectors", lambda t, L: "; ".join(t.hxl_sectors or [])),
        Column("Description", lambda t, L: t.description[:80]),
    ],
    detail_fields=task_fields,
    extra_detail=task_sections,
)

CLASH_RULES = Config(
    model=ClashRule,
    name="clashrules",
    singular="clash rule",
    filterset=ClashRuleFilter,
    form=ClashRuleForm,
    default_sort="pk",
    columns=[
        Column("Rule", lambda r, L: str(r), "pk", link=True),
        Column("Task", lambda r, L: L.label(Task, r.task_a_id)),
        Column("Clashes with", lambda r, L: L.label(Task, r.task_b_id)),
        Column("Why", lambda r, L: r.reason[:120]),
    ],
    detail_fields=lambda r, L: [
        ("Task", L.label(Task, r.task_a_id)),
        ("Clashes with", L.label(Task, r.task_b_id)),
        ("Why", r.reason),
    ],
)


SECTOR_MAPPINGS = Config(
    model=SectorMapping,
    name="sectormappings",
    singular="3W sector mapping",
    filterset=SectorMappingFilter,
    form=SectorMappingForm,
    default_sort="value",
    columns=[
        Column("Sector in the file", lambda m, L: m.value, "value", link=True),
        Column("Task", lambda m, L: L.label(Task, m.task_id)),
        Column("Owner", lambda m, L: L.label(Organisation, m.owner_id)),
    ],
    detail_fields=lambda m, L: [
        ("Sector in the file", m.value),
        ("Task", L.label(Task, m.task_id)),
    ],
)


# --- needs, assignments, arrangements ---------------------------------------------------------


NEEDS = Config(
    model=Need,
    name="needs",
    singular="need",
    filterset=NeedFilter,
    form=NeedForm,
    default_sort="start",
    select_related=("country",),
    columns=[
        Column("Need", lambda n, L: str(n), "pk", link=True),
        Column("Task", lambda n, L: L.label(Task, n.task_id)),
        Column("Where", lambda n, L: _place_label(n, L)),
        Column("From", lambda n, L: _iso(n.start), "start"),
        Column("To", lambda n, L: _iso(n.end) or "open", "end"),
        Column("Description", lambda n, L: n.description[:100]),
    ],
    detail_fields=lambda n, L: [
        ("Task", L.label(Task, n.task_id)),
        ("Where", _place_label(n, L)),
        ("From", n.start or "open"),
        ("To", n.end or "open"),
        ("Description", n.description or "—"),
    ],
)


def assignment_fields(a: Assignment, labels):
    batch = labels.get(ImportBatch, a.batch_id)
    return [
        ("Who", _who(a, labels)),
        ("Task", labels.label(Task, a.task_id)),
        ("Where", _place_label(a, labels)),
        ("From", a.start or "open"),
        ("To", a.end or "open"),
        ("Role", a.get_role_display()),
        ("Status", a.get_status_display()),
        ("Contact", a.contact or "—"),
        ("Note", a.note or "—"),
        ("Imported from", str(batch) if batch else "—"),
        (
            "As written in the file",
            "; ".join(f"{k}: {v}" for k, v in (a.source_values or {}).items()) or "—",
        ),
    ]


ASSIGNMENTS = Config(
    model=Assignment,
    name="assignments",
    singular="assignment",
    filterset=AssignmentFilter,
    form=AssignmentForm,
    default_sort="start",
    select_related=("country",),
    columns=[
        Column("Assignment", lambda a, L: str(a), "pk", link=True),
        Column("Who", _who),
        Column("What", lambda a, L: L.label(Task, a.task_id)),
        Column("Where", _place_label),
        Column("From", lambda a, L: _iso(a.start), "start"),
        Column("To", lambda a, L: _iso(a.end) or "open", "end"),
        Column("Role", lambda a, L: a.get_role_display(), "role"),
        Column("Status", lambda a, L: a.get_status_display(), "status"),
        Column("Note", lambda a, L: a.note[:80]),
    ],
    detail_fields=assignment_fields,
)


def arrangement_fields(a: Arrangement, labels):
    user = labels.user
    parties = [str(o) for o in a.organisations.visible_to(user)] + [
        str(o) for o in a.operations.visible_to(user)
    ]
    return [
        ("Kind", a.get_kind_display()),
        ("Title", a.title),
        ("Parties", "; ".join(parties) or "—"),
        ("Tasks", "; ".join(t.name for t in a.tasks.visible_to(user)) or "all tasks"),
        (
            "Where",
            "; ".join(
                [c.name for c in a.countries.all()] + [str(x) for x in a.areas.visible_to(user)]
            )
            or "everywhere the parties work",
        ),
        ("From", a.start or "open"),
        ("To", a.end or "open"),
        ("Note", a.note or "—"),
    ]


ARRANGEMENTS = Config(
    model=Arrangement,
    name="arrangements",
    singular="arrangement",
    filterset=ArrangementFilter,
    form=ArrangementForm,
    default_sort="start",
    columns=[
        Column("Title", lambda a, L: a.title, "title", link=True),
        Column("Kind", lambda a, L: a.get_kind_display(), "kind"),
        Column("From", lambda a, L: _iso(a.start), "start"),
        Column("To", lambda a, L: _iso(a.end) or "open", "end"),
    ],
    detail_fields=arrangement_fields,
)


# --- an operation's mandate ---------------------------------------------------------------


def mandate_rows(op: Operation, user):
    tasks = {t.pk: t for t in Task.objects.visible_to(user)}
    items = [m for m in op.mandate.select_related("task") if m.task_id in tasks]
    start, end = analysis.day(op.start, analysis.LO), analysis.day(op.end, analysis.HI)
    spans = [
        (
            m.task_id,
            max(analysis.day(m.start, start), start),
            min(analysis.day(m.end, end), end),
            m.priority,
            f"{m.source} {m.paragraph}".strip(),
        )
        for m in items
    ]
    changes = [
        (
            analysis.date_of(c.on),
            [tasks[t].name for t in c.added],
            [tasks[t].name for t in c.removed],
            [tasks[t].name for t in c.reprioritised],
            c.sources,
        )
        for c in analysis.mandate_changes(spans)
    ]
    return items, changes


def mandate_section(op: Operation, labels, user):
    """On the operation page: the mandate today and what changed at each renewal."""
    items, changes = mandate_rows(op, user)
    url = reverse("labour:operation_mandate", kwargs={"pk": op.pk})
    today = dt.date.today()
    current = [
        (f"{m.task.name} — {m.source} {m.paragraph} ({m.get_priority_display()})", url)
        for m in items
        if (m.start or op.start) <= today <= (m.end or op.end or dt.date.max)
    ] or [("No mandated tasks recorded for today: see the mandate over time.", url)]
    history = []
    for on, added, removed, changed, sources in changes:
        parts = []
        if added:
            parts.append("added " + ", ".join(added))
        if removed:
            parts.append("dropped " + ", ".join(removed))
        if changed:
            parts.append("priority changed: " + ", ".join(changed))
        cite = f" ({'; '.join(sources)})" if sources else ""
        history.append((f"{on}: {'; '.join(parts)}{cite}", url))
    return [("Mandate today", current), ("Mandate changes", history)]


def mandate(request, pk):
    op = access_operation(request.user, pk)
    can_edit = may(request.user, op)
    form = None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only an editor of the owning organisation may change this.")
        form = MandateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.save_mandate(
                    op, form.cleaned_data["mandate"], actor=Actor.from_request(request)
                )
            except ValidationError as exc:
                form.add_error(None, "; ".join(exc.messages))
            else:
                messages.success(request, "Mandate saved.")
                return redirect("labour:operation_mandate", pk=op.pk)
        status = 400
    items, changes = mandate_rows(op, request.user)
    if form is None and can_edit:
        form = MandateForm(
            initial={"mandate": "\n".join(format_mandate_line(m) for m in items)},
            user=request.user,
        )
    return render(
        request,
        "labour/mandate.html",
        {"op": op, "items": items, "changes": changes, "form": form},
        status=status,
    )


mandate.model = Operation


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
        places = [(code, "Country-wide")] + [(pk, name) for pk, name in adm1]
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
        for p, _ in places:
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
            url = reverse("labour:timeline") + f"?country={scope.countries[0]}&area_id={place}"
            spots.append(pictures.Spot(label, leads, flags, detail, url, point=points[place]))
        else:
            unplaced.append(label)
    focus = numeric.get(scope.countries[0], "") if scope.countries else ""
    where = country_names.get(scope.countries[0], "") if scope.countries else "the world"
    title = f"Who does what where: {where}"
    return pictures.matrix_map_svg(title, spots, world_paths(), focus=focus), unplaced


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
        ctx.update(
            ran=True,
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
                (f"mandate of {op}", reverse("labour:operation_mandate", kwargs={"pk": op_id}))
            )
    for need_id in f.refs.get("need", []):
        links.append((f"need {need_id}", reverse("labour:need_detail", kwargs={"pk": need_id})))
    for rule_id in f.refs.get("rule", []):
        links.append(
            (f"clash rule {rule_id}", reverse("labour:clashrule_detail", kwargs={"pk": rule_id}))
        )
    for rel_id in f.refs.get("relation", []):
        links.append(("handover", reverse("operations:relation_detail", kwargs={"pk": rel_id})))
    for a_id in f.refs.get("assignment", [])[:12]:
        links.append(
            (f"assignment {a_id}", reverse("labour:assignment_detail", kwargs={"pk": a_id}))
        )
    extra = len(f.refs.get("assignment", [])) - 12
    if extra > 0:
        links.append((f"and {extra} more assignments", ""))
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
        raise PermissionDenied("Your role does not allow reviewing findings.")
    if not form.is_valid():
        messages.error(request, "Choose a status and write a note.")
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
        messages.success(request, "Review saved.")
    return redirect(back)


def area_timeline(request):
    """Who does what in one place over time (the place itself, above it and below it)."""
    code = request.GET.get("country", "").strip().upper()
    country = Country.objects.filter(alpha3=code).first()
    if country is None:
        raise Http404("Give ?country=ISO3 (and optionally &area=P-code).")
    area = None
    if request.GET.get("area_id", "").strip():
        pk = record_id(request.GET["area_id"])  # None for a value that cannot be an id
        area = Area.objects.visible_to(request.user).filter(pk=pk).first() if pk else None
        if area is None:
            raise Http404("No area with that id that you may see.")
    elif request.GET.get("area"):
        qs = Area.objects.visible_to(request.user)
        value = request.GET["area"].strip()
        area = qs.filter(pcode=value).first() or qs.filter(iso_code__iexact=value).first()
        if area is None:
            raise Http404("No area with that code that you may see.")
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
                url=reverse("labour:assignment_detail", kwargs={"pk": a.id}),
            )
        )
    svg = pictures.area_timeline_svg(
        f"Who does what in {area.name if area else country.name}", bars
    )
    if request.GET.get("format") == "svg":
        return HttpResponse(svg, content_type="image/svg+xml")
    return render(
        request,
        "labour/timeline.html",
        {"svg": svg, "country": country, "area": area, "count": len(bars)},
    )


# --- entering and importing assignments -------------------------------------------------------

GRID_COLUMNS = [
    ("organisation", "Who (organisation)", "e.g. UNICEF"),
    ("operation", "or operation", "e.g. minusma"),
    ("task", "Task", "code, e.g. poc"),
    ("country", "Country", "ISO3"),
    ("adm1", "Adm1", "P-code/ISO"),
    ("adm2", "Adm2", "P-code"),
    ("start", "From", "YYYY-MM-DD"),
    ("end", "To", "YYYY-MM-DD"),
    ("role", "Role", "lead"),
    ("status", "Status", "active"),
    ("contact", "Contact", ""),
]


@login_required
def grid(request):
    """A keyboard-first grid: Tab across, Enter for a new row, one save for all rows. Rows are
    checked like an import (all or nothing), so a grid and a file agree."""
    if not request.user.principal().orgs_with_role(Role.CONTRIBUTOR):
        raise PermissionDenied("Your role does not allow creating records.")
    n = 8
    rows, errors = [], []
    status = 200
    if request.method == "POST":
        n = whole_number(request.POST.get("rows"), 1, 200) or 8
        table_rows = []
        for i in range(n):
            values = {c: request.POST.get(f"r{i}-{c}", "").strip() for c, _, _ in GRID_COLUMNS}
            rows.append(values)
            if any(values.values()):
                table_rows.append((i + 1, values))
        if request.POST.get("more"):
            n += 8
        elif not table_rows:
            errors = [tabular.CellError(None, None, "the grid is empty")]
        else:
            table = tabular.Table(headers=[c for c, _, _ in GRID_COLUMNS], rows=table_rows)
            try:
                saved = import_table(
                    AssignmentSpec(), table, "grid", actor=Actor.from_request(request)
                )
            except tabular.FileRejected as exc:
                errors = exc.errors
            else:
                messages.success(request, f"Saved {len(saved)} assignments.")
                return redirect(reverse("labour:assignment_list") + "?sort=-pk")
        status = 400 if errors else 200
    while len(rows) < n:
        rows.append({c: "" for c, _, _ in GRID_COLUMNS})
    by_cell = {(e.row, e.column): e.message for e in errors if e.row is not None}
    grid_rows = [
        (
            i,
            [
                (c, row[c], by_cell.get((i + 1, c)), placeholder)
                for c, _, placeholder in GRID_COLUMNS
            ],
        )
        for i, row in enumerate(rows)
    ]
    return render(
        request,
        "labour/grid.html",
        {
            "columns": GRID_COLUMNS,
            "grid_rows": grid_rows,
            "n": len(rows),
            "errors": [str(e) for e in errors],
            "roles": AssignmentRole.values,
            "statuses": AssignmentStatus.values,
        },
        status=status,
    )


def _upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(exist_ok=True)
    return path


def _options_from(request, owner_choices) -> threew.Options:
    p = request.POST
    errors = {}
    try:
        owner = owner_choices.get(pk=int(p.get("owner", "0") or 0))
    except (ValueError, Organisation.DoesNotExist):
        owner = owner_choices.first() if owner_choices.count() == 1 else None
        if owner is None:
            errors["owner"] = "Choose the organisation that will own the records."
    country = None
    if p.get("country"):
        country = Country.objects.filter(alpha3=p["country"].strip().upper()).first()
        if country is None:
            errors["country"] = f"{p['country']!r} is not an ISO alpha-3 country code."
    dates = {}
    for name in ("start", "end"):
        try:
            dates[name] = dt.date.fromisoformat(p[name]) if p.get(name) else None
        except ValueError:
            errors[name] = f"{p[name]!r} is not a date (YYYY-MM-DD)."
    role = p.get("role") or AssignmentRole.SUPPORT
    if role not in AssignmentRole.values:
        errors["role"] = "Choose a role."
    classification = int(p.get("classification") or Classification.INTERNAL)
    releasability = p.get("releasability") or Releasability.OWNER
    if releasability not in Releasability.values:
        errors["releasability"] = "Choose a releasability."
    if errors:
        raise ValidationError(errors)
    sector_map = {}
    tasks = {t.code: t for t in Task.objects.visible_to(request.user)}
    for key, value in p.items():
        if key.startswith("map:"):  # a task, or None: rejected (even if mapped before)
            sector_map[key[4:]] = tasks.get(value)
    return threew.Options(
        owner=owner,
        country=country,
        start=dates.get("start"),
        end=dates.get("end"),
        role=role,
        classification=classification,
        releasability=releasability,
        create_organisations=p.get("create_organisations", "on") == "on",
        create_areas=p.get("create_areas", "off") == "on",  # only when asked
        sector_map=sector_map,
    )


@login_required
def import_3w(request):
    """Upload a 3W file → preview (nothing written) → confirm (all written, or nothing)."""
    principal = request.user.principal()
    owner_choices = Organisation.objects.filter(pk__in=principal.orgs_with_role(Role.CONTRIBUTOR))
    if not owner_choices.exists():
        raise PermissionDenied("Your role does not allow importing records.")
    ctx = {
        "owners": owner_choices,
        "roles": AssignmentRole.choices,
        "classifications": [c for c in Classification.choices if c[0] <= principal.clearance],
        "releasabilities": Releasability.choices,
        "tasks": Task.objects.visible_to(request.user).order_by("code"),
        "post": request.POST,
    }
    if request.method != "POST":
        return render(request, "labour/import_3w.html", ctx)
    token = request.POST.get("token", "")
    try:
        options = _options_from(request, owner_choices)
    except ValidationError as exc:
        ctx["errors"] = [f"{k}: {'; '.join(v)}" for k, v in exc.message_dict.items()]
        return render(request, "labour/import_3w.html", ctx, status=400)
    if token:
        if not token.isalnum() or not token.startswith(str(request.user.pk) + "u"):
            raise PermissionDenied("That upload is not yours.")
        path = _upload_dir() / token
        if not path.exists():
            ctx["errors"] = ["The uploaded file has expired: upload it again."]
            return render(request, "labour/import_3w.html", ctx, status=400)
        data, filename = path.read_bytes(), request.POST.get("filename", "upload.csv")
    else:
        upload = request.FILES.get("file")
        if upload is None:
            ctx["errors"] = ["file: choose a 3W file (HXL CSV or XLSX)."]
            return render(request, "labour/import_3w.html", ctx, status=400)
        if upload.size > settings.CONCORD_IMPORT_MAX_BYTES:
            ctx["errors"] = [f"file: larger than {settings.CONCORD_IMPORT_MAX_BYTES:,} bytes."]
            return render(request, "labour/import_3w.html", ctx, status=400)
        data, filename = upload.read(), upload.name
        token = f"{request.user.pk}u{secrets.token_hex(16)}"
        (_upload_dir() / token).write_bytes(data)
    actor = Actor.from_request(request)
    try:
        plan = threew.plan(data, filename, options, ImportContext(actor))
    except tabular.FileRejected as exc:
        ctx["errors"] = [str(e) for e in exc.errors]
        return render(request, "labour/import_3w.html", ctx, status=400)
    if request.POST.get("confirm") == "1":
        try:
            batch = threew.commit(
                plan, actor=actor, allow_rejects=request.POST.get("allow_rejects") == "on"
            )
        except tabular.FileRejected as exc:
            ctx.update(plan=plan, token=token, filename=filename)
            ctx["errors"] = [f"{len(exc.errors)} rows cannot be imported; see below."]
            ctx = _with_sector_rows(ctx, plan, options)
            return render(request, "labour/import_preview.html", ctx, status=400)
        except (ValidationError, PermissionDenied) as exc:
            ctx.update(plan=plan, token=token, filename=filename)
            ctx["errors"] = list(getattr(exc, "messages", [str(exc)]))
            ctx = _with_sector_rows(ctx, plan, options)
            return render(request, "labour/import_preview.html", ctx, status=400)
        (_upload_dir() / token).unlink(missing_ok=True)
        messages.success(request, f"Imported {batch.created} assignments from {filename}.")
        return redirect("labour:importbatch_detail", pk=batch.pk)
    ctx.update(plan=plan, token=token, filename=filename, report=plan.report())
    return render(request, "labour/import_preview.html", _with_sector_rows(ctx, plan, options))


def _with_sector_rows(ctx: dict, plan: threew.Plan, options: threew.Options) -> dict:
    """The sectors to map: those still unknown, and those mapped already, by hand or as the
    owner mapped them for an earlier file (kept selected, so the mapping travels with the
    confirmation, and can be changed)."""
    ctx["sector_rows"] = sorted(
        [(v, len(rows), "") for v, rows in plan.unmatched.get("sector", {}).items()]
        + [(v, len(rows), options.sector_map[v].code) for v, rows in plan.mapped.items()]
        + [(v, len(rows), plan.remembered_tasks[v].code) for v, rows in plan.remembered.items()]
    )
    return ctx


def batch_detail(request, pk):
    batch = access_import_batch(request.user, pk)
    can_roll_back = not batch.rolled_back_at and may(request.user, batch, DELETE)
    return render(
        request,
        "labour/batch.html",
        {"batch": batch, "report": batch.report, "can_roll_back": can_roll_back},
    )


@require_POST
def batch_rollback(request, pk):
    """Undo an import (services.rollback_import says what, and when it is refused)."""
    batch = access_import_batch(request.user, pk)
    try:
        services.rollback_import(batch, actor=Actor.from_request(request))
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, f"Rolled back: {batch.created} assignments removed.")
    return redirect("labour:importbatch_detail", pk=batch.pk)


batch_rollback.model = ImportBatch


batch_detail.model = ImportBatch
