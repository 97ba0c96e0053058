"""HTTP latency and throughput of Concord served by its production server, at scale.

For each database (SQLite; PostgreSQL when DATABASE_URL names one) and scale, this
- generates the synthetic world (``concord bench generate``) once, and keeps it in
  ``var/bench/`` for the next run (regenerated when the generator changes);
- serves it with ``concord serve`` (gunicorn, 3 workers, as in production);
- from this process, signed in as ``synth.editor`` (an editor in 3 organisations, 2 spaces,
  confidential clearance), measures p50/p95/p99 of the main pages and API endpoints one
  after another on one connection; the baseline in the same run is ``/healthz``-like
  cheapest signed-in route (the API root), so figures can be read as ratios on a noisy machine;
- then, at the largest scale, finds the highest rate of a mixed read/write load (85 % reads,
  15 % writes through the API) that holds p99 ≤ 250 ms with no errors, holds it for
  ``--hold`` seconds, and reports the server's memory growth over the hold.

Run: ``make bench`` (full) or ``make bench-quick``. Results: bench/results/web-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CONCORD, machine, world, write_result  # noqa: E402
from load import Client, latency, open_loop  # noqa: E402

P99_LIMIT_MS = 250.0


class Server:
    def __init__(self, env: dict, workers: int = 3):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = open(Path(env["CONCORD_DATA_DIR"]) / "server.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                CONCORD,
                "serve",
                "--no-migrate",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
            ],
            env={**env, "CONCORD_DEBUG": "0"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = Client("127.0.0.1", self.port).request("GET", "/login/")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the server did not start: see server.log")

    def rss_mb(self) -> float:
        """Resident memory of the master and its workers."""
        pids = [self.proc.pid]
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        pids += [int(p) for p in out.stdout.split()]
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                pass
        return total / 1024

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def first_id(client: Client, endpoint: str, query: str = "") -> int:
    status, body = client.request("GET", f"/api/v1/{endpoint}/?page_size=1{query}")
    if status != 200:
        raise RuntimeError(f"{endpoint}: {status}")
    return json.loads(body)["results"][0]["id"]


def endpoints(client: Client) -> dict[str, list[tuple[str, str]]]:
    person, org = first_id(client, "core/people"), first_id(client, "core/organisations")
    op, assignment = (
        first_id(client, "operations/operations"),
        first_id(client, "labour/assignments"),
    )
    status, body = client.request("GET", f"/api/v1/labour/assignments/{assignment}/")
    country = json.loads(body)["country"]
    return {
        "baseline": [("API root (signed in, no records read)", "/api/v1/")],
        "api_list": [
            ("organisations", "/api/v1/core/organisations/?page_size=50"),
            ("people", "/api/v1/core/people/?page_size=50"),
            ("operations", "/api/v1/operations/operations/?page_size=50"),
            ("assignments", "/api/v1/labour/assignments/?page_size=50"),
            (
                "assignments in one country, one role",
                f"/api/v1/labour/assignments/?country={country}&role=lead",
            ),
            ("reports", "/api/v1/accountability/reports/?page_size=50"),
            ("people, search", "/api/v1/core/people/?q=Person+00012&page_size=50"),
        ],
        "api_detail": [
            ("organisation", f"/api/v1/core/organisations/{org}/"),
            ("person", f"/api/v1/core/people/{person}/"),
            ("operation", f"/api/v1/operations/operations/{op}/"),
            ("assignment", f"/api/v1/labour/assignments/{assignment}/"),
        ],
        "page": [
            ("organisations list", "/organisations/"),
            ("people list", "/people/"),
            ("assignments list", "/assignments/"),
            ("operation page", f"/operations/{op}/"),
            ("person page", f"/people/{person}/"),
            ("search", "/search/?q=Synthetic+organisation+00012"),
        ],
        "export": [
            (
                "one country's lead assignments as CSV",
                f"/assignments/?export=csv&country={country}&role=lead",
            )
        ],
    }


def measure_latency(client: Client, n: int) -> dict:
    out = {}
    for group, items in endpoints(client).items():
        for label, path in items:
            out[f"{group}: {label}"] = {"path": path, **latency(client, path, n)}
            r = out[f"{group}: {label}"]
            print(
                f"    {group:10} {label:40} p50 {r['p50_ms']:7.1f}  p95 {r['p95_ms']:7.1f}  "
                f"p99 {r['p99_ms']:7.1f} ms  errors {r['errors']}",
                flush=True,
            )
    return out


def make_mix(client: Client, own_org: int):
    paths = [
        p
        for g, items in endpoints(client).items()
        if g in ("api_list", "api_detail", "page")
        for _, p in items
    ]

    def mix(rng):
        if rng.random() < 0.15:
            return (
                "POST",
                "/api/v1/core/people/",
                {
                    "name": f"Load person {rng.random():.12f}",
                    "owner": own_org,
                    "classification": 1,
                    "releasability": "owner",
                },
                (201,),
            )
        return ("GET", paths[int(rng.random() * len(paths))], None, (200,))

    return mix


def throughput(server: Server, own_org: int, hold: float, step: float) -> dict:
    clients = [Client("127.0.0.1", server.port) for _ in range(12)]
    for c in clients:
        c.login("synth.editor", "synthetic")
    mix = make_mix(clients[0], own_org)
    rate, best, steps = 8.0, None, []
    while True:
        r = open_loop(clients, mix, rate, step).summary()
        steps.append(r)
        ok = r["errors"] == 0 and r["p99_ms"] <= P99_LIMIT_MS
        print(
            f"    {rate:6.1f}/s for {step:.0f} s: p99 {r['p99_ms']:.0f} ms, errors {r['errors']}"
            f" -> {'holds' if ok else 'fails'}",
            flush=True,
        )
        if not ok:
            break
        best = rate
        rate *= 1.25
    if best is None:
        return {"steps": steps, "rate_per_s": 0}
    # Hold the best rate; if a long hold cannot keep p99 under the limit (queues build up
    # over minutes that a short step does not show), step down once and hold again.
    failed: list[float] = []
    for attempt in (1, 2):
        before = server.rss_mb()
        held = open_loop(clients, mix, best, hold, seed=1 + attempt).summary()
        after = server.rss_mb()
        held.update(
            steps=steps,
            rss_before_mb=round(before, 1),
            rss_after_mb=round(after, 1),
            rss_growth_pct=round(100 * (after - before) / before, 1),
            holds=held["errors"] == 0 and held["p99_ms"] <= P99_LIMIT_MS,
        )
        print(
            f"    held {best:.1f}/s for {hold:.0f} s: p99 {held['p99_ms']:.0f} ms, errors "
            f"{held['errors']}, memory {before:.0f} -> {after:.0f} MB",
            flush=True,
        )
        if held["holds"]:
            break
        failed.append(round(best, 1))
        best /= 1.25
    held["failed_holds"] = failed
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append", help="repeatable (default 1, 100)")
    parser.add_argument("--requests", type=int, default=100, help="per endpoint")
    parser.add_argument("--hold", type=float, default=300, help="seconds of sustained load")
    parser.add_argument("--step", type=float, default=15, help="seconds per rate step")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    scales = args.scale or [1.0, 100.0]
    database_url = os.environ.get("DATABASE_URL")
    vendor = "postgresql" if database_url else "sqlite"
    result = {"machine": machine(), "database": vendor, "scales": {}}
    for scale in scales:
        print(f"== HTTP on {vendor}, scale {scale:g} ==", flush=True)
        env, report = world(scale, database_url)
        server = Server(env)
        try:
            client = Client("127.0.0.1", server.port)
            client.login("synth.editor", "synthetic")
            entry = {
                "world": {k: v for k, v in report.items() if k != "rows"},
                "latency": measure_latency(client, args.requests),
            }
            if not args.no_throughput and scale == max(scales):
                entry["throughput"] = throughput(
                    server, report["named_users"]["synth.editor"][0], args.hold, args.step
                )
        finally:
            server.stop()
        result["scales"][f"{scale:g}"] = entry
    write_result(args.out or f"web-{vendor}", result)


if __name__ == "__main__":
    main()
