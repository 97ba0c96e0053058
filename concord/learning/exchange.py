"""Import/export columns for learning records. An imported observation is attributed (a
sealed one is submitted through the page or the API only); a sealed one exports its flag,
never its submitter. Lessons carry the guidance they changed; bodies and actions are derived
from their model fields."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.accountability.exchange import FieldSpec
from concord.core.importers import SEP, RowError, Spec, _choice, _date, _split
from concord.core.importers import iso as _iso
from concord.core.models import Area
from concord.core.sources import format_sources, parse_sources
from concord.labour.exchange import area_ref, task_ref
from concord.labour.models import Task
from concord.operations.exchange import operation_ref
from concord.operations.models import Operation

from .models import (
    Disposition,
    GuidanceChange,
    Lesson,
    LessonBody,
    Observation,
    Phase,
    RemedialAction,
    SourceKind,
    SupportModule,
    SupportRequest,
    Theme,
)


def _refs(x, labels, name: str) -> str:
    """An observation's or a lesson's operations, countries or tasks, as a cell."""
    if name == "countries":
        return f"{SEP} ".join(c.alpha3 for c in x.countries.all())
    model = {"operations": Operation, "tasks": Task}[name]
    found = [labels.get(model, r.pk) for r in getattr(x, name).all()]
    if name == "tasks":
        return f"{SEP} ".join(t.code for t in found if t)
    return f"{SEP} ".join(o.key or o.acronym or o.name for o in found if o)


def _parse_refs(row, ctx, m2m: dict) -> None:
    """Where it was learned, from the columns given (an absent column changes nothing)."""
    if "operations" in row:
        visible = ctx.visible(Operation)
        m2m["operations"] = [
            operation_ref(v, visible, "operations") for v in _split(row["operations"])
        ]
    if "countries" in row:
        m2m["countries"] = [ctx.country(v, "countries") for v in _split(row["countries"])]
    if "tasks" in row:
        m2m["tasks"] = [task_ref(v, ctx, "tasks") for v in _split(row["tasks"])]


class ObservationSpec(Spec):
    model = Observation
    name = gettext_lazy("observation")
    prefetch_related = ("operations", "countries", "areas", "tasks")
    fields = [*Observation.FIELDS, "state", "sealed"]
    required = {"title", "what_happened", "source_kind"}

    def key(self, row):
        return row.get("id") or row.get("title", "").casefold()

    def values(self, o, labels):
        areas = [labels.get(Area, x.pk) for x in o.areas.all()]
        return [
            o.title,
            o.what_happened,
            o.discussion,
            o.recommendation,
            o.source_kind,
            o.phase,
            _refs(o, labels, "operations"),
            _refs(o, labels, "countries"),
            f"{SEP} ".join(a.pcode or a.iso_code for a in areas if a),
            _refs(o, labels, "tasks"),
            _iso(o.period_start),
            _iso(o.period_end),
            format_sources(o.sources),
            o.state,
            "true" if o.sealed else "false",
        ]

    def parse(self, row, ctx):
        o = self.instance(row, ctx)
        o.title = row.get("title", o.title or "")
        o.what_happened = row.get("what_happened", o.what_happened or "")
        o.discussion = row.get("discussion", o.discussion or "")
        o.recommendation = row.get("recommendation", o.recommendation or "")
        o.source_kind = _choice(
            row.get("source_kind", ""), SourceKind.choices, "source_kind", o.source_kind
        )
        o.phase = _choice(row.get("phase", ""), Phase.choices, "phase", o.phase or Phase.OTHER)
        o.period_start = _date(row.get("period_start", ""), "period_start")
        o.period_end = _date(row.get("period_end", ""), "period_end")
        if "sources" in row:
            o.sources = parse_sources(row["sources"])
        # state and sealed are read, not written: they change through the record's steps
        m2m = self.security(o, row, ctx)
        _parse_refs(row, ctx, m2m)
        if "areas" in row:
            m2m["areas"] = [area_ref(v, ctx, "areas") for v in _split(row["areas"])]
        return o, m2m, None


def guidance_item(item: str, column: str = "guidance") -> dict:
    """One guidance changed, written ``title | link | date`` (the form's lines and the
    file's ';'-separated items alike)."""
    title, url, on = ([p.strip() for p in item.split("|")] + ["", ""])[:3]
    if not title:
        raise RowError(column, _("each guidance needs its title: title | link | date"))
    if url and not url.startswith(("http://", "https://")):
        raise RowError(column, _("a link starts with http:// or https://"))
    return {"title": title, "url": url, "on": _date(on, column)}


class LessonSpec(Spec):
    model = Lesson
    name = gettext_lazy("lesson")
    prefetch_related = ("guidance", "operations", "countries", "tasks")
    fields = [*Lesson.FIELDS, "guidance", "state"]
    required = {"title", "theme", "abstract"}

    def key(self, row):
        return row.get("id") or row.get("title", "").casefold()

    def values(self, x, labels):
        return [
            x.title,
            x.theme,
            x.abstract,
            x.phase,
            _iso(x.identified_on),
            format_sources(x.sources),
            _refs(x, labels, "operations"),
            _refs(x, labels, "countries"),
            _refs(x, labels, "tasks"),
            f"{SEP} ".join(
                " | ".join([g.title, g.url, _iso(g.on)]).rstrip(" |") for g in x.guidance.all()
            ),
            x.state,
        ]

    def parse(self, row, ctx):
        from concord.core.services import replace_children

        x = self.instance(row, ctx)
        x.title = row.get("title", x.title or "")
        x.theme = _choice(row.get("theme", ""), Theme.choices, "theme", x.theme)
        x.abstract = row.get("abstract", x.abstract or "")
        x.phase = _choice(row.get("phase", ""), Phase.choices, "phase", x.phase or Phase.OTHER)
        if row.get("identified_on", "").strip():
            x.identified_on = _date(row["identified_on"], "identified_on")
        if "sources" in row:
            x.sources = parse_sources(row["sources"])
        m2m = self.security(x, row, ctx)
        _parse_refs(row, ctx, m2m)
        children = None
        if "guidance" in row:
            rows = [guidance_item(item) for item in _split(row["guidance"])]

            def children(lesson, actor):
                replace_children(
                    lesson,
                    actor,
                    GuidanceChange,
                    "lesson",
                    rows,
                    error=lambda i, msgs: {"guidance": f"{i}: {' '.join(msgs)}"},
                )

        return x, m2m, children


SPECS = {
    "observations": ObservationSpec(),
    "lessons": LessonSpec(),
    "lesson-bodies": FieldSpec(
        LessonBody, gettext_lazy("lesson body"), {"lesson", "conclusion", "recommendation"}
    ),
    "remedial-actions": FieldSpec(
        RemedialAction, gettext_lazy("remedial action"), {"lesson", "what", "action_body"}
    ),
    "support-modules": FieldSpec(
        SupportModule, gettext_lazy("support module"), {"title", "area", "description", "contact"}
    ),
    "support-requests": FieldSpec(
        SupportRequest,
        gettext_lazy("support request"),
        {"module", "operation", "need", "wanted_from"},
    ),
    "lesson-dispositions": FieldSpec(
        Disposition,
        gettext_lazy("disposition"),
        {"operation", "lesson", "decision", "note", "decided_on"},
    ),
}
