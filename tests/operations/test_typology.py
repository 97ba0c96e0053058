"""The four-scenario typology as pure functions: rules, reasons, dates, history, summaries."""

from __future__ import annotations

import datetime as dt

from concord.operations import analysis as A

D = dt.date


def op(
    id,
    label,
    framework,
    start,
    end=None,
    countries=("BDI",),
    areas=(),
    kind="peacekeeping",
    org="",
    force=True,
):
    return A.Op(id, label, framework, kind, start, end, tuple(countries), tuple(areas), org, force)


def world(ops, rels=(), parents=None):
    return A.World.build(ops, rels, parents or {})


NAMES = {"BDI": "Burundi", "MLI": "Mali", "HTI": "Haiti", "LBN": "Lebanon"}


def test_handover_to_un_is_sequential_with_the_papers_reason():
    w = world(
        [
            op(1, "AMIB", "regional", D(2003, 4, 2), D(2004, 6, 1), org="AU"),
            op(2, "ONUB", "un", D(2004, 6, 1), D(2006, 12, 31), org="UN"),
            op(3, "Coalition", "ad_hoc", D(2003, 5, 1), D(2004, 7, 1)),
        ],
        [
            A.Rel(1, "handed_over_to", 2, D(2004, 6, 1)),
            A.Rel(3, "handed_over_to", 2, D(2004, 6, 1)),
        ],
    )
    amib = A.classify(w, 1, D(2003, 6, 1), NAMES)
    assert amib.scenario == A.SEQUENTIAL
    assert "handed over to ONUB on 2004-06-01 after 13 months in Burundi" in amib.reason
    coalition = A.classify(w, 3, D(2004, 6, 20), NAMES)
    # Dates overlap with ONUB, but the explicit handover decides: sequential, not parallel.
    assert coalition.scenario == A.SEQUENTIAL and coalition.confidence == A.HIGH
    assert (
        coalition.reason
        == "sequential: handed over to ONUB on 2004-06-01 after 13 months in Burundi"
    )
    assert A.classify(w, 2, D(2005, 1, 1)).scenario == A.MULTILATERAL


def test_handover_to_another_coalition_is_not_sequential():
    w = world(
        [
            op(1, "MSS", "ad_hoc", D(2024, 6, 25), D(2025, 10, 2), countries=["HTI"]),
            op(2, "GSF", "ad_hoc", D(2025, 10, 2), None, countries=["HTI"]),
            op(3, "BINUH", "un", D(2019, 10, 16), None, ["HTI"], kind="political", force=False),
            # A UN support office (logistics for the next force) deploys no force either, and
            # its start on the coalition's last days is no handover.
            op(4, "UNSOH", "un", D(2025, 9, 30), None, ["HTI"], force=False),
        ],
        [A.Rel(1, "handed_over_to", 2, D(2025, 10, 2))],
    )
    res = A.classify(w, 1, D(2025, 1, 1), NAMES)
    # A mission that deploys no force does not make the MSS parallel (or sequential).
    assert res.scenario == A.STAND_ALONE
    assert "no UN or regional force recorded in Haiti" in res.reason


def test_integration_and_shared_governance_are_fully_integrated_from_their_date():
    w = world(
        [
            op(1, "Linda Nchi", "single_state", D(2011, 10, 16), D(2012, 6, 2), countries=["SOM"]),
            op(2, "AMISOM", "regional", D(2007, 3, 6), D(2022, 3, 31), countries=["SOM"], org="AU"),
        ],
        [A.Rel(1, "integrated_into", 2, D(2012, 2, 22))],
    )
    before = A.classify(w, 1, D(2012, 1, 1))
    assert before.scenario == A.PARALLEL and before.basis == "evidence"
    after = A.classify(w, 1, D(2012, 3, 1))
    assert after.scenario == A.FULLY_INTEGRATED and "integrated into AMISOM" in after.reason
    periods = A.history(w, 1)
    assert [p.result.scenario for p in periods] == [A.PARALLEL, A.FULLY_INTEGRATED]
    assert periods[1].start == D(2012, 2, 22) and periods[0].end == D(2012, 2, 21)
    assert A.overall(w, 1).scenario == A.FULLY_INTEGRATED  # explicit relations win

    w2 = world(
        [op(1, "X", "ad_hoc", D(2020, 1, 1)), op(2, "UNM", "un", D(2019, 1, 1))],
        [A.Rel(1, "operates_alongside", 2, D(2020, 1, 1), level="shared_governance")],
    )
    assert A.classify(w2, 1, D(2021, 1, 1)).scenario == A.FULLY_INTEGRATED


def test_explicit_parallel_names_partner_and_coordination_level():
    w = world(
        [
            op(1, "Barkhane", "single_state", D(2014, 8, 1), D(2022, 11, 9), countries=["MLI"]),
            op(2, "MINUSMA", "un", D(2013, 7, 1), D(2023, 12, 31), countries=["MLI"]),
        ],
        [A.Rel(1, "operates_alongside", 2, D(2014, 8, 1), level="mechanism")],
    )
    res = A.classify(w, 1, D(2018, 1, 1), NAMES)
    assert res.scenario == A.PARALLEL and res.partner == 2 and res.confidence == A.HIGH
    assert "operates alongside MINUSMA in Mali" in res.reason
    assert "coordination mechanism" in res.reason


def test_scenario_changes_over_life_stand_alone_until_un_arrives():
    w = world(
        [
            op(1, "Coalition", "ad_hoc", D(2010, 1, 1), D(2015, 1, 1), countries=["MLI"]),
            op(2, "UNX", "un", D(2012, 6, 1), None, countries=["MLI"]),
        ]
    )
    assert A.classify(w, 1, D(2011, 1, 1)).scenario == A.STAND_ALONE
    assert A.classify(w, 1, D(2013, 1, 1)).scenario == A.PARALLEL
    assert A.classify(w, 1, D(2009, 1, 1)).scenario is None
    periods = A.history(w, 1)
    assert [(p.start, p.result.scenario) for p in periods] == [
        (D(2010, 1, 1), A.STAND_ALONE),
        (D(2012, 6, 1), A.PARALLEL),
    ]
    # longest-held scenario: parallel (2.6 years) over stand-alone (2.4 years)
    assert A.overall(w, 1).scenario == A.PARALLEL


def test_areas_decide_same_theatre_where_both_record_them():
    parents = {11: 1, 12: 1, 21: 2}  # adm2 11 and 12 in adm1 1; adm2 21 in adm1 2
    w = world(
        [
            op(1, "MNF", "ad_hoc", D(1982, 9, 24), D(1984, 3, 31), countries=["LBN"], areas=[11]),
            op(2, "UNIFIL", "un", D(1978, 3, 19), None, countries=["LBN"], areas=[21]),
            op(3, "Other", "ad_hoc", D(1982, 9, 24), None, countries=["LBN"], areas=[1]),
        ],
        parents=parents,
    )
    res = A.classify(w, 1, D(1983, 1, 1), NAMES)
    assert res.scenario == A.STAND_ALONE and res.confidence == A.LOW
    assert "in other areas" in res.reason
    # Two different adm2 areas of one adm1 do not overlap: still apart.
    w.ops[2] = op(2, "UNIFIL", "un", D(1978, 3, 19), None, countries=["LBN"], areas=[12])
    w = world(list(w.ops.values()), parents=parents)
    assert A.classify(w, 1, D(1983, 1, 1)).scenario == A.STAND_ALONE
    # An adm1 contains its adm2 areas: overlapping theatres, parallel (medium confidence).
    w.ops[2] = op(2, "UNIFIL", "un", D(1978, 3, 19), None, countries=["LBN"], areas=[1])
    w = world(list(w.ops.values()), parents=parents)
    res = A.classify(w, 1, D(1983, 1, 1))
    assert res.scenario == A.PARALLEL and res.confidence == A.MEDIUM
    assert "overlapping area" in res.reason


def test_relations_to_unknown_operations_are_ignored():
    w = world(
        [op(1, "X", "ad_hoc", D(2020, 1, 1))], [A.Rel(1, "handed_over_to", 99, D(2021, 1, 1))]
    )
    assert A.classify(w, 1, D(2020, 6, 1)).scenario == A.STAND_ALONE


def test_summaries_count_per_decade_and_region():
    w = world(
        [
            op(1, "A", "ad_hoc", D(1995, 1, 1), D(1996, 1, 1), countries=["MLI", "FRA"]),
            op(2, "B", "un", D(2001, 1, 1), D(2002, 1, 1), countries=["MLI"]),
        ]
    )
    results = A.overall_all(w)
    s = A.summarise(w, results, {"MLI": "Africa", "FRA": "Europe"})
    assert s["by_decade"] == {"1990s": {"stand_alone": 1}, "2000s": {"multilateral": 1}}
    assert s["by_region"] == {
        "Africa": {"stand_alone": 1, "multilateral": 1},
        "Europe": {"stand_alone": 1},
    }


def test_a_coalition_ending_as_a_un_force_begins_is_sequential_without_a_relation():
    """Issue 14, item 14: an unrecorded handover read as stand-alone."""
    w = world(
        [
            op(1, "Coalition", "ad_hoc", D(2003, 5, 1), D(2004, 6, 1)),
            op(2, "ONUB", "un", D(2004, 6, 15), D(2006, 12, 31), org="UN"),
            op(3, "Late coalition", "ad_hoc", D(2003, 5, 1), D(2004, 3, 1)),
            op(4, "Elsewhere", "ad_hoc", D(2003, 5, 1), D(2004, 6, 1), countries=["MLI"]),
            op(5, "Still running", "ad_hoc", D(2003, 5, 1)),
        ]
    )
    res = A.classify(w, 1, D(2003, 6, 1), NAMES)
    assert (res.scenario, res.confidence, res.partner) == (A.SEQUENTIAL, A.MEDIUM, 2)
    assert res.reason == (
        "sequential: it ended on 2004-06-01 and ONUB (UN) began in Burundi 14 days after it "
        "ended, on 2004-06-15; no handover is recorded (a handover the register has not "
        "recorded yet?)"
    )
    # For its whole life, as with a recorded handover (even when their dates overlap).
    assert A.classify(w, 1, D(2004, 5, 31), NAMES).scenario == A.SEQUENTIAL
    # Three months apart, another country, or no end: no handover is read.
    assert A.classify(w, 3, D(2003, 6, 1)).scenario == A.STAND_ALONE
    assert A.classify(w, 4, D(2003, 6, 1)).scenario == A.STAND_ALONE
    assert A.classify(w, 5, D(2003, 6, 1)).scenario == A.STAND_ALONE
    # A recorded relation still decides first.
    w2 = world(w.ops.values(), [A.Rel(1, "integrated_into", 2, D(2003, 6, 1))])
    assert A.classify(w2, 1, D(2003, 7, 1)).scenario == A.FULLY_INTEGRATED


def test_a_mission_that_deploys_no_force_is_no_evidence_of_a_shared_theatre():
    """Issue 14, item 13: civilian missions (advisers, trainers, capacity-building) made a
    coalition parallel as surely as a UN force; the operation's data decides, not its name."""
    civilian = op(2, "EUCAP", "regional", D(2014, 4, 15), None, ["MLI"], kind="police", org="EU")
    coalition = op(1, "Task force", "ad_hoc", D(2020, 3, 27), D(2022, 6, 30), ["MLI"])
    as_force = world([coalition, civilian])
    assert A.classify(as_force, 1, D(2021, 1, 1)).scenario == A.PARALLEL
    no_force = world([coalition, A.Op(**{**civilian.__dict__, "force": False})])
    res = A.classify(no_force, 1, D(2021, 1, 1), NAMES)
    assert (
        res.scenario == A.STAND_ALONE and "no UN or regional force recorded in Mali" in res.reason
    )


def test_a_relation_recorded_later_starts_its_own_period_with_its_reason():
    """A period decided by evidence and one decided by a relation to the same partner stayed
    one period with the evidence's reason (the relation's words were lost)."""
    w = world(
        [
            op(1, "Joint force", "ad_hoc", D(2017, 7, 2), D(2023, 12, 6), ["MLI"]),
            op(2, "MINUSMA", "un", D(2013, 4, 25), D(2023, 12, 31), ["MLI"], org="UN"),
        ],
        [A.Rel(2, "supports", 1, D(2017, 12, 8), D(2023, 6, 30), "mechanism")],
    )
    periods = A.history(w, 1, NAMES)
    assert [(p.start, p.result.basis) for p in periods[:2]] == [
        (D(2017, 7, 2), "evidence"),
        (D(2017, 12, 8), "relation"),
    ]
    assert "is supported by MINUSMA" in A.overall(w, 1, NAMES).reason
