"""Streaming rows of one table into the database in batches, with bounded memory.

A synthetic world of millions of rows cannot be built as model instances (a few
microseconds each, and all of them in memory). A ``Table`` takes plain tuples for the
columns that vary, fills every other column from the field's default (prepared once), and
sends one parameterised INSERT per batch through ``executemany``. Values that are not
already what the database takes (dates, JSON) are prepared by their field once per distinct
value (``concord.core.bulk.prepare``, shared with the imports' ``insert_new``).
"""

from __future__ import annotations

from django.db import connections, models
from django.utils import timezone

from concord.core.bulk import PLAIN, prepare

BATCH = 5000
# Types both databases take as they are (ids, numbers, text, booleans).
AS_IS = set(PLAIN) | {"AutoField", "BigAutoField", "BooleanField", "FloatField"}


class Table:
    def __init__(
        self,
        model: type[models.Model],
        columns: list[str],
        *,
        fixed: dict | None = None,
        using: str = "default",
        batch: int = BATCH,
    ):
        self.model = model
        self.connection = connections[using]
        self.batch = batch
        self.written = 0
        self._rows: list[tuple] = []
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = [c for c in [*columns, *(fixed or {})] if c not in by_attname]
        if unknown:
            raise ValueError(f"{meta.label}: no column {', '.join(unknown)}")
        self.fields = [by_attname[c] for c in columns]
        now = timezone.now()
        constants = []
        for f in meta.concrete_fields:
            if f.attname in columns or (f.primary_key and f.db_returning):
                continue
            if fixed and f.attname in fixed:
                value = fixed[f.attname]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif f.get_internal_type() in ("CharField", "TextField", "SlugField"):
                value = ""
            else:
                raise ValueError(f"{meta.label}.{f.attname} needs a value")
            constants.append((f, f.get_db_prep_save(value, self.connection)))
        self.constants = tuple(v for _, v in constants)
        self._prep = [
            None if f.get_internal_type() in AS_IS else f for f in self.fields
        ]  # fields whose values need preparing
        self._cache: dict = {}
        quote = self.connection.ops.quote_name
        names = [f.column for f in self.fields] + [f.column for f, _ in constants]
        self.copy_sql = (
            "COPY {} ({}) FROM STDIN".format(
                quote(meta.db_table), ", ".join(quote(n) for n in names)
            )
            if self.connection.vendor == "postgresql"
            else None
        )
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(meta.db_table),
            ", ".join(quote(n) for n in names),
            ", ".join(["%s"] * len(names)),
        )

    def _prepare(self, row: tuple) -> tuple:
        out = []
        for value, f in zip(row, self._prep, strict=True):
            if f is None or value is None:
                out.append(value)
                continue
            key = (f.attname, type(value), value)
            out.append(prepare(self._cache, key, f, value, self.connection))
        return (*out, *self.constants)

    def add(self, row: tuple) -> None:
        self._rows.append(self._prepare(row))
        if len(self._rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            with self.connection.cursor() as cursor:
                if self.copy_sql:
                    # PostgreSQL: COPY streams the batch in one round trip (executemany
                    # would still pay one per row, ten times slower).
                    with cursor.cursor.copy(self.copy_sql) as copy:
                        for row in self._rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(self.sql, self._rows)
            self.written += len(self._rows)
            self._rows = []
