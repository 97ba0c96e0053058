"""The roster's pure functions: screening, matching, shortlists, assignment and the clock."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from concord.roster.analysis import assignment, clock, matching, screening
from concord.roster.analysis.facts import (
    Booking,
    ExpertFacts,
    Party,
    PastDeployment,
    RequestFacts,
    TieFact,
    process_key,
)

D = dt.date(2027, 3, 1)
GOV = Party(10, "Government of Atlantis", "ATL", is_state=True)
REBELS = Party(11, "Atlantis Liberation Front", "ATL")
DONOR = Party(20, "Donor Agency")


def request(**kw) -> RequestFacts:
    base = dict(
        id=1,
        title="Ceasefire talks",
        process=process_key("Atlantis talks"),
        requester=30,
        start=D,
        end=D + dt.timedelta(days=29),
        countries=frozenset({"SDN"}),
        subregions=frozenset({"Northern Africa"}),
        parties=(GOV, REBELS),
        stakeholders=(DONOR,),
        required={"ceasefire": 2},
        languages={"ar": 5},
    )
    base.update(kw)
    return RequestFacts(**base)


def expert(i=1, **kw) -> ExpertFacts:
    base = dict(
        id=i,
        name=f"Expert {i}",
        tier="roster",
        gender="woman",
        clearance=2,
        skills={"ceasefire": 3},
        languages={"ar": 6, "en": 6},
        countries=frozenset({"SDN"}),
        subregions=frozenset({"Northern Africa"}),
    )
    base.update(kw)
    return ExpertFacts(**base)


# --- screening ---------------------------------------------------------------------------


def test_a_current_job_with_a_party_is_a_non_waivable_red():
    e = expert(ties=(TieFact("employment", GOV.id, GOV.name, dt.date(2020, 1, 1)),))
    s = screening.screen(e, request())
    assert s.grade == screening.NON_WAIVABLE and s.barred
    assert "Government of Atlantis" in s.findings[0].reason


@pytest.mark.parametrize(
    ("tie", "grade"),
    [
        (TieFact("advisory", 10, "Gov"), screening.WAIVABLE),
        (TieFact("family", 11, "Front"), screening.WAIVABLE),
        (TieFact("employment", 20, "Donor"), screening.WAIVABLE),  # a stakeholder
        (TieFact("membership", 20, "Donor"), screening.ORANGE),
        (
            TieFact("employment", 10, "Gov", dt.date(2015, 1, 1), dt.date(2025, 6, 30)),
            screening.ORANGE,
        ),
        (
            TieFact("employment", 10, "Gov", dt.date(2010, 1, 1), dt.date(2020, 6, 30)),
            screening.GREEN,
        ),
        (TieFact("employment", 99, "Unrelated"), screening.GREEN),
    ],
)
def test_ties_are_graded_by_whom_kind_and_time(tie, grade):
    s = screening.screen(expert(ties=(tie,)), request())
    assert s.grade == grade


def test_nationality_of_a_state_party_needs_a_waiver_and_of_a_rebel_base_is_disclosed():
    s = screening.screen(expert(nationalities=frozenset({"ATL"})), request())
    assert s.grade == screening.WAIVABLE
    assert [f.grade for f in s.findings] == [screening.WAIVABLE, screening.ORANGE]
    only_rebels = request(parties=(REBELS,))
    assert screening.screen(expert(nationalities=frozenset({"ATL"})), only_rebels).grade == "orange"


def test_a_deployment_for_the_other_side_of_the_same_process_needs_a_waiver():
    past = PastDeployment(process_key("ATLANTIS  Talks"), GOV.id, GOV.name, dt.date(2026, 1, 1))
    assert screening.screen(expert(past=(past,)), request()).grade == screening.WAIVABLE
    # the same side asking again, or another process: nothing
    same_side = request(requester=GOV.id)
    assert screening.screen(expert(past=(past,)), same_side).grade == screening.GREEN
    other = PastDeployment("another process", GOV.id, GOV.name, dt.date(2026, 1, 1))
    assert screening.screen(expert(past=(other,)), request()).grade == screening.GREEN


# --- matching ----------------------------------------------------------------------------


def test_the_fit_is_explained_in_parts_that_add_up():
    m = matching.match(expert(), request(), names={"ceasefire": "Ceasefires"})
    assert m.eligible
    assert [p.key for p in m.parts] == list(matching.WEIGHTS)
    assert m.score == pytest.approx(sum(p.points for p in m.parts))
    words = {p.key: p.words for p in m.parts}
    assert "Ceasefires: lead expert" in words["expertise"]
    assert "ar C2" in words["languages"]
    assert "SDN" in words["region"]


def test_who_is_not_matched_says_why():
    low = matching.match(
        expert(skills={"ceasefire": 1}), request(), names={"ceasefire": "Ceasefires"}
    )
    assert not low.eligible and "Ceasefires" in low.excluded[0]
    busy = expert(bookings=(Booking(D, D + dt.timedelta(days=3), "Request 9", deployment=True),))
    m = matching.match(busy, request())
    assert not m.eligible and "already deployed" in m.excluded[0]
    away = expert(bookings=(Booking(D, D + dt.timedelta(days=19), "leave"),))
    m = matching.match(away, request())
    assert not m.eligible and "unavailable for 20 of the 30 days" in m.excluded[0]
    short = expert(bookings=(Booking(D, D + dt.timedelta(days=2), "leave"),))
    m = matching.match(short, request())
    assert m.eligible and m.parts[3].points == pytest.approx(10 * 27 / 30)
    assert not matching.match(expert(clearance=0), request(clearance=2)).eligible


def test_sub_areas_count_for_their_area_and_areas_for_their_sub_areas_one_level_down():
    parents = {"ceasefire.monitoring": "ceasefire"}
    assert matching.credit({"ceasefire.monitoring": 3}, "ceasefire", parents) == (
        2,
        "ceasefire.monitoring",
    )
    assert matching.level_in({"ceasefire": 3}, "ceasefire.monitoring", parents) == 2
    assert matching.level_in({"ceasefire": 1}, "ceasefire.monitoring", parents) == 0
    assert matching.level_in({"ceasefire": 1, "ceasefire.monitoring": 3}, "ceasefire", parents) == 2
    # the words name the skill it rests on
    r = request(required={"ceasefire": 2})
    m = matching.match(
        expert(skills={"ceasefire.monitoring": 3}),
        r,
        parents=parents,
        names={"ceasefire": "Ceasefires", "ceasefire.monitoring": "Monitoring"},
    )
    assert m.eligible
    assert "Monitoring: lead expert (counts as advanced for Ceasefires)" in m.parts[0].words


def test_ranking_puts_the_better_fit_first_and_breaks_ties_by_fair_shares():
    a = expert(1, skills={"ceasefire": 2})
    b = expert(2)
    ranked = matching.rank([a, b], request())
    assert [m.expert.id for m in ranked] == [2, 1]
    busy_year = tuple(
        PastDeployment("x", 1, "x", D - dt.timedelta(days=30 * k)) for k in range(1, 3)
    )
    c = expert(3, past=busy_year)
    d = expert(4)
    # same fit but for the appraisals of c's past deployments (none rated): c waits
    ranked = matching.rank([c, d], request())
    assert ranked[0].score == pytest.approx(ranked[1].score)
    assert [m.expert.id for m in ranked] == [4, 3]


def test_a_shortlist_keeps_a_woman_and_a_man_where_the_roster_allows():
    men = [expert(i, gender="man") for i in range(1, 5)]
    woman = expert(9, gender="woman", skills={"ceasefire": 2})
    ranked = matching.rank([*men, woman], request())
    short = matching.shortlist(ranked, request())
    assert [m.expert.gender for m in short.chosen].count("woman") == 1
    assert "Expert 9" in short.notes[0] and "Expert 3" in short.notes[0]
    no_women = matching.shortlist(matching.rank(men, request()), request())
    assert len(no_women.chosen) == 3
    assert no_women.notes == ["No woman on the roster meets this request: the shortlist has none."]
    off = matching.shortlist(ranked, request(gender_rule="none"))
    assert all(m.expert.gender == "man" for m in off.chosen) and not off.notes


def test_nobody_matching_suggests_which_requirement_to_relax():
    experts = [expert(i, skills={"ceasefire": 1, "dd": 3}) for i in range(5)]
    r = request(required={"ceasefire": 3, "dd": 2})
    assert not any(m.eligible for m in matching.rank(experts, r))
    options = matching.relaxations(experts, r, names={"ceasefire": "Ceasefires"})
    assert options[0].would_match == 5
    assert "Ceasefires" in options[0].words and "desirable" in options[0].words


# --- assignment ----------------------------------------------------------------------------


def _burst(n_requests=5, n_experts=40, seed=7, **kw):
    rng = random.Random(seed)
    areas = ["ceasefire", "constitution", "gender", "ddr"]
    experts = [
        expert(
            i,
            gender=rng.choice(["woman", "man"]),
            skills={a: rng.randint(1, 3) for a in rng.sample(areas, 2)},
            languages={"en": 6, **({"ar": 6} if rng.random() < 0.3 else {})},
            countries=frozenset(rng.sample(["SDN", "SOM", "LBY"], 1)),
        )
        for i in range(1, n_experts + 1)
    ]
    requests = [
        request(
            id=r,
            title=f"Request {r}",
            required={rng.choice(areas): 1},
            received=dt.datetime(2027, 2, 1, r),
            **kw,
        )
        for r in range(1, n_requests + 1)
    ]
    ranked = {r.id: matching.rank(experts, r) for r in requests}
    return requests, ranked


def test_the_pure_assignment_equals_the_milp_and_beats_or_equals_greedy():
    requests, ranked = _burst(languages={})
    assert assignment._pure(requests)
    pure = assignment.assign(requests, ranked)
    assert pure.method == "linear_sum_assignment"
    milp = assignment._explain(
        "milp",
        requests,
        {r.id: assignment._candidates(r, ranked[r.id], set()) for r in requests},
        assignment._solve_milp(
            requests, {r.id: assignment._candidates(r, ranked[r.id], set()) for r in requests}
        ),
    )
    assert pure.total_fit == pytest.approx(milp.total_fit)
    assert pure.total_fit >= assignment.greedy(requests, ranked).total_fit - 1e-9
    experts = [c.expert for c in pure.choices]
    assert len(experts) == len(set(experts)) == len(requests)


def test_the_optimum_is_the_best_of_every_possible_assignment_on_a_small_burst():
    requests, ranked = _burst(n_requests=3, n_experts=6, languages={})
    plan = assignment.assign(requests, ranked)
    usable = {r.id: {m.expert.id: m for m in ranked[r.id] if m.eligible} for r in requests}
    best = 0.0
    ids = sorted({e for u in usable.values() for e in u})
    for combo in itertools.permutations([*ids, None, None, None], len(requests)):
        if any(
            e is not None and e not in usable[r.id] for r, e in zip(requests, combo, strict=True)
        ):
            continue
        chosen = [e for e in combo if e is not None]
        if len(chosen) != len(set(chosen)):
            continue
        total = sum(
            assignment.FILL + usable[r.id][e].score - assignment.FAIR * usable[r.id][e].recent
            for r, e in zip(requests, combo, strict=True)
            if e is not None
        )
        best = max(best, total)
    got = sum(
        assignment.FILL + c.score - assignment.FAIR * usable[c.request][c.expert].recent
        for c in plan.choices
    )
    assert got == pytest.approx(best)


def test_an_expert_is_never_in_two_overlapping_requests_but_may_serve_two_in_turn():
    e = expert(1)
    first = request(id=1, title="First", languages={}, team_size=1)
    later = request(
        id=2,
        title="Later",
        languages={},
        start=D + dt.timedelta(days=40),
        end=D + dt.timedelta(days=50),
    )
    same_time = request(id=3, title="Same time", languages={})
    ranked = {r.id: matching.rank([e], r) for r in (first, later, same_time)}
    plan = assignment.assign([first, later, same_time], ranked)
    assert plan.method.startswith("milp")
    served = sorted(c.request for c in plan.choices)
    assert served in ([1, 2], [2, 3])
    assert plan.unfilled == {({1, 2, 3} - set(served)).pop(): 1}


def test_language_coverage_binds_and_is_explained():
    speaker = expert(1, skills={"ceasefire": 2}, languages={"ar": 6}, countries=frozenset())
    better = expert(2, skills={"ceasefire": 3}, languages={"en": 6})
    assert matching.match(better, request()).score > matching.match(speaker, request()).score
    r = request(languages={"ar": 5})
    plan = assignment.assign([r], {1: matching.rank([speaker, better], r)})
    assert [c.expert for c in plan.choices] == [1]
    assert plan.choices[0].constraint == "language"
    assert "Expert 2" in plan.choices[0].words
    greedy = assignment.greedy([r], {1: matching.rank([speaker, better], r)})
    assert [c.expert for c in greedy.choices] == [2]
    assert any("ar" in words for _r, words in greedy.gaps)


def test_a_team_of_two_gets_a_woman_and_a_man_when_it_can():
    men = [expert(i, gender="man") for i in (1, 2)]
    woman = expert(3, gender="woman", skills={"ceasefire": 2})
    r = request(team_size=2, languages={})
    plan = assignment.assign([r], {1: matching.rank([*men, woman], r)})
    assert sorted(c.expert for c in plan.choices) in ([1, 3], [2, 3])
    assert any(c.constraint == "gender" for c in plan.choices)


def test_a_waivable_red_is_assigned_only_once_waived():
    tied = expert(1, ties=(TieFact("advisory", GOV.id, GOV.name),))
    other = expert(2, skills={"ceasefire": 2})
    r = request(languages={})
    ranked = {1: matching.rank([tied, other], r)}
    assert [c.expert for c in assignment.assign([r], ranked).choices] == [2]
    assert [c.expert for c in assignment.assign([r], ranked, waived={(1, 1)}).choices] == [1]


# --- the clock -------------------------------------------------------------------------


T0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)


def test_the_clock_says_where_a_request_is_stuck_and_whether_the_promise_holds():
    reached = {"received": T0, "alert_sent": T0 + dt.timedelta(hours=2)}
    c = clock.clock(reached, T0 + dt.timedelta(hours=30))
    assert c.stuck_at == "responses" and not c.done and not c.late
    assert c.waiting == dt.timedelta(hours=28)
    assert c.steps[1].took == dt.timedelta(hours=2)
    assert "waiting 28 hours" in c.words()
    late = clock.clock(reached, T0 + dt.timedelta(hours=80))
    assert late.late and "broken" in late.words()
    arrived = dict(reached)
    for h, step in enumerate(clock.STEPS[2:], start=3):
        arrived[step] = T0 + dt.timedelta(hours=h * 7)
    done = clock.clock(arrived, T0 + dt.timedelta(days=9))
    assert done.done and done.elapsed == dt.timedelta(hours=63) and not done.late


def test_clock_steps_go_in_order_and_travel_may_be_skipped():
    reached = {"received": T0}
    assert clock.step_problem(reached, "responses", T0) != ""
    assert clock.step_problem(reached, "alert_sent", T0 - dt.timedelta(hours=1)) != ""
    assert clock.step_problem(reached, "alert_sent", T0 + dt.timedelta(hours=1)) == ""
    assert clock.step_problem(reached, "received", T0) != ""
    full = {s: T0 + dt.timedelta(hours=i) for i, s in enumerate(clock.STEPS[:7])}
    assert (
        clock.step_problem(full, "arrival", T0 + dt.timedelta(hours=9), skipped=("travel",)) == ""
    )
    assert clock.step_problem(full, "arrival", T0 + dt.timedelta(hours=9)) != ""


def test_fair_shares_count_every_deployment_with_a_day_in_the_year_before():
    day = D
    year_ago = D - dt.timedelta(days=365)
    long_live = Booking(D - dt.timedelta(days=400), D + dt.timedelta(days=30), "r", True, 7)
    ended_in_year = PastDeployment("x", 1, "x", year_ago + dt.timedelta(days=2), None, year_ago)
    ended_before = PastDeployment("x", 1, "x", year_ago - dt.timedelta(days=5))
    later = PastDeployment("x", 1, "x", D + dt.timedelta(days=40), None, D + dt.timedelta(days=9))
    leave = Booking(D - dt.timedelta(days=10), D, "leave")
    e = expert(past=(ended_in_year, ended_before, later), bookings=(long_live, leave))
    # the long deployment still running counts (its start is more than a year back), as
    # does the one that ended within the year; not the one over before it, not one that
    # begins after the day asked, not a leave
    assert matching.recent_deployments(e, day) == 2
