"""Webhook fan-out: N events (default 10,000) to 20 webhooks, delivered to a local receiver
with no loss and no duplicate, and the throughput in events per second.

A throwaway SQLite database (or the PostgreSQL named by ``DATABASE_URL``): one organisation,
its manager, 100 operations, 20 webhooks hearing every change of an operation, then N
audit entries (updates of those operations, written in bulk with the dispatch signal held
back). The receiver runs in a process of its own (http.server, threaded) and keeps every
``Idempotency-Key`` it gets. Timed, in one run:

- the **baseline**: a raw loop over the same N × 20 (event, webhook) pairs that signs a
  body of the same size (HMAC-SHA256) and POSTs it with the same number of threads as the
  dispatcher: what sending costs with no database, no visibility check, no serializer;
- **Concord**: one ``dispatch.run()`` from the cursor to the end of the trail: the fan-out
  (one delivery row per pair), then every delivery: the record read through its API
  viewset as the webhook's owner at the time of sending, signed, POSTed, its attempt and
  state written.

Then the receiver's keys are counted: exactly N × 20, each expected key once.
Run: ``python bench/webhooks.py [--events N]`` (``make bench`` writes
bench/results/webhooks-<database>.json).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, scratch_database, write_result  # noqa: E402

HOOKS = 20
RECEIVER = r"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
keys, lock = [], threading.Lock()
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock: keys.append(self.headers.get("Idempotency-Key", ""))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def do_GET(self):
        with lock:
            body = json.dumps(keys).encode()
            if self.path == "/reset": keys.clear()
        self.send_response(200); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
s = ThreadingHTTPServer(("127.0.0.1", 0), H); s.daemon_threads = True; s.request_queue_size = 256
print(s.server_address[1], flush=True); s.serve_forever()
"""


def world(url: str, events: int):
    import datetime as dt

    from concord.core import audit, services
    from concord.core.context import Actor
    from concord.core.models import Classification, Organisation, Role
    from concord.operations.models import Operation
    from concord.webhooks import services as hooks

    sys_actor = Actor.system("bench")
    audit.recorded.disconnect(dispatch_uid="concord.webhooks.dispatch")
    org = services.save(
        Organisation(
            name="Bench org", acronym="BNC", kind="other", classification=0, releasability="public"
        ),
        actor=sys_actor,
    )
    manager = services.create_user(
        actor=sys_actor,
        username="bench.manager",
        password="x",
        check_password=False,
        clearance=Classification.CONFIDENTIAL,
        memberships=[(org, Role.MANAGER)],
    )
    ops = [
        services.save(
            Operation(
                name=f"Operation {i}",
                kind="stabilisation",
                framework="ad_hoc",
                start=dt.date(2020, 1, 1),
                owner=org,
                classification=1,
                releasability="owner",
            ),
            actor=sys_actor,
        )
        for i in range(100)
    ]
    actor = Actor(user=manager, interface="cli")
    webhooks = [
        hooks.create_webhook(
            actor=actor,
            organisation=org,
            name=f"Hook {i}",
            url=url,
            record_types=["operations.operation"],
            actions=["create", "update", "delete"],
        )
        for i in range(HOOKS)
    ]
    from django.db import transaction

    from concord.core.models import AuditEntry

    first = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() + 1
    with transaction.atomic():
        audit.record_bulk(sys_actor, "update", [ops[i % len(ops)] for i in range(events)])
    from concord.webhooks.models import Cursor

    Cursor.objects.update_or_create(id=1, defaults={"seq": first - 1})
    seqs = range(first, first + events)
    return webhooks, seqs, manager, ops


def receiver():
    proc = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}"


def keys(base: str, reset: bool = False) -> list[str]:
    with urllib.request.urlopen(f"{base}/reset" if reset else f"{base}/keys") as r:
        return json.loads(r.read())


def baseline(base: str, pairs: list[tuple[str, str]], body: bytes, threads: int) -> float:
    """Sign and POST every pair with a raw loop (http.client, no database)."""
    from concord.webhooks import sender

    def send(pair):
        key, secret = pair
        t = int(time.time())
        sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            "Concord-Signature": f"t={t},v1={sig}",
        }
        return sender.post(f"{base}/raw", body, headers, 10).ok

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        ok = sum(pool.map(send, pairs))
    elapsed = time.perf_counter() - start
    assert ok == len(pairs), f"baseline: {len(pairs) - ok} failed"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    os.environ["CONCORD_WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1/32"  # the local receiver
    vendor = scratch_database()
    proc, base = receiver()
    try:
        result = run(base, args.events, vendor)
    finally:
        proc.terminate()
    name = args.out or f"webhooks-{vendor}"
    write_result(name, {"machine": machine(), "database": vendor, **result})
    print(json.dumps(result, indent=1))


def run(base: str, events: int, vendor: str) -> dict:
    from concord.webhooks import conf, dispatch, payload
    from concord.webhooks.models import Delivery, DeliveryState

    webhooks, seqs, manager, ops = world(f"{base}/hook", events)
    threads = conf.concurrency()
    # A body of the size Concord sends: one real payload.
    sample = payload.representation("operations.operation", str(ops[0].pk), manager)
    body = payload.encode({"id": "evt_0_0", "data": sample["data"], "urls": sample})
    pairs = [(f"raw_{h.pk}_{s}", secret) for s in seqs for h, secret in webhooks]
    base_s = baseline(base, pairs, body, threads)
    assert len(set(keys(base, reset=True))) == len(pairs)

    start = time.perf_counter()
    done = dispatch.run()
    concord_s = time.perf_counter() - start
    got = keys(base)
    expected = {Delivery.key_for(h.pk, s) for s in seqs for h, _ in webhooks}
    lost = len(expected - set(got))
    duplicates = len(got) - len(set(got))
    delivered = Delivery.objects.filter(state=DeliveryState.DELIVERED).count()
    assert lost == 0 and duplicates == 0 and len(got) == len(expected), (lost, duplicates)
    assert delivered == len(expected) == done["sent"]
    return {
        "events": events,
        "webhooks": HOOKS,
        "deliveries": len(expected),
        "threads": threads,
        "lost": lost,
        "duplicates": duplicates,
        "body_bytes": len(body),
        "baseline_s": round(base_s, 2),
        "baseline_events_per_s": round(events / base_s, 1),
        "concord_s": round(concord_s, 2),
        "concord_events_per_s": round(events / concord_s, 1),
        "concord_deliveries_per_s": round(len(expected) / concord_s, 1),
        "ratio_to_baseline": round(concord_s / base_s, 2),
    }


if __name__ == "__main__":
    main()
