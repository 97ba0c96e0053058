"""A worker killed (-9) in the middle of an import: nothing of the import is written; the
job is retried by the next worker (and succeeds), or, after its last attempt, failed with its
reason. Real processes on a scratch database (SQLite file, or a PostgreSQL database)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlparse

import pytest

ROWS = 2500
SETUP = """
import django, sys
django.setup()
from concord.core import services
from concord.core.context import Actor
from concord.core.models import Organisation, Role
from concord.jobs import services as jobs
from concord.jobs.tasks import import_records
org = Organisation.objects.filter(acronym="CRS").first() or services.save(
    Organisation(name="Crash test", acronym="CRS", kind="other"), actor=Actor.system("t"))
user = services.create_user(actor=Actor.system("t"), username=sys.argv[1], password="x",
    clearance=1, memberships=[(org, Role.EDITOR)], check_password=False)
prefix = sys.argv[2]
data = ("name,kind,owner\\n" + "".join(
    f"{prefix} {i},local,CRS\\n" for i in range(int(sys.argv[3])))).encode()
job = jobs.start(user, "import", "Crash import", import_records, input_data=data,
    kind="organisations", filename="crash.csv", total=int(sys.argv[3]))
print(job.pk)
"""


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """An empty, migrated database of its own, reached by the processes and by this test."""
    data_dir = tmp_path_factory.mktemp("crash")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        CONCORD_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="concord.settings",
        CONCORD_JOBS_HEARTBEAT_SECONDS="0.5",
        CONCORD_JOBS_STALE_SECONDS="30",
    )
    pg = _postgres_url()
    if pg:
        import psycopg

        parts = urlparse(pg)
        name = f"{parts.path.lstrip('/')}_crash"
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = parts._replace(path=f"/{name}").geturl()
    subprocess.run([sys.executable, "-m", "concord.cli", "migrate", "-v0"], env=env, check=True)
    yield env
    if pg:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(env, sql: str, *params):
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchone()
    conn = sqlite3.connect(os.path.join(env["CONCORD_DATA_DIR"], "concord.sqlite3"), timeout=10)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


def writing(env, job_id: int) -> bool:
    """The worker is inside the import's transaction: on PostgreSQL its progress shows while
    no row is visible; on SQLite it holds the write lock."""
    if "DATABASE_URL" in env:
        (done,) = query(env, "select done from jobs_job where id = ?", job_id)
        return done > 0
    conn = sqlite3.connect(os.path.join(env["CONCORD_DATA_DIR"], "concord.sqlite3"), timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    finally:
        conn.close()


def start_job(env, username: str, prefix: str, attempts: int) -> int:
    out = subprocess.run(
        [sys.executable, "-c", SETUP, username, prefix, str(ROWS)],
        env={**env, "CONCORD_JOBS_MAX_ATTEMPTS": str(attempts)},
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.split()[-1])


def worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "concord.cli",
            "worker",
            "--no-startup-delay",
            "--no-reload",
            "--nice",  # not behind the other processes of a busy test machine
            "0",
            "--interval",
            "0.2",
            "-v0",
        ],
        env=env,
    )


def wait_for(condition, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def kill_mid_import(env, job_id: int, prefix: str) -> None:
    audit_before = query(env, "select count(*) from core_auditentry")[0]
    proc = worker(env)
    try:
        wait_for(
            lambda: query(env, "select status from jobs_job where id = ?", job_id)[0] == "running",
            60,
            "the job to start",
        )
        # In the transaction, twice in a row (not a heartbeat's passing write).
        wait_for(
            lambda: writing(env, job_id) and (time.sleep(0.5) or writing(env, job_id)),
            60,
            "the import to be writing",
        )
        time.sleep(1.0)
        assert proc.poll() is None, "the import finished before it could be interrupted"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    like = f"{prefix} %"
    assert query(env, "select count(*) from core_organisation where name like ?", like) == (0,)
    # Its audit entries went with it (only the job's own start was recorded since).
    assert query(env, "select count(*) from core_auditentry")[0] == audit_before
    assert query(env, "select status from jobs_job where id = ?", job_id) == ("running",)


def test_a_worker_killed_mid_import_writes_nothing_and_the_job_is_retried(scratch):
    job_id = start_job(scratch, "crash1", "Crashed", attempts=2)
    kill_mid_import(scratch, job_id, "Crashed")
    # The next worker, at start-up, sees that the process running the job is gone.
    proc = worker(scratch)
    try:
        wait_for(
            lambda: (
                query(scratch, "select status from jobs_job where id = ?", job_id)[0]
                in ("succeeded", "failed")
            ),
            240,
            "the retried job to finish",
        )
    finally:
        proc.terminate()
        proc.wait()
    status, attempts, error = query(
        scratch, "select status, attempts, error from jobs_job where id = ?", job_id
    )
    assert (status, attempts) == ("succeeded", 2), error
    count = query(scratch, "select count(*) from core_organisation where name like ?", "Crashed %")
    assert count == (ROWS,)


def test_after_its_last_attempt_a_killed_job_is_failed_with_its_reason(scratch):
    job_id = start_job(scratch, "crash2", "Lost", attempts=1)
    kill_mid_import(scratch, job_id, "Lost")
    proc = worker(scratch)
    try:
        wait_for(
            lambda: (
                query(scratch, "select status from jobs_job where id = ?", job_id)[0] == "failed"
            ),
            60,
            "the job to be failed",
        )
    finally:
        proc.terminate()
        proc.wait()
    (error,) = query(scratch, "select error from jobs_job where id = ?", job_id)
    assert "The worker running it stopped" in error and "attempt 1 of 1" in error
    count = query(scratch, "select count(*) from core_organisation where name like ?", "Lost %")
    assert count == (0,)
