"""Classifying operations at scale (the four-scenario typology).

A synthetic world of N operations (40 % UN or regional, 60 % coalitions or single states)
across 200 countries, with 5·N relations of every kind, one or two host countries each and
sub-national areas for a third. Times, in the same run:

- the baseline: reading every operation and relation once and sorting the operations by
  start date (the least any classifier must do, O(n log n));
- indexing (``World.build``) and classifying every operation as of one date
  (``classify_all``), at N and at 4·N, and the ratio of the two. In theory n log n gives
  ~4.6 at 4·N; on a real machine caches make even the baseline grow faster, so the target is
  that classifying grows no faster than the baseline measured in the same run.

Run: ``make bench`` (writes bench/results/typology.json and prints a table). Pure Python: no
database, so the figure is the analysis itself.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from concord.operations import analysis as A  # noqa: E402

KINDS = ["peacekeeping", "political", "stabilisation", "observer", "training"]
REL_KINDS = ["handed_over_to", "operates_alongside", "supports", "integrated_into"]
LEVELS = ["", "none", "deconfliction", "liaison", "mechanism", "joint_planning"]


def generate(n_ops: int, n_countries: int = 200, rels_per_op: int = 5, seed: int = 7):
    rng = random.Random(seed)
    countries = [f"C{i:03d}" for i in range(n_countries)]
    parents = {}
    for c in range(n_countries):  # 5 adm1 with 4 adm2 each, per country
        for a in range(5):
            adm1 = 1_000_000 + c * 100 + a * 10
            parents[adm1] = None
            for b in range(1, 5):
                parents[adm1 + b] = adm1
    ops = []
    for i in range(n_ops):
        framework = rng.choices(["un", "regional", "ad_hoc", "single_state"], [2, 2, 4, 2])[0]
        start = dt.date(1948, 1, 1) + dt.timedelta(days=rng.randrange(0, 28_000))
        end = None if rng.random() < 0.15 else start + dt.timedelta(days=rng.randrange(30, 5000))
        c = rng.randrange(n_countries)
        hosts = [countries[c]] + (
            [countries[rng.randrange(n_countries)]] if rng.random() < 0.3 else []
        )
        areas = []
        if rng.random() < 0.33:
            areas = [1_000_000 + c * 100 + rng.randrange(5) * 10 + rng.randrange(5)]
        kind = rng.choice(KINDS)
        ops.append(
            A.Op(
                i,
                f"OP{i}",
                framework,
                kind,
                start,
                end,
                tuple(hosts),
                tuple(areas),
                "UN" if framework == "un" else "RO",
                force=kind != "political",
            )
        )
    by_country: dict[str, list[int]] = {}
    for o in ops:
        by_country.setdefault(o.countries[0], []).append(o.id)
    rels = []
    for _ in range(rels_per_op * n_ops):
        a = ops[rng.randrange(n_ops)]
        peers = by_country[a.countries[0]]
        b = ops[rng.choice(peers)] if rng.random() < 0.8 else ops[rng.randrange(n_ops)]
        if a.id == b.id:
            continue
        start = max(a.start, b.start)
        rels.append(A.Rel(a.id, rng.choice(REL_KINDS), b.id, start, None, rng.choice(LEVELS)))
    return ops, rels, parents


def timed(fn, repeat: int) -> float:
    """Median wall time; the garbage collector is paused while timing (as ``timeit`` does), so
    its passes over the whole heap do not count against the larger world."""
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return statistics.median(samples)


def measure(n: int, repeat: int) -> dict:
    ops, rels, parents = generate(n)
    day = dt.date(2005, 6, 1)

    def baseline():
        seen = 0
        for _r in rels:
            seen += 1
        return sorted(ops, key=lambda o: (o.start, o.id)), seen

    def classify():
        world = A.World.build(ops, rels, parents)
        return A.classify_all(world, day)

    def lifetime():
        return A.overall_all(A.World.build(ops, rels, parents))

    results = classify()
    counts: dict[str, int] = {}
    for r in results.values():
        counts[r.scenario or "inactive"] = counts.get(r.scenario or "inactive", 0) + 1
    return {
        "operations": n,
        "relations": len(rels),
        "countries": 200,
        "baseline_s": timed(baseline, repeat),
        "classify_s": timed(classify, repeat),
        "active_on_date": sum(1 for o in ops if o.active(day)),
        "lifetime_s": timed(lifetime, 1),
        "scenarios": counts,
    }


def main(argv=None) -> int:
    quick = "--quick" in (argv or sys.argv[1:])
    n = 2_500 if quick else 10_000
    repeat = 3 if quick else 5
    small = measure(n, repeat)
    large = measure(4 * n, repeat)
    for m in (small, large):
        m["ratio_to_baseline"] = m["classify_s"] / m["baseline_s"]
    growth = large["classify_s"] / small["classify_s"]
    baseline_growth = large["baseline_s"] / small["baseline_s"]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    out = {
        "benchmark": "typology",
        "date": dt.date.today().isoformat(),
        "commit": commit,
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}",
        "n": small,
        "4n": large,
        "growth_4n_over_n": growth,
        "baseline_growth_4n_over_n": baseline_growth,
        "target": "10,000 operations and 50,000 relations classified in under 2 s; time at "
        "4n over time at n no worse than the O(n log n) baseline's in the same run (+25 %)",
        "target_met": (small["classify_s"] < 2.0 or quick) and growth <= baseline_growth * 1.25,
    }
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    name = "typology-quick.json" if quick else "typology.json"
    (results / name).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"{'case':<28}{'ops':>8}{'rels':>9}{'baseline s':>12}{'classify s':>12}{'ratio':>8}")
    for label, m in (("n", small), ("4n", large)):
        print(
            f"{label:<28}{m['operations']:>8}{m['relations']:>9}{m['baseline_s']:>12.3f}"
            f"{m['classify_s']:>12.3f}{m['ratio_to_baseline']:>8.1f}"
        )
    life_growth = large["lifetime_s"] / small["lifetime_s"]
    print(
        f"whole-life scenarios (summaries): {small['lifetime_s']:.2f} s at n, "
        f"{large['lifetime_s']:.2f} s at 4n (growth {life_growth:.1f})"
    )
    print(
        f"time(4n)/time(n): classify {growth:.2f}, baseline {baseline_growth:.2f} "
        f"(in theory n log n gives ~4.6); target met: {out['target_met']}"
    )
    return 0 if out["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
