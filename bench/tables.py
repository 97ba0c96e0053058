"""Markdown tables of the suite's results (bench/results/*.json), for docs/benchmarks.md.

Run ``.venv/bin/python bench/tables.py`` after ``make bench`` and paste what it prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import measured  # noqa: E402


def worlds() -> None:
    print("| database | scale | rows | seconds | rows/s | peak memory |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, r in measured("web"):
        for scale, entry in r["scales"].items():
            w = entry["world"]
            print(
                f"| {label} | {scale} | {w['total_rows']:,} | {w['seconds']} | "
                f"{w['rows_per_second']:,} | {w['peak_rss_mb']:.0f} MB |"
            )


def latency() -> None:
    runs = measured("web")
    heads = [f"{label} s{scale}" for label, r in runs for scale in r["scales"]]
    print("p50 / p95 / p99 in ms; ratio = p50 over the API root's p50 in the same run\n")
    print("| endpoint | " + " | ".join(heads) + " |")
    print("|---|" + "---:|" * len(heads))
    names = list(runs[0][1]["scales"]["1"]["latency"])
    for name in names:
        cells = []
        for _, r in runs:
            for scale in r["scales"]:
                lat = r["scales"][scale]["latency"]
                x = lat.get(name)
                floor = next(v for k, v in lat.items() if k.startswith("baseline"))["p50_ms"]
                if x is None:
                    cells.append("")
                    continue
                cells.append(
                    f"{x['p50_ms']:.0f} / {x['p95_ms']:.0f} / {x['p99_ms']:.0f} "
                    f"(×{x['p50_ms'] / floor:.1f})"
                )
        print(f"| {name} | " + " | ".join(cells) + " |")


def throughput() -> None:
    print(
        "| database | scale | rate held | seconds | requests | errors | p50 | p95 | p99 | "
        "memory before → after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for label, r in measured("web"):
        for scale, entry in r["scales"].items():
            t = entry.get("throughput")
            if not t:
                continue
            print(
                f"| {label} | {scale} | {t['rate_per_s']}/s | {t['seconds']:.0f} | "
                f"{t['requests']:,} | {t['errors']} | {t['p50_ms']:.0f} ms | "
                f"{t['p95_ms']:.0f} ms | {t['p99_ms']:.0f} ms | {t['rss_before_mb']:.0f} → "
                f"{t['rss_after_mb']:.0f} MB ({t['rss_growth_pct']:+.1f} %) |"
            )


def confidentiality() -> None:
    runs = measured("confidentiality")
    print("ms; filtered = reader's memberships read afresh, as in a request\n")
    print(
        "| database | list | rows | filtered | reader known | unfiltered | bare SQL | "
        "× unfiltered | × bare SQL |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in runs:
        for case, x in r["cases"].items():
            print(
                f"| {label} | {case} | {x['rows']:,} | {x['filtered_ms']:.2f} | "
                f"{x.get('filtered_reader_known_ms', float('nan')):.2f} | "
                f"{x['unfiltered_ms']:.2f} | {x['bare_sql_ms']:.2f} | "
                f"{x['ratio_to_unfiltered']:.2f} | {x['ratio_to_bare_sql']:.2f} |"
            )


def exports() -> None:
    print("| database | format | rows | seconds | rows/s | × baseline | memory at 100k → peak |")
    print("|---|---|---:|---:|---:|---:|---|")
    for label, r in measured("exports"):
        b = r["baseline"]
        print(
            f"| {label} | baseline: values_list + csv.writer | {b['rows']:,} | {b['seconds']} |"
            f" {b['rows_per_s']:,} | 1 | |"
        )
        for fmt, x in r["formats"].items():
            print(
                f"| {label} | {fmt.upper()} | {x['rows']:,} | {x['seconds']} | "
                f"{x['rows_per_s']:,} | {x['ratio_to_baseline']} | {x['rss_at_100k_mb']:.0f} → "
                f"{x['rss_peak_mb']:.0f} MB |"
            )


def main() -> None:
    for title, fn in (
        ("World", worlds),
        ("Latency", latency),
        ("Throughput", throughput),
        ("Confidentiality", confidentiality),
        ("Exports", exports),
    ):
        print(f"\n### {title}\n")
        try:
            fn()
        except (KeyError, StopIteration, TypeError) as e:
            print(f"(no results: {e})")


if __name__ == "__main__":
    main()
