"""The division-of-labour analysis as pure functions: interval edges, nested places, task
hierarchy, arrangements, clash rules and handovers."""

from __future__ import annotations

import datetime as dt

from concord.labour import analysis as A

D = dt.date


def d(y, m, day):
    return D(y, m, day).toordinal()


# Tasks: 1 poc (2 physical protection below it), 3 counter-terrorism, 4 humanitarian access,
# 5 ddr. Places: MLI > 10 (Gao) > 11 (Ansongo district); MLI > 20 (Mopti).
TASKS = {1: None, 2: 1, 3: None, 4: None, 5: None}
PLACES = {10: "MLI", 11: 10, 20: "MLI"}


def world(**kw) -> A.World:
    return A.World(task_parent=dict(TASKS), place_parent=dict(PLACES), **kw)


def asg(i, actor, task, place, start, end, lead=True, active=True, funder=False):
    return A.Assignment(i, actor, task, place, start, end, lead, active, funder)


def req(task, place, start, end, ref=1):
    return A.Requirement("need", ref, task, place, start, end)


def test_subtract_and_merge_edges():
    assert A.subtract((1, 10), []) == [(1, 10)]
    assert A.subtract((1, 10), [(1, 10)]) == []
    assert A.subtract((1, 10), [(1, 4), (5, 10)]) == []  # touching: no hole
    assert A.subtract((1, 10), [(1, 4), (6, 10)]) == [(5, 5)]  # one missing day
    assert A.subtract((1, 10), [(3, 3)]) == [(1, 2), (4, 10)]
    assert A.subtract((A.LO, A.HI), [(5, A.HI)]) == [(A.LO, 4)]
    assert A.merge([(1, 4), (5, 8), (10, 12)]) == [(1, 8), (10, 12)]


def test_gap_none_when_lead_ends_the_day_before_the_next_starts():
    w = world(
        requirements=[req(1, 10, d(2020, 1, 1), d(2020, 12, 31))],
        assignments=[
            asg(1, "o1", 1, 10, d(2020, 1, 1), d(2020, 3, 31)),
            asg(2, "o2", 1, 10, d(2020, 4, 1), A.HI),  # open-ended
        ],
    )
    assert A.gaps(w) == []


def test_gap_of_one_day_between_two_leads():
    w = world(
        requirements=[req(1, 10, d(2020, 1, 1), d(2020, 12, 31))],
        assignments=[
            asg(1, "o1", 1, 10, d(2020, 1, 1), d(2020, 3, 30)),
            asg(2, "o2", 1, 10, d(2020, 4, 1), d(2020, 12, 31)),
        ],
    )
    (gap,) = A.gaps(w)
    assert gap.periods == [(d(2020, 3, 31), d(2020, 3, 31))]
    assert gap.days == 1


def test_country_wide_lead_covers_a_region_but_a_district_lead_covers_it_only_in_part():
    country_lead = world(
        requirements=[req(1, 10, d(2020, 1, 1), d(2020, 12, 31))],
        assignments=[asg(1, "o1", 1, "MLI", A.LO, A.HI)],
    )
    assert A.gaps(country_lead) == []
    district_lead = world(
        requirements=[req(1, 10, d(2020, 1, 1), d(2020, 12, 31))],
        assignments=[asg(1, "o1", 1, 11, A.LO, A.HI)],
    )
    (gap,) = A.gaps(district_lead)
    assert gap.detail["partial_places"] == [11]
    assert gap.refs["partial"] == [1]


def test_only_an_active_lead_covers():
    base = dict(requirements=[req(1, 10, d(2020, 1, 1), d(2020, 1, 31))])
    for a in (
        asg(1, "o1", 1, 10, A.LO, A.HI, lead=False),  # support
        asg(1, "o1", 1, 10, A.LO, A.HI, active=False),  # planned or suspended
        asg(1, "o1", 3, 10, A.LO, A.HI),  # another task
        asg(1, "o1", 1, 20, A.LO, A.HI),  # another region
    ):
        assert len(A.gaps(world(assignments=[a], **base))) == 1, a
    sub_task = asg(1, "o1", 2, 10, A.LO, A.HI)  # a sub-task covers its parent's requirement
    assert A.gaps(world(assignments=[sub_task], **base)) == []


def test_gap_window_clips_the_period():
    w = world(requirements=[req(1, 10, d(2020, 1, 1), d(2020, 12, 31))])
    (gap,) = A.gaps(w, (d(2020, 6, 1), d(2020, 6, 1)))
    assert gap.periods == [(d(2020, 6, 1), d(2020, 6, 1))]
    assert A.gaps(w, (d(2021, 1, 1), d(2021, 1, 1))) == []


def test_overlap_same_day_and_touching():
    same_day = world(
        assignments=[
            asg(1, "o1", 3, 10, d(2020, 1, 1), d(2020, 3, 31)),
            asg(2, "x2", 3, 10, d(2020, 3, 31), d(2020, 6, 30)),
        ]
    )
    (f,) = A.overlaps(same_day)
    assert f.periods == [(d(2020, 3, 31), d(2020, 3, 31))]
    assert f.actors == ("o1", "x2")
    touching = world(
        assignments=[
            asg(1, "o1", 3, 10, d(2020, 1, 1), d(2020, 3, 30)),
            asg(2, "x2", 3, 10, d(2020, 3, 31), d(2020, 6, 30)),
        ]
    )
    assert A.overlaps(touching) == []


def test_overlap_across_nested_places_and_not_with_oneself_or_supporters():
    w = world(
        assignments=[
            asg(1, "o1", 3, "MLI", A.LO, A.HI),
            asg(2, "x2", 3, 11, d(2020, 1, 1), A.HI),
            asg(3, "o1", 3, 10, A.LO, A.HI),  # the same actor again
            asg(4, "o5", 3, 10, A.LO, A.HI, lead=False),
            asg(5, "o6", 3, 20, d(2020, 1, 1), d(2020, 1, 1), active=False),
        ]
    )
    found = {(f.place, f.actors) for f in A.overlaps(w)}
    # o1 leads country-wide and in Gao; x2 in a district of Gao: one finding, at the district
    assert found == {(11, ("o1", "x2"))}


def test_an_arrangement_settles_an_overlap_only_where_and_when_it_applies():
    pair = [asg(1, "o1", 3, 10, d(2020, 1, 1), d(2020, 12, 31)), asg(2, "x2", 3, 10, A.LO, A.HI)]
    arr = A.Arrangement(
        1, frozenset({"o1", "x2"}), frozenset({3}), frozenset({"MLI"}), A.LO, d(2020, 6, 30)
    )
    (f,) = A.overlaps(world(assignments=pair, arrangements=[arr]))
    assert f.periods == [(d(2020, 7, 1), d(2020, 12, 31))]
    assert f.detail["partly_settled"]
    everywhere = A.Arrangement(1, frozenset({"o1", "x2"}), frozenset(), frozenset(), A.LO, A.HI)
    assert A.overlaps(world(assignments=pair, arrangements=[everywhere])) == []
    other_task = A.Arrangement(1, frozenset({"o1", "x2"}), frozenset({5}), frozenset(), A.LO, A.HI)
    assert len(A.overlaps(world(assignments=pair, arrangements=[other_task]))) == 1
    elsewhere = A.Arrangement(1, frozenset({"o1", "x2"}), frozenset(), frozenset({20}), A.LO, A.HI)
    assert len(A.overlaps(world(assignments=pair, arrangements=[elsewhere]))) == 1
    third_party = A.Arrangement(1, frozenset({"o1", "o9"}), frozenset(), frozenset(), A.LO, A.HI)
    assert len(A.overlaps(world(assignments=pair, arrangements=[third_party]))) == 1


def test_clash_counter_terrorism_beside_humanitarian_access_and_a_subtask_of_poc():
    rules = [A.Rule(7, 3, 4, "no"), A.Rule(8, 3, 1, "no")]
    w = world(
        rules=rules,
        assignments=[
            asg(1, "x1", 3, 10, d(2020, 1, 1), d(2020, 12, 31)),
            asg(2, "o2", 4, 11, d(2020, 6, 1), A.HI, lead=False),  # support role counts
            asg(3, "o3", 2, "MLI", A.LO, A.HI),  # physical protection, country-wide
            asg(4, "o4", 4, 20, A.LO, A.HI),  # another region: no clash
            asg(5, "o5", 4, 10, A.LO, A.HI, funder=True),  # funders are not on the ground
        ],
    )
    found = {(f.key.split(":")[1], f.place, f.actors) for f in A.clashes(w)}
    assert found == {("7", 11, ("x1", "o2")), ("8", 10, ("x1", "o3"))}
    arr = A.Arrangement(1, frozenset({"x1", "o2"}), frozenset(), frozenset(), A.LO, A.HI)
    w.arrangements = [arr]
    assert {f.actors for f in A.clashes(w)} == {("x1", "o3")}


def test_handover_holes_tasks_and_days():
    w = world(
        op_span={1: (d(2013, 1, 17), d(2013, 6, 30)), 2: (d(2013, 7, 1), A.HI)},
        mandates={
            1: [(3, d(2013, 1, 17), d(2013, 6, 30)), (2, A.LO, A.HI), (5, A.LO, A.HI)],
            2: [(1, d(2013, 7, 1), A.HI), (5, d(2014, 1, 1), A.HI)],
        },
        handovers=[A.Handover(9, 1, 2, d(2013, 7, 1), rehatting=True)],
    )
    holes = A.handover_holes(w)
    missing = sorted(f.detail["missing"] for f in holes if "missing" in f.detail)
    # counter-terrorism (3) is not in the new mandate; DDR (5) arrives only later;
    # physical protection (2) is covered by its parent, protection of civilians (1).
    assert missing == [3, 5]
    assert not any("days" in f.detail for f in holes)  # 30 June → 1 July: no day lost
    w.op_span[2] = (d(2013, 7, 11), A.HI)
    days = [f for f in A.handover_holes(w) if "days" in f.detail]
    assert days[0].detail["days"] == 10


def test_mandate_changes_at_renewals():
    items = [
        (1, d(2013, 7, 1), d(2023, 6, 30), "priority", "S/RES/2100 (2013) OP 16(c)"),
        (6, d(2013, 7, 1), d(2014, 6, 30), "priority", "S/RES/2100 (2013) OP 16(a)"),
        (6, d(2014, 7, 1), d(2023, 6, 30), "other", "S/RES/2164 (2014)"),
        (5, d(2015, 6, 29), d(2023, 6, 30), "other", "S/RES/2227 (2015)"),
    ]
    changes = A.mandate_changes(items)
    assert [(A.date_of(c.on), c.added, c.removed, c.reprioritised) for c in changes] == [
        (D(2013, 7, 1), [1, 6], [], []),
        (D(2014, 7, 1), [], [], [6]),
        (D(2015, 6, 29), [5], [], []),
        (D(2023, 7, 1), [], [1, 5, 6], []),
    ]
    assert changes[1].sources == ["S/RES/2164 (2014)"]


def test_matrix_counts_leads_per_region_including_country_wide_and_district_work():
    w = world(
        assignments=[
            asg(1, "o1", 1, "MLI", A.LO, A.HI),
            asg(2, "o2", 1, 11, A.LO, A.HI),
            asg(3, "o3", 1, 20, A.LO, A.HI, lead=False),
        ]
    )
    findings = A.analyse(w)
    cells = A.matrix(w, ["MLI", 10, 20], (A.LO, A.HI), findings)
    assert cells[(1, 10)].leads == {"o1", "o2"}
    assert cells[(1, 20)].leads == {"o1"} and cells[(1, 20)].others == {"o3"}
    assert cells[(1, 10)].overlap and not cells[(1, 20)].overlap


def test_map_summary_counts_distinct_lead_actors_and_orders_flags():
    from concord.labour import pictures as P

    def cell(leads, gap=False, overlap=False, clash=False):
        return {"lead_ids": set(leads), "gap": gap, "overlap": overlap, "clash": clash}

    leads, flags, detail = P.place_summary(
        [cell({"o1", "o2"}, overlap=True), None, cell({"o1"}, gap=True), cell(set(), gap=True)]
    )
    assert leads == 2 and flags == ("gap", "overlap")
    assert detail == "2 tasks with a gap, 1 task with an overlap"
    assert P.place_summary([None, None]) == (0, (), "nothing flagged")
    spot = P.Spot("Gao", 2, ("overlap", "clash"), "", "/x")
    assert spot.fill == P.LEAD_COLOURS[2] and spot.worst == "clash"  # clash outranks overlap


def test_map_zooms_to_a_country_escapes_labels_and_skips_points_outside():
    from concord.labour import pictures as P

    square = "M170.00,70.00 L180.00,70.00 L180.00,80.00 L170.00,80.00 Z"
    paths = {"466": (square, (175.0, 75.0)), "250": ("M0,0 L1,0 L1,1 Z", (0.5, 0.5))}
    spots = [
        P.Spot("Mali", 1, ("gap",), "", "/mli", numeric="466"),
        P.Spot("<b>Gao</b>", 0, (), "", "/gao?a=1&b=2", point=(15.0, -5.0)),
        P.Spot("Far away", 0, (), "", "/far", point=(-40.0, 100.0)),
    ]
    svg = P.matrix_map_svg("Mali", spots, paths, focus="466", width=400)
    assert "&lt;b&gt;Gao&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'href="/gao?a=1&amp;b=2"' in svg
    assert "Far away" not in svg  # outside the zoomed frame
    assert "translate(-168.700,-68.700)" in svg  # the frame: the country and a margin
    world = P.matrix_map_svg("World", spots, paths, width=360)
    assert f'stroke="{P.FLAG_COLOURS["gap"]}"' in world and "Far away" in world
    assert '<path d="M0,0 L1,0 L1,1 Z" fill="#ffffff" data-country="250">' in world


def test_what_could_not_be_judged_is_said_rather_than_reading_as_good_news():
    """Afghanistan's 3W alone (assignments, no mandate, need or rule) has no finding: the
    analysis says gaps and clashes could not be judged there (issue 17: honest empty
    states); with a need and a rule, nothing is left unjudged."""
    only_3w = world(assignments=[asg(1, "A", 3, 10, d(2020, 1, 1), d(2020, 12, 31))])
    assert A.analyse(only_3w) == []
    said = A.unjudged(only_3w, "Afghanistan")
    assert said == [
        "No mandate or need is recorded for Afghanistan: gaps cannot be judged.",
        "No clash rule is recorded: clashes cannot be judged.",
    ]
    nothing = A.unjudged(world(), "France")
    assert "No assignment is recorded for France" in nothing[1]
    judged = world(
        assignments=only_3w.assignments,
        requirements=[req(3, 10, d(2020, 1, 1), d(2020, 12, 31))],
        rules=[A.Rule(1, 3, 4, "hostile")],
    )
    assert A.unjudged(judged, "Mali") == []
