"""The search's FTS5 table (SQLite) holds each entry's kind beside its words, so that a query
for one kind reads only that kind's matches ("operations.operation" AND "ion"), not every
kind's before it (concord.core.search). PostgreSQL is unchanged."""

from django.db import migrations


DROP = [
    "DROP TRIGGER IF EXISTS core_searchentry_ai",
    "DROP TRIGGER IF EXISTS core_searchentry_ad",
    "DROP TRIGGER IF EXISTS core_searchentry_au",
    "DROP TABLE IF EXISTS core_searchentry_fts",
]
CREATE = [
    "CREATE VIRTUAL TABLE core_searchentry_fts USING fts5("
    "model, text, content='core_searchentry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER core_searchentry_ai AFTER INSERT ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(rowid, model, text) VALUES (new.id, new.model, new.text); "
    "END",
    "CREATE TRIGGER core_searchentry_ad AFTER DELETE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, model, text) "
    "VALUES ('delete', old.id, old.model, old.text); END",
    "CREATE TRIGGER core_searchentry_au AFTER UPDATE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, model, text) "
    "VALUES ('delete', old.id, old.model, old.text); "
    "INSERT INTO core_searchentry_fts(rowid, model, text) VALUES (new.id, new.model, new.text); "
    "END",
    "INSERT INTO core_searchentry_fts(core_searchentry_fts) VALUES ('rebuild')",
]
BACK = [
    *DROP,
    "CREATE VIRTUAL TABLE core_searchentry_fts USING fts5("
    "text, content='core_searchentry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER core_searchentry_ai AFTER INSERT ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER core_searchentry_ad AFTER DELETE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER core_searchentry_au AFTER UPDATE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO core_searchentry_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO core_searchentry_fts(core_searchentry_fts) VALUES ('rebuild')",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0007_searchentry")]

    operations = [migrations.RunPython(_run([*DROP, *CREATE]), _run(BACK))]
