"""Division-of-labour analysis at scale, and the 3W import against libhxl + bulk insert.

1. A synthetic world: 200 countries, 5,000 areas (per country 5 adm1 with 4 adm2 each), 40
   tasks in a hierarchy, N assignments (15 % lead; two kinetic tasks ten times rarer),
   2,000 operations with 8 mandated tasks each, 1,000 needs, 2,000 arrangements, 5 clash
   rules, 500 handovers. Times, in one run:
   - the baseline: sorting the N assignments by (task, place, start), O(n log n);
   - ``analyse`` (gaps, overlaps, clashes, handover holes) at N, 2N and 4N, as time and as a
     ratio to the baseline at the same size (flat ratios: no worse than n log n);
   - one busy country (~10,000 of 1,000,000 assignments) analysed alone.
2. The real Afghanistan 3W (10,902 rows, ../shared/data, skipped when absent): the baseline is
   libhxl parsing the file plus ``bulk_create`` of 10,902 assignments; Concord's import is
   ``threew.plan`` + ``threew.commit`` (matching, creating organisations and areas, audit).
   Each run is inside a rolled-back transaction, alternated, best of 5.

Run: ``make bench`` (writes bench/results/labour.json).
"""

from __future__ import annotations

import gc
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from concord.labour import analysis as A  # noqa: E402

BUSY = "C017"
AFG = ROOT.parent / "shared" / "data" / "hxl_3w" / "ocha_afg_3w_operational_presence_2024Q1.csv"


def synthetic(n: int, seed: int = 11) -> A.World:
    rng = random.Random(seed)
    tasks = {t: (None if t < 8 else rng.randrange(8)) for t in range(40)}
    places: dict = {}
    countries = [f"C{c:03d}" for c in range(200)]
    leaves = {}
    for c, code in enumerate(countries):
        leaves[code] = []
        for a in range(5):
            adm1 = c * 100 + a * 10 + 1
            places[adm1] = code
            leaves[code].append(adm1)
            for b in range(1, 5):
                places[adm1 + b] = adm1
                leaves[code].append(adm1 + b)
    base = 730_000  # ~2000
    w = A.World(task_parent=tasks, place_parent=places)

    # Realistic shares: most 3W rows are implementers, not leads; kinetic tasks are rare.
    weights = [0.1 if t in (38, 39) else 1.0 for t in range(40)]
    task_of = rng.choices(range(40), weights, k=n)

    def span():
        s = base + rng.randrange(0, 9000)
        return s, (A.HI if rng.random() < 0.1 else s + rng.randrange(30, 1500))

    for i in range(n):
        # One busy country (like Afghanistan's 10,902 rows) holds about 1 % of the rows.
        code = BUSY if rng.random() < 0.005 else countries[rng.randrange(200)]
        place = code if rng.random() < 0.1 else rng.choice(leaves[code])
        s, e = span()
        w.assignments.append(
            A.Assignment(
                i,
                f"o{rng.randrange(5000)}",
                task_of[i],
                place,
                s,
                e,
                rng.random() < 0.15,
                rng.random() < 0.9,
                rng.random() < 0.05,
            )
        )
    for op in range(2000):
        code = countries[rng.randrange(200)]
        s, e = span()
        w.op_span[op] = (s, e)
        w.mandates[op] = [(rng.randrange(40), s, e) for _ in range(8)]
        for t, ms, me in w.mandates[op]:
            w.requirements.append(A.Requirement("mandate", op, t, code, ms, me, f"x{op}"))
    for i in range(1000):
        code = countries[rng.randrange(200)]
        s, e = span()
        w.requirements.append(
            A.Requirement("need", i, rng.randrange(40), rng.choice(leaves[code]), s, e)
        )
    for i in range(2000):
        s, e = span()
        w.arrangements.append(
            A.Arrangement(
                i,
                frozenset({f"o{rng.randrange(5000)}", f"o{rng.randrange(5000)}"}),
                frozenset({rng.randrange(40)}) if rng.random() < 0.5 else frozenset(),
                frozenset({countries[rng.randrange(200)]}),
                s,
                e,
            )
        )
    w.rules = [
        A.Rule(i, a, b, "")
        for i, (a, b) in enumerate([(38, 30), (38, 31), (38, 32), (39, 30), (39, 33)])
    ]
    for i in range(500):
        a, b = rng.randrange(2000), rng.randrange(2000)
        w.handovers.append(
            A.Handover(
                i, a, b, w.op_span[a][1] if w.op_span[a][1] != A.HI else w.op_span[a][0] + 100
            )
        )
    return w


def timed(fn, repeat=3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
        gc.enable()
    return best, out


def analysis_bench(n: int) -> list[dict]:
    rows = []
    for size in (n, 2 * n, 4 * n):
        w = synthetic(size)
        base, _ = timed(
            lambda w=w: sorted(w.assignments, key=lambda a: (a.task, str(a.place), a.start))
        )
        took, found = timed(lambda w=w: A.analyse(A.World(**_fields(w))), repeat=2)
        rows.append(
            {
                "assignments": size,
                "baseline_sort_s": round(base, 3),
                "analyse_s": round(took, 3),
                "ratio_to_baseline": round(took / base, 2),
                "findings": len(found),
                # Output-sensitive: overlaps are pairs, so findings outgrow rows as the fixed
                # 5,000 areas fill up; time per row-or-finding shows the work per item.
                "us_per_row_or_finding": round(took / (size + len(found)) * 1e6, 3),
            }
        )
        print(rows[-1], flush=True)
        del w
    return rows


def _fields(w: A.World) -> dict:
    """A fresh World over the same inputs (caches cleared, so every run pays for them)."""
    return {
        k: getattr(w, k)
        for k in (
            "task_parent",
            "place_parent",
            "assignments",
            "requirements",
            "arrangements",
            "rules",
            "handovers",
            "op_span",
            "mandates",
        )
    }


def one_country(n: int = 1_000_000) -> dict:
    w = synthetic(n)
    code = BUSY
    mine = [a for a in w.assignments if str(w.places_up(a.place)[-1]) == code]
    reqs = [r for r in w.requirements if str(w.places_up(r.place)[-1]) == code]
    sub = A.World(
        task_parent=w.task_parent,
        place_parent=w.place_parent,
        assignments=mine,
        requirements=reqs,
        arrangements=w.arrangements,
        rules=w.rules,
    )
    base, _ = timed(lambda: sorted(mine, key=lambda a: (a.task, str(a.place), a.start)))
    took, found = timed(lambda: A.analyse(A.World(**_fields(sub))))
    return {
        "assignments": len(mine),
        "analyse_s": round(took, 4),
        "baseline_sort_s": round(base, 4),
        "findings": len(found),
    }


def import_bench() -> dict | None:
    if not AFG.is_file():
        return None
    tmp = tempfile.mkdtemp(prefix="concord-bench-")
    os.environ["CONCORD_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    import django

    django.setup()
    import io

    import hxl
    from django.core.management import call_command
    from django.db import transaction

    from concord.core import services
    from concord.core.context import Actor
    from concord.core.fixtures.reference import seed_reference
    from concord.core.importers import ImportContext
    from concord.core.models import Country, Organisation, Role
    from concord.labour import threew
    from concord.labour.fixtures.catalogue import seed_labour_catalogue
    from concord.labour.models import Assignment, Task

    call_command("migrate", verbosity=0)
    seed_reference()
    seed_labour_catalogue()
    system = Actor.system("bench")
    org = services.save(
        Organisation(
            name="Bench org",
            acronym="BENCH",
            kind="other",
            classification=0,
            releasability="public",
        ),
        actor=system,
    )
    user = services.create_user(
        actor=system,
        username="bench",
        password="x-bench-123456",
        clearance=1,
        memberships=[(org, Role.CONTRIBUTOR)],
        check_password=False,
    )
    actor = Actor(user=user, interface="import")
    data = AFG.read_bytes()
    afg = Country.objects.get(alpha3="AFG")
    task = Task.objects.get(code="protection")

    def baseline():
        with transaction.atomic():
            rows = list(hxl.data(io.BytesIO(data), hxl.InputOptions(allow_local=True)))
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        organisation=org,
                        task=task,
                        country=afg,
                        owner=org,
                        source_values={"org": r.get("#org")},
                    )
                    for r in rows
                ],
                batch_size=2000,
            )
            transaction.set_rollback(True)
        return len(rows)

    def concord():
        with transaction.atomic():
            options = threew.Options(owner=org, country=afg)
            plan = threew.plan(data, AFG.name, options, ImportContext(actor))
            batch = threew.commit(plan, actor=actor)
            transaction.set_rollback(True)
        return batch.created

    if os.environ.get("LABOUR_BENCH_PARTS"):  # each half of both sides, once
        t = time.perf_counter()
        rows = list(hxl.data(io.BytesIO(data), hxl.InputOptions(allow_local=True)))
        t1 = time.perf_counter()
        options = threew.Options(owner=org, country=afg)
        with transaction.atomic():
            t2 = time.perf_counter()
            plan = threew.plan(data, AFG.name, options, ImportContext(actor))
            t3 = time.perf_counter()
            threew.commit(plan, actor=actor)
            t4 = time.perf_counter()
            transaction.set_rollback(True)
        print(f"libhxl parse {t1 - t:.3f}s; plan {t3 - t2:.3f}s; commit {t4 - t3:.3f}s")
        return None
    if os.environ.get("LABOUR_BENCH_PROFILE"):  # where the import's time goes
        import cProfile
        import pstats

        cProfile.runctx("concord()", globals(), locals(), "/tmp/concord-import.prof")
        pstats.Stats("/tmp/concord-import.prof").sort_stats("cumulative").print_stats(45)
        return None
    best_base, best_ours = float("inf"), float("inf")
    for _ in range(5):
        t = time.perf_counter()
        n_base = baseline()
        best_base = min(best_base, time.perf_counter() - t)
        t = time.perf_counter()
        n_ours = concord()
        best_ours = min(best_ours, time.perf_counter() - t)
    return {
        "rows": n_base,
        "imported": n_ours,
        "baseline_libhxl_plus_bulk_insert_s": round(best_base, 3),
        "concord_import_s": round(best_ours, 3),
        "ratio_concord_to_baseline": round(best_ours / best_base, 2),
    }


def main():
    n = int(os.environ.get("LABOUR_BENCH_N", "250000"))  # N, 2N, 4N = 1,000,000
    results = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "analysis": analysis_bench(n),
        "one_country": one_country(),
        "import_afghanistan_3w": import_bench(),
    }
    print(json.dumps(results["one_country"]), json.dumps(results["import_afghanistan_3w"]))
    name = os.environ.get("BENCH_RESULT_NAME", "labour")  # bench/run.py quick: quick-labour
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
