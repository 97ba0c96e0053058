"""Entering assignments (the fast grid), importing a 3W file (with its preview), an import's
page and its rollback."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from concord.core.access import DELETE, may
from concord.core.context import Actor
from concord.core.importers import ImportContext, import_table
from concord.core.models import Classification, Country, Organisation, Releasability, Role
from concord.core.numbers import whole_number
from concord.exchange import tabular
from concord.labour.access import access_import_batch
from concord.web.generic import report_refusal

from .. import services, threew
from ..exchange import AssignmentSpec
from ..models import (
    AssignmentRole,
    AssignmentStatus,
    Task,
)

# --- entering and importing assignments -------------------------------------------------------

# (column, label, placeholder); "lead" and "active" are values to type, not words.
GRID_COLUMNS = [
    ("organisation", gettext_lazy("Who (organisation)"), gettext_lazy("e.g. UNICEF")),
    ("operation", gettext_lazy("or operation"), gettext_lazy("e.g. minusma")),
    ("task", gettext_lazy("Task"), gettext_lazy("code, e.g. poc")),
    ("country", gettext_lazy("Country"), "ISO3"),
    ("adm1", "Adm1", gettext_lazy("P-code/ISO")),
    ("adm2", "Adm2", gettext_lazy("P-code")),
    ("start", gettext_lazy("From"), gettext_lazy("YYYY-MM-DD")),
    ("end", gettext_lazy("To"), gettext_lazy("YYYY-MM-DD")),
    ("role", gettext_lazy("Role"), "lead"),
    ("status", gettext_lazy("Status"), "active"),
    ("contact", gettext_lazy("Contact"), ""),
]
# Each column's name in a cell's label ("Row 2 task"), as a screen reader says it.
GRID_NAMES = {
    "organisation": gettext_lazy("organisation"),
    "operation": gettext_lazy("operation"),
    "task": gettext_lazy("task"),
    "country": gettext_lazy("country"),
    "start": gettext_lazy("start"),
    "end": gettext_lazy("end"),
    "role": gettext_lazy("role"),
    "status": gettext_lazy("status"),
    "contact": gettext_lazy("contact"),
}


# The kinds of value a 3W file's report lists as matching nothing (stored as these codes).
UNMATCHED_LABELS = {
    "organisation": gettext_lazy("organisation"),
    "organisation (ambiguous)": gettext_lazy("organisation (ambiguous)"),
    "sector": gettext_lazy("sector"),
    "country": gettext_lazy("country"),
    "status": gettext_lazy("status"),
}


@login_required
def grid(request):
    """A keyboard-first grid: Tab across, Enter for a new row, one save for all rows. Rows are
    checked like an import (all or nothing), so a grid and a file agree."""
    if not request.user.principal().orgs_with_role(Role.CONTRIBUTOR):
        raise PermissionDenied(_("Your role does not allow creating records."))
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
            errors = [tabular.CellError(None, None, _("the grid is empty"))]
        else:
            table = tabular.Table(headers=[c for c, _, _ in GRID_COLUMNS], rows=table_rows)
            try:
                saved = import_table(
                    AssignmentSpec(), table, "grid", actor=Actor.from_request(request)
                )
            except tabular.FileRejected as exc:
                errors = exc.errors
            else:
                n = len(saved)
                messages.success(
                    request,
                    ngettext("Saved %(n)d assignment.", "Saved %(n)d assignments.", n) % {"n": n},
                )
                url = reverse("labour:assignment_list")
                return redirect(url + "?sort=-pk")
        status = 400 if errors else 200
    while len(rows) < n:
        rows.append({c: "" for c, _, _ in GRID_COLUMNS})
    by_cell = {(e.row, e.column): e.message for e in errors if e.row is not None}
    grid_rows = [
        (
            i,
            [
                (c, row[c], by_cell.get((i + 1, c)), placeholder, GRID_NAMES.get(c, c))
                for c, _label, placeholder in GRID_COLUMNS
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
            errors["owner"] = _("Choose the organisation that will own the records.")
    country = None
    if p.get("country"):
        country = Country.objects.filter(alpha3=p["country"].strip().upper()).first()
        if country is None:
            errors["country"] = _("%(code)r is not an ISO alpha-3 country code.") % {
                "code": p["country"]
            }
    dates = {}
    for name in ("start", "end"):
        try:
            dates[name] = dt.date.fromisoformat(p[name]) if p.get(name) else None
        except ValueError:
            errors[name] = _("%(value)r is not a date (YYYY-MM-DD).") % {"value": p[name]}
    role = p.get("role") or AssignmentRole.SUPPORT
    if role not in AssignmentRole.values:
        errors["role"] = _("Choose a role.")
    classification = int(p.get("classification") or Classification.INTERNAL)
    releasability = p.get("releasability") or Releasability.OWNER
    if releasability not in Releasability.values:
        errors["releasability"] = _("Choose a releasability.")
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
        raise PermissionDenied(_("Your role does not allow importing records."))
    ctx = {
        "owners": owner_choices,
        "roles": AssignmentRole.choices,
        "classifications": [c for c in Classification.choices if c[0] <= principal.clearance],
        "releasabilities": Releasability.choices,
        "tasks": Task.objects.visible_to(request.user).order_by("code"),
        "post": request.POST,
        "unmatched_labels": UNMATCHED_LABELS,
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
            raise PermissionDenied(_("That upload is not yours."))
        path = _upload_dir() / token
        if not path.exists():
            ctx["errors"] = [_("The uploaded file has expired: upload it again.")]
            return render(request, "labour/import_3w.html", ctx, status=400)
        data, filename = path.read_bytes(), request.POST.get("filename", "upload.csv")
    else:
        upload = request.FILES.get("file")
        if upload is None:
            ctx["errors"] = [_("file: choose a 3W file (HXL CSV or XLSX).")]
            return render(request, "labour/import_3w.html", ctx, status=400)
        if upload.size > settings.CONCORD_IMPORT_MAX_BYTES:
            ctx["errors"] = [
                _("file: larger than %(n)s bytes.")
                % {"n": f"{settings.CONCORD_IMPORT_MAX_BYTES:,}"}
            ]
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
            n = len(exc.errors)
            ctx["errors"] = [
                ngettext(
                    "%(n)d row cannot be imported; see below.",
                    "%(n)d rows cannot be imported; see below.",
                    n,
                )
                % {"n": n}
            ]
            ctx = _with_sector_rows(ctx, plan, options)
            return render(request, "labour/import_preview.html", ctx, status=400)
        except (ValidationError, PermissionDenied) as exc:
            ctx.update(plan=plan, token=token, filename=filename)
            ctx["errors"] = list(getattr(exc, "messages", [str(exc)]))
            ctx = _with_sector_rows(ctx, plan, options)
            return render(request, "labour/import_preview.html", ctx, status=400)
        (_upload_dir() / token).unlink(missing_ok=True)
        messages.success(
            request,
            ngettext(
                "Imported %(n)d assignment from %(file)s.",
                "Imported %(n)d assignments from %(file)s.",
                batch.created,
            )
            % {"n": batch.created, "file": filename},
        )
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
        {
            "batch": batch,
            "report": batch.report,
            "can_roll_back": can_roll_back,
            "unmatched_labels": UNMATCHED_LABELS,
        },
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
        messages.success(
            request,
            ngettext(
                "Rolled back: %(n)d assignment removed.",
                "Rolled back: %(n)d assignments removed.",
                batch.created,
            )
            % {"n": batch.created},
        )
    return redirect("labour:importbatch_detail", pk=batch.pk)
