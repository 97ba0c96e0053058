"""Copies of the test database's whole contents, taken once per test process and put back
instead of seeding again: the demo world takes 10 to 20 seconds to seed, and a dozen modules
need it (each xdist worker is a process with a test database of its own).

SQLite's test database lives in memory: a copy is another in-memory database, made and put
back with SQLite's online backup. On PostgreSQL a copy is a schema holding a copy of every
table; putting it back empties the tables and fills them again in one transaction (Django's
foreign keys are checked at commit there), then moves the sequences past the ids."""

from __future__ import annotations

import sqlite3

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management.color import no_style
from django.db import connection, transaction

_copies: dict[str, sqlite3.Connection | str] = {}


def has(name: str) -> bool:
    return name in _copies


def take(name: str) -> None:
    """Copies the database's contents under ``name`` (replacing an earlier copy)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        _copies[name] = copy
        return
    schema = f"snapshot_{name.replace('-', '_')}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        for table in _tables():
            cursor.execute(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
    _copies[name] = schema


def restore(name: str) -> None:
    """Puts the database back as it was when ``name`` was taken."""
    copy = _copies[name]
    connection.ensure_connection()
    if isinstance(copy, sqlite3.Connection):
        copy.backup(connection.connection)
    else:
        tables = _tables()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(f'public."{t}"' for t in tables))
            for table in tables:
                cursor.execute(f'INSERT INTO public."{table}" SELECT * FROM "{copy}"."{table}"')
            models = apps.get_models(include_auto_created=True)
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    # What the process kept of the database it had: content type ids, cached pages' parts.
    ContentType.objects.clear_cache()
    for cache in caches.all():
        cache.clear()


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))
