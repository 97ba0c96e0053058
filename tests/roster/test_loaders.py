"""The loaders' short cuts give what the plain way gives: screening reads only what it weighs,
and a plan reads every expert once for all its requests (bench/roster.py measures why)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.core.models import Country
from concord.roster import loaders, services
from concord.roster.analysis import screening
from concord.roster.models import Deployment, DeploymentState, ExpertRequest, Unavailability

from .conftest import TODAY, actor, area


def _as_json(matches):
    return [m.as_json() for m in matches]


def _past(roster):
    """Lars was deployed in the same process at the government's request (the other side);
    the armed group is based where every expert of the roster is a national."""
    roster.rebels.country = Country.objects.get(alpha3="NOR")
    roster.rebels.save()
    earlier = services.save_request(
        ExpertRequest(
            owner=roster.msu,
            title="Earlier round",
            requester=roster.gov,
            process="  ATLANTIS   talks ",
            start=TODAY - dt.timedelta(days=400),
            duration_days=20,
            received_at=timezone.now() - dt.timedelta(days=420),
        ),
        actor=actor(roster.editor),
        requirements=[{"area": area("security_arrangements"), "level": 1, "required": True}],
    )
    Deployment.objects.create(
        owner=roster.msu,
        request=earlier,
        expert=roster.experts["lars"],
        start=earlier.start,
        end=earlier.end,
        state=DeploymentState.ENDED,
        rating=4,
    )
    return earlier


def test_screening_reads_what_it_weighs_and_finds_what_the_whole_facts_give(roster):
    _past(roster)
    facts = loaders.request_facts(roster.request, roster.editor)
    grades = {}
    for name, expert in roster.experts.items():
        [whole] = loaders.expert_facts([expert], roster.editor)
        expected = screening.screen(whole, facts)
        assert loaders.screen(expert, roster.request, roster.editor) == expected, name
        grades[name] = expected.grade
    assert grades == {
        "amina": "orange",  # the nationality of where the armed group is based
        "lars": "waivable_red",  # deployed at the request of the other side
        "omar": "waivable_red",
        "jon": "red",
        "rosa": "orange",
    }
    # an outsider screens against names they may not read: still the same findings
    [whole] = loaders.expert_facts([roster.experts["jon"]], roster.outsider)
    outsider_facts = loaders.request_facts(roster.request, roster.outsider)
    assert loaders.screen(
        roster.experts["jon"], roster.request, roster.outsider
    ) == screening.screen(whole, outsider_facts)


def test_a_plan_ranks_each_request_as_ranking_it_alone_does(roster):
    """Two requests with different periods: an expert's unavailability and live deployment
    touch one period and not the other; each request's matches are those of its own
    ranking, bookings and fair shares included."""
    earlier = _past(roster)
    later = services.save_request(
        ExpertRequest(
            owner=roster.msu,
            title="Later adviser",
            requester=roster.requester,
            process="Atlantis talks",
            start=TODAY + dt.timedelta(days=60),
            duration_days=20,
            team_size=2,
            received_at=timezone.now(),
        ),
        actor=actor(roster.editor),
        requirements=[{"area": area("security_arrangements"), "level": 2, "required": True}],
        languages=[{"code": "en", "level": 5, "required": True}],
    )
    Unavailability.objects.create(
        expert=roster.experts["amina"],
        start=TODAY + dt.timedelta(days=55),
        end=TODAY + dt.timedelta(days=70),
    )
    Deployment.objects.create(
        owner=roster.msu,
        request=earlier,
        expert=roster.experts["omar"],
        start=TODAY + dt.timedelta(days=15),
        end=TODAY + dt.timedelta(days=25),
        state=DeploymentState.DEPLOYED,
    )
    requests = [roster.request, later]
    facts = [loaders.request_facts(r, roster.editor) for r in requests]
    together = loaders.ranked_together(requests, facts, roster.editor)
    for r, f in zip(requests, facts, strict=True):
        alone = loaders.rank(r, roster.editor, facts=f).matches
        assert _as_json(together[r.pk]) == _as_json(alone)
    by = {m.expert.name: m for m in together[later.pk]}
    assert "unavailable" in by["Amina Haddad"].parts[3].words  # 11 of her 20 days
    assert by["Omar Tahir"].parts[3].words == "free over the whole period"
    plans, _facts = loaders.team_plan(requests, roster.editor)
    plan = plans["optimal"]
    assert {c.request for c in plan.choices} == {roster.request.pk, later.pk}


def test_the_report_rows_carry_each_requests_required_needs(roster):
    """What the reports count: each request with its required expertise and languages, and
    whether the roster has a match; a deployment with its request's required areas."""
    drows, rrows, answers, shortlisted = loaders.report_rows(roster.editor)
    assert len(rrows) == 1 and drows == [] and answers == [] and shortlisted == []
    row = rrows[0]
    assert row.required_areas == ("security_arrangements",)
    assert row.required_languages == ("ar",)
    assert row.matched > 0 and not row.filled and not row.closed_unfilled
    assert "received" in row.steps
    assert loaders.report_rows(roster.outsider) == ([], [], [], [])
    assert loaders.report_rows(roster.editor, year=1999)[1] == []
