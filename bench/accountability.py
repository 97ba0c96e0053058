"""Conditional funding at scale: evaluating every tranche, and one donor's compliance board.

A synthetic world in a throwaway SQLite (or the PostgreSQL named by ``DATABASE_URL``),
written in bulk: 200 donors, 2,000 operations each with a reporting obligation, 5,000
security units in 200 forces, 20,000 due-diligence cases (3 % suspended), 20,000
allegations, 10,000 mitigating measures, 100,000 reports (~1.2 obligations each), 10,000
commitments with 3 tranches each (30,000) and 2 conditions per tranche (60,000, every kind),
5,000 tranches already released. Times, in one run:

- the baseline: reading every row the evaluation needs with plain ``values_list`` queries
  (no rules applied), and ``loaders.evaluate_tranches`` over all 30,000 tranches, as a ratio
  to it (target: under 5 s absolute);
- one donor's board (``/organisations/<id>/compliance/``, ~150 tranches) rendered through
  the test client as a signed-in donor officer, against that officer's organisation page as
  the baseline (target: under 200 ms absolute). Best of 5 each.

Run: ``make bench`` (writes bench/results/accountability[-postgresql].json).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import scratch_database  # noqa: E402

SCALE = {
    "donors": 200,
    "operations": 2000,
    "units": 5000,
    "cases": 20000,
    "allegations": 20000,
    "measures": 10000,
    "reports": 100000,
    "commitments": 10000,
}


def generate(seed: int = 5) -> dict:
    """Bulk-written synthetic records (a benchmark world: no audit entries)."""
    from concord.accountability.models import (
        Allegation,
        Commitment,
        Condition,
        MitigatingMeasure,
        Report,
        ReportingObligation,
        SecurityUnit,
        SupportCase,
        Tranche,
        TrancheDecision,
    )
    from concord.core import services
    from concord.core.context import Actor
    from concord.core.models import Country, Membership, Organisation, Role, User
    from concord.operations.models import Operation

    rng = random.Random(seed)
    today = dt.date.today()
    root = services.save(
        Organisation(name="Bench root", kind="other", classification=0, releasability="public"),
        actor=Actor.system("bench"),
    )
    scoped = {"owner": root, "classification": 1, "releasability": "signed_in"}
    Organisation.objects.bulk_create(
        [Organisation(name=f"Donor {i}", kind="state", **scoped) for i in range(SCALE["donors"])]
    )
    donors = list(Organisation.objects.exclude(pk=root.pk).values_list("pk", flat=True))
    mli, _ = Country.objects.get_or_create(alpha3="MLI", defaults={"name": "Mali", "alpha2": "ML"})
    Operation.objects.bulk_create(
        [
            Operation(
                name=f"Operation {i}",
                kind="stabilisation",
                framework="ad_hoc",
                start=dt.date(2015, 1, 1),
                **scoped,
            )
            for i in range(SCALE["operations"])
        ]
    )
    ops = list(Operation.objects.values_list("pk", flat=True))
    ReportingObligation.objects.bulk_create(
        [
            ReportingObligation(
                reporter_operation_id=op,
                body="donors",
                subject=f"Report of {op}",
                every_days=90,
                first_due=dt.date(2024, 1, 1),
                **scoped,
            )
            for op in ops
        ]
    )
    obligations = list(ReportingObligation.objects.values_list("pk", flat=True))
    forces = SecurityUnit.objects.bulk_create(
        [SecurityUnit(name=f"Force {i}", country=mli, **scoped) for i in range(200)]
    )
    force_ids = list(SecurityUnit.objects.values_list("pk", flat=True))
    SecurityUnit.objects.bulk_create(
        [
            SecurityUnit(name=f"Unit {i}", country=mli, parent_id=rng.choice(force_ids), **scoped)
            for i in range(SCALE["units"] - len(forces))
        ],
        batch_size=2000,
    )
    units = list(SecurityUnit.objects.values_list("pk", flat=True))
    states = ["active"] * 60 + ["resumed"] * 10 + ["under_review"] * 10 + ["suspended"] * 3
    states += ["proposed"] * 10 + ["withdrawn"] * 7
    SupportCase.objects.bulk_create(
        [
            SupportCase(
                title=f"Case {i}",
                operation_id=rng.choice(ops),
                provider_id=rng.choice(donors),
                unit_id=rng.choice(units),
                kind="logistics",
                state=rng.choice(states),
                **scoped,
            )
            for i in range(SCALE["cases"])
        ],
        batch_size=2000,
    )
    cases = list(SupportCase.objects.values_list("pk", flat=True))
    violations = ["torture", "looting", "arbitrary_detention", "unlawful_killing"]
    Allegation.objects.bulk_create(
        [
            Allegation(
                unit_id=rng.choice(units),
                violation=rng.choice(violations),
                confidence=rng.choice(["credible", "low", "confirmed", "unverified"]),
                summary="claim",
                recorded=today - dt.timedelta(days=rng.randrange(400)),
                resolved_on=today if rng.random() < 0.5 else None,
                resolution="resolved",
                **scoped,
            )
            for _ in range(SCALE["allegations"])
        ],
        batch_size=2000,
    )
    MitigatingMeasure.objects.bulk_create(
        [
            MitigatingMeasure(
                case_id=rng.choice(cases),
                description="measure",
                deadline=today - dt.timedelta(days=rng.randrange(-60, 300)),
                done_on=today if rng.random() < 0.8 else None,
                **scoped,
            )
            for _ in range(SCALE["measures"])
        ],
        batch_size=2000,
    )
    quarters = [dt.date(2024 + q // 4, 1 + 3 * (q % 4), 1) for q in range(8)]
    Report.objects.bulk_create(
        [
            Report(
                title=f"Report {i}",
                period_start=(q := rng.choice(quarters)),
                period_end=q + dt.timedelta(days=89),
                submitted=q + dt.timedelta(days=100),
                status="accepted" if rng.random() < 0.8 else "returned",
                **scoped,
            )
            for i in range(SCALE["reports"])
        ],
        batch_size=5000,
    )
    through = Report.obligations.through
    links = []
    for report in Report.objects.values_list("pk", flat=True).iterator():
        for o in rng.sample(obligations, 2 if rng.random() < 0.2 else 1):
            links.append(through(report_id=report, reportingobligation_id=o))
    through.objects.bulk_create(links, batch_size=10000)
    Commitment.objects.bulk_create(
        [
            Commitment(
                donor_id=rng.choice(donors),
                recipient_operation_id=rng.choice(ops),
                amount=Decimal("3000000.00"),
                currency=rng.choice(["EUR", "USD"]),
                purpose=f"Commitment {i}",
                **scoped,
            )
            for i in range(SCALE["commitments"])
        ],
        batch_size=2000,
    )
    Tranche.objects.bulk_create(
        [
            Tranche(
                commitment_id=c,
                label=f"T{k}",
                amount=Decimal("1000000.00"),
                planned=today + dt.timedelta(days=90 * (k - 2)),
                **scoped,
            )
            for c in Commitment.objects.values_list("pk", flat=True).iterator()
            for k in range(1, 4)
        ],
        batch_size=5000,
    )
    tranches = list(Tranche.objects.values_list("pk", "commitment__recipient_operation_id"))
    obligation_of = dict(ReportingObligation.objects.values_list("reporter_operation_id", "pk"))
    kinds = ["report_accepted", "no_case_suspended", "no_grave_allegation", "measures_on_time"]
    conditions = []
    for pk, op in tranches:
        for kind in rng.sample(kinds, 2):
            q = rng.choice(quarters)
            conditions.append(
                Condition(
                    tranche_id=pk,
                    kind=kind,
                    obligation_id=obligation_of[op] if kind == "report_accepted" else None,
                    period_start=q,
                    period_end=q + dt.timedelta(days=89),
                    days=90,
                    **scoped,
                )
            )
    Condition.objects.bulk_create(conditions, batch_size=5000)
    officer = User.objects.create_user(
        "donor.officer", password="x", clearance=3, first_name="Donor"
    )
    busiest = max(donors, key=lambda d: Commitment.objects.filter(donor_id=d).count())
    Membership.objects.create(user=officer, organisation_id=busiest, role=Role.MANAGER)
    approver = User.objects.create_user("donor.approver", password="x", clearance=3)
    now = dt.datetime.now(dt.UTC)
    TrancheDecision.objects.bulk_create(
        [
            TrancheDecision(
                tranche_id=pk,
                kind="release",
                rationale="bench",
                status="approved",
                proposed_by=officer,
                proposed_at=now,
                decided_by=approver,
                decided_at=now,
            )
            for pk, _ in rng.sample(tranches, 5000)
        ],
        batch_size=5000,
    )
    return {"donor": busiest, "officer": officer.pk, "tranches": len(tranches)}


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def read_baseline():
    """Every row the evaluation reads, fetched with plain queries and no rules."""
    from concord.accountability.models import (
        Allegation,
        Condition,
        MitigatingMeasure,
        Report,
        SupportCase,
        Tranche,
        TrancheDecision,
    )

    list(Tranche.objects.values_list("pk", "commitment__recipient_operation_id"))
    list(TrancheDecision.objects.values_list("tranche_id", "kind", "condition_id"))
    list(Condition.objects.values_list("pk", "tranche_id", "kind", "obligation_id"))
    list(Report.obligations.through.objects.values_list("report_id", "reportingobligation_id"))
    list(Report.objects.values_list("pk", "title", "period_start", "period_end", "status"))
    list(SupportCase.objects.values_list("pk", "title", "state", "unit_id", "operation_id"))
    list(Allegation.objects.values_list("pk", "unit_id", "confidence", "violation", "recorded"))
    list(MitigatingMeasure.objects.values_list("pk", "case_id", "deadline", "done_on"))


def main():
    vendor = scratch_database()
    t0 = time.perf_counter()
    world = generate()
    generated = time.perf_counter() - t0
    if vendor == "postgresql":  # statistics for the planner, as a live database would have
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from django.test import Client

    from concord.accountability.loaders import evaluate_tranches
    from concord.accountability.models import Tranche
    from concord.core.models import User

    baseline = best(read_baseline)
    verdicts = {}

    def evaluate():
        verdicts.update(evaluate_tranches(Tranche.objects.all()))

    evaluation = best(evaluate, runs=3)
    if os.environ.get("BENCH_PROFILE"):  # where the time goes, for whoever optimises next
        import cProfile
        import pstats

        cProfile.runctx("evaluate()", globals(), locals(), "/tmp/evaluate.prof")
        pstats.Stats("/tmp/evaluate.prof").sort_stats("cumulative").print_stats(25)
    counts = {}
    for v in verdicts.values():
        counts[v.status] = counts.get(v.status, 0) + 1
    client = Client()
    client.force_login(User.objects.get(pk=world["officer"]))
    donor = world["donor"]
    board_url, page_url = f"/organisations/{donor}/compliance/", f"/organisations/{donor}/"
    assert client.get(board_url).status_code == 200 and client.get(page_url).status_code == 200
    board = best(lambda: client.get(board_url))
    page = best(lambda: client.get(page_url))
    rows = client.get(board_url).content.decode().count('class="state-')
    results = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "database": vendor,
        "scale": SCALE | {"tranches": world["tranches"]},
        "generate_s": round(generated, 1),
        "evaluate_all": {
            "seconds": round(evaluation, 3),
            "baseline_read_s": round(baseline, 3),
            "ratio_to_reading_the_rows": round(evaluation / baseline, 2),
            "target_s": 5,
            "statuses": counts,
        },
        "donor_board": {
            "ms": round(board * 1000, 1),
            "baseline_organisation_page_ms": round(page * 1000, 1),
            "ratio_to_organisation_page": round(board / page, 2),
            "tranches_shown": rows,
            "target_ms": 200,
        },
    }
    print(json.dumps(results["evaluate_all"]), json.dumps(results["donor_board"]))
    name = "accountability" if vendor == "sqlite" else f"accountability-{vendor}"
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
