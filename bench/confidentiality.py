"""The cost of confidentiality: the permission filter vs the same query without it.

Builds a synthetic registry in a throwaway SQLite (or the PostgreSQL named by DATABASE_URL),
spread over every classification and releasability, then times, in the same run, list pages
and counts with ``visible_to(user)`` against the unfiltered query (the baseline), and reports
ratios. Run: ``make bench`` (writes bench/results/confidentiality.json and prints a table).
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(data_dir: str) -> None:
    os.environ.setdefault("CONCORD_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(n_orgs: int, n_people: int, seed: int = 1):
    """Synthetic data written in bulk (a benchmark world, not user data: no audit entries)."""
    from concord.core import services
    from concord.core.context import Actor
    from concord.core.models import Membership, Organisation, Person, Space, User

    rng = random.Random(seed)
    sys_actor = Actor.system("bench")
    first = services.save(
        Organisation(name="Bench root", kind="other", classification=0, releasability="public"),
        actor=sys_actor,
    )
    orgs = [
        Organisation(
            name=f"Org {i}",
            kind="ingo",
            owner=first,
            classification=rng.randint(0, 2),
            releasability=rng.choice(["owner", "organisations", "spaces", "signed_in"]),
        )
        for i in range(n_orgs)
    ]
    Organisation.objects.bulk_create(orgs, batch_size=2000)
    org_ids = list(Organisation.objects.values_list("pk", flat=True))
    spaces = [Space.objects.create(name=f"Space {i}") for i in range(20)]
    for s in spaces:
        s.organisations.set(rng.sample(org_ids, 30))
    people = []
    for i in range(n_people):
        c = rng.choice([0, 1, 1, 2, 2, 3])
        rel = (
            "public"
            if c == 0 and rng.random() < 0.3
            else rng.choice(["owner", "organisations", "spaces", "signed_in"])
        )
        people.append(
            Person(
                name=f"Person {i:07d}",
                owner_id=rng.choice(org_ids),
                classification=c,
                releasability=rel,
                languages=["fr"],
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    ids = list(Person.objects.values_list("pk", flat=True))
    through_o = Person.shared_organisations.through
    through_s = Person.shared_spaces.through
    through_o.objects.bulk_create(
        [
            through_o(person_id=pk, organisation_id=rng.choice(org_ids))
            for pk in ids
            if rng.random() < 0.4
        ],
        batch_size=5000,
    )
    through_s.objects.bulk_create(
        [
            through_s(person_id=pk, space_id=rng.choice(spaces).pk)
            for pk in ids
            if rng.random() < 0.4
        ],
        batch_size=5000,
    )
    user = User.objects.create(username="bench", clearance=2)
    for org_id in rng.sample(org_ids, 3):
        Membership.objects.create(user=user, organisation_id=org_id, role="editor")
    for s in spaces[:2]:
        s.organisations.add(Membership.objects.filter(user=user).first().organisation)
    return user


def timeit(fn, repeat: int = 30) -> float:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def run(n_orgs: int, n_people: int) -> dict:
    from django.db import connection

    from concord.core.models import Person

    user = generate(n_orgs, n_people)
    user.forget_principal()
    cases = {
        "list page (50, ordered by name)": (
            lambda: list(Person.objects.order_by("name", "pk")[:50]),
            lambda: list(Person.objects.visible_to(user).order_by("name", "pk")[:50]),
        ),
        "count": (
            lambda: Person.objects.count(),
            lambda: Person.objects.visible_to(user).count(),
        ),
        "filtered list (name contains '12')": (
            lambda: list(Person.objects.filter(name__contains="12").order_by("name", "pk")[:50]),
            lambda: list(
                Person.objects.visible_to(user)
                .filter(name__contains="12")
                .order_by("name", "pk")[:50]
            ),
        ),
    }
    results = []
    for name, (base, scoped) in cases.items():
        b, s = timeit(base), timeit(scoped)
        results.append(
            {
                "case": name,
                "baseline_ms": round(b * 1000, 3),
                "scoped_ms": round(s * 1000, 3),
                "ratio": round(s / b, 2) if b else None,
            }
        )
    visible = Person.objects.visible_to(user).count()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "benchmark": "cost of confidentiality",
        "database": connection.vendor,
        "orgs": n_orgs,
        "people": n_people,
        "visible_to_user": visible,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, "
        f"{platform.python_implementation()} "
        f"{platform.python_version()}",
        "commit": commit,
        "results": results,
    }


def main() -> None:
    n_orgs = int(os.environ.get("BENCH_ORGS", "2000"))
    n_people = int(os.environ.get("BENCH_PEOPLE", "100000"))
    with tempfile.TemporaryDirectory() as tmp:
        if not os.environ.get("DATABASE_URL"):
            os.environ["CONCORD_SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
        setup_django(tmp)
        report = run(n_orgs, n_people)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"confidentiality-{report['database']}.json").write_text(
        json.dumps(report, indent=2) + "\n"
    )
    print(
        f"{report['database']}: {n_people:,} people, "
        f"{report['visible_to_user']:,} visible to the reader"
    )
    print(f"{'case':40} {'baseline ms':>12} {'scoped ms':>10} {'ratio':>6}")
    for r in report["results"]:
        print(f"{r['case']:40} {r['baseline_ms']:12.3f} {r['scoped_ms']:10.3f} {r['ratio']:6.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
