"""The header's search (concord.core.search) at scale.

On the scale-100 synthetic world (``concord bench generate``, kept in var/bench/), in this
process through Django's test client, signed in as ``synth.editor`` (an editor in 3
organisations, 2 spaces, confidential clearance):

- the time to rebuild the whole index (``concord search reindex``) and its size;
- p50/p95 of ``/search/?q=…`` over a mix of queries taken from the world: an operation's
  acronym, a country's English and French names, a person's surname without its accents, an
  organisation's word, a two-letter code, a three-letter fragment found in thousands of
  records (the worst case: every kind reads its 1,000 candidates), and a miss; interleaved
  with one of the user's organisation pages (the baseline of the same run).

Target: p95 ≤ 150 ms. Run: ``.venv/bin/python bench/search.py`` (``DATABASE_URL``:
PostgreSQL). Results: bench/results/search-<db>.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, use_world, world, write_result  # noqa: E402
from notifications import measure, pct  # noqa: E402

TARGET_MS = 150.0


def queries(user) -> list[str]:
    """Queries people type, taken from what ``user`` may see (so each finds something)."""
    from concord.core.models import Organisation, Person
    from concord.operations.models import Operation

    op = Operation.objects.visible_to(user).exclude(acronym="").order_by("-pk").first()
    person = Person.objects.visible_to(user).order_by("-pk")[250]
    org = Organisation.objects.visible_to(user).order_by("-pk")[100]
    surname = person.name.split()[-1]
    return [
        op.acronym,
        "Mali",
        "Allemagne",
        surname.lower(),
        org.name.split()[-1],
        "ml",
        "ion",  # in thousands of names: every kind reads its full candidate list
        "zzqx",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    env, report = world(args.scale, os.environ.get("DATABASE_URL"))
    use_world(env)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from concord.core import search
    from concord.core.models import SearchEntry, User

    settings.ALLOWED_HOSTS = ["*"]
    t = time.perf_counter()
    counts = search.reindex()
    reindex_s = round(time.perf_counter() - t, 1)
    user = User.objects.get(username="synth.editor")
    org = user.memberships.order_by("organisation_id").first().organisation_id
    client = Client()
    client.force_login(user)
    page = f"/organisations/{org}/"
    mix = queries(user)
    urls = [f"/search/?{urlencode({'q': q})}" for q in mix]
    for url in [*urls, page]:
        measure(client, url, 2)
    times: dict[str, list[float]] = {"search": [], "organisation": []}
    per_query: dict[str, list[float]] = {q: [] for q in mix}
    for _ in range(args.rounds):
        for q, url in zip(mix, urls, strict=True):
            took = measure(client, url, 1)
            times["search"] += took
            per_query[q] += took
            times["organisation"] += measure(client, page, 1)
    figures = {
        k: {"p50_ms": pct(v, 50), "p95_ms": pct(v, 95), "mean_ms": round(statistics.mean(v), 1)}
        for k, v in times.items()
    }
    base = figures["organisation"]["p95_ms"]
    found = {q: sum(g.count for g in search.find(user, q)) for q in mix}
    result = {
        "machine": machine(),
        "database": connection.vendor,
        "scale": args.scale,
        "world": {k: report.get(k) for k in ("records", "seconds") if k in report},
        "index": {"entries": SearchEntry.objects.count(), "by_kind": counts},
        "reindex_seconds": reindex_s,
        "queries": {q: {"p95_ms": pct(per_query[q], 95), "found": found[q]} for q in mix},
        "latency": figures,
        "ratio_search_to_organisation_p95": round(figures["search"]["p95_ms"] / base, 2),
        "target_ms": TARGET_MS,
    }
    write_result(f"search-{connection.vendor}", result)
    print(
        f"{connection.vendor}: search p95 {figures['search']['p95_ms']} ms over {len(mix)} "
        f"queries (organisation page p95 {base} ms, ratio "
        f"{result['ratio_search_to_organisation_p95']}); index {result['index']['entries']} "
        f"entries rebuilt in {reindex_s} s; slowest "
        + ", ".join(f"{q!r} {v['p95_ms']} ms" for q, v in result["queries"].items())
    )
    if figures["search"]["p95_ms"] > TARGET_MS:
        raise SystemExit(f"search p95 above {TARGET_MS} ms")


if __name__ == "__main__":
    main()
