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


def _typology():
    spec = importlib.util.spec_from_file_location("bench_typology", ROOT / "bench" / "typology.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sizes(baseline_n, classify_n, baseline_4n, classify_4n):
    return (
        {"baseline_s": baseline_n, "classify_s": classify_n},
        {"baseline_s": baseline_4n, "classify_s": classify_4n},
    )


def test_typology_growth_is_compared_with_the_baseline_measured_alike():
    t = _typology()
    # Both grow 6x (a busy machine, a cold cache): alike, whatever the absolute growth.
    assert t.excess(*_sizes(1.0, 3.0, 6.0, 18.0)) == 1.0
    # Classifying grows twice as fast as the baseline (say it became quadratic): caught.
    assert t.excess(*_sizes(1.0, 3.0, 5.0, 30.0)) == 2.0 > t.MAX_EXCESS


def test_typology_reports_a_twofold_slowdown_against_the_committed_run_only():
    t = _typology()
    before = {
        "baseline": t.BASELINE,
        "n": {"ratio_to_baseline": 3.2},
        "4n": {"ratio_to_baseline": 3.0},
    }
    noisy = {"n": {"ratio_to_baseline": 3.9}, "4n": {"ratio_to_baseline": 2.7}}  # +22 %, -10 %
    assert t.slower_than(before, noisy) == []
    twice = {"n": {"ratio_to_baseline": 6.4}, "4n": {"ratio_to_baseline": 6.1}}
    assert [line.split(":")[0] for line in t.slower_than(before, twice)] == ["n", "4n"]
    # A committed run that measured another baseline is not comparable: nothing reported.
    assert t.slower_than({**before, "baseline": "sort only"}, twice) == []


def test_a_bench_that_builds_its_own_records_never_uses_the_developers_data_dir(
    monkeypatch, tmp_path
):
    """make exports CONCORD_DATA_DIR=var (make run's database): bench/webhooks.py wrote its
    records there, and failed on the second run ("bench.manager already exists")."""
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "common.py")
    common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(common)
    monkeypatch.setenv("CONCORD_DATA_DIR", str(ROOT / "var"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    first = common.scratch_data_dir()
    second = common.scratch_data_dir()
    assert first != second and Path(first).parent == tmp_path
    assert not any(Path(second).iterdir())
    import os

    assert os.environ["CONCORD_DATA_DIR"] == second
    for name in ("accountability.py", "webhooks.py"):  # the benches that migrate a database
        text = (ROOT / "bench" / name).read_text()
        assert "scratch_database()" in text and 'setdefault("CONCORD_DATA_DIR"' not in text
