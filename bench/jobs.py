"""The queue under load: a large export run as a background job, and the web's latency
while it runs.

On a generated world served as in production (``concord serve``: gunicorn with 3 workers
and the background worker it starts), signed in as ``synth.manager``:
1. idle: p95 of a few pages and API endpoints, one request after another (half of the
   samples before the export, half after it);
2. the assignments list's CSV export is started from its page (above the threshold it
   becomes a job; at scale 42, about 100,000 rows), and the same pages are measured
   again, round after round, for as long as the job runs;
3. the figure is each page's p95 while the job runs as a ratio to its idle p95 in the same
   run (aim: at most 1.5), with the job's own time and rows per second.

Run: ``bench/run.py full`` (scale 42) or ``quick`` (scale 1, a smaller export). Results:
bench/results/jobs-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import authenticator, machine, world, write_result  # noqa: E402
from load import Client, percentiles  # noqa: E402
from web import Server, first_id  # noqa: E402

USER, PASSWORD = "synth.manager", "synthetic"
RATIO_AIM = 1.5


def pages(client: Client) -> list[tuple[str, str]]:
    org = first_id(client, "core/organisations")
    op = first_id(client, "operations/operations")
    return [
        ("organisations list", "/organisations/"),
        ("organisation page", f"/organisations/{org}/"),
        ("operation page", f"/operations/{op}/"),
        ("API organisations", "/api/v1/core/organisations/?page_size=50"),
    ]


def sample(client: Client, path: str, samples: dict, name: str) -> None:
    t = time.perf_counter()
    status, _ = client.request("GET", path)
    samples.setdefault(name, []).append(time.perf_counter() - t)
    if status != 200:
        raise RuntimeError(f"{path}: {status}")


def job_state(client: Client) -> dict:
    status, body = client.request("GET", "/api/v1/jobs/jobs/?page_size=1")
    if status != 200:
        raise RuntimeError(f"/api/v1/jobs/jobs/: {status}")
    results = json.loads(body)["results"]
    return results[0] if results else {}


def export_while_measuring(client: Client, watcher: Client, targets, busy: dict) -> dict:
    """Start the assignments' CSV export from its page (a job above the threshold) and
    measure the pages round after round while it is queued or running."""
    before = job_state(watcher).get("id")
    status, _ = client.request("GET", "/assignments/?export=csv")
    if status != 302:
        raise RuntimeError(f"the export did not become a job (answered {status})")
    started = time.perf_counter()
    job = job_state(watcher)
    if job.get("id") == before:
        raise RuntimeError("no new job")
    while job["status"] in ("queued", "running"):
        for name, path in targets:
            sample(client, path, busy, name)
        job = job_state(watcher)
    if job["status"] != "succeeded":
        raise RuntimeError(f"the export job {job['status']}: {job['error']}")
    return {"rows": job["total"], "seconds": time.perf_counter() - started}


def run(scale: float, idle_rounds: int, threshold: int) -> dict:
    env, report = world(scale, os.environ.get("DATABASE_URL"))
    code = authenticator(env, USER)
    server = Server({**env, "CONCORD_JOBS_ROWS_THRESHOLD": str(threshold)})
    try:
        client, watcher = (Client("127.0.0.1", server.port) for _ in range(2))
        client.login(USER, PASSWORD, code)
        watcher.login(USER, PASSWORD, code)
        targets = pages(client)
        for _, path in targets:  # warm up
            for _ in range(3):
                client.request("GET", path)
        # Idle, busy, idle again: the idle samples are taken before and after, so that a
        # shared machine's load drifting over the run weighs on both sides alike.
        idle: dict = {}
        for _ in range(idle_rounds // 2):
            for name, path in targets:
                sample(client, path, idle, name)
        busy: dict = {}
        exports = []
        # Exports one after another, the pages measured meanwhile, until the pages have as
        # many samples as idle (a short export would give too few for a p95).
        while len(busy.get(targets[0][0], [])) < idle_rounds:
            exports.append(export_while_measuring(client, watcher, targets, busy))
        for _ in range(idle_rounds - idle_rounds // 2):
            for name, path in targets:
                sample(client, path, idle, name)
    finally:
        server.stop()
    rows = exports[0]["rows"]
    seconds = statistics.median(e["seconds"] for e in exports)
    out = {"rows": rows, "exports": len(exports), "job_seconds": round(seconds, 2), "pages": {}}
    out["rows_per_s"] = round(rows / seconds)
    for name, _ in targets:
        i, b = percentiles(idle[name]), percentiles(busy.get(name, idle[name]))
        ratio = round(b["p95_ms"] / i["p95_ms"], 2) if i["p95_ms"] else None
        out["pages"][name] = {"idle": i, "during_export": b, "p95_ratio": ratio}
        print(
            f"    {name:22} idle p95 {i['p95_ms']:7.1f} ms   during the export p95 "
            f"{b['p95_ms']:7.1f} ms (n={b['n']})   ratio {ratio}",
            flush=True,
        )
    ratios = [p["p95_ratio"] for p in out["pages"].values() if p["p95_ratio"]]
    out["worst_p95_ratio"] = max(ratios)
    out["mean_p95_ratio"] = round(sum(ratios) / len(ratios), 2)
    print(
        f"  export of {out['rows']:,} rows as a job ({out['exports']} runs): "
        f"{out['job_seconds']} s "
        f"({out['rows_per_s']:,} rows/s); p95 ratio mean {out['mean_p95_ratio']}, worst "
        f"{out['worst_p95_ratio']} (aim ≤ {RATIO_AIM})",
        flush=True,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=42)
    parser.add_argument("--rounds", type=int, default=40, help="idle rounds over the pages")
    parser.add_argument("--threshold", type=int, default=10_000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    vendor = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    print(f"== the queue on {vendor}, scale {args.scale:g} ==", flush=True)
    result = {
        "machine": machine(),
        "database": vendor,
        "scale": args.scale,
        **run(args.scale, args.rounds, args.threshold),
    }
    write_result(args.out or f"jobs-{vendor}", result)


if __name__ == "__main__":
    main()
