"""Trigram indexes for searching names on PostgreSQL.

``?q=`` on organisations and people is ``UPPER(name) LIKE '%…%'``: no b-tree index can serve
a pattern with a leading wildcard, so PostgreSQL scanned 100,000 rows (134–154 ms at scale
100 in bench/web.py). A GIN index over the trigrams of ``UPPER(name)`` serves exactly that
expression (17 ms). ``pg_trgm`` is a trusted extension (PostgreSQL 13 and later): the owner
of the database may create it. SQLite scans in process, fast enough, and gets nothing here.
"""

from django.db import migrations

INDEXES = [
    ("core_person_name_trgm", "core_person"),
    ("core_org_name_trgm", "core_organisation"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (upper(name) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_list_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
