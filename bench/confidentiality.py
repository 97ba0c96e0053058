"""The cost of confidentiality: each list endpoint's query with the permission filter,
against the same query without it, and against the bare SQL of the same page.

On the synthetic world (``concord bench generate``; scale 100 by default), as
``synth.editor`` (an editor in 3 organisations in 2 spaces, confidential clearance), for
the models behind the main list endpoints, each case runs what an API list runs: the count
(up to the cap, concord.core.paging) and one page of 50 in the endpoint's stable order,
with model instances built.

- **filtered**: ``Model.objects.visible_to(user)`` — the one enforcement point;
- **unfiltered** (baseline 1): the same without ``visible_to`` (target: filtered ≤ 1.5×);
- **bare SQL** (baseline 2): the filtered queries' own SQL through a DB-API cursor, rows
  fetched as tuples, no ORM (target: filtered ≤ 3×): what the ORM and our rule-building
  cost on top of the database's own work.

Median of ``--repeat`` runs after a warm-up. Results: bench/results/confidentiality-<db>.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, use_world, world, write_result  # noqa: E402

CASES = [
    # (label, app.Model, API ordering)
    ("organisations", "core.Organisation", ["name"]),
    ("people", "core.Person", ["name"]),
    ("operations", "operations.Operation", ["name"]),
    ("relations", "operations.Relation", ["pk"]),
    ("assignments", "labour.Assignment", ["start"]),
    ("needs", "labour.Need", ["country", "start"]),
    ("reports", "accountability.Report", ["-submitted"]),
    ("support cases", "accountability.SupportCase", ["pk"]),
    ("allegations", "accountability.Allegation", ["pk"]),
    ("tranches", "accountability.Tranche", ["pk"]),
]


def median_ms(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def run(scale: float, repeat: int) -> dict:
    from django.apps import apps
    from django.db import connection

    from concord.core.models import User
    from concord.core.paging import COUNT_CAP, capped_count, stable

    user = User.objects.get(username="synth.editor")
    out = {}
    for label, model_label, ordering in CASES:
        model = apps.get_model(model_label)
        order = stable(ordering)

        def endpoint(qs, order=order):
            def go():
                capped_count(qs)
                return list(qs.order_by(*order)[:50])

            return go

        def fresh_user(model=model):
            user.forget_principal()  # each request builds its principal and rules anew
            return model.objects.visible_to(user)

        filtered = median_ms(lambda: endpoint(fresh_user())(), repeat)
        unfiltered = median_ms(endpoint(model.objects.all()), repeat)
        qs = model.objects.visible_to(user)
        # The same with the reader's memberships and rule already built: what the filter
        # costs in the database, without the two queries a request spends on the reader.
        warm = median_ms(endpoint(qs), repeat)
        count_sql = qs.order_by()[: COUNT_CAP + 1].values("pk").query.sql_with_params()
        page_sql = qs.order_by(*order)[:50].query.sql_with_params()

        def bare(count_sql=count_sql, page_sql=page_sql):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM ({count_sql[0]}) sub", count_sql[1])
                cursor.fetchall()
                cursor.execute(*page_sql)
                cursor.fetchall()

        bare_ms = median_ms(bare, repeat)
        visible, exact = capped_count(qs)
        out[label] = {
            "rows": model.objects.count(),
            "visible": visible if exact else f">{visible}",
            "filtered_ms": round(filtered, 2),
            "unfiltered_ms": round(unfiltered, 2),
            "filtered_reader_known_ms": round(warm, 2),
            "bare_sql_ms": round(bare_ms, 2),
            "ratio_to_unfiltered": round(filtered / unfiltered, 2),
            "ratio_to_bare_sql": round(filtered / bare_ms, 2),
        }
        r = out[label]
        print(
            f"  {label:15} {r['rows']:>9,} rows  filtered {filtered:7.2f} ms  "
            f"(reader known {warm:6.2f})  "
            f"unfiltered {unfiltered:7.2f} ({r['ratio_to_unfiltered']:.2f}×)  "
            f"bare SQL {bare_ms:7.2f} ({r['ratio_to_bare_sql']:.2f}×)",
            flush=True,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    env, report = world(args.scale, database_url)
    use_world(env)
    from django.db import connection

    vendor = connection.vendor
    print(f"== cost of confidentiality on {vendor}, scale {args.scale:g} ==", flush=True)
    cases = run(args.scale, args.repeat)
    ratios = [c["ratio_to_unfiltered"] for c in cases.values()]
    bare = [c["ratio_to_bare_sql"] for c in cases.values()]
    write_result(
        args.out or f"confidentiality-{vendor}",
        {
            "machine": machine(),
            "database": vendor,
            "scale": args.scale,
            "reader": "synth.editor",
            "cases": cases,
            "median_ratio_to_unfiltered": round(statistics.median(ratios), 2),
            "median_ratio_to_bare_sql": round(statistics.median(bare), 2),
            "targets": {"ratio_to_unfiltered": 1.5, "ratio_to_bare_sql": 3.0},
        },
    )


if __name__ == "__main__":
    main()
