"""A request from received to arrival: ranking, screening, alerts through one-use links,
waivers (four eyes), the shortlist, nomination, consent, deployment (space access granted and
revoked), the end-of-assignment report in learning, and re-screening on a new tie."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concord.core import services as core
from concord.core.models import AuditEntry, Space, SpaceGrant
from concord.learning.models import Observation
from concord.roster import loaders, services, tasks
from concord.roster.models import (
    Candidate,
    CandidateState,
    ClockStep,
    Deployment,
    DeploymentState,
    ExpertiseArea,
    Grade,
    RequestState,
)

from ..conftest import make_user
from .conftest import TODAY, actor


def _send(roster):
    """Run the alert task as the worker would; the links from the e-mails."""
    ids = list(roster.request.candidates.filter(state="alerted").values_list("pk", flat=True))
    mail.outbox.clear()
    tasks.send_alerts.call(candidate_ids=ids)
    links = {}
    for m in mail.outbox:
        token = m.body.rsplit("/alerts/", 1)[1].split("/")[0]
        links[m.to[0]] = token
    return links


def test_ranking_explains_and_excludes(roster):
    ranking = loaders.rank(roster.request, roster.editor)
    by = {m.expert.name: m for m in ranking.matches}
    assert set(by) == {"Amina Haddad", "Lars Berg", "Omar Tahir", "Jon Smith"}
    assert ranking.lacking == 1  # Rosa: no ceasefire expertise
    assert by["Amina Haddad"].eligible and ranking.matches[0].expert.name == "Amina Haddad"
    assert by["Omar Tahir"].screening.grade == Grade.WAIVABLE  # advises the government
    assert not by["Jon Smith"].eligible  # employed by a party: non-waivable red
    assert "Atlantis Liberation Front" in by["Jon Smith"].excluded[0]
    # a sub-area counts for its area, one level down, and says so
    assert "counts as advanced" in by["Omar Tahir"].parts[0].words


def test_nobody_matching_says_what_to_relax(roster):
    services.save_request(
        roster.request,
        actor=actor(roster.editor),
        requirements=[
            {
                "area": ExpertiseArea.objects.get(code="elections"),
                "level": 3,
                "required": True,
            },
            {
                "area": ExpertiseArea.objects.get(code="gender_inclusion"),
                "level": 3,
                "required": True,
            },
        ],
    )
    ranking = loaders.rank(roster.request, roster.editor)
    assert not any(m.eligible for m in ranking.matches)
    assert ranking.relax and "Elections" in ranking.relax[0].words
    assert ranking.relax[0].would_match == 1  # Rosa, once elections are only desirable


def test_an_outsider_ranks_nobody(roster):
    ranking = loaders.rank(roster.request, roster.outsider)
    assert ranking.matches == [] and ranking.roster == 0


def test_the_whole_way_to_arrival_and_back(roster, settings):
    settings.CONCORD_SITE_URL = "https://concord.example.org"
    space = Space.objects.create(name="Atlantis talks")
    expert_user = make_user("amina", roster.msu)  # a viewer of the roster keeper
    amina = roster.experts["amina"]
    amina.user = expert_user
    services.save_expert(amina, actor=actor(roster.editor))
    roster.request.space = space
    services.save_request(roster.request, actor=actor(roster.editor))

    made = services.alert(roster.request, actor=actor(roster.editor))
    states = {c.expert.person.name: c.state for c in made}
    assert states == {
        "Amina Haddad": CandidateState.ALERTED,
        "Lars Berg": CandidateState.ALERTED,
        "Omar Tahir": CandidateState.HELD,  # waivable red: held for a waiver
    }
    assert "Jon Smith" not in states
    links = _send(roster)
    assert set(links) == {"amina@example.org", "lars@example.org"}
    body = mail.outbox[0].body
    assert "Atlantis" not in body and "Government" not in body  # the alert tells no process
    # a waiver: not by whoever proposed, not by an editor, and in writing
    omar = Candidate.objects.get(expert=roster.experts["omar"])
    with pytest.raises(PermissionDenied):
        services.waive(omar, "Fine.", actor=actor(roster.editor))
    omar.proposed_by = roster.manager
    omar.save()
    with pytest.raises(ValidationError, match="four eyes"):
        services.waive(omar, "Fine.", actor=actor(roster.manager))
    with pytest.raises(ValidationError, match="Write the waiver"):
        services.waive(omar, " ", actor=actor(roster.manager2))
    services.waive(
        omar, "Advice ended in substance; disclosed to the envoy.", actor=actor(roster.manager2)
    )
    omar.refresh_from_db()
    assert omar.state == CandidateState.ALERTED and omar.waived_by == roster.manager2
    assert AuditEntry.objects.filter(model="roster.candidate", object_id=str(omar.pk)).exists()

    # answers through the links: once each
    services.answer(links["amina@example.org"], available=True)
    with pytest.raises(ValidationError, match="already used"):
        services.answer(links["amina@example.org"], available=False)
    services.answer(links["lars@example.org"], available=True)
    tampered = links["lars@example.org"][:-2] + "xx"
    with pytest.raises(ValidationError, match="not valid"):
        services.answer(tampered, available=True)

    result = services.make_shortlist(roster.request, actor=actor(roster.editor))
    assert [m.expert.name for m in result.chosen][0] == "Amina Haddad"
    amina_c = Candidate.objects.get(request=roster.request, expert=amina)
    assert amina_c.state == CandidateState.SHORTLISTED

    deployment = services.nominate(amina_c, actor=actor(roster.editor))
    assert deployment.candidate == amina_c and deployment.state == DeploymentState.PROPOSED
    services.consent(deployment, actor=actor(roster.editor))
    services.record_step(roster.request, "contracting", actor=actor(roster.editor))
    services.record_step(roster.request, "travel", actor=actor(roster.editor))
    deployment.refresh_from_db()
    deployment.start = TODAY  # they went early
    core.save(deployment, actor=actor(roster.editor))
    services.deploy(deployment, actor=actor(roster.editor))
    steps = set(ClockStep.objects.filter(request=roster.request).values_list("step", flat=True))
    assert steps == {
        "received",
        "alert_sent",
        "responses",
        "shortlist",
        "nomination",
        "consent",
        "contracting",
        "travel",
        "arrival",
    }
    clock = loaders.clock_of(roster.request)
    assert clock.done and not clock.late
    roster.request.refresh_from_db()
    assert roster.request.state == RequestState.FILLED
    expert_user.forget_principal()
    assert space.pk in expert_user.principal().space_ids
    grant = SpaceGrant.objects.get(user=expert_user)
    assert grant.ends_at.date() == deployment.end + dt.timedelta(days=1)

    # ending: the report becomes an observation, the appraisal is kept, access ends
    with pytest.raises(ValidationError, match="report"):
        services.end(deployment, actor=actor(roster.editor), report=" ")
    services.end(
        deployment,
        actor=actor(roster.editor),
        report="The monitoring mechanism was agreed.",
        rating=5,
        appraisal="Trusted by both delegations.",
    )
    deployment.refresh_from_db()
    assert deployment.state == DeploymentState.ENDED and deployment.rating == 5
    obs = Observation.objects.get(pk=deployment.observation_id)
    assert obs.source_kind == "end_of_assignment" and "monitoring mechanism" in obs.what_happened
    assert list(obs.countries.values_list("alpha3", flat=True)) == ["SDN"]
    assert not SpaceGrant.objects.filter(user=expert_user).exists()
    expert_user.forget_principal()
    assert space.pk not in expert_user.principal().space_ids
    # the appraisal counts in later matching
    [facts] = loaders.expert_facts([amina], roster.editor)
    assert facts.ratings == [5]


def test_a_double_booking_is_refused_saying_which(roster):
    amina = roster.experts["amina"]
    first = core.save(
        Deployment(
            owner=roster.msu,
            request=roster.request,
            expert=amina,
            assignment="Ceasefire adviser",
            start=TODAY + dt.timedelta(days=10),
            end=TODAY + dt.timedelta(days=20),
        ),
        actor=actor(roster.editor),
        m2m={"named_users": [roster.editor]},
    )
    with pytest.raises(ValidationError) as e:
        core.save(
            Deployment(
                owner=roster.msu,
                request=roster.request,
                expert=amina,
                assignment="Ceasefire adviser",
                start=TODAY + dt.timedelta(days=15),
                end=TODAY + dt.timedelta(days=25),
            ),
            actor=actor(roster.editor),
            m2m={"named_users": [roster.editor]},
        )
    assert f"deployment {first.pk}" in str(e.value) and "overlap" in str(e.value)
    assert Deployment.objects.count() == 1


def test_a_new_tie_rescreens_open_candidacies(roster):
    services.alert(roster.request, actor=actor(roster.editor))
    lars = roster.experts["lars"]
    c = Candidate.objects.get(expert=lars)
    assert c.grade == Grade.GREEN and c.state == CandidateState.ALERTED
    services.save_expert(
        lars,
        actor=actor(roster.editor),
        ties=[{"kind": "advisory", "organisation": roster.rebels, "start": TODAY}],
    )
    c.refresh_from_db()
    assert c.grade == Grade.WAIVABLE and c.state == CandidateState.HELD
    assert "Atlantis Liberation Front" in c.findings[0]["reason"]


def test_an_expired_link_says_so(roster):
    from unittest import mock

    services.alert(roster.request, actor=actor(roster.editor))
    c = Candidate.objects.filter(state="alerted").first()
    token = services.alert_token(c)
    later = timezone.now() + dt.timedelta(days=services.ALERT_DAYS + 1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        with pytest.raises(ValidationError, match="expired"):
            services.answer(token, available=True)
    c.refresh_from_db()
    assert c.state == CandidateState.ALERTED and c.alert_key
    # a new link replaces the old one
    fresh = services.alert_token(c)
    with pytest.raises(ValidationError, match="already used, or replaced"):
        services.answer(token, available=True)
    services.answer(fresh, available=False)
    c.refresh_from_db()
    assert c.state == CandidateState.NOT_AVAILABLE and not c.alert_key


def test_closing_stops_the_clock_and_waits_for_live_deployments(roster):
    c = None
    services.alert(roster.request, actor=actor(roster.editor))
    c = Candidate.objects.get(expert=roster.experts["amina"])
    services.answer(services.alert_token(c), available=True)
    d = services.nominate(Candidate.objects.get(pk=c.pk), actor=actor(roster.editor))
    with pytest.raises(ValidationError, match=f"Deployment {d.pk} still books"):
        services.close_request(
            roster.request, "closed", "No longer needed.", actor=actor(roster.editor)
        )
    services.cancel(d, "The envoy postponed the talks.", actor=actor(roster.editor))
    services.close_request(
        roster.request, "closed", "No longer needed.", actor=actor(roster.editor)
    )
    roster.request.refresh_from_db()
    clock = loaders.clock_of(roster.request)
    assert clock.stopped and clock.words().startswith("Closed after")
    later = loaders.clock_of(roster.request, now=timezone.now() + dt.timedelta(days=30))
    assert later.elapsed == clock.elapsed  # it no longer runs
    with pytest.raises(ValidationError, match="Only an open request"):
        services.close_request(roster.request, "cancelled", "Again.", actor=actor(roster.editor))
    assert Candidate.objects.get(pk=c.pk).state == CandidateState.STOOD_DOWN


def test_a_deployment_made_by_hand_is_screened(roster):
    with pytest.raises(ValidationError, match="conflict of interest stands in the way"):
        core.save(
            Deployment(
                owner=roster.msu,
                request=roster.request,
                expert=roster.experts["jon"],  # employed by a party
                assignment="Adviser",
                start=TODAY,
                end=TODAY,
            ),
            actor=actor(roster.editor),
            m2m={"named_users": [roster.editor]},
        )
    assert not Deployment.objects.exists()


def test_a_request_needs_one_required_expertise(roster):
    with pytest.raises(ValidationError, match="at least one required expertise"):
        services.save_request(
            roster.request,
            actor=actor(roster.editor),
            requirements=[
                {
                    "area": ExpertiseArea.objects.get(code="ddr"),
                    "level": 2,
                    "required": False,
                }
            ],
        )


def test_new_parties_rescreen_who_waits(roster):
    services.alert(roster.request, actor=actor(roster.editor))
    omar = Candidate.objects.get(expert=roster.experts["omar"])
    assert omar.state == CandidateState.HELD  # advises the government, a party
    services.save_request(
        roster.request, actor=actor(roster.editor), m2m={"parties": [roster.rebels]}
    )
    omar.refresh_from_db()
    assert omar.grade == Grade.GREEN and omar.state == CandidateState.ALERTED
    lars = Candidate.objects.get(expert=roster.experts["lars"])
    services.save_expert(
        roster.experts["lars"],
        actor=actor(roster.editor),
        ties=[{"kind": "family", "organisation": roster.rebels, "start": None, "end": None}],
    )
    lars.refresh_from_db()
    assert lars.grade == Grade.WAIVABLE and lars.state == CandidateState.HELD


def test_saving_the_request_form_unchanged_keeps_its_clock(roster, client):
    """The form shows whole seconds: a request received at a fraction of a second (the
    fixture's `now - 5 hours`) is kept in whole seconds, and saving its form unchanged moves
    neither its receipt nor its clock (a bug: each save moved both by the fraction)."""
    from tests.test_round_trip import form_data

    r = roster.request
    r.refresh_from_db()
    assert r.received_at.microsecond == 0
    received = ClockStep.objects.get(request=r, step="received").at
    assert received == r.received_at
    client.force_login(roster.editor)
    url = f"/expert-requests/{r.pk}/edit/"
    page = client.get(url)
    assert client.post(url, form_data(page.content.decode())).status_code == 302
    r.refresh_from_db()
    assert r.received_at == received
    assert ClockStep.objects.get(request=r, step="received").at == received
