"""Reading and writing tables as CSV, JSON and XLSX.

Readers turn a file into header + rows with their row numbers, refusing what would be
dangerous or ambiguous (wrong encoding, oversize, duplicate or empty headers, formula cells).
Writers stream and neutralise formula injection (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

FORMATS = ("csv", "json", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",  # untranslated: a media type
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d\s().,/-]+$")


def is_formula(value: str) -> bool:
    """A cell a spreadsheet would run as a formula. Phone numbers and signed numbers pass."""
    if not isinstance(value, str) or not value or value[0] not in _TRIGGERS:
        return False
    if value[0] in "+-" and _PLAIN_NUMBER.match(value):
        return False
    return True


def neutralise(value):
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


@dataclass
class CellError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = {"row": self.row, "column": repr(self.column), "message": self.message}
        if self.row is not None and self.column:
            return _("row %(row)s, column %(column)s: %(message)s") % where
        if self.row is not None:
            return _("row %(row)s: %(message)s") % where
        if self.column:
            return _("column %(column)s: %(message)s") % where
        return str(self.message)


def _n(number: int) -> str:
    """A count as the reader's language writes it ("1,500", "1 500")."""
    return number_format(number, force_grouping=True)


# The problems a refusal keeps: enough to fix a file, never a page the size of the file.
MAX_ERRORS = 500


class FileRejected(Exception):
    """The file as a whole, or some of its cells, cannot be imported. Nothing was written.
    ``errors`` holds the first MAX_ERRORS problems, then one saying how many more there are;
    ``total`` counts them all."""

    def __init__(self, filename: str, errors: list[CellError]):
        self.filename = filename
        self.total = len(errors)
        self.errors = errors[:MAX_ERRORS]
        if self.total > MAX_ERRORS:
            self.errors.append(
                CellError(
                    None,
                    None,
                    ngettext(
                        "… and %(count)s more problem (the first %(listed)s are listed)",
                        "… and %(count)s more problems (the first %(listed)s are listed)",
                        self.total - MAX_ERRORS,
                    )
                    % {"count": _n(self.total - MAX_ERRORS), "listed": MAX_ERRORS},
                )
            )
        super().__init__(self.report())

    def report(self, limit: int = 50) -> str:
        lines = [
            ngettext(
                "%(filename)s: %(count)s problem, nothing was imported.",
                "%(filename)s: %(count)s problems, nothing was imported.",
                self.total,
            )
            % {"filename": self.filename, "count": self.total}
        ]
        lines += [f"  {e}" for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append("  " + _("… and %(count)s more") % {"count": len(self.errors) - limit})
        return "\n".join(lines)


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def detect_format(filename: str, explicit: str | None = None) -> str:
    fmt = (explicit or filename.rsplit(".", 1)[-1]).lower()
    if fmt not in FORMATS:
        raise FileRejected(
            filename,
            [
                CellError(
                    None,
                    None,
                    _("unknown format %(format)r; use csv, json or xlsx") % {"format": fmt},
                )
            ],
        )
    return fmt


def read_table(data: bytes, filename: str, fmt: str | None = None, max_bytes: int | None = None):
    from django.conf import settings

    limit = max_bytes or settings.CONCORD_IMPORT_MAX_BYTES
    fmt = detect_format(filename, fmt)
    if len(data) > limit:
        raise FileRejected(
            filename,
            [CellError(None, None, _too_big(len(data), limit))],
        )
    reader = {"csv": _read_csv, "json": _read_json, "xlsx": _read_xlsx}[fmt]
    table = reader(data, filename)
    _check(table, filename)
    return table


def _too_big(size: int, limit: int) -> str:
    return _("file is %(size)s bytes; the limit is %(limit)s bytes") % {
        "size": _n(size),
        "limit": _n(limit),
    }


def _limits():
    from django.conf import settings

    return settings.CONCORD_IMPORT_MAX_ROWS, settings.CONCORD_IMPORT_MAX_COLUMNS


def max_columns() -> int:
    return _limits()[1]


def check_columns(n: int, filename: str) -> None:
    limit = _limits()[1]
    if n > limit:
        raise FileRejected(
            filename,
            [
                CellError(
                    1,
                    None,
                    _("%(count)s columns; the limit is %(limit)s (is it the right file?)")
                    % {"count": _n(n), "limit": _n(limit)},
                )
            ],
        )


def check_unpacked(data: bytes, filename: str) -> None:
    """Refuses an XLSX (a zip) that would unpack beyond the limit, before reading it."""
    import zipfile

    from django.conf import settings

    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(
            filename,
            [CellError(None, None, _("not a readable XLSX file (%(error)s)") % {"error": exc})],
        ) from exc
    limit = settings.CONCORD_IMPORT_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise FileRejected(
            filename,
            [
                CellError(
                    None,
                    None,
                    _(
                        "unpacks to %(size)s bytes; the limit is %(limit)s bytes "
                        "(save it as CSV, or split it)"
                    )
                    % {"size": _n(unpacked), "limit": _n(limit)},
                )
            ],
        )


def check_rows(n: int, row: int, filename: str) -> None:
    limit = _limits()[0]
    if n > limit:
        raise FileRejected(
            filename,
            [
                CellError(
                    row,
                    None,
                    _(
                        "more than %(limit)s rows; the limit is %(limit)s: split the file "
                        "and import each part"
                    )
                    % {"limit": _n(limit)},
                )
            ],
        )


def _text(data: bytes, filename: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRejected(
            filename,
            [
                CellError(
                    line,
                    None,
                    _(
                        "not UTF-8 (byte 0x%(byte)s at offset %(offset)s); "
                        "save the file as UTF-8 and try again"
                    )
                    % {"byte": f"{data[exc.start]:02x}", "offset": exc.start},
                )
            ],
        ) from exc
    if "\x00" in text:
        raise FileRejected(
            filename, [CellError(None, None, _("contains NUL bytes: not a text file"))]
        )
    return text


def _read_csv(data: bytes, filename: str) -> Table:
    text = _text(data, filename)
    # Only the delimiter is sniffed: the sniffer's guesses about quoting go wrong on cells
    # that contain quotes, and every spreadsheet writes RFC 4180 quoting anyway.
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileRejected(filename, [CellError(None, None, _("the file is empty"))]) from None
    except csv.Error as exc:
        raise FileRejected(filename, [CellError(1, None, str(exc))]) from exc
    check_columns(len(headers), filename)
    table = Table(headers)
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            rownum = reader.line_num
            check_rows(len(table.rows) + 1, rownum, filename)
            if len(row) > len(headers):
                extra = [c for c in row[len(headers) :] if c.strip()]
                if extra:
                    raise FileRejected(
                        filename,
                        [
                            CellError(
                                rownum,
                                None,
                                _("%(cells)s cells but %(headers)s headers")
                                % {"cells": len(row), "headers": len(headers)},
                            )
                        ],
                    )
            table.rows.append(
                (
                    rownum,
                    {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(headers)},
                )
            )
    except csv.Error as exc:
        raise FileRejected(filename, [CellError(reader.line_num, None, str(exc))]) from exc
    return table


def _read_json(data: bytes, filename: str) -> Table:
    text = _text(data, filename)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRejected(
            filename,
            [CellError(exc.lineno, None, _("invalid JSON: %(error)s") % {"error": exc.msg})],
        ) from exc
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        doc = doc["results"]
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise FileRejected(
            filename,
            [CellError(None, None, _("JSON must be an array of objects (one per record)"))],
        )
    check_rows(len(doc), len(doc), filename)
    seen: dict[str, None] = {}  # the keys of every object, in the order first met (linear)
    for r in doc:
        seen.update(dict.fromkeys(r))
        check_columns(len(seen), filename)
    table = Table(list(seen))
    for i, r in enumerate(doc, start=1):
        table.rows.append((i, {k: _cell(v) for k, v in r.items()}))
    return table


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _read_xlsx(data: bytes, filename: str) -> Table:
    import zipfile

    from openpyxl import load_workbook

    check_unpacked(data, filename)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRejected(
            filename,
            [CellError(None, None, _("not a readable XLSX file (%(error)s)") % {"error": exc})],
        ) from exc
    ws = wb.worksheets[0]
    # A sheet may declare a range far beyond its cells (A1:XFD1048576): read no further than
    # the column limit, then than the headers.
    try:
        first = next(ws.iter_rows(values_only=True, max_row=1, max_col=max_columns() + 1))
    except StopIteration:
        raise FileRejected(
            filename, [CellError(None, None, _("the first sheet is empty"))]
        ) from None
    headers = [_cell(h) for h in first]
    while headers and headers[-1] == "":
        headers.pop()
    check_columns(len(headers), filename)
    table = Table(headers)
    rows = ws.iter_rows(values_only=True, min_row=2, max_col=max(1, len(headers)))
    for rownum, row in enumerate(rows, start=2):
        values = [_cell(v) for v in row]
        if not any(values):
            continue
        check_rows(len(table.rows) + 1, rownum, filename)
        table.rows.append(
            (rownum, {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers)})
        )
    wb.close()
    return table


def _check(table: Table, filename: str) -> None:
    errors: list[CellError] = []
    seen: set[str] = set()
    for i, h in enumerate(table.headers, start=1):
        if not h:
            errors.append(CellError(1, f"#{i}", _("empty column header")))
        elif h in seen:
            errors.append(CellError(1, h, _("duplicate column header")))
        seen.add(h)
    for rownum, row in table.rows:
        for col, value in row.items():
            if is_formula(value):
                errors.append(
                    CellError(
                        rownum,
                        col,
                        _("looks like a spreadsheet formula (%(value)r); formulas are refused")
                        % {"value": value[:30]},
                    )
                )
    if errors:
        raise FileRejected(filename, errors)


# --- writers -------------------------------------------------------------------------------


def write_csv(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    """Yields CSV text chunks (for a streaming response or a file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for n, row in enumerate(rows, start=1):
        writer.writerow([neutralise(_cell(v)) for v in row])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer_flush = buffer.getvalue()
    if writer_flush:
        yield writer_flush


def write_json(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        record = {
            h: (neutralise(v) if isinstance(v, str) else v)
            for h, v in zip(headers, row, strict=True)
        }
        yield ("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False, default=str)
        first = False
    yield "\n]\n"


def _xlsx_workbook(headers: list[str], rows: Iterable[list], sheet: str):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)  # rows go to a temporary file, not a list in memory
    ws = wb.create_sheet(sheet[:31])
    ws.append(headers)
    for row in rows:
        ws.append([neutralise(_cell(v)) for v in row])
    return wb


def write_xlsx(headers: list[str], rows: Iterable[list], sheet: str = "data") -> bytes:
    out = io.BytesIO()
    _xlsx_workbook(headers, rows, sheet).save(out)
    return out.getvalue()


def stream_xlsx(
    headers: list[str], rows: Iterable[list], sheet: str = "data", chunk: int = 1 << 16
) -> Iterator[bytes]:
    """The workbook in chunks, in constant memory whatever the number of rows: the sheet is
    written to a temporary file and zipped into another, which is then read back. (A zip's
    directory comes last, so nothing can be sent before the last row is written.)"""
    import tempfile

    with tempfile.TemporaryFile() as fh:
        _xlsx_workbook(headers, rows, sheet).save(fh)
        fh.seek(0)
        while block := fh.read(chunk):
            yield block


# --- HXL (Humanitarian Exchange Language) ----------------------------------------------------
# A CSV with a row of hashtags under (or instead of) the text headers. Reading goes through
# libhxl, which finds the hashtag row wherever it is; ``tags`` maps our columns to hashtags.


def write_hxl(headers: list[str], rows: Iterable[list], tags: dict[str, str]) -> Iterator[str]:
    """CSV with our column names, then the HXL hashtag row, then the data."""
    missing = [h for h in headers if h not in tags]
    if missing:
        raise ValueError(f"no HXL hashtag for column(s): {', '.join(missing)}")
    chunks = write_csv(headers, rows)
    first = next(chunks)
    head, _, rest = first.partition("\r\n")
    buffer = io.StringIO()
    csv.writer(buffer).writerow([tags[h] for h in headers])
    yield head + "\r\n" + buffer.getvalue() + rest
    yield from chunks


def _tag_key(tag: str) -> str:
    """A hashtag spec in canonical form: '#Org +Lead' -> '#org+lead' (attributes sorted)."""
    import hxl

    return hxl.model.Column.parse(tag.replace(" ", "")).get_display_tag(sort_attributes=True)


def read_hxl(data: bytes, filename: str, tags: dict[str, str], max_bytes: int | None = None):
    """A Table with our column names, from an HXL-tagged CSV; unknown hashtags are errors."""
    import hxl
    import hxl.input
    from django.conf import settings

    limit = max_bytes or settings.CONCORD_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileRejected(
            filename,
            [CellError(None, None, _too_big(len(data), limit))],
        )
    text = _text(data, filename)
    by_key = {_tag_key(t): col for col, t in tags.items()}
    try:
        source = hxl.data(io.BytesIO(text.encode("utf-8")), hxl.InputOptions(allow_local=False))
        columns = source.columns
        raw_rows = [list(r.values) for r in source]
    except hxl.input.HXLTagsNotFoundException:
        raise FileRejected(
            filename, [CellError(None, None, _("no HXL hashtag row found in the first 25 rows"))]
        ) from None
    except (hxl.HXLException, csv.Error, ValueError) as exc:
        raise FileRejected(
            filename, [CellError(None, None, _("not readable as HXL: %(error)s") % {"error": exc})]
        ) from exc
    # The hashtag row's line: libhxl skips everything above it.
    lines = text.splitlines()
    tag_line = next(
        (i for i, line in enumerate(lines[:26], start=1) if line.lstrip().startswith("#")), 1
    )
    headers, errors = [], []
    for i, col in enumerate(columns, start=1):
        if not col.tag:
            headers.append("")
            continue
        key = col.get_display_tag(sort_attributes=True)
        if key not in by_key:
            errors.append(
                CellError(
                    tag_line,
                    col.header or f"#{i}",
                    _("unknown hashtag %(tag)r; expected some of: %(expected)s")
                    % {"tag": col.display_tag, "expected": ", ".join(tags.values())},
                )
            )
            headers.append("")
        else:
            headers.append(by_key[key])
    if errors:
        raise FileRejected(filename, errors)
    table = Table([h for h in headers if h])
    line = tag_line
    for values in raw_rows:
        line += 1
        if not any((v or "").strip() for v in values):
            continue
        table.rows.append(
            (
                line,
                {
                    h: (values[i] or "").strip() if i < len(values) else ""
                    for i, h in enumerate(headers)
                    if h
                },
            )
        )
    _check(table, filename)
    return table


def looks_like_hxl(data: bytes) -> bool:
    """True if one of the first rows of a CSV is mostly hashtags."""
    try:
        text = data[:20000].decode("utf-8-sig", errors="replace")
    except Exception:  # pragma: no cover - decode with errors=replace does not raise
        return False
    for row in list(csv.reader(io.StringIO(text)))[:25]:
        cells = [c.strip() for c in row if c.strip()]
        if cells and sum(c.startswith("#") for c in cells) > len(cells) / 2:
            return True
    return False
