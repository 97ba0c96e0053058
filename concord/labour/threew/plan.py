"""Planning a 3W import row by row (nothing written), and committing the plan."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from concord.core.importers import ImportContext
from concord.core.models import Area, Country, Organisation, OrganisationName
from concord.core.models.registry import OrganisationKind, normalise_name
from concord.exchange.tabular import (
    CellError,
    FileRejected,
)

from ..exchange import AreaMatcher, TaskMatcher
from ..models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ImportBatch,
    SectorMapping,
    Task,
)
from .sheet import ORG_KINDS, STATUSES, read


@dataclass
class Options:
    owner: Organisation
    country: Country | None = None  # for files without a #country column
    start: dt.date | None = None
    end: dt.date | None = None
    role: str = AssignmentRole.SUPPORT
    status: str = AssignmentStatus.ACTIVE
    classification: int = 1
    releasability: str = "owner"
    create_organisations: bool = True
    # Areas are created only when asked, and never at the first level of a country whose
    # reference subdivisions (ISO 3166-2) are loaded: that set is complete.
    create_areas: bool = False
    # Unmatched value -> task mapped by hand, or None: rejected by hand (a remembered
    # mapping of it is then not used).
    sector_map: dict[str, Task | None] = field(default_factory=dict)


@dataclass
class Plan:
    filename: str
    sha256: str
    rows: int = 0
    assignments: list[Assignment] = field(default_factory=list)
    new_organisations: list[Organisation] = field(default_factory=list)
    new_areas: list[Area] = field(default_factory=list)
    # What asking to create areas would create (exactly these), and why others never are.
    area_candidates: list[Area] = field(default_factory=list)
    # Areas matched by a similar name: "adm1 Hilmand (AF09)" -> area, its code, score, rows.
    similar: dict[str, dict] = field(default_factory=dict)
    matched: Counter = field(default_factory=Counter)  # "organisations" -> n distinct …
    unmatched: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )  # kind -> value -> rows
    mapped: dict[str, list[int]] = field(default_factory=dict)  # sector mapped by hand -> rows
    # Mapped as the owner mapped it for an earlier file (SectorMapping) -> rows.
    remembered: dict[str, list[int]] = field(default_factory=dict)
    remembered_tasks: dict[str, Task] = field(default_factory=dict)
    refused: dict[str, list[int]] = field(default_factory=dict)  # rejected by hand -> rows
    choices: dict[str, Task] = field(default_factory=dict)  # this file's hand mappings
    rejected: list[CellError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # role -> hashtag as written
    previous: ImportBatch | None = None

    def report(self) -> dict:
        return {
            "rows": self.rows,
            "assignments": len(self.assignments),
            "new_organisations": [o.acronym or o.name for o in self.new_organisations],
            "new_areas": [_area_label(a) for a in self.new_areas],
            "area_candidates": [_area_label(a) for a in self.area_candidates],
            "similar": {
                value: {k: (v[:50] if k == "rows" else v) for k, v in m.items()}
                for value, m in self.similar.items()
            },
            "matched": dict(self.matched),
            "mapped": {value: len(rows) for value, rows in self.mapped.items()},
            "remembered": {value: len(rows) for value, rows in self.remembered.items()},
            "unmatched": {
                kind: {value: rows[:50] for value, rows in values.items()}
                for kind, values in self.unmatched.items()
            },
            "rejected": [str(e) for e in self.rejected[:1000]],
            "rejected_count": len(self.rejected),
            "warnings": self.warnings,
            "columns": self.columns,
        }


def _area_label(a: Area) -> str:
    code = a.pcode or a.iso_code
    return f"{a.name} ({code})" if code else a.name


def _date(value: str, column: str, line: int, errors: list) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        errors.append(
            CellError(line, column, _("%(value)r is not a date (YYYY-MM-DD)") % {"value": value})
        )
        return None


def _getter(values: dict[str, str]):
    """``cell(role)``: a row's stripped value for a role, "" where the file lacks it."""

    def cell(role: str) -> str:
        return values.get(role, "")

    return cell


def plan(data: bytes, filename: str, options: Options, ctx: ImportContext) -> Plan:
    """Decide what every row becomes. Reads the database, writes nothing."""
    sheet = read(data, filename)
    planner = _Planner(sheet, filename, hashlib.sha256(data).hexdigest(), options, ctx)
    for line, row in sheet.rows:
        planner.row(line, row)
    return planner.finish()


class _Planner:
    """One file's plan, row by row: what the reader can refer to is loaded once, then each
    row's organisation, task, place, dates and status are decided by one method each."""

    def __init__(self, sheet, filename: str, sha256: str, options: Options, ctx: ImportContext):
        self.options, self.ctx, self.col = options, ctx, sheet.columns
        p = self.p = Plan(filename=filename, sha256=sha256, warnings=sheet.warnings)
        p.columns = {role: sheet.tags[i].strip() for role, i in sheet.columns.items()}
        p.previous = (
            ctx.visible(ImportBatch).filter(sha256=p.sha256).order_by("-pk").first()
            if ctx.user is not None or ctx.actor.is_system
            else None
        )
        self._load_organisations()
        self.tasks = TaskMatcher(ctx.visible(Task))
        self.task_of: dict[tuple, Task | None] = {}
        self.remembered = {  # the owner's mappings the reader may see, to tasks they may see
            m.key: m.task
            for m in ctx.visible(SectorMapping)
            .filter(owner=options.owner, task__in=ctx.visible(Task))
            .select_related("task")
        }
        self.countries = {c.alpha3: c for c in Country.objects.all()}
        names = {normalise_name(c.name): c for c in self.countries.values()}
        names.update({normalise_name(c.alpha2): c for c in self.countries.values() if c.alpha2})
        self.country_names = names
        self._load_areas(sheet)
        self.new_orgs: dict[str, Organisation] = {}
        self.new_areas: dict[tuple, Area] = {}
        self.seen: dict[str, set] = {"organisations": set(), "areas": set(), "tasks": set()}

    def _load_organisations(self) -> None:
        self.orgs = self.ctx.visible(Organisation)
        org_ids = set(self.orgs.values_list("pk", flat=True))
        self.by_key: dict[str, set[int]] = defaultdict(set)
        names = OrganisationName.objects.filter(organisation_id__in=org_ids)
        for org_id, key in names.values_list("organisation_id", "key"):
            self.by_key[key].add(org_id)
        self.org_objs: dict[int, Organisation] = {}

    def _cell(self, row: list[str], role: str) -> str:
        i = self.col.get(role)
        return row[i].strip() if i is not None and i < len(row) else ""

    def _country(self, value: str) -> Country | None:
        return self.countries.get(value.upper()) or self.country_names.get(normalise_name(value))

    def _load_areas(self, sheet) -> None:
        """The areas of the countries the file names (in its first 2,000 rows)."""
        wanted = set()
        if self.options.country:
            wanted.add(self.options.country.pk)
        for _line, row in sheet.rows[:2000]:
            c = self._country(self._cell(row, "country_code") or self._cell(row, "country_name"))
            if c:
                wanted.add(c.pk)
        self.areas = AreaMatcher(self.ctx.visible(Area).filter(country_id__in=wanted))
        # Countries whose first level is the complete ISO 3166-2 set: never added to.
        self.complete = set(
            Area.objects.filter(country_id__in=wanted, level=1)
            .exclude(iso_code="")
            .values_list("country_id", flat=True)
        )
        self.similar_of: dict[tuple, tuple[Area, int] | None] = {}

    # --- organisations ---------------------------------------------------------------------
    def find_org(self, name: str, acronym: str, kind: str, line: int) -> Organisation | None:
        p, options = self.p, self.options
        for value in (acronym, name):
            key = normalise_name(value)
            ids = self.by_key.get(key, set()) if key else set()
            if len(ids) == 1:
                (org_id,) = ids
                if org_id not in self.org_objs:
                    self.org_objs[org_id] = self.orgs.get(pk=org_id)
                self.seen["organisations"].add(org_id)
                return self.org_objs[org_id]
            if len(ids) > 1:
                p.unmatched["organisation (ambiguous)"][value].append(line)
                return None
        label = acronym or name
        key = normalise_name(acronym) + "|" + normalise_name(name)
        if key in self.new_orgs:
            return self.new_orgs[key]
        p.unmatched["organisation"][label].append(line)
        if not options.create_organisations:
            return None
        org = Organisation(
            name=name or acronym,
            acronym=acronym if acronym != name else "",
            kind=ORG_KINDS.get(normalise_name(kind), OrganisationKind.OTHER),
            owner=options.owner,
            classification=options.classification,
            releasability=options.releasability,
        )
        self.new_orgs[key] = org
        return org

    # --- places ----------------------------------------------------------------------------
    def _known_area(self, country: Country, level: int, code: str, name: str, parent, line: int):
        """An area the reader may see, by code, name, or a similar name (reported)."""
        areas = self.areas
        area = areas.code(code) if code else None
        under = parent if isinstance(parent, Area) else None
        if area is None and name:
            area = areas.name(country.pk, level, name, under)
        if area is None and name:
            key = (country.pk, level, name, under.pk if under else None)
            if key not in self.similar_of:  # a file repeats a few hundred places
                self.similar_of[key] = areas.similar(country.pk, level, name, under)
            if self.similar_of[key] is not None:
                area, score = self.similar_of[key]
                label = f"adm{level} {name}"  # untranslated: a level's code and a name
                if code:
                    label = f"{label} ({code})"
                found = self.p.similar.setdefault(
                    label, {"area": _area_label(area), "score": score, "rows": []}
                )
                found["rows"].append(line)
        return area

    def find_area(self, country: Country, level: int, code: str, name: str, parent, line: int):
        """The area a row names, None when it names none (or none is known), False when it
        names an area of another country (the row is rejected)."""
        if not code and not name:
            return None
        area = self._known_area(country, level, code, name, parent, line)
        if area is not None:
            if area.country_id != country.pk:
                self.p.rejected.append(
                    CellError(
                        line,
                        f"adm{level}",  # untranslated: a column
                        _("%(area)r is not in %(country)s")
                        % {"area": code or name, "country": country.name},
                    )
                )
                return False
            self.seen["areas"].add(area.pk or id(area))
            return area
        return self._new_area(country, level, code, name, parent, line)

    def _new_area(self, country: Country, level: int, code: str, name: str, parent, line: int):
        options = self.options
        key = (country.pk, level, (code or "").upper() or normalise_name(name))
        if key in self.new_areas:
            return self.new_areas[key] if options.create_areas else None
        label = f"{name} ({code})" if code and name else code or name
        self.p.unmatched[f"adm{level}"][label].append(line)
        if (level == 1 and country.pk in self.complete) or (level == 2 and parent is None):
            return None  # never created: the reference set is complete, or no parent
        area = Area(
            name=name or code,
            country=country,
            level=level,
            parent=parent,
            pcode=code,
            owner=options.owner,
            classification=options.classification,
            releasability=options.releasability,
        )
        self.new_areas[key] = area
        if not options.create_areas:
            return None
        self.areas.add(area)
        return area

    # --- tasks -----------------------------------------------------------------------------
    def find_task(self, cell, line: int, errors: list) -> Task | None:
        """The task by the catalogue, then the choices made for this file, then the owner's
        remembered mappings."""
        p, options = self.p, self.options
        activity = cell("activity_code") or cell("activity_name")
        values = [cell("sector_code"), cell("sector_name"), activity]
        key = tuple(values)
        if key not in self.task_of:  # a file repeats a few dozen sector/activity pairs
            self.task_of[key] = self.tasks.match(*values)
        task = self.task_of[key]
        chosen = task is not None
        if task is None:
            for v in values:
                if v in options.sector_map:
                    chosen, task = True, options.sector_map[v]
                    if task is None:
                        p.refused.setdefault(v, []).append(line)
                    else:
                        p.mapped.setdefault(v, []).append(line)
                        p.choices[v] = task
                    break
        if not chosen:
            for v in values:
                if v and normalise_name(v) in self.remembered:
                    task = self.remembered[normalise_name(v)]
                    p.remembered.setdefault(v, []).append(line)
                    p.remembered_tasks[v] = task
                    break
        if task is None:
            label = cell("sector_code") or cell("sector_name") or activity or _("(empty)")
            p.unmatched["sector"][label].append(line)
            errors.append(
                CellError(
                    line,
                    "#sector",
                    _("%(value)r matches no task in the catalogue") % {"value": label},
                )
            )
        else:
            self.seen["tasks"].add(task.pk)
        return task

    # --- a row -----------------------------------------------------------------------------
    def _organisation(self, cell, line: int, errors: list) -> Organisation | None:
        name, acronym = cell("org_name"), cell("org_acronym")
        if not (name or acronym):
            errors.append(
                CellError(line, self.p.columns.get("org_name", "#org"), _("no organisation"))
            )
            return None
        who = self.find_org(name, acronym, cell("org_type"), line)
        if who is None:
            errors.append(
                CellError(
                    line,
                    "#org",
                    _("%(value)r is not a known organisation") % {"value": acronym or name},
                )
            )
        return who

    def _place(self, cell, line: int, errors: list):
        """(country, area), or None when the row names an area of another country."""
        value = cell("country_code") or cell("country_name")
        country = self._country(value) if value else self.options.country
        if country is None:
            if value:
                self.p.unmatched["country"][value].append(line)
            if value:
                problem = _("%(value)r is not a country") % {"value": value}
            else:
                problem = _("no country (choose one)")
            errors.append(CellError(line, "#country", problem))
            return None, None
        adm1 = self.find_area(country, 1, cell("adm1_code"), cell("adm1_name"), None, line)
        adm2 = self.find_area(country, 2, cell("adm2_code"), cell("adm2_name"), adm1 or None, line)
        if adm1 is False or adm2 is False:
            return None
        area = adm2 or adm1
        if area is None and (cell("adm1_code") or cell("adm1_name") or cell("adm2_code")):
            errors.append(CellError(line, "#adm1", _("the area matches nothing known")))
        return country, area

    def row(self, line: int, row: list[str]) -> None:
        p, options = self.p, self.options
        values_of = {role: row[i].strip() if i < len(row) else "" for role, i in self.col.items()}
        cell = _getter(values_of)
        p.rows += 1
        errors: list[CellError] = []
        who = self._organisation(cell, line, errors)
        task = self.find_task(cell, line, errors)
        place = self._place(cell, line, errors)
        if place is None:
            return  # rejected already: an area of another country
        country, area = place
        start = _date(cell("start"), "#date+start", line, errors) or options.start
        end = _date(cell("end"), "#date+end", line, errors) or options.end
        if start and end and end < start:
            errors.append(CellError(line, "#date+end", _("the end is before the start")))
        status_text = normalise_name(cell("status"))
        status = STATUSES.get(status_text, options.status)
        if status_text and status_text not in STATUSES:
            p.unmatched["status"][cell("status")].append(line)
        if errors:
            p.rejected.extend(errors)
            return
        p.assignments.append(
            Assignment(
                organisation=who,
                task=task,
                country=country,
                area=area,
                start=start,
                end=end,
                role=options.role,
                status=status,
                contact=cell("contact")[:300],
                owner=options.owner,
                classification=options.classification,
                releasability=options.releasability,
                source_values={
                    "line": line,
                    **{role: value for role, value in values_of.items() if value},
                },
            )
        )

    def finish(self) -> Plan:
        p, options = self.p, self.options
        # Plain dicts from here on: a template asking a defaultdict for ``.items`` would get a
        # fresh empty entry called "items" instead of the method (and show nothing unmatched).
        p.unmatched = {kind: dict(values) for kind, values in p.unmatched.items()}
        p.new_organisations = list(self.new_orgs.values())
        p.area_candidates = sorted(self.new_areas.values(), key=lambda a: (a.level, a.name))
        p.new_areas = (
            sorted(self.new_areas.values(), key=lambda a: a.level) if options.create_areas else []
        )  # parents first
        p.matched.update(
            organisations=len(self.seen["organisations"]),
            areas=len(self.seen["areas"]),
            tasks=len(self.seen["tasks"]),
        )
        return p


def commit(p: Plan, *, actor, allow_rejects: bool = False) -> ImportBatch:
    """Write the plan. Refused while rows are rejected, unless ``allow_rejects`` (then the
    rejected rows stay listed in the batch's report)."""
    from .. import services

    if p.rejected and not allow_rejects:
        raise FileRejected(p.filename, p.rejected)
    if not p.assignments:
        raise FileRejected(p.filename, [CellError(None, None, _("no rows to import"))])
    owner = p.assignments[0].owner
    batch = ImportBatch(
        filename=p.filename[:300],
        sha256=p.sha256,
        rows=p.rows,
        report=p.report(),
        owner=owner,
        classification=p.assignments[0].classification,
        releasability=p.assignments[0].releasability,
    )
    return services.import_assignments(
        batch,
        p.assignments,
        actor=actor,
        organisations=p.new_organisations,
        areas=p.new_areas,
        sector_choices=p.choices,
    )
