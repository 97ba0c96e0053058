"""What every benchmark records with its figures: the machine, the commit, the time."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CONCORD = str(ROOT / ".venv" / "bin" / "concord")
WORLDS = ROOT / "var" / "bench"  # generated worlds, kept between runs


def machine() -> dict:
    def git(*args):
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip()

    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gib": mem,
        "python": platform.python_version(),
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def load_result(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


DATABASES = (("sqlite", "SQLite"), ("postgresql", "PostgreSQL"))


def measured(prefix: str) -> list[tuple[str, dict]]:
    """(database, results) of ``<prefix>-<database>.json``, for each database measured."""
    found = [(label, load_result(f"{prefix}-{db}")) for db, label in DATABASES]
    return [(label, r) for label, r in found if r]


def write_result(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    return out


def generator_digest() -> str:
    h = hashlib.sha256()
    for p in sorted((ROOT / "concord" / "synthetic").glob("*.py")):
        h.update(p.read_bytes())
    for p in sorted((ROOT / "concord").glob("*/migrations/*.py")):
        h.update(p.name.encode())
    return h.hexdigest()[:16]


def world(scale: float, database_url: str | None, seed: int = 1) -> tuple[dict, dict]:
    """The environment of a generated world (generating it if needed) and its report."""
    vendor = "postgresql" if database_url else "sqlite"
    data_dir = WORLDS / f"{vendor}-s{scale:g}-seed{seed}"
    env = {**os.environ, "CONCORD_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    dbname = None
    if database_url:
        dbname = f"concord_bench_s{scale:g}_seed{seed}".replace(".", "_")
        env["DATABASE_URL"] = database_url.rsplit("/", 1)[0] + "/" + dbname
    marker = data_dir / "world.json"
    digest = generator_digest()
    if marker.exists():
        report = json.loads(marker.read_text())
        if report.get("digest") == digest:
            return env, report
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if dbname:
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        for sql in (f'DROP DATABASE IF EXISTS "{dbname}"', f'CREATE DATABASE "{dbname}"'):
            subprocess.run(["psql", admin, "-q", "-c", sql], check=True)
    subprocess.run([CONCORD, "migrate", "--verbosity", "0"], env=env, check=True)
    print(f"  generating the scale-{scale:g} world on {vendor}…", flush=True)
    out = subprocess.run(
        [
            CONCORD,
            "bench",
            "generate",
            "--scale",
            str(scale),
            "--seed",
            str(seed),
            "--format",
            "json",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    report = {**json.loads(out.stdout), "digest": digest}
    marker.write_text(json.dumps(report, indent=1))
    return env, report


AUTHENTICATOR = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from concord.core.models import User
from concord.signin.fixtures.demo import demo_key
from concord.signin.models import DEMO_NAME
user = User.objects.get(username=%r)
if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
    key = demo_key(user.username)
    TOTPDevice.objects.create(user=user, name=DEMO_NAME, key=key, confirmed=True)
"""


def authenticator(env: dict, username: str):
    """Gives ``username`` an authenticator like the demo personas' (its key derived from the
    installation's secret key: synth.manager, cleared strictly confidential, must give a code
    after the password), and returns a function reading its current code as an operator
    would (``concord twofactor code``)."""
    subprocess.run(
        [CONCORD, "shell", "--no-imports", "-c", AUTHENTICATOR % username], env=env, check=True
    )

    def code() -> str:
        out = subprocess.run(
            [CONCORD, "twofactor", "code", username],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()

    return code


def scratch_data_dir() -> str:
    """A new empty data directory for this process, whatever CONCORD_DATA_DIR said: a
    bench that builds its own records never writes into the developer's database
    (``make`` exports CONCORD_DATA_DIR=var for ``make run``)."""
    import tempfile

    path = tempfile.mkdtemp(prefix="concord-bench-")
    os.environ["CONCORD_DATA_DIR"] = path
    return path


def scratch_database(data_dir: str | None = None) -> str:
    """Django set up on an empty, migrated database of its own: SQLite in a new data
    directory (or in ``data_dir``, empty), or on PostgreSQL the database DATABASE_URL names,
    created if missing and emptied. Returns the vendor."""
    if data_dir:
        os.environ["CONCORD_DATA_DIR"] = data_dir
    else:
        scratch_data_dir()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        _create_database(connection)
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    return connection.vendor


def _create_database(connection) -> None:
    """Create the database named by DATABASE_URL if it does not exist yet."""
    import psycopg

    name = connection.settings_dict["NAME"]
    params = {k: v for k, v in connection.get_connection_params().items() if k != "dbname"}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def use_world(env: dict) -> None:
    """Set up Django in this process on a generated world."""
    for key in ("CONCORD_DATA_DIR", "DATABASE_URL"):
        os.environ.pop(key, None)
        if key in env:
            os.environ[key] = env[key]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    import django

    django.setup()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def p95(samples: list[float]) -> float:
    """The 95th percentile of ``samples`` (the nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def timed(fn, rounds: int) -> list[float]:
    """``fn(i)`` for each of ``rounds``, each one's time in milliseconds."""
    out = []
    for i in range(rounds):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out
