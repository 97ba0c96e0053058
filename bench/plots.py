"""The plots in docs/benchmarks.md, drawn from bench/results/*.json (matplotlib, no screen).

- bench-latency.png: p95 of each endpoint at scale 1 and 100, SQLite and PostgreSQL, with
  the targets (API list 50 ms, detail 30 ms);
- bench-throughput.png: p99 against the offered rate of the mixed load, per database, with
  the 250 ms limit;
- bench-export-memory.png: resident memory as 1,000,000 rows stream out, per format.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, measured  # noqa: E402

IMG = ROOT / "docs" / "img"


def latency() -> None:
    runs = measured("web")
    if not runs:
        return
    names = [n for n in runs[0][1]["scales"]["1"]["latency"] if not n.startswith("baseline")]
    fig, ax = plt.subplots(figsize=(11, 0.32 * len(names) * 2 + 1.5))
    series = [
        (f"{label}, scale {s}", r["scales"][s]["latency"])
        for label, r in runs
        for s in sorted(r["scales"], key=float)
    ]
    height = 0.8 / len(series)
    for i, (label, data) in enumerate(series):
        ys = [k + i * height for k in range(len(names))]
        ax.barh(ys, [data[n]["p95_ms"] for n in names], height=height, label=label)
    ax.set_yticks([k + 0.4 - height / 2 for k in range(len(names))], names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(50, color="red", linestyle="--", linewidth=1)
    ax.axvline(30, color="orange", linestyle=":", linewidth=1)
    ax.set_xlabel("p95 latency, ms (log scale); red: API list target 50 ms, orange: detail 30 ms")
    ax.set_title("HTTP latency by endpoint, scale 1 and scale 100 (gunicorn, 3 workers, 2 cores)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(IMG / "bench-latency.png", dpi=90)
    plt.close(fig)


def throughput() -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    drawn = False
    for label, r in measured("web"):
        for scale, entry in r["scales"].items():
            t = entry.get("throughput")
            if not t:
                continue
            steps = t["steps"]
            ax.plot(
                [s["rate_per_s"] for s in steps],
                [s["p99_ms"] for s in steps],
                marker="o",
                label=f"{label}, scale {scale} (held {t.get('rate_per_s', 0)}/s)",
            )
            drawn = True
    if not drawn:
        plt.close(fig)
        return
    ax.axhline(250, color="red", linestyle="--", linewidth=1, label="p99 limit 250 ms")
    ax.set_yscale("log")
    ax.set_xlabel("offered rate, requests/s (85 % reads, 15 % writes)")
    ax.set_ylabel("p99 latency, ms (log scale)")
    ax.set_title("Throughput: p99 as the rate rises")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMG / "bench-throughput.png", dpi=90)
    plt.close(fig)


def export_memory() -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    drawn = False
    for label, r in measured("exports"):
        for fmt, data in r["formats"].items():
            samples = data["rss_samples"]
            if samples:
                ax.plot(
                    [n / 1000 for n, _ in samples],
                    [m for _, m in samples],
                    label=f"{fmt.upper()}, {label} ({data['rows_per_s']:,} rows/s)",
                )
                drawn = True
    if not drawn:
        plt.close(fig)
        return
    ax.set_ylim(bottom=0)
    ax.set_xlabel("rows exported, thousands")
    ax.set_ylabel("resident memory, MB")
    ax.set_title("Streaming exports: memory stays flat")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMG / "bench-export-memory.png", dpi=90)
    plt.close(fig)


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    latency()
    throughput()
    export_memory()
    print("plots written to docs/img/bench-*.png")


if __name__ == "__main__":
    main()
