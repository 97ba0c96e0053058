"""An operation's mandate over time: its page, and the section it adds to the operation page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from concord.core.access import may
from concord.core.context import Actor
from concord.operations.access import access_operation
from concord.operations.models import Operation

from .. import analysis, services
from ..forms import (
    MandateForm,
    format_mandate_line,
)
from ..models import (
    Task,
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
    ] or [(_("No mandated tasks recorded for today: see the mandate over time."), url)]
    history = []
    for on, added, removed, changed, sources in changes:
        parts = []
        if added:
            parts.append(_("added %(tasks)s") % {"tasks": ", ".join(added)})
        if removed:
            parts.append(_("dropped %(tasks)s") % {"tasks": ", ".join(removed)})
        if changed:
            parts.append(_("priority changed: %(tasks)s") % {"tasks": ", ".join(changed)})
        cite = f" ({'; '.join(sources)})" if sources else ""
        history.append((f"{on}: {'; '.join(parts)}{cite}", url))
    return [(_("Mandate today"), current), (_("Mandate changes"), history)]


def mandate(request, pk):
    op = access_operation(request.user, pk)
    can_edit = may(request.user, op)
    form = None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only an editor of the owning organisation may change this."))
        form = MandateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.save_mandate(
                    op, form.cleaned_data["mandate"], actor=Actor.from_request(request)
                )
            except ValidationError as exc:
                form.add_error(None, "; ".join(exc.messages))
            else:
                messages.success(request, _("Mandate saved."))
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
