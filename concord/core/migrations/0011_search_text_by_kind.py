"""PostgreSQL: the search's trigram index on an entry's text becomes one on its kind and its
text (``btree_gin``), so that a kind's matches are found without reading every kind's:
``search.find`` asks, kind by kind, whether any entry matches before it reads any."""

from django.db import migrations

POSTGRESQL = [
    # btree_gin is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS core_searchentry_model_text_trgm ON core_searchentry "
    "USING gin (model, text gin_trgm_ops)",
    "DROP INDEX IF EXISTS core_searchentry_text_trgm",
]
POSTGRESQL_BACK = [
    "CREATE INDEX IF NOT EXISTS core_searchentry_text_trgm ON core_searchentry "
    "USING gin (text gin_trgm_ops)",
    "DROP INDEX IF EXISTS core_searchentry_model_text_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_french_labels"),
    ]

    operations = [migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_BACK))]
