"""Reading a 3W file: its HXL hashtag row, wherever it sits, and what each column holds."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from concord.core.models.registry import OrganisationKind
from concord.exchange.tabular import (
    CellError,
    FileRejected,
    check_columns,
    check_rows,
    check_unpacked,
    max_columns,
)

from ..models import (
    AssignmentStatus,
)

# (tag, attributes that must all be present) -> what the column holds. First match wins.
ROLES = [
    ("#org", {"acronym"}, "org_acronym"),
    ("#org", {"type"}, "org_type"),
    ("#org", set(), "org_name"),
    ("#sector", {"code"}, "sector_code"),
    ("#sector", set(), "sector_name"),
    ("#subsector", set(), "sector_name"),
    ("#activity_id", set(), "activity_code"),
    ("#activity", {"code"}, "activity_code"),
    ("#activity", set(), "activity_name"),
    ("#country_id", set(), "country_code"),
    ("#country", {"code"}, "country_code"),
    ("#country", set(), "country_name"),
    ("#adm1_id", set(), "adm1_code"),
    ("#adm1", {"code"}, "adm1_code"),
    ("#adm1", set(), "adm1_name"),
    ("#adm2_id", set(), "adm2_code"),
    ("#adm2", {"code"}, "adm2_code"),
    ("#adm2", set(), "adm2_name"),
    ("#date", {"start"}, "start"),
    ("#date", {"end"}, "end"),
    ("#status", set(), "status"),
    ("#contact", set(), "contact"),
]
ORG_KINDS = {
    "nationalngo": OrganisationKind.NNGO,
    "nngo": OrganisationKind.NNGO,
    "internationalngo": OrganisationKind.INGO,
    "ingo": OrganisationKind.INGO,
    "unitednations": OrganisationKind.UN_ENTITY,
    "unagency": OrganisationKind.UN_ENTITY,
    "un": OrganisationKind.UN_ENTITY,
    "government": OrganisationKind.STATE,
    "donor": OrganisationKind.DONOR,
}
STATUSES = {
    "ongoing": AssignmentStatus.ACTIVE,
    "active": AssignmentStatus.ACTIVE,
    "planned": AssignmentStatus.PLANNED,
    "pipeline": AssignmentStatus.PLANNED,
    "completed": AssignmentStatus.COMPLETED,
    "finished": AssignmentStatus.COMPLETED,
    "closed": AssignmentStatus.COMPLETED,
    "suspended": AssignmentStatus.SUSPENDED,
}


def parse_tag(spec: str) -> tuple[str, set[str]]:
    """'#org +acronym' -> ('#org', {'acronym'}); '#country/en' -> ('#country', set())."""
    text = "".join(spec.split()).lower()
    if not text.startswith("#"):
        return "", set()
    parts = text.split("+")
    tag = parts[0].split("/")[0]
    return tag, {p for p in parts[1:] if p}


def _is_tag_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and sum(c.startswith("#") for c in filled) > len(filled) / 2


@dataclass
class Sheet:
    columns: dict[str, int]  # role -> column index
    tags: list[str]  # the hashtag row as written
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    warnings: list[str] = field(default_factory=list)


def read(data: bytes, filename: str) -> Sheet:
    """The tagged columns and the rows of a 3W file (HXL CSV or XLSX)."""
    warnings = []
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        raw = _xlsx_rows(data, filename)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            warnings.append(_("The file is not UTF-8; it was read as Windows-1252 (Latin-1)."))
        if "\x00" in text:
            raise FileRejected(filename, [CellError(None, None, _("contains NUL bytes"))])
        try:
            raw = []
            for row in csv.reader(io.StringIO(text)):
                check_columns(len(row), filename)
                raw.append(row)
                check_rows(len(raw), len(raw), filename)
        except csv.Error as exc:
            raise FileRejected(
                filename, [CellError(None, None, _("not CSV: %(error)s") % {"error": exc})]
            ) from exc
    tag_at = next((i for i, r in enumerate(raw[:25]) if _is_tag_row(r)), None)
    if tag_at is None:
        raise FileRejected(
            filename, [CellError(None, None, _("no HXL hashtag row in the first 25 rows"))]
        )
    tags = raw[tag_at]
    columns: dict[str, int] = {}
    for index, spec in enumerate(tags):
        tag, attrs = parse_tag(spec)
        if not tag:
            continue
        for want, need, role in ROLES:
            if tag == want and need <= attrs and role not in columns:
                columns[role] = index
                break
    if not ({"org_name", "org_acronym"} & set(columns)):
        raise FileRejected(
            filename, [CellError(tag_at + 1, None, _("no #org column: who does the work?"))]
        )
    rows = [
        (tag_at + 2 + i, r) for i, r in enumerate(raw[tag_at + 1 :]) if any(c.strip() for c in r)
    ]
    return Sheet(columns, tags, rows, warnings)


def _xlsx_rows(data: bytes, filename: str) -> list[list[str]]:
    from openpyxl import load_workbook

    check_unpacked(data, filename)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise FileRejected(
            filename,
            [CellError(None, None, _("not a readable XLSX: %(error)s") % {"error": exc})],
        ) from exc
    out = []
    # No further than the column limit, whatever range the sheet declares.
    for row in wb.worksheets[0].iter_rows(values_only=True, max_col=max_columns()):
        out.append(
            [
                (v.date().isoformat() if isinstance(v, dt.datetime) else str(v))
                if v is not None
                else ""
                for v in row
            ]
        )
        check_rows(len(out), len(out), filename)
    return out
