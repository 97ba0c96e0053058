"""Lessons put in front of the people planning an operation, and what learning has not yet
done: records alike a draft (live, while typing), lessons ranked for an operation with the
planners' dispositions, lessons re-learned (the recurrence report), remedial actions overdue
by action body (the action board)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from concord.core.access import VIEW, access
from concord.core.context import Actor
from concord.core.models import Organisation
from concord.core.visibility import VisibleLabels
from concord.operations.models import Operation
from concord.web.generic import report_refusal

from .. import loaders, services
from ..models import ActionStatus, Decision, Lesson, RemedialAction, Theme


@login_required
@require_POST
def similar(request):
    """The records alike what is being typed (htmx swaps this into the form)."""
    field = request.POST.get("text_field", "what_happened")
    if field not in ("what_happened", "abstract"):
        field = "what_happened"
    hints = loaders.similar(
        request.user, request.POST.get("title", ""), request.POST.get(field, "")
    )
    return render(request, "learning/similar.html", {"hints": hints, "live": True})


def lessons_section(op: Operation, labels, user):
    """On the operation page: the five lessons most relevant to it, and the full list."""
    url = reverse("learning:operation_lessons", kwargs={"pk": op.pk})
    everything = loaders.surface(op, user, limit=None)
    ranked = everything[:5]
    rows = [
        (
            _("%(lesson)s — %(why)s") % {"lesson": s.lesson.title, "why": "; ".join(s.reasons)},
            s.lesson.get_absolute_url(),
        )
        for s in ranked
    ]
    open_ = sum(1 for s in everything if s.relevant and not s.dispositions)
    if open_:
        rows.append(
            (
                ngettext(
                    "%(n)s relevant lesson has no disposition yet.",
                    "%(n)s relevant lessons have no disposition yet.",
                    open_,
                )
                % {"n": open_},
                url,
            )
        )
    rows.append(
        (_("All the lessons for this operation, and what was done with them"), url)
        if ranked
        else (_("No lesson you may see matches this operation's context."), url)
    )
    return [(_("Lessons for this operation"), rows)]


def operation_lessons(request, pk):
    """Lessons for an operation, ranked and explained, with the planners' dispositions."""
    op = access(Operation, request.user, pk, VIEW)
    ranked = loaders.surface(op, request.user, limit=50)
    labels = VisibleLabels(request.user)
    for item in ranked:
        for d in item.dispositions:
            d.owner_label = labels.label(Organisation, d.owner_id)
    may_decide = request.user.is_authenticated and bool(
        request.user.principal().orgs_with_role("editor")
    )
    return render(
        request,
        "learning/operation_lessons.html",
        {
            "title": _("Lessons for %(operation)s") % {"operation": op},
            "operation": op,
            "ranked": ranked,
            "open": sum(1 for s in ranked if s.relevant and not s.dispositions),
            "decisions": Decision.choices,
            "may_decide": may_decide,
            "today": timezone.localdate().isoformat(),
        },
    )


@require_POST
def record_disposition(request, pk):
    """A planner records (or changes) their organisation's disposition of a lesson."""
    op = access(Operation, request.user, pk, VIEW)
    raw = request.POST.get("lesson", "")
    lesson = access(Lesson, request.user, int(raw) if raw.isdigit() else 0, VIEW)
    try:
        services.dispose(
            op,
            lesson,
            request.POST.get("decision", ""),
            request.POST.get("note", ""),
            actor=Actor.from_request(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("learning:operation_lessons", kwargs={"pk": op.pk}) + f"#l{lesson.pk}")


def recurrence(request):
    """Lessons re-learned more than twice, by theme: the "not learned" report."""
    by_theme = loaders.relearned(request.user)
    labels = dict(Theme.choices)
    groups = [
        (str(labels.get(theme, theme)), clusters)
        for theme, clusters in sorted(by_theme.items(), key=lambda kv: str(labels.get(kv[0], "")))
    ]
    return render(
        request, "learning/recurrence.html", {"title": _("Lessons re-learned"), "groups": groups}
    )


def action_board(request):
    """Remedial actions not done, by action body: overdue first, then by due date."""
    today = timezone.localdate()
    actions = (
        RemedialAction.objects.visible_to(request.user)
        .filter(status__in=(ActionStatus.PLANNED, ActionStatus.IN_PROGRESS))
        .order_by("due", "pk")
    )
    lessons = dict(
        Lesson.objects.visible_to(request.user)
        .filter(pk__in=actions.values("lesson"))
        .values_list("pk", "title")
    )
    by_body = defaultdict(list)
    for a in actions:
        a.lesson_title = lessons.get(a.lesson_id, "")
        by_body[a.action_body_id].append(a)
    names = dict(
        Organisation.objects.visible_to(request.user)
        .filter(pk__in=list(by_body))
        .values_list("pk", "name")
    )
    rows = []
    for body_id, items in by_body.items():
        overdue = [a for a in items if a.due and a.due < today]
        rows.append(
            {
                "body": names.get(body_id, _("(restricted)")),
                "actions": items,
                "overdue": len(overdue),
            }
        )
    rows.sort(key=lambda r: (-r["overdue"], str(r["body"])))
    return render(
        request,
        "learning/action_board.html",
        {"title": _("Action board"), "rows": rows, "today": today},
    )


# The themes of the lessons that speak to each kind of finding of the division of labour.
FINDING_THEMES = {
    "gap": ("mandate_planning", "force_generation"),
    "overlap": ("coordination",),
    "clash": ("coordination", "human_rights_conduct"),
    "handover": ("handover_transition",),
}


# ... and the phase of those that speak to it (a lesson's phase is never blank).
FINDING_PHASES = {"handover": "handover"}


def lessons_beside_findings(kinds, countries, user):
    """Beside the findings of a labour analysis: lessons on the same kind of problem (a
    handover hole shows lessons about handovers), those learned in the countries analysed
    first, then the most recent; three a kind."""
    from concord.labour.loaders import KIND_LABELS

    rows = []
    for kind in [k for k in FINDING_THEMES if k in kinds]:
        lessons = (
            Lesson.objects.visible_to(user)
            .exclude(state__in=loaders.CLOSED)
            .filter(Q(theme__in=FINDING_THEMES[kind]) | Q(phase=FINDING_PHASES.get(kind, "")))
            .annotate(here=Count("countries", filter=Q(countries__alpha3__in=list(countries))))
            .order_by("-here", "-identified_on", "pk")[:3]
        )
        rows += [
            (
                _("%(kind)s: %(lesson)s") % {"kind": KIND_LABELS[kind], "lesson": lesson.title},
                lesson.get_absolute_url(),
            )
            for lesson in lessons
        ]
    return [(_("Lessons about these findings"), rows)] if rows else []
