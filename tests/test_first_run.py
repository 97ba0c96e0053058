"""The production sequence of docs/getting-started.md, run as written on an empty database.

The block is read from the document, so the document cannot drift from what works: every
line runs in bash, in order, with three adjustments a test needs: ``make install`` is already
done (this suite runs in the installed environment), the password prompts of ``createuser``
are answered, and ``serve`` listens on a free port and is asked for a page, then stopped.
The database is an empty SQLite file, or (in the PostgreSQL run) an empty PostgreSQL database.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "getting-started.md"
CONCORD = str(Path(sys.executable).with_name("concord"))
PASSWORD = "a long first-run passphrase 7"


def production_block() -> list[str]:
    text = DOC.read_text()
    section = text.split("## A production installation", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = []
    for raw in block.splitlines():
        line = raw.split("   #", 1)[0].split("  #", 1)[0].rstrip()  # trailing comments
        if line.strip():
            lines.append(line)
    return lines


def test_the_block_is_the_whole_sequence():
    """What the test relies on: the block creates an administrator, an organisation, a user
    of it, and ends by serving."""
    lines = production_block()
    assert any("createuser" in x and "--admin" in x for x in lines)
    assert any(" org create " in x for x in lines)
    assert any("createuser" in x and "--org" in x for x in lines)
    assert lines[-1].startswith(".venv/bin/concord serve")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _script(lines: list[str], database_url: str | None) -> tuple[str, str]:
    """(the set-up script, the serve command) from the document's lines."""
    out = ["set -euo pipefail"]
    serve = ""
    for line in lines:
        if line.startswith("export DATABASE_URL="):
            line = f"export DATABASE_URL={shlex.quote(database_url)}" if database_url else ""
            line = line or "unset DATABASE_URL"
        elif line.strip() == "make install":
            line = "true  # make install: done, the suite runs installed"
        line = line.replace(".venv/bin/concord", shlex.quote(CONCORD))
        if " createuser " in line:
            line = f"printf '%s\\n%s\\n' {shlex.quote(PASSWORD)} {shlex.quote(PASSWORD)} | {line}"
        if " serve " in line:
            serve = line
            continue
        out.append(line)
    out.append("env | grep -E '^(DATABASE_URL|CONCORD_[A-Z_]+)=' > \"$CONCORD_DATA_DIR/env\"")
    return "\n".join(out), serve


@pytest.fixture
def empty_database():
    """None (SQLite in the data dir) or the URL of a new, empty PostgreSQL database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None
        return
    import psycopg

    name = f"concord_first_run_{uuid.uuid4().hex[:8]}"
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_production_sequence_works_verbatim(tmp_path, empty_database):
    script, serve = _script(production_block(), empty_database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONCORD_", "DATABASE_URL"))}
    env["CONCORD_DATA_DIR"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        ["bash", "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        start_new_session=True,  # no terminal: getpass reads the answers from stdin
    )
    assert run.returncode == 0, f"the documented sequence failed:\n{run.stdout}\n{run.stderr}"
    assert "Created alice" in run.stdout and "Created bob (manager at African Union" in run.stdout
    # The same environment serves: a page answers through the configured proxy headers.
    for line in (tmp_path / "env").read_text().splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    port = _free_port()
    command = re.sub(r"--bind \S+", f"--bind 127.0.0.1:{port}", serve)
    command = re.sub(r"--workers \d+", "--workers 1", command)
    server = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        env=env,
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        status = _get(port, "/login/")
        assert status == 200
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def _get(port: int, path: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": "concord.example.org", "X-Forwarded-Proto": "https"},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
