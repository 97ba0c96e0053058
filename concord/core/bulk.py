"""Writing many new rows of one model at once, for imports.

``QuerySet.bulk_create`` sends every value of every row through the SQL compiler
(expression checks, ``pre_save``, one placeholder each): for a file of ten thousand rows
that is most of the import's time. ``insert_new`` prepares each value with its field's own
``get_db_prep_save`` (skipped for values that are already what the database takes: text,
integers, ids) and sends one parameterised INSERT through ``executemany``.

It is for plain new rows whose primary keys the caller does not need back: no signals, no
multi-table inheritance, no ids set on the objects. Validation is the caller's job, as with
``bulk_create``; the database's constraints still hold.
"""

from __future__ import annotations

from django.db import connections, models

PLAIN = {
    "CharField": str,
    "TextField": str,
    "SlugField": str,
    "ForeignKey": int,
    "IntegerField": int,
    "BigIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "SmallIntegerField": int,
}
CHUNK = 5000


def prepare(cache: dict, key, field, value, connection):
    """``field``'s database value for ``value``, prepared once per distinct ``key`` (dates
    and stamps repeat across rows; JSON lists and dicts, unhashable, are prepared each time)."""
    try:
        return cache[key]
    except KeyError:
        return cache.setdefault(key, field.get_db_prep_save(value, connection))
    except TypeError:
        return field.get_db_prep_save(value, connection)


def insert_new(model: type[models.Model], objs: list, *, using: str = "default") -> int:
    """Insert ``objs`` (unsaved instances of ``model``) and return how many were written."""
    if not objs:
        return 0
    meta = model._meta
    if meta.parents:
        raise TypeError(f"{meta.label}: insert_new does not handle multi-table inheritance")
    connection = connections[using]
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    plain = [PLAIN.get(f.get_internal_type()) for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )

    prepared: dict = {}  # (column, value) -> database value: dates and stamps repeat

    def row(obj) -> tuple:
        for f in stamped:
            f.pre_save(obj, True)
        values = []
        for i, (f, kind) in enumerate(zip(fields, plain, strict=True)):
            value = getattr(obj, f.attname)
            if value is None or (kind is not None and type(value) is kind):
                values.append(value)
                continue
            values.append(prepare(prepared, (i, type(value), value), f, value, connection))
        return tuple(values)

    with connection.cursor() as cursor:
        for i in range(0, len(objs), CHUNK):
            cursor.executemany(sql, [row(o) for o in objs[i : i + CHUNK]])
    return len(objs)
