"""Import and export of records as tables (CSV, JSON, XLSX): the ``Spec`` a kind declares
(its columns; core's own are in concord.core.exchange), and the all-or-nothing import.

Imports are all-or-nothing per file: every row is validated and saved through the services
inside one transaction; if any row fails, everything rolls back and every row's errors are
reported with their row and column.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.exchange.tabular import CellError, FileRejected, Table, read_table

from . import services
from .context import Actor
from .locales import choice_labels
from .models import (
    Classification,
    Country,
    Organisation,
    Releasability,
    Role,
    ScopedModel,
    Space,
)
from .numbers import record_id
from .visibility import VisibleLabels

SEP = ";"


class RowError(Exception):
    def __init__(self, column: str | None, message: str):
        self.column, self.message = column, message
        super().__init__(message)


class RowErrors(Exception):
    """Every problem of one row (see :class:`Cells`)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))


class Cells:
    """Reads a row cell by cell and keeps every problem, not only the first: ``cells(read,
    *args)`` returns what ``read`` returns, or None when it raises a :class:`RowError`;
    ``cells.done()`` then raises them all at once. A row with a bad task, area, date and
    role is told of all four in one go."""

    def __init__(self):
        self.problems: list[RowError] = []

    def __call__(self, read, *args):
        try:
            return read(*args)
        except RowError as exc:
            self.problems.append(exc)
            return None

    def problem(self, column: str | None, message: str) -> None:
        self.problems.append(RowError(column, message))

    def done(self) -> None:
        if self.problems:
            raise RowErrors(self.problems)


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(SEP) if v.strip()]


def iso(day) -> str:
    """A date as YYYY-MM-DD, or "" for none (how every export and page writes dates)."""
    return day.isoformat() if day else ""


def _date(value: str, column: str):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(
            column, _("%(value)r is not an ISO 8601 date (YYYY-MM-DD)") % {"value": value}
        ) from None


def _choice(value: str, choices, column: str, default):
    if value == "":
        return default
    norm = value.strip().lower().replace(" ", "_")
    for v, label in choices:
        if norm in (str(v).lower(), label.lower().replace(" ", "_")):
            return v
    allowed = ", ".join(str(v) for v, _ in choices)
    raise RowError(
        column, _("%(value)r is not one of: %(allowed)s") % {"value": value, "allowed": allowed}
    )


class Spec(abc.ABC):
    """A model's columns. Subclasses list ``fields`` after the common id/security columns."""

    model: type[ScopedModel]
    name: str
    fields: list[str] = []
    required: set[str] = {"name"}
    SECURITY = ["owner", "classification", "releasability", "shared_organisations", "shared_spaces"]
    # Loaded with the records on export (one query per relation, not one per record).
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    # Column -> HXL hashtag, for kinds that can be exchanged as HXL.
    hxl_tags: dict[str, str] = {}

    @property
    def formats(self) -> tuple[str, ...]:
        from concord.exchange.tabular import FORMATS

        return (*FORMATS, "hxl") if self.hxl_tags else FORMATS

    def export_queryset(self, queryset):
        qs = queryset  # shares are read per batch in _rows
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    @property
    def columns(self) -> list[str]:
        return ["id", *self.fields, *self.SECURITY, *self.display_columns]

    @property
    def display_columns(self) -> list[str]:
        """Beside each column holding one of a list of values, its label as the pages show
        it ("kind_display": "UN peacekeeping operation"), at the end: for reading; an import
        ignores them."""
        return [f"{name}_display" for name in self._choice_fields()]

    def _choice_fields(self) -> list[str]:
        out = []
        for name in [*self.fields, "classification", "releasability"]:
            try:
                f = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if getattr(f, "choices", None) and not f.is_relation:
                out.append(name)
        return out

    # -- export --------------------------------------------------------------------------------
    def rows(self, queryset: Iterable, user) -> Iterator[list]:
        labels = VisibleLabels(user)
        batch: list = []
        for obj in queryset:
            batch.append(obj)
            if len(batch) == 500:
                yield from self._rows(batch, labels)
                batch = []
                labels.trim()  # memory bounded by a batch, not by the export
        yield from self._rows(batch, labels)

    def _shares(self, batch, labels) -> tuple[dict, dict]:
        """The organisations and spaces each record of a batch is shared with, in one query
        per relation, and their labels through the enforcement point: organisations and
        spaces the reader may not see are left out. (``prefetch_related`` clones a queryset
        per record, which was a third of a million-row export.)"""
        ids = [obj.pk for obj in batch]
        found = []
        for name in ("shared_organisations", "shared_spaces"):
            f = self.model._meta.get_field(name)
            src, dst = f"{f.m2m_field_name()}_id", f"{f.m2m_reverse_field_name()}_id"
            pairs = f.remote_field.through.objects.filter(**{f"{src}__in": ids})
            by_record: dict[int, list[int]] = defaultdict(list)
            for record, target in pairs.values_list(src, dst):
                by_record[record].append(target)
            found.append(by_record)
        orgs, spaces = found
        labels.load(Organisation, {o for targets in orgs.values() for o in targets})
        labels.load(Space, {s for targets in spaces.values() for s in targets})
        return orgs, spaces

    def preload(self, batch, labels) -> None:
        """Load, in one query per model, links that ``values`` reaches through a link (such
        as an area's parent region), so no row waits for its own query."""
        return None  # most kinds reach nothing through a link

    def _rows(self, batch, labels) -> Iterator[list]:
        labels.preload(batch)
        self.preload(batch, labels)
        orgs, spaces = self._shares(batch, labels)
        display = {
            name: choice_labels(self.model._meta.get_field(name)) for name in self._choice_fields()
        }
        for obj in batch:
            shared = sorted(
                (o for o in (labels.get(Organisation, pk) for pk in orgs.get(obj.pk, ())) if o),
                key=lambda o: (o.name, o.pk),
            )
            yield [
                obj.pk,
                *self.values(obj, labels),
                _org_key(labels.get(Organisation, obj.owner_id)),
                Classification(obj.classification).name.lower(),
                obj.releasability,
                f"{SEP} ".join(_org_key(o) for o in shared),
                f"{SEP} ".join(
                    sorted(
                        s.name
                        for s in (labels.get(Space, pk) for pk in spaces.get(obj.pk, ()))
                        if s
                    )
                ),
                *(_label(by_value, getattr(obj, name)) for name, by_value in display.items()),
            ]

    @abc.abstractmethod
    def values(self, obj, labels) -> list:
        """The record's own columns, in the order of ``fields``."""

    # -- import --------------------------------------------------------------------------------
    @abc.abstractmethod
    def parse(self, row: dict, ctx: ImportContext) -> tuple[ScopedModel, dict, object]:
        """An unsaved instance, its many-to-many values and a children callback (or None)."""

    def security(self, obj: ScopedModel, row: dict, ctx: ImportContext) -> dict:
        obj.owner = ctx.owner(row.get("owner", ""))
        obj.classification = _choice(
            row.get("classification", ""),
            [(c.value, c.name.lower()) for c in Classification],
            "classification",
            obj.classification if obj.pk else obj._meta.get_field("classification").get_default(),
        )
        obj.releasability = _choice(
            row.get("releasability", ""),
            Releasability.choices,
            "releasability",
            obj.releasability if obj.pk else Releasability.OWNER,
        )
        m2m = {}
        if "shared_organisations" in row:
            m2m["shared_organisations"] = [
                ctx.organisation(n, "shared_organisations")
                for n in _split(row["shared_organisations"])
            ]
        if "shared_spaces" in row:
            m2m["shared_spaces"] = [ctx.space(n) for n in _split(row["shared_spaces"])]
        return m2m

    def instance(self, row: dict, ctx: ImportContext):
        pk = row.get("id", "")
        if not pk:
            return self.model()
        try:
            return ctx.editable(self.model).get(pk=int(pk))
        except (ValueError, self.model.DoesNotExist):
            raise RowError(
                "id",
                _("no %(kind)s with id %(id)s that you may edit")
                % {"kind": self.model._meta.verbose_name, "id": pk},
            ) from None

    def key(self, row: dict) -> str:
        return row.get("id") or row.get("name", "").casefold()

    def save(self, obj: ScopedModel, *, actor: Actor, m2m: dict, children) -> ScopedModel:
        """Write one parsed row: a plain save; a kind whose creation is a use case (an
        expert and their person, a request and its clock) writes through its service."""
        return services.save(obj, actor=actor, m2m=m2m, children=children)


def _label(labels: dict, value):
    """A value's label from ``choice_labels``; the value itself when it has none."""
    return labels.get(value, value)


def _org_key(org) -> str:
    if org is None:
        return ""
    return org.acronym or org.name


class ImportContext:
    def __init__(self, actor: Actor):
        self.actor = actor
        self.user = actor.user

    def visible(self, model):
        """The records of ``model`` the importer may refer to (all of them for the system)."""
        return model.objects.all() if self.actor.is_system else model.objects.visible_to(self.user)

    def editable(self, model):
        """The records of ``model`` the importer may update (all of them for the system)."""
        return model.objects.all() if self.actor.is_system else model.objects.editable_by(self.user)

    def organisation(self, name: str, column: str):
        if name.isascii() and name.isdigit():
            org = Organisation.objects.visible_to(self.user).filter(pk=record_id(name)).first()
        else:
            try:
                org = services.resolve_organisation(name, self.user, actor=self.actor)
            except ValidationError as exc:
                raise RowError(column, exc.messages[0]) from None
        if org is None:
            raise RowError(column, _("no organisation called %(name)r") % {"name": name})
        return org

    def owner(self, name: str):
        if self.actor.is_system:
            if not name:
                raise RowError("owner", _("give the owning organisation"))
            return self.organisation(name, "owner")
        allowed = self.user.principal().orgs_with_role(Role.CONTRIBUTOR)
        if not name:
            if len(allowed) == 1:
                return Organisation.objects.get(pk=allowed[0])
            if not allowed:
                raise RowError(
                    "owner",
                    _(
                        "you may not create records: you are not a contributor, editor or manager "
                        "of any organisation (a platform administrator's account owns nothing; "
                        "ask a manager to invite you, or import as a member)"
                    ),
                )
            names = ", ".join(
                Organisation.objects.filter(pk__in=allowed).values_list("name", flat=True)[:5]
            )
            raise RowError(
                "owner",
                _("give the owning organisation (you may create records for %(names)s)")
                % {"names": names},
            )
        org = self.organisation(name, "owner")
        if org.pk not in allowed:
            raise RowError("owner", _("you may not create records for %(name)r") % {"name": name})
        return org

    def space(self, name: str):
        qs = self.visible(Space)
        space = qs.filter(name__iexact=name).first()
        if space is None:
            raise RowError(
                "shared_spaces",
                _("no coordination space called %(name)r that you are in") % {"name": name},
            )
        return space

    def country(self, code: str, column: str = "country"):
        country = Country.objects.filter(alpha3__iexact=code).first() if code else None
        if country is None:
            raise RowError(
                column, _("%(code)r is not an ISO 3166-1 alpha-3 country code") % {"code": code}
            )
        return country


# Every import/export kind of every capability, filled at start-up by the capability registry
# (each declares its ``import_kinds``; a kind declared twice is an error there).
SPECS: dict[str, Spec] = {}

# Large imports and exports on the web pages run in the background when a capability offers
# to (concord.jobs, at start-up): "export" and "import_" name, by dotted path, functions that
# start a job and return its page's address (see concord.web.generic). Empty: they run inline.
BACKGROUND: dict[str, str] = {}


def _validation_errors(rownum: int, exc: ValidationError) -> list[CellError]:
    if hasattr(exc, "error_dict"):
        return [
            CellError(rownum, None if f == "__all__" else f, m)
            for f, msgs in exc.message_dict.items()
            for m in msgs
        ]
    return [CellError(rownum, None, m) for m in exc.messages]


def _check_headers(spec: Spec, table: Table, filename: str) -> None:
    """Every column known, every required one present, and rows to import."""
    errors: list[CellError] = []
    known = set(spec.columns)
    unknown = [h for h in table.headers if h not in known]
    if unknown:
        errors.append(
            CellError(
                1,
                ", ".join(unknown),
                _("unknown column(s); expected some of: %(columns)s")
                % {"columns": ", ".join(spec.columns)},
            )
        )
    missing = [c for c in sorted(spec.required) if c not in table.headers]
    if missing:
        errors.append(CellError(1, ", ".join(missing), _("required column(s) missing")))
    if errors:
        raise FileRejected(filename, errors)
    if not table.rows:
        raise FileRejected(filename, [CellError(None, None, _("no rows to import"))])


def import_table(spec: Spec, table: Table, filename: str, *, actor: Actor, progress=None) -> list:
    """Validate and save every row in one transaction; raise FileRejected with all errors."""
    _check_headers(spec, table, filename)
    errors: list[CellError] = []
    ctx = ImportContext(actor)
    seen: dict[str, int] = {}
    saved = []
    import_actor = Actor(
        user=actor.user, interface="import", request_id=actor.request_id, label=actor.label
    )
    with transaction.atomic():
        for rownum, row in table.rows:
            for col in spec.required:
                if not row.get(col):
                    errors.append(CellError(rownum, col, _("required value is empty")))
            key = spec.key(row)
            if key and key in seen:
                errors.append(
                    CellError(
                        rownum,
                        "id" if row.get("id") else "name",
                        _("duplicate of row %(row)s") % {"row": seen[key]},
                    )
                )
                continue
            seen[key] = rownum
            try:
                with transaction.atomic():
                    obj, m2m, children = spec.parse(row, ctx)
                    saved.append(spec.save(obj, actor=import_actor, m2m=m2m, children=children))
            except RowError as exc:
                errors.append(CellError(rownum, exc.column, exc.message))
            except RowErrors as exc:
                errors.extend(CellError(rownum, e.column, e.message) for e in exc.errors)
            except ValidationError as exc:
                errors.extend(_validation_errors(rownum, exc))
            except PermissionDenied as exc:
                errors.append(CellError(rownum, None, str(exc)))
            if progress:
                progress(1)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise FileRejected(filename, errors)
    return saved


def import_file(kind: str, data: bytes, filename: str, *, actor: Actor, fmt=None, progress=None):
    from concord.exchange.tabular import looks_like_hxl, read_hxl

    if kind not in SPECS:
        raise FileRejected(
            filename, [CellError(None, None, _("cannot import %(kind)r") % {"kind": kind})]
        )
    spec = SPECS[kind]
    ext = filename.rsplit(".", 1)[-1].lower()
    hxl = fmt == "hxl" or (
        spec.hxl_tags and fmt in (None, "csv") and ext in ("csv", "hxl") and looks_like_hxl(data)
    )
    if hxl:
        if not spec.hxl_tags:
            raise FileRejected(
                filename,
                [CellError(None, None, _("%(kind)s cannot be read as HXL") % {"kind": kind})],
            )
        table = read_hxl(data, filename, spec.hxl_tags)
    else:
        table = read_table(data, filename, fmt)
    return import_table(spec, table, filename, actor=actor, progress=progress)


def export_queryset(kind: str, user):
    """The visible records of a kind, ready for a writer (headers, row iterator)."""
    spec = SPECS[kind]
    qs = spec.export_queryset(spec.model.objects.visible_to(user))
    return spec.columns, qs.order_by("pk")


def write(kind: str, fmt: str, headers: list[str], rows) -> tuple[object, str]:
    """(an iterator of chunks: bytes for XLSX, text otherwise; content type) for ``fmt``."""
    from concord.exchange import tabular

    spec = SPECS[kind]
    if fmt not in spec.formats:
        raise ValueError(f"{kind} cannot be exported as {fmt!r}; use {', '.join(spec.formats)}")
    if fmt == "xlsx":
        return tabular.stream_xlsx(headers, rows, kind), tabular.CONTENT_TYPES["xlsx"]
    if fmt == "hxl":  # HXL carries the codes its hashtags stand for, not our labels
        keep = [i for i, h in enumerate(headers) if h not in spec.display_columns]
        headers = [headers[i] for i in keep]
        rows = ([row[i] for i in keep] for row in rows)
        return tabular.write_hxl(headers, rows, spec.hxl_tags), tabular.CONTENT_TYPES["csv"]
    writer = tabular.write_csv if fmt == "csv" else tabular.write_json
    return writer(headers, rows), tabular.CONTENT_TYPES[fmt]


def extension(fmt: str) -> str:
    return "hxl.csv" if fmt == "hxl" else fmt
