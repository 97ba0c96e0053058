"""The catalogue's and the 4W records' pages (tasks, clash rules, sector mappings, needs,
assignments, arrangements): generic list/detail/edit/import/export, one Config each."""

from __future__ import annotations

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
        return f"{obj.country.name} · (restricted)"
    return f"{obj.country.name} · {area}" if area else f"{obj.country.name} (country-wide)"


def _who(a: Assignment, labels) -> str:
    if a.organisation_id:
        return labels.label(Organisation, a.organisation_id)
    return labels.label(Operation, a.operation_id)


ROLE_VERBS = {
    AssignmentRole.LEAD: "leads",
    AssignmentRole.SUPPORT: "supports",
    AssignmentRole.MONITOR: "monitors",
    AssignmentRole.FUNDER: "funds",
}


def _where(obj, labels) -> str:
    area = labels.get(Area, obj.area_id)
    if obj.area_id and area is None:
        return f"{obj.country.name} · {RESTRICTED}"
    return area.name if area else obj.country.name


def _years(obj) -> str:
    if not obj.start:
        return ""
    if not obj.end:
        return f", from {obj.start.year}"
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
    what = _lower_first(task.name) if task else RESTRICTED
    verb = ROLE_VERBS.get(a.role, a.get_role_display().lower())
    return f"Assignment: {_who(a, labels)} {verb} {what} in {_where(a, labels)}{_years(a)}"


def need_title(n: Need, labels) -> str:
    task = labels.get(Task, n.task_id)
    what = _lower_first(task.name) if task else RESTRICTED
    return f"Need: {what} in {_where(n, labels)}{_years(n)}"


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
    title=need_title,
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
    title=assignment_title,
    columns=[
        Column("Assignment", lambda a, L: assignment_title(a, L), "pk", link=True),
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
