"""Streaming exports of 1,000,000 rows in constant memory: CSV, HXL and XLSX.

On the scale-100 synthetic world (1,000,000 assignments), each format runs through the
export pipeline the web, API and CLI use (``concord.core.importers``: the export spec's
rows, with their labels resolved through the enforcement point, then the format's
streaming writer), consumed chunk by chunk as a server would send it. The queryset is the
whole table, not one reader's visible part, so that the figure is for a million rows (the
filter's own cost is measured by bench/confidentiality.py); the same export through HTTP as
``synth.editor`` is in bench/web.py.

Baseline in the same run: reading the same rows with ``values_list`` and writing them with
``csv.writer`` to nowhere (the least any CSV export must do). Memory: resident size sampled
as rows stream; constant memory means the size after 1,000,000 rows is that after 100,000.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, rss_mb, use_world, world, write_result  # noqa: E402


def measure(fmt: str, limit: int | None) -> dict:
    from concord.core.importers import SPECS, write
    from concord.core.models import User

    spec = SPECS["assignments"]
    user = User.objects.get(username="synth.manager")
    qs = spec.export_queryset(spec.model.objects.order_by("pk"))
    if limit:
        qs = qs[:limit]
    gc.collect()
    start_rss, samples, counted = rss_mb(), [], 0

    def counting(rows):
        """Counts rows as the writer takes them, and samples memory every 100,000."""
        nonlocal counted
        for row in rows:
            counted += 1
            if counted % 100_000 == 0:
                samples.append((counted, round(rss_mb(), 1)))
            yield row

    t = time.perf_counter()
    rows = counting(spec.rows(qs.iterator(chunk_size=2000), user))
    body = write("assignments", fmt, spec.columns, rows)[0]
    size = 0
    for chunk in body:  # as a server sends it
        size += len(chunk)
    seconds = time.perf_counter() - t
    peak = max([s for _, s in samples] or [rss_mb()])
    first = samples[0][1] if samples else start_rss
    return {
        "rows": counted,
        "seconds": round(seconds, 2),
        "rows_per_s": round(counted / seconds),
        "bytes": size,
        "rss_start_mb": round(start_rss, 1),
        "rss_at_100k_mb": first,
        "rss_peak_mb": peak,
        "rss_growth_after_100k_mb": round(peak - first, 1),
        "rss_samples": samples,
    }


def baseline(limit: int | None) -> dict:
    from concord.labour.models import Assignment

    cols = [
        "pk",
        "organisation_id",
        "operation_id",
        "task_id",
        "country_id",
        "area_id",
        "role",
        "status",
        "start",
        "end",
    ]
    qs = Assignment.objects.order_by("pk").values_list(*cols)
    if limit:
        qs = qs[:limit]
    t = time.perf_counter()
    sink = io.StringIO()
    writer = csv.writer(sink)
    n = 0
    for row in qs.iterator(chunk_size=2000):
        writer.writerow(row)
        n += 1
        if n % 5000 == 0:
            sink.seek(0)
            sink.truncate()
    seconds = time.perf_counter() - t
    return {"rows": n, "seconds": round(seconds, 2), "rows_per_s": round(n / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--limit", type=int, default=None, help="rows (default: all)")
    parser.add_argument("--formats", default="csv,hxl,xlsx")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    env, _ = world(args.scale, os.environ.get("DATABASE_URL"))
    use_world(env)
    from django.db import connection

    vendor = connection.vendor
    print(f"== streaming exports on {vendor}, scale {args.scale:g} ==", flush=True)
    base = baseline(args.limit)
    print(
        f"  baseline (values_list + csv.writer): {base['rows']:,} rows in "
        f"{base['seconds']} s ({base['rows_per_s']:,}/s)",
        flush=True,
    )
    result = {
        "machine": machine(),
        "database": vendor,
        "scale": args.scale,
        "baseline": base,
        "formats": {},
    }
    for fmt in args.formats.split(","):
        r = measure(fmt, args.limit)
        r["ratio_to_baseline"] = round(r["seconds"] / base["seconds"], 2)
        result["formats"][fmt] = r
        print(
            f"  {fmt:5} {r['rows']:,} rows in {r['seconds']} s ({r['rows_per_s']:,}/s, "
            f"{r['ratio_to_baseline']}× baseline); memory {r['rss_at_100k_mb']} MB at "
            f"100k rows, peak {r['rss_peak_mb']} MB",
            flush=True,
        )
    write_result(args.out or f"exports-{vendor}", result)


if __name__ == "__main__":
    main()
