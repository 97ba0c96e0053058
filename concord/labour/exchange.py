"""Columns of the division of labour for import and export (CSV, JSON, XLSX, HXL), and the
matchers that turn what a file says (an acronym, a P-code, a cluster code) into records.

Lists inside a cell are separated by ';'. Assignments are exchanged with HXL hashtags a
humanitarian 3W tool reads: ``#org+impl``, ``#activity+code``, ``#sector``, ``#adm1+code``,
``#adm2+code``, ``#date+start``, ``#date+end``, ``#status`` …
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.importers import (
    SEP,
    Cells,
    RowError,
    Spec,
    _choice,
    _date,
    _org_key,
    _split,
)
from concord.core.importers import iso as _iso
from concord.core.models import Area, Country, Organisation
from concord.core.models.registry import normalise_name
from concord.core.sources import format_sources, parse_sources
from concord.operations.exchange import SECURITY_TAGS, operation_ref
from concord.operations.models import Operation

from .models import (
    Arrangement,
    ArrangementKind,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ClashRule,
    Need,
    SectorMapping,
    Task,
)

# Words that say nothing about which task a sector code means ("PROTECTION_OP",
# "Operational Presence: Health", "Health Cluster").
GENERIC_WORDS = {"op", "operational", "presence", "cluster", "sector", "aor", "the", "and"}


def _words(value: str) -> list[str]:
    import unicodedata

    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return text.casefold().split()


class TaskMatcher:
    """A task from its code, its name, or one of its HXL sector or activity codes and names.
    Case, accents and punctuation do not matter; words such as "operational presence" or
    "cluster" are ignored when nothing else matches."""

    def __init__(self, tasks):
        self.by_key: dict[str, Task] = {}
        self.tasks = list(tasks)
        for t in self.tasks:
            for value in [t.code, t.name, *(t.hxl_sectors or []), *(t.hxl_activities or [])]:
                self.by_key.setdefault(normalise_name(value), t)
        for t in self.tasks:  # a task's own code wins over another task's alias
            self.by_key[normalise_name(t.code)] = t

    def match(self, *values: str) -> Task | None:
        for value in values:
            if not value:
                continue
            task = self.by_key.get(normalise_name(value))
            if task is None:
                core = [w for w in _words(value) if w not in GENERIC_WORDS]
                task = self.by_key.get("".join(core)) if core else None
            if task is not None:
                return task
        return None


FUZZY_CUTOFF = 80  # out of 100: "Hilmand" finds "Helmand" (86), "Hirat" "Herat" (80)
FUZZY_MARGIN = 6  # the runner-up must trail by more than this, or the name is ambiguous


class AreaMatcher:
    """Areas by P-code or ISO 3166-2 code, or by name within a country and level: the same
    name first (case, accents and punctuation aside), then the closest spelling (rapidfuzz),
    when it is close enough and no other area of that level comes near."""

    def __init__(self, areas):
        self.by_code: dict[str, Area] = {}
        self.by_name: dict[tuple, Area | None] = {}
        self.by_level: dict[tuple, list[tuple[str, Area]]] = {}
        for a in areas:
            self.add(a)

    def code(self, value: str) -> Area | None:
        return self.by_code.get((value or "").strip().upper())

    def name(self, country_id: int, level: int, value: str, parent: Area | None = None):
        area = self.by_name.get((country_id, level, normalise_name(value)))
        if area is not None and parent is not None and area.parent_id not in (None, parent.pk):
            return None
        return area

    def similar(
        self, country_id: int, level: int, value: str, parent: Area | None = None
    ) -> tuple[Area, int] | None:
        """The area of that country and level whose name is spelt most like ``value`` (and
        under ``parent``, if given), with its score out of 100; None below FUZZY_CUTOFF or
        when another area scores within FUZZY_MARGIN of it."""
        from rapidfuzz import fuzz, process

        key = normalise_name(value)
        candidates = [
            (k, a)
            for k, a in self.by_level.get((country_id, level), ())
            if parent is None or a.parent_id in (None, parent.pk)
        ]
        if not key or not candidates:
            return None
        names = [k for k, _ in candidates]
        found = process.extract(key, names, scorer=fuzz.ratio, limit=2, score_cutoff=FUZZY_CUTOFF)
        if not found:
            # One name holding the other whole ("Maidan Wardak" and "Wardak"), 5 letters or more.
            found = [
                (k, 100.0, i)
                for i, k in enumerate(names)
                if min(len(k), len(key)) >= 5 and (k in key or key in k)
            ][:2]
        if not found:
            return None
        (_, best, i), *rest = found
        runner_up = rest[0] if rest else None
        if (
            runner_up is not None
            and runner_up[1] > best - FUZZY_MARGIN
            and candidates[runner_up[2]][1] is not candidates[i][1]
        ):
            return None  # two areas come as near: the name alone cannot tell them apart
        return candidates[i][1], round(best)

    def add(self, area: Area) -> None:
        for code in (area.pcode, area.iso_code):
            if code:
                self.by_code[code.upper()] = area
        key = (area.country_id, area.level, normalise_name(area.name))
        # Two areas of one name and level in a country: a name alone cannot tell them apart.
        self.by_name[key] = None if key in self.by_name else area
        self.by_level.setdefault((area.country_id, area.level), []).append((key[2], area))


def task_matcher(ctx) -> TaskMatcher:
    """The importer's matcher, built once per import."""
    matcher = getattr(ctx, "_task_matcher", None)
    if matcher is None:
        matcher = ctx._task_matcher = TaskMatcher(ctx.visible(Task))
    return matcher


def task_ref(value: str, ctx, column: str) -> Task:
    value = (value or "").strip()
    if not value:
        raise RowError(column, _("name the task (its code, e.g. 'poc')"))
    task = task_matcher(ctx).match(value)
    if task is None:
        raise RowError(column, _("no task %(name)r in the catalogue") % {"name": value})
    return task


def area_ref(value: str, ctx, column: str):
    value = (value or "").strip()
    if not value:
        return None
    qs = ctx.visible(Area)
    area = qs.filter(pcode=value).first() or qs.filter(iso_code__iexact=value).first()
    if area is None:
        raise RowError(column, _("no area with P-code or ISO code %(code)r") % {"code": value})
    return area


def _area_code(area) -> str:
    return (area.pcode or area.iso_code) if area else ""


class TaskSpec(Spec):
    model = Task
    name = gettext_lazy("task")
    fields = Task.FIELDS
    required = {"code", "name"}

    def key(self, row):
        return row.get("id") or row.get("code", "").casefold()

    def instance(self, row, ctx):
        if not row.get("id") and row.get("code"):
            existing = ctx.editable(Task).filter(code=row["code"]).first()
            if existing is not None:
                return existing
        return super().instance(row, ctx)

    def values(self, t, labels):
        parent = labels.get(Task, t.parent_id)
        return [
            t.code,
            t.name,
            parent.code if parent else "",
            t.description,
            f"{SEP} ".join(t.hxl_sectors or []),
            f"{SEP} ".join(t.hxl_activities or []),
        ]

    def parse(self, row, ctx):
        t = self.instance(row, ctx)
        t.code = row.get("code", t.code)
        t.name = row.get("name", t.name)
        if "parent" in row:
            t.parent = None
            if row["parent"]:
                t.parent = ctx.visible(Task).filter(code=row["parent"]).first()
                if t.parent is None:
                    raise RowError(
                        "parent", _("no task with code %(code)r") % {"code": row["parent"]}
                    )
        t.description = row.get("description", t.description or "")
        for col in ("hxl_sectors", "hxl_activities"):
            if col in row:
                setattr(t, col, _split(row[col]))
        return t, self.security(t, row, ctx), None


class ClashRuleSpec(Spec):
    model = ClashRule
    name = gettext_lazy("clash rule")
    fields = ClashRule.FIELDS
    required = {"task_a", "task_b", "reason"}

    def key(self, row):
        return row.get("id") or f"{row.get('task_a')}|{row.get('task_b')}"

    def values(self, r, labels):
        a, b = labels.get(Task, r.task_a_id), labels.get(Task, r.task_b_id)
        return [a.code if a else "", b.code if b else "", r.reason]

    def parse(self, row, ctx):
        r = self.instance(row, ctx)
        r.task_a = task_ref(row.get("task_a", ""), ctx, "task_a")
        r.task_b = task_ref(row.get("task_b", ""), ctx, "task_b")
        r.reason = row.get("reason", r.reason or "")
        return r, self.security(r, row, ctx), None


class SectorMappingSpec(Spec):
    model = SectorMapping
    name = gettext_lazy("3W sector mapping")
    fields = SectorMapping.FIELDS
    required = {"value", "task"}

    def key(self, row):
        return row.get("id") or normalise_name(row.get("value", ""))

    def values(self, m, labels):
        task = labels.get(Task, m.task_id)
        return [m.value, task.code if task else ""]

    def parse(self, row, ctx):
        m = self.instance(row, ctx)
        m.value = row.get("value", m.value or "")
        m.task = task_ref(row.get("task", ""), ctx, "task")
        return m, self.security(m, row, ctx), None


class NeedSpec(Spec):
    model = Need
    name = gettext_lazy("need")
    select_related = ("country",)
    fields = ["task", "country", "area", "start", "end", "description"]
    required = {"task", "country"}

    def key(self, row):
        return row.get("id") or "|".join(row.get(c, "") for c in self.fields)

    def values(self, n, labels):
        task = labels.get(Task, n.task_id)
        return [
            task.code if task else "",
            n.country.alpha3,
            _area_code(labels.get(Area, n.area_id)),
            _iso(n.start),
            _iso(n.end),
            n.description,
        ]

    def parse(self, row, ctx):
        n = self.instance(row, ctx)
        n.task = task_ref(row.get("task", ""), ctx, "task")
        n.country = ctx.country(row.get("country", ""))
        n.area = area_ref(row.get("area", ""), ctx, "area")
        n.start = _date(row.get("start", ""), "start")
        n.end = _date(row.get("end", ""), "end")
        n.description = row.get("description", n.description or "")
        return n, self.security(n, row, ctx), None


ASSIGNMENT_TAGS = {
    "id": "#meta+id",
    "organisation": "#org+impl",
    "operation": "#org+impl+operation",
    "task": "#activity+code",
    "sector": "#sector",
    "country": "#country+code",
    "adm1": "#adm1+code",
    "adm2": "#adm2+code",
    "start": "#date+start",
    "end": "#date+end",
    "role": "#org+role",
    "status": "#status",
    "contact": "#contact",
    "note": "#description",
    **SECURITY_TAGS,
}


class AssignmentSpec(Spec):
    """One row per assignment. ``adm1``/``adm2`` are the area's P-codes (or ISO codes) at each
    level; ``sector`` is the task's first HXL sector code (used to find the task when ``task``
    is empty, so a humanitarian file can come back in)."""

    model = Assignment
    name = gettext_lazy("assignment")
    select_related = ("country",)
    fields = [
        "organisation",
        "operation",
        "task",
        "sector",
        "country",
        "adm1",
        "adm2",
        "start",
        "end",
        "role",
        "status",
        "contact",
        "note",
    ]
    required = {"country"}
    hxl_tags = ASSIGNMENT_TAGS

    def key(self, row):
        return row.get("id") or None

    def preload(self, batch, labels) -> None:
        areas = (labels.get(Area, a.area_id) for a in batch if a.area_id)
        labels.load(Area, {area.parent_id for area in areas if area is not None})

    def values(self, a, labels):
        area = labels.get(Area, a.area_id)
        parent = labels.get(Area, area.parent_id) if area is not None and area.parent_id else None
        adm1, adm2 = (parent, area) if area is not None and area.level >= 2 else (area, None)
        op = labels.get(Operation, a.operation_id)
        task = labels.get(Task, a.task_id)
        return [
            _org_key(labels.get(Organisation, a.organisation_id)),
            (op.key or op.acronym or op.name) if op else "",
            task.code if task else "",
            (task.hxl_sectors or [""])[0] if task else "",
            a.country.alpha3,
            _area_code(adm1),
            _area_code(adm2),
            _iso(a.start),
            _iso(a.end),
            a.role,
            a.status,
            a.contact,
            a.note,
        ]

    def parse(self, row, ctx):
        a = self.instance(row, ctx)
        cells = Cells()  # every problem of the row, not only the first
        who = row.get("organisation", "").strip()
        op = row.get("operation", "").strip()
        a.organisation = cells(ctx.organisation, who, "organisation") if who else None
        a.operation = cells(operation_ref, op, ctx.visible(Operation), "operation") if op else None
        if not who and not op:
            cells.problem("organisation", _("give who does it: an organisation or an operation"))
        if row.get("task"):
            a.task = cells(task_ref, row["task"], ctx, "task")
        else:
            a.task = task_matcher(ctx).match(row.get("sector", ""))
            if a.task is None:
                cells.problem("task", _("give the task's code (or a sector the catalogue knows)"))
        a.country = cells(ctx.country, row.get("country", ""))
        adm2 = cells(area_ref, row.get("adm2", ""), ctx, "adm2")
        a.area = adm2 or cells(area_ref, row.get("adm1", ""), ctx, "adm1")
        a.start = cells(_date, row.get("start", ""), "start")
        a.end = cells(_date, row.get("end", ""), "end")
        a.role = cells(
            _choice, row.get("role", ""), AssignmentRole.choices, "role", AssignmentRole.LEAD
        )
        a.status = cells(
            _choice,
            row.get("status", ""),
            AssignmentStatus.choices,
            "status",
            AssignmentStatus.ACTIVE,
        )
        a.contact = row.get("contact", a.contact or "")
        a.note = row.get("note", a.note or "")
        security = cells(self.security, a, row, ctx)
        cells.done()
        return a, security, None


class ArrangementSpec(Spec):
    model = Arrangement
    name = gettext_lazy("arrangement")
    prefetch_related = ("organisations", "operations", "tasks", "countries", "areas")
    fields = Arrangement.FIELDS
    required = {"kind", "title"}

    def key(self, row):
        return row.get("id") or row.get("title", "").casefold()

    def values(self, a, labels):
        orgs = [labels.get(Organisation, o.pk) for o in a.organisations.all()]
        ops = [labels.get(Operation, o.pk) for o in a.operations.all()]
        tasks = [labels.get(Task, t.pk) for t in a.tasks.all()]
        areas = [labels.get(Area, x.pk) for x in a.areas.all()]
        return [
            a.kind,
            a.title,
            f"{SEP} ".join(_org_key(o) for o in orgs if o is not None),
            f"{SEP} ".join((o.key or str(o)) for o in ops if o is not None),
            f"{SEP} ".join(t.code for t in tasks if t is not None),
            f"{SEP} ".join(c.alpha3 for c in a.countries.all()),
            f"{SEP} ".join(_area_code(x) for x in areas if x is not None),
            _iso(a.start),
            _iso(a.end),
            a.note,
            format_sources(a.sources),
        ]

    def parse(self, row, ctx):
        a = self.instance(row, ctx)
        a.kind = _choice(row.get("kind", ""), ArrangementKind.choices, "kind", a.kind or "")
        a.title = row.get("title", a.title)
        a.start = _date(row.get("start", ""), "start")
        a.end = _date(row.get("end", ""), "end")
        a.note = row.get("note", a.note or "")
        if "sources" in row:
            a.sources = parse_sources(row["sources"])
        m2m = self.security(a, row, ctx)
        if "organisations" in row:
            m2m["organisations"] = [
                ctx.organisation(n, "organisations") for n in _split(row["organisations"])
            ]
        if "operations" in row:
            ops = ctx.visible(Operation)
            m2m["operations"] = [
                operation_ref(n, ops, "operations") for n in _split(row["operations"])
            ]
        if "tasks" in row:
            m2m["tasks"] = [task_ref(n, ctx, "tasks") for n in _split(row["tasks"])]
        if "countries" in row:
            m2m["countries"] = [ctx.country(c, "countries") for c in _split(row["countries"])]
        if "areas" in row:
            m2m["areas"] = [area_ref(c, ctx, "areas") for c in _split(row["areas"])]
        return a, m2m, None


FINDING_COLUMNS = [
    "kind",
    "key",
    "task",
    "sector",
    "country",
    "place_code",
    "place",
    "start",
    "end",
    "days",
    "actors",
    "explanation",
    "review",
]
FINDING_TAGS = {
    "kind": "#meta+type",
    "key": "#meta+id",
    "task": "#activity+code",
    "sector": "#sector",
    "country": "#country+code",
    "place_code": "#loc+code",
    "place": "#loc+name",
    "start": "#date+start",
    "end": "#date+end",
    "days": "#indicator+days+num",
    "actors": "#org+list",
    "explanation": "#description",
    "review": "#status",
}


def finding_rows(findings, names, reviews, country_of) -> list[list]:
    """Rows of FINDING_COLUMNS, in words (see ``loaders.explain``). ``country_of(place)``: the
    alpha-3 code of the country a place is in."""
    from .loaders import explain

    rows = []
    for f in findings:
        task = names.tasks.get(f.task)
        place = f.place
        area = names.labels.get(Area, place) if isinstance(place, int) else None
        review = reviews.get(f.key)
        rows.append(
            [
                f.kind,
                f.key,
                task.code if task else "",
                (task.hxl_sectors or [""])[0] if task else "",
                country_of(f.place),
                _area_code(area) if area else (place if isinstance(place, str) else ""),
                names.place(place),
                _iso(f.start),
                _iso(f.end),
                f.days if f.days is not None else "",
                f"{SEP} ".join(names.actor(a) for a in f.actors),
                explain(f, names),
                review.status if review else "open",  # a code, like the statuses
            ]
        )
    return rows


FINDING_FORMATS = ("hxl", "csv", "json", "xlsx")


def write_findings(fmt: str, rows: list[list]) -> tuple[object, str, str]:
    """(bytes or text chunks, content type, file extension) of findings in ``fmt``."""
    from concord.exchange import tabular

    if fmt == "hxl":
        body = tabular.write_hxl(FINDING_COLUMNS, rows, FINDING_TAGS)
        return body, tabular.CONTENT_TYPES["csv"], "hxl.csv"
    if fmt == "xlsx":
        return (
            tabular.write_xlsx(FINDING_COLUMNS, rows, "findings"),
            tabular.CONTENT_TYPES[fmt],
            fmt,
        )
    if fmt in ("csv", "json"):
        writer = tabular.write_csv if fmt == "csv" else tabular.write_json
        return writer(FINDING_COLUMNS, rows), tabular.CONTENT_TYPES[fmt], fmt
    raise ValueError(f"findings cannot be exported as {fmt!r}; use {', '.join(FINDING_FORMATS)}")


SPECS = {
    "tasks": TaskSpec(),
    "clashrules": ClashRuleSpec(),
    "sectormappings": SectorMappingSpec(),
    "needs": NeedSpec(),
    "assignments": AssignmentSpec(),
    "arrangements": ArrangementSpec(),
}

__all__ = ["SPECS", "TaskMatcher", "AreaMatcher", "Country"]
