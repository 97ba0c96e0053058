"""Consistent backups and restores: SQLite's online backup API, or pg_dump/pg_restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed (Debian package postgresql-client)."  # untranslated: CLI
        )
    return path


def backup(target: Path, alias: str = "default") -> Path:
    db = connections[alias].settings_dict
    target = Path(target)
    if connections[alias].vendor == "sqlite":
        connections[alias].ensure_connection()
        src = connections[alias].connection
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # a consistent snapshot, even while others write (WAL)
        finally:
            dst.close()
        return target
    if connections[alias].vendor == "postgresql":
        args, env = _pg_env(db)
        cmd = [_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(target), *args, db["NAME"]]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")  # untranslated: CLI
        return target
    vendor = connections[alias].vendor
    raise BackupError(f"Backups of {vendor} are not supported.")  # untranslated: CLI


def is_empty(alias: str = "default") -> bool:
    tables = connections[alias].introspection.table_names()
    if "core_auditentry" not in tables:
        return True
    with connections[alias].cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM core_auditentry")
        return cur.fetchone()[0] == 0


def restore(source: Path, alias: str = "default", force: bool = False) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file.")  # untranslated: CLI
    with source.open("rb") as fh:
        magic = fh.read(16)
    conn = connections[alias]
    if not force and not is_empty(alias):
        raise BackupError(
            "The database already holds records; restore into "  # untranslated: CLI
            "an empty database, or pass --force to replace everything in it."
        )
    if conn.vendor == "sqlite":
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError(
                f"{source}: not a SQLite backup "  # untranslated: CLI
                "(was it made from PostgreSQL?)."
            )
        conn.ensure_connection()
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)  # untranslated: CLI
        try:
            src.backup(conn.connection)
        finally:
            src.close()
        conn.close()
        return
    if conn.vendor == "postgresql":
        if not magic.startswith(PG_MAGIC):
            raise BackupError(f"{source}: not a pg_dump custom-format backup.")  # untranslated: CLI
        db = conn.settings_dict
        args, env = _pg_env(db)
        conn.close()
        cmd = [
            _tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--clean",
            "--if-exists",
            "-d",
            db["NAME"],
            *args,
            str(source),
        ]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")  # untranslated: CLI
        return
    raise BackupError(f"Restores into {conn.vendor} are not supported.")  # untranslated: CLI
