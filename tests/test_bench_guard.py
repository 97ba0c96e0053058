"""The benchmark regression guard (make bench-quick): which figures it reports as worse."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reports_figures_more_than_a_quarter_worse_and_nothing_else():
    run = _run_module()
    before = {"latency": 2.0, "export": 4.0, "steady": 1.0, "dropped": 3.0}
    after = {"latency": 2.6, "export": 4.9, "steady": 0.5, "new": 10.0}
    worse = run.compare(before, after)
    assert len(worse) == 1 and worse[0].strip().startswith("latency: 2.00 -> 2.60 (+30%)")
