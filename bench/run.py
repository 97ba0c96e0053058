"""The benchmark suite: ``make bench`` (everything) and ``make bench-quick`` (the guard).

``full`` runs, on SQLite and — when CONCORD_TEST_DATABASE_URL (or DATABASE_URL) names a
PostgreSQL server — on PostgreSQL too: HTTP latency at scales 1 and 100 and throughput at
scale 100 (bench/web.py), the cost of confidentiality (bench/confidentiality.py), streaming
exports of 1,000,000 rows (bench/exports.py), a 100,000-row export run as a background job
and the web's latency meanwhile (bench/jobs.py), and the capability benchmarks (typology,
labour, accountability, webhooks, search, learning at 100,000 observations, the roster at
10,000 experts); then draws the plots for docs/benchmarks.md (bench/plots.py).

``quick`` (under 3 minutes, scale 1, SQLite) runs the same benchmarks small, compares every
figure with the results committed in bench/results/quick.json and prints each one that got
more than 25 % worse, then writes the new results there (commit them to move the guard).
Figures compared are ratios to a baseline measured in the same run, which is what stays
put on a noisy machine; absolute times are kept beside them for reading.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, ROOT, machine, write_result  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
BENCH = ROOT / "bench"
WORSE = 1.25


def step(args: list[str], env: dict | None = None) -> None:
    print(f"\n$ {' '.join(args)}", flush=True)
    t = time.perf_counter()
    done = subprocess.run([PY, *args], cwd=ROOT, env=env)
    print(f"  ({time.perf_counter() - t:.0f} s)", flush=True)
    if done.returncode:
        raise SystemExit(f"{args[0]} missed its target or failed (exit {done.returncode}): above.")


def environments(postgres: bool) -> list[tuple[str, dict]]:
    sqlite = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = [("sqlite", sqlite)]
    url = os.environ.get("CONCORD_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if postgres and url:
        out.append(("postgresql", {**sqlite, "DATABASE_URL": url}))
    return out


def full(args) -> None:
    for vendor, env in environments(postgres=True):
        print(f"\n######## {vendor} ########", flush=True)
        step(["bench/web.py", "--hold", str(args.hold)], env)
        step(["bench/confidentiality.py"], env)
        step(["bench/exports.py"], env)
        step(["bench/accountability.py"], env)
        step(["bench/jobs.py", "--scale", "42"], env)
        step(["bench/webhooks.py"], env)
        step(["bench/notifications.py"], env)
        step(["bench/search.py"], env)
        step(["bench/learning.py", "--keep"], env)
        step(["bench/roster.py", "--keep"], env)
    sqlite = environments(False)[0][1]
    step(["bench/typology.py"], sqlite)
    step(["bench/labour.py"], sqlite)
    step(["bench/transfer.py"], sqlite)
    step(["bench/plots.py"])


# --- the quick guard --------------------------------------------------------------------


def quick_figures() -> dict[str, float]:
    """Lower-is-better ratios from the quick runs' files."""

    def load(name):
        return json.loads((RESULTS / f"{name}.json").read_text())

    figures: dict[str, float] = {}
    web = load("quick-web")["scales"]["1"]["latency"]
    floor = next(v for k, v in web.items() if k.startswith("baseline"))["p50_ms"]
    for name, r in web.items():
        if not name.startswith("baseline"):
            figures[f"latency p50 / API root: {name}"] = r["p50_ms"] / floor
    for name, r in load("quick-confidentiality")["cases"].items():
        figures[f"confidentiality, filtered / unfiltered: {name}"] = r["ratio_to_unfiltered"]
        figures[f"confidentiality, filtered / bare SQL: {name}"] = r["ratio_to_bare_sql"]
    for fmt, r in load("quick-exports")["formats"].items():
        figures[f"export {fmt} / values_list + csv.writer"] = r["ratio_to_baseline"]
    jobs = load("quick-jobs")
    figures["web p95 while an export job runs / idle p95 (mean of pages)"] = jobs["mean_p95_ratio"]
    typology = load("typology-quick")
    figures["typology classify / sort baseline (n)"] = typology["n"]["ratio_to_baseline"]
    figures["typology classify / sort baseline (4n)"] = typology["4n"]["ratio_to_baseline"]
    for i, row in enumerate(load("quick-labour")["analysis"]):
        figures[f"labour analyse / sort baseline (N×{2**i})"] = row["ratio_to_baseline"]
    figures["webhooks fan-out / raw HMAC+POST loop"] = load("quick-webhooks")["ratio_to_baseline"]
    return figures


def compare(before: dict[str, float], after: dict[str, float]) -> list[str]:
    worse = []
    for name, value in sorted(after.items()):
        old = before.get(name)
        if old and value > old * WORSE:
            worse.append(f"  {name}: {old:.2f} -> {value:.2f} ({value / old - 1:+.0%})")
    return worse


def committed_quick() -> dict:
    out = subprocess.run(
        ["git", "show", "HEAD:bench/results/quick.json"], cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode == 0:
        return json.loads(out.stdout)
    path = RESULTS / "quick.json"
    return json.loads(path.read_text()) if path.exists() else {}


def quick(args) -> int:
    start = time.perf_counter()
    env = environments(postgres=False)[0][1]
    step(
        [
            "bench/web.py",
            "--scale",
            "1",
            "--requests",
            "30",
            "--no-throughput",
            "--out",
            "quick-web",
        ],
        env,
    )
    step(
        [
            "bench/confidentiality.py",
            "--scale",
            "1",
            "--repeat",
            "7",
            "--out",
            "quick-confidentiality",
        ],
        env,
    )
    step(["bench/exports.py", "--scale", "1", "--out", "quick-exports"], env)
    step(
        ["bench/jobs.py", "--scale", "1", "--threshold", "1000", "--rounds", "20"]
        + ["--out", "quick-jobs"],
        env,
    )
    step(["bench/typology.py", "--quick"], env)
    step(
        ["bench/labour.py"], {**env, "LABOUR_BENCH_N": "25000", "BENCH_RESULT_NAME": "quick-labour"}
    )
    step(["bench/webhooks.py", "--events", "50", "--out", "quick-webhooks"], env)
    figures = quick_figures()
    before = committed_quick().get("figures", {})
    worse = compare(before, figures)
    seconds = time.perf_counter() - start
    write_result("quick", {"machine": machine(), "seconds": round(seconds), "figures": figures})
    print(f"\nbench-quick: {len(figures)} figures in {seconds:.0f} s", flush=True)
    if not before:
        print("No committed bench/results/quick.json to compare with: this run is the baseline.")
        return 0
    if worse:
        print(f"{len(worse)} figure(s) more than {WORSE - 1:.0%} worse than the committed run:")
        print("\n".join(worse))
        return 1 if args.strict else 0
    print(f"No figure more than {WORSE - 1:.0%} worse than the committed run.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    f = sub.add_parser("full")
    f.add_argument("--hold", type=float, default=300, help="seconds of sustained load")
    q = sub.add_parser("quick")
    q.add_argument("--strict", action="store_true", help="exit 1 when a figure got worse")
    args = parser.parse_args()
    if args.what == "full":
        full(args)
        return 0
    return quick(args)


if __name__ == "__main__":
    sys.exit(main())
