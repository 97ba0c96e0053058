"""The catalogue's and the 4W records' pages (tasks, clash rules, sector mappings, needs,
assignments, arrangements): generic list/detail/edit/import/export, one Config each."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.importers import iso as _iso
from concord.core.models import Area, Organisation
from concord.core.visibility import RESTRICTED
from concord.operations.models import Operation
from concord.web.generic import Column, Config

from ..filters import (
    ArrangementFilter,
    AssignmentFilter,
    ClashRuleFilter,
    NeedFilter,
    SectorMappingFilter,
    TaskFilter,
)
from ..forms import (
    ArrangementForm,
    AssignmentForm,
    ClashRuleForm,
    NeedForm,
    SectorMappingForm,
    TaskForm,
)
from ..models import (
    Arrangement,
    Assignment,
    AssignmentRole,
    ClashRule,
    ImportBatch,
    Need,
    SectorMapping,
    Task,
)


def _place_label(obj, labels) -> str:
    area = labels.get(Area, obj.area_id)
    if obj.area_id and area is None:
        return _("%(country)s · (restricted)") % {"country": obj.country.local_name}
    if area:
        return f"{obj.country.local_name} · {area}"
    return _("%(country)s (country-wide)") % {"country": obj.country.local_name}


def _who(a: Assignment, labels) -> str:
    if a.organisation_id:
        return labels.label(Organisation, a.organisation_id)
    return labels.label(Operation, a.operation_id)


# One sentence per role (a verb alone cannot be translated: its object and place follow it).
ROLE_TITLES = {
    AssignmentRole.LEAD: gettext_lazy("Assignment: %(who)s leads %(what)s in %(where)s%(years)s"),
    AssignmentRole.SUPPORT: gettext_lazy(
        "Assignment: %(who)s supports %(what)s in %(where)s%(years)s"
    ),
    AssignmentRole.MONITOR: gettext_lazy(
        "Assignment: %(who)s monitors %(what)s in %(where)s%(years)s"
    ),
    AssignmentRole.FUNDER: gettext_lazy("Assignment: %(who)s funds %(what)s in %(where)s%(years)s"),
}


def _where(obj, labels) -> str:
    area = labels.get(Area, obj.area_id)
    if obj.area_id and area is None:
        return f"{obj.country.local_name} · {_(RESTRICTED)}"
    return area.name if area else obj.country.local_name


def _years(obj) -> str:
    if not obj.start:
        return ""
    if not obj.end:
        return _(", from %(year)s") % {"year": obj.start.year}
    if obj.end.year == obj.start.year:
        return f", {obj.start.year}"
    return f", {obj.start.year}–{obj.end.year}"


def _lower_first(name: str) -> str:
    """'Food security' -> 'food security'; 'UN police' stays (an acronym keeps its capitals)."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def assignment_title(a: Assignment, labels) -> str:
    """ "Assignment: WFP leads food security in Gao, 2020", from what the reader may see."""
    task = labels.get(Task, a.task_id)
    what = _lower_first(task.name) if task else _(RESTRICTED)
    values = {"who": _who(a, labels), "what": what, "where": _where(a, labels), "years": _years(a)}
    if a.role in ROLE_TITLES:
        return str(ROLE_TITLES[a.role]) % values
    return _("Assignment: %(who)s (%(role)s) %(what)s in %(where)s%(years)s") % {
        **values,
        "role": a.get_role_display().lower(),
    }


def need_title(n: Need, labels) -> str:
    task = labels.get(Task, n.task_id)
    what = _lower_first(task.name) if task else _(RESTRICTED)
    return _("Need: %(what)s in %(where)s%(years)s") % {
        "what": what,
        "where": _where(n, labels),
        "years": _years(n),
    }


# --- catalogue ------------------------------------------------------------------------------


def task_fields(t: Task, labels):
    parent = labels.get(Task, t.parent_id)
    return [
        (_("Code"), t.code),
        (_("Name"), t.name),
        (_("Part of"), parent.name if parent else "—"),
        (_("Description"), t.description or "—"),
        (_("HXL sectors"), "; ".join(t.hxl_sectors or []) or "—"),
        (_("HXL activities"), "; ".join(t.hxl_activities or []) or "—"),
    ]


def task_sections(t: Task, labels, user):
    subs = Task.objects.visible_to(user).filter(parent=t)
    rules = ClashRule.objects.visible_to(user).filter(task_a=t) | ClashRule.objects.visible_to(
        user
    ).filter(task_b=t)
    return [
        (_("Sub-tasks"), [(s.name, s.get_absolute_url()) for s in subs]),
        (_("Clashes with"), [(r.reason, r.get_absolute_url()) for r in rules.distinct()]),
    ]


TASKS = Config(
    model=Task,
    name="tasks",
    singular=gettext_lazy("task"),
    filterset=TaskFilter,
    form=TaskForm,
    default_sort="code",
    columns=[
        Column(gettext_lazy("Code"), lambda t, L: t.code, "code", link=True),
        Column(gettext_lazy("Name"), lambda t, L: t.name, "name"),
        Column(
            gettext_lazy("Part of"),
            lambda t, L: (L.get(Task, t.parent_id) or t).code if t.parent_id else "",
        ),
        Column(gettext_lazy("HXL sectors"), lambda t, L: "; ".join(t.hxl_sectors or [])),
        Column(gettext_lazy("Description"), lambda t, L: t.description[:80]),
    ],
    detail_fields=task_fields,
    extra_detail=task_sections,
)

CLASH_RULES = Config(
    model=ClashRule,
    name="clashrules",
    singular=gettext_lazy("clash rule"),
    filterset=ClashRuleFilter,
    form=ClashRuleForm,
    default_sort="pk",
    columns=[
        Column(gettext_lazy("Rule"), lambda r, L: str(r), "pk", link=True),
        Column(gettext_lazy("Task"), lambda r, L: L.label(Task, r.task_a_id)),
        Column(gettext_lazy("Clashes with"), lambda r, L: L.label(Task, r.task_b_id)),
        Column(gettext_lazy("Why"), lambda r, L: r.reason[:120]),
    ],
    detail_fields=lambda r, L: [
        (_("Task"), L.label(Task, r.task_a_id)),
        (_("Clashes with"), L.label(Task, r.task_b_id)),
        (_("Why"), r.reason),
    ],
)


SECTOR_MAPPINGS = Config(
    model=SectorMapping,
    name="sectormappings",
    singular=gettext_lazy("3W sector mapping"),
    filterset=SectorMappingFilter,
    form=SectorMappingForm,
    default_sort="value",
    columns=[
        Column(gettext_lazy("Sector in the file"), lambda m, L: m.value, "value", link=True),
        Column(gettext_lazy("Task"), lambda m, L: L.label(Task, m.task_id)),
        Column(gettext_lazy("Owner"), lambda m, L: L.label(Organisation, m.owner_id)),
    ],
    detail_fields=lambda m, L: [
        (_("Sector in the file"), m.value),
        (_("Task"), L.label(Task, m.task_id)),
    ],
)


# --- needs, assignments, arrangements ---------------------------------------------------------


NEEDS = Config(
    model=Need,
    name="needs",
    singular=gettext_lazy("need"),
    filterset=NeedFilter,
    form=NeedForm,
    default_sort="start",
    select_related=("country",),
    title=need_title,
    columns=[
        Column(gettext_lazy("Need"), lambda n, L: str(n), "pk", link=True),
        Column(gettext_lazy("Task"), lambda n, L: L.label(Task, n.task_id)),
        Column(gettext_lazy("Where"), lambda n, L: _place_label(n, L)),
        Column(gettext_lazy("From"), lambda n, L: _iso(n.start), "start"),
        Column(gettext_lazy("To"), lambda n, L: _iso(n.end) or _("open"), "end"),
        Column(gettext_lazy("Description"), lambda n, L: n.description[:100]),
    ],
    detail_fields=lambda n, L: [
        (_("Task"), L.label(Task, n.task_id)),
        (_("Where"), _place_label(n, L)),
        (_("From"), n.start or _("open")),
        (_("To"), n.end or _("open")),
        (_("Description"), n.description or "—"),
    ],
)


def assignment_fields(a: Assignment, labels):
    batch = labels.get(ImportBatch, a.batch_id)
    return [
        (_("Who"), _who(a, labels)),
        (_("Task"), labels.label(Task, a.task_id)),
        (_("Where"), _place_label(a, labels)),
        (_("From"), a.start or _("open")),
        (_("To"), a.end or _("open")),
        (_("Role"), a.get_role_display()),
        (_("Status"), a.get_status_display()),
        (_("Contact"), a.contact or "—"),
        (_("Note"), a.note or "—"),
        (_("Imported from"), str(batch) if batch else "—"),
        (
            _("As written in the file"),
            "; ".join(f"{k}: {v}" for k, v in (a.source_values or {}).items()) or "—",
        ),
    ]


ASSIGNMENTS = Config(
    model=Assignment,
    name="assignments",
    singular=gettext_lazy("assignment"),
    filterset=AssignmentFilter,
    form=AssignmentForm,
    default_sort="start",
    select_related=("country",),
    title=assignment_title,
    columns=[
        Column(gettext_lazy("Assignment"), lambda a, L: assignment_title(a, L), "pk", link=True),
        Column(gettext_lazy("Who"), _who),
        Column(gettext_lazy("What"), lambda a, L: L.label(Task, a.task_id)),
        Column(gettext_lazy("Where"), _place_label),
        Column(gettext_lazy("From"), lambda a, L: _iso(a.start), "start"),
        Column(gettext_lazy("To"), lambda a, L: _iso(a.end) or _("open"), "end"),
        Column(gettext_lazy("Role"), lambda a, L: a.get_role_display(), "role"),
        Column(gettext_lazy("Status"), lambda a, L: a.get_status_display(), "status"),
        Column(gettext_lazy("Note"), lambda a, L: a.note[:80]),
    ],
    detail_fields=assignment_fields,
)


def arrangement_fields(a: Arrangement, labels):
    user = labels.user
    parties = [str(o) for o in a.organisations.visible_to(user)] + [
        str(o) for o in a.operations.visible_to(user)
    ]
    return [
        (_("Kind"), a.get_kind_display()),
        (_("Title"), a.title),
        (_("Parties"), "; ".join(parties) or "—"),
        (_("Tasks"), "; ".join(t.name for t in a.tasks.visible_to(user)) or _("all tasks")),
        (
            _("Where"),
            "; ".join(
                [c.local_name for c in a.countries.all()]
                + [str(x) for x in a.areas.visible_to(user)]
            )
            or _("everywhere the parties work"),
        ),
        (_("From"), a.start or _("open")),
        (_("To"), a.end or _("open")),
        (_("Note"), a.note or "—"),
    ]


ARRANGEMENTS = Config(
    model=Arrangement,
    name="arrangements",
    singular=gettext_lazy("arrangement"),
    filterset=ArrangementFilter,
    form=ArrangementForm,
    default_sort="start",
    columns=[
        Column(gettext_lazy("Title"), lambda a, L: a.title, "title", link=True),
        Column(gettext_lazy("Kind"), lambda a, L: a.get_kind_display(), "kind"),
        Column(gettext_lazy("From"), lambda a, L: _iso(a.start), "start"),
        Column(gettext_lazy("To"), lambda a, L: _iso(a.end) or _("open"), "end"),
    ],
    detail_fields=arrangement_fields,
)
