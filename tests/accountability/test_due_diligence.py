"""Human-rights due diligence and conditional funding: the pure rules, the services that
enforce them (whatever the interface), a case's whole life down to the tranche it holds,
sensitive sources, four eyes, pages, API and CLI, and a property-based test that no
sequence of events lets a tranche be released while a blocking condition holds."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concord.accountability.access.shown import decision_texts
from concord.accountability.analysis import cases as R
from concord.accountability.analysis import funding as F
from concord.accountability.loaders import evaluate_tranches
from concord.accountability.models import (
    Allegation,
    CaseDecision,
    Commitment,
    Condition,
    Intercession,
    MitigatingMeasure,
    Report,
    ReportingObligation,
    RiskAssessment,
    SecurityUnit,
    SupportCase,
    Tranche,
    TrancheDecision,
)
from concord.accountability.services import cases as case_services
from concord.accountability.services import funding as funding_services
from concord.accountability.services import reporting as reporting_services
from concord.core import services
from concord.core.context import Actor
from concord.core.models import AuditEntry, Classification, Releasability, Role
from concord.operations.models import Operation

from ..conftest import country, make_org, make_user
from ..test_access_matrix import body_text

d = dt.date
TODAY = timezone.localdate


# --- pure: the case rules ----------------------------------------------------------------------


def test_a_decision_needs_a_rationale_and_an_allowed_step():
    a = [R.Assessment(1, "approved", d(2026, 1, 1), d(2026, 12, 31))]
    assert "rationale" in R.transition_problem("approved", "active", d(2026, 2, 1), a, "  ")
    assert "cannot go from proposed to active" in R.transition_problem(
        "proposed", "active", d(2026, 2, 1), a, "why"
    )
    assert R.transition_problem("approved", "active", d(2026, 2, 1), a, "why") is None
    assert "closed" in R.transition_problem("withdrawn", "active", d(2026, 2, 1), a, "why")


def test_no_support_becomes_active_without_an_in_date_approving_assessment():
    approved = R.Assessment(1, "approved", d(2026, 1, 1), d(2026, 3, 31))
    assert "none" in R.transition_problem("approved", "active", d(2026, 2, 1), [], "go")
    # Expired the day before: refused; on its last day: allowed.
    assert "expired" in R.transition_problem("approved", "active", d(2026, 4, 1), [approved], "go")
    assert R.transition_problem("approved", "active", d(2026, 3, 31), [approved], "go") is None
    # A newer version that denies supersedes the approval, even if the approval is in date.
    denial = R.Assessment(2, "denied", d(2026, 2, 1), d(2026, 12, 31))
    assert "denied" in R.transition_problem(
        "suspended", "resumed", d(2026, 2, 15), [approved, denial], "go"
    )
    # The decision must match the assessment's.
    assert "decided approved" in R.transition_problem(
        "assessed", "denied", d(2026, 2, 1), [approved], "no"
    )


def test_units_concerned_follow_the_chain_of_command_and_the_lineage():
    parent_of = {1: None, 2: 1, 3: 2, 4: None, 5: None}
    successor_of = {1: None, 2: None, 3: None, 4: 3, 5: None}  # 4 was renamed into 3
    assert R.units_concerned(3, parent_of, successor_of) == {1, 2, 3, 4}
    assert R.units_concerned(1, parent_of, successor_of) == {1}
    assert 5 not in R.units_concerned(3, parent_of, successor_of)


def test_the_register_flags_reviews_suspensions_expiries_and_late_measures():
    today = d(2026, 6, 1)
    case = R.Case(
        1, 3, "intercession", (R.Assessment(1, "approved", d(2025, 1, 1), d(2026, 1, 1)),)
    )
    quiet = R.Case(2, 9, "active", (R.Assessment(1, "approved", d(2026, 1, 1), d(2027, 1, 1)),))
    reg = R.register(
        [case, quiet],
        [R.Allegation(7, 1, "credible", "torture", d(2026, 5, 1))],  # against the parent force
        [R.Intercession(4, 1, d(2026, 4, 1), d(2026, 5, 1))],
        [R.Measure(5, 1, d(2026, 5, 20)), R.Measure(6, 2, d(2026, 5, 20), d(2026, 5, 19))],
        {1: None, 3: 1, 9: None},
        {1: None, 3: None, 9: None},
        today,
    )
    kinds = sorted(f.kind for f in reg.of(1))
    assert kinds == ["expired", "measure", "review", "suspend"]
    assert "grave" in next(f.text for f in reg.of(1) if f.kind == "review")
    assert reg.of(2) == []
    # A newer version that denies, while support flows, is flagged too.
    denied = R.Case(3, 9, "active", quiet.assessments + (R.Assessment(2, "denied", today, today),))
    flags = R.register([denied], [], [], [], {9: None}, {9: None}, today).of(3)
    assert [f.kind for f in flags] == ["expired"] and "decided denied" in flags[0].text


# --- pure: the funding rules -------------------------------------------------------------------


JAN, MAR31, APR5 = d(2026, 1, 1), d(2026, 3, 31), d(2026, 4, 5)


def _report(pk, status, start=JAN, end=MAR31, submitted=APR5):
    return F.FiledReport(pk, f"r{pk}", frozenset({10}), start, end, submitted, status)


def test_each_condition_kind_says_what_decides_it():
    on = d(2026, 5, 1)
    rec = F.Recipient()
    need = F.Condition(1, "report_accepted", 10, d(2026, 1, 1), d(2026, 3, 31))
    assert not F.judge(need, on, rec, {}).met
    returned = F.judge(need, on, rec, {10: [_report(1, "returned")]})
    assert not returned.met and "returned" in returned.evidence
    partial = {10: [_report(2, "accepted", start=d(2026, 2, 1))]}  # does not cover January
    assert not F.judge(need, on, rec, partial).met
    ok = F.judge(need, on, rec, {10: [_report(1, "returned"), _report(3, "accepted")]})
    assert ok.met and ok.records == (("report", 3),)
    future = {10: [_report(4, "accepted", submitted=d(2026, 6, 1))]}  # not yet on 1 May
    assert not F.judge(need, on, rec, future).met

    rec = F.Recipient(
        cases=[F.CaseState(1, "c1", "suspended"), F.CaseState(2, "c2", "active")],
        allegations=[
            R.Allegation(5, 1, "credible", "torture", d(2026, 3, 1)),
            R.Allegation(6, 1, "credible", "looting", d(2026, 1, 1)),  # not grave
            R.Allegation(7, 1, "low", "torture", d(2026, 1, 1)),  # not credible
        ],
        measures=[R.Measure(8, 1, d(2026, 4, 1)), R.Measure(9, 1, d(2026, 4, 1), d(2026, 4, 2))],
    )
    assert "c1" in F.judge(F.Condition(2, "no_case_suspended"), on, rec, {}).evidence
    assert not F.judge(F.Condition(3, "no_grave_allegation", days=30), on, rec, {}).met
    assert F.judge(F.Condition(3, "no_grave_allegation", days=61), on, rec, {}).met
    late = F.judge(F.Condition(4, "measures_on_time"), on, rec, {})
    assert not late.met and late.records == (("measure", 8),)
    custom = F.Condition(5, "custom", evidence_needed="audit letter")
    assert not F.judge(custom, on, rec, {}).met
    done = F.Condition(5, "custom", evidence_needed="audit", satisfied_on=on, evidence="letter")
    assert F.judge(done, on, rec, {}).met


def test_a_tranche_is_held_by_any_unmet_condition_unless_it_is_waived():
    rec = F.Recipient(cases=[F.CaseState(1, "c1", "suspended")])
    held = F.evaluate(1, [F.Condition(1, "no_case_suspended")], d(2026, 1, 1), rec, {})
    assert held.status == "held" and len(held.unmet) == 1
    waived = F.evaluate(
        1, [F.Condition(1, "no_case_suspended", waived=True)], d(2026, 1, 1), rec, {}
    )
    assert waived.status == "releasable" and waived.verdicts[0].waived
    assert F.release_problem(held, 1, 2) == "held"
    assert "Four eyes" in F.release_problem(waived, 1, 1)
    assert F.release_problem(waived, 1, 2) is None
    released = F.evaluate(1, [], d(2026, 1, 1), rec, {}, released=True)
    assert "twice" in F.release_problem(released, 1, 2)


def test_totals_keep_currencies_apart_and_exact():
    sums = F.totals(
        [
            ("EU", "EUR", Decimal("0.10"), "committed"),
            ("EU", "EUR", Decimal("0.20"), "held"),
            ("EU", "USD", Decimal("5"), "released"),
        ]
    )
    assert sums[("EU", "EUR")].committed == Decimal("0.10")
    assert sums[("EU", "EUR")].held == Decimal("0.20")
    assert sums[("EU", "USD")].released == Decimal("5")
    assert ("EU", "EUR") in sums and len(sums) == 2


# --- a small world -----------------------------------------------------------------------------


@pytest.fixture
def hr(db):
    """A mission (owner of cases), a donor, an editor and a manager at each, and a unit tree.
    The commitment is the donor's (its people decide on the money), shared with the mission."""
    from types import SimpleNamespace

    w = SimpleNamespace()
    sys = Actor.system("test")
    w.un = make_org("UNM")
    w.eu = make_org("EUD")
    w.editor = make_user("hr.editor", w.un, Role.EDITOR, Classification.STRICTLY_CONFIDENTIAL)
    w.manager = make_user("hr.manager", w.un, Role.MANAGER, Classification.STRICTLY_CONFIDENTIAL)
    w.viewer = make_user("hr.viewer", w.un, Role.VIEWER, Classification.CONFIDENTIAL)
    w.outsider = make_user("eu.someone", w.eu, Role.EDITOR, Classification.CONFIDENTIAL)
    w.donor_manager = make_user("eu.manager", w.eu, Role.MANAGER, Classification.CONFIDENTIAL)
    w.stranger = make_user("xyz.editor", make_org("XYZ"), Role.EDITOR, Classification.CONFIDENTIAL)
    w.ed, w.mg = Actor(user=w.editor, interface="web"), Actor(user=w.manager, interface="web")
    w.ded = Actor(user=w.outsider, interface="web")  # the donor's editor and manager
    w.dmg = Actor(user=w.donor_manager, interface="web")
    mli = country()
    w.common = {
        "owner": w.un,
        "classification": Classification.CONFIDENTIAL,
        "releasability": Releasability.OWNER,
    }
    w.op = services.save(
        Operation(
            name="Mission (test)",
            kind="peacekeeping",
            framework="un",
            framework_organisation=w.un,
            start=d(2020, 1, 1),
            **w.common,
        ),
        actor=sys,
        m2m={"host_countries": [mli]},
    )
    w.force = services.save(SecurityUnit(name="Force", country=mli, **w.common), actor=sys)
    w.old = services.save(SecurityUnit(name="Old battalion", country=mli, **w.common), actor=sys)
    w.unit = services.save(
        SecurityUnit(name="Battalion", country=mli, parent=w.force, **w.common), actor=sys
    )
    w.old.successor = w.unit
    services.save(w.old, actor=sys)
    w.other = services.save(SecurityUnit(name="Elsewhere", country=mli, **w.common), actor=sys)
    w.case = services.save(
        SupportCase(
            title="Rations for the battalion",
            operation=w.op,
            provider=w.un,
            unit=w.unit,
            kind="logistics",
            **w.common,
        ),
        actor=w.ed,
    )
    w.obligation = services.save(
        ReportingObligation(
            reporter_operation=w.op,
            body="donors",
            subject="Compliance report",
            to_organisation=w.eu,
            every_days=90,
            first_due=d(2026, 1, 1),
            owner=w.un,
            classification=Classification.CONFIDENTIAL,
            releasability=Releasability.ORGANISATIONS,
        ),
        actor=w.ed,
        m2m={"shared_organisations": [w.eu]},
    )
    w.money = {
        "owner": w.eu,
        "classification": Classification.CONFIDENTIAL,
        "releasability": Releasability.ORGANISATIONS,
    }
    w.shared = {"shared_organisations": [w.un]}
    w.commitment = services.save(
        Commitment(
            donor=w.eu,
            recipient_operation=w.op,
            amount=Decimal("300000.00"),
            currency="EUR",
            purpose="Support",
            **w.money,
        ),
        actor=w.ded,
        m2m=w.shared,
    )
    w.tranche = services.save(
        Tranche(
            commitment=w.commitment,
            label="T2",
            amount=Decimal("100000.00"),
            planned=TODAY(),
            **w.money,
        ),
        actor=w.ded,
        m2m=w.shared,
    )
    return w


def file_report(w, title, status, submitted=None):
    """The mission files a report (shared with the donor it is owed to); the donor's editor
    reviews it (services.reporting: a report is never accepted by whoever owes it)."""
    report = services.save(
        Report(
            title=title,
            period_start=d(2026, 1, 1),
            period_end=d(2026, 3, 31),
            submitted=submitted or d(2026, 4, 1),
            owner=w.un,
            classification=Classification.CONFIDENTIAL,
            releasability=Releasability.ORGANISATIONS,
        ),
        actor=w.ed,
        m2m={"obligations": [w.obligation], "shared_organisations": [w.eu]},
    )
    if status != "submitted":
        reporting_services.review(report, status, "reviewed", actor=w.ded)
    return report


def assess(w, decision="approved", on=None, days=180, actor=None):
    on = on or TODAY() - dt.timedelta(days=30)
    return services.save(
        RiskAssessment(
            case=w.case,
            recipient_record="record",
            rating="medium",
            decision=decision,
            rationale=f"{decision} after review",
            assessed_on=on,
            expires_on=on + dt.timedelta(days=days),
            **w.common,
        ),
        actor=actor or w.ed,
    )


def allege(w, unit=None, confidence="credible", violation="torture", days_ago=0, **kw):
    return services.save(
        Allegation(
            unit=unit or w.unit,
            violation=violation,
            confidence=confidence,
            summary="claim",
            source="Witness Amadou at the market",
            recorded=TODAY() - dt.timedelta(days=days_ago),
            **w.common,
            **kw,
        ),
        actor=w.ed,
    )


def state(w) -> str:
    return SupportCase.objects.get(pk=w.case.pk).state


# --- services: the rules hold whatever the interface ------------------------------------------


def test_assessments_are_numbered_versions_never_rewritten_and_move_the_case(hr):
    a1 = assess(hr)
    assert (a1.version, state(hr)) == (1, "assessed")
    assert CaseDecision.objects.get(case=hr.case).automatic
    a2 = assess(hr, "denied")
    assert a2.version == 2 and state(hr) == "assessed"
    a1.corrective_steps = "typo fixed"  # descriptive text may be corrected
    services.save(a1, actor=hr.ed)
    a1.decision = "denied"
    with pytest.raises(ValidationError, match="never rewritten"):
        services.save(a1, actor=hr.ed)
    assert RiskAssessment.objects.get(pk=a1.pk).decision == "approved"


def test_support_cannot_start_without_an_in_date_assessment_even_through_the_api(hr):
    with pytest.raises(ValidationError, match="cannot go from proposed to active"):
        case_services.decide(hr.case, "active", "go", actor=hr.ed)
    assess(hr, on=TODAY() - dt.timedelta(days=200), days=100)  # expired 100 days ago
    case_services.decide(
        hr.case, "approved", "ok", actor=hr.ed, on=TODAY() - dt.timedelta(days=150)
    )
    with pytest.raises(ValidationError, match="expired"):
        case_services.decide(hr.case, "active", "go", actor=hr.ed)
    client = Client()
    client.force_login(hr.editor)
    r = client.post(
        f"/api/v1/accountability/support-cases/{hr.case.pk}/decide/",
        {"to_state": "active", "rationale": "go"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "expired" in r.json()["error"]["fields"]["to_state"][0]
    r = client.post(
        f"/api/v1/accountability/support-cases/{hr.case.pk}/decide/",
        {"to_state": "active"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "rationale" in r.json()["error"]["fields"]
    # The state cannot be written around the rules: the API ignores it, the form has no field.
    r = client.patch(
        f"/api/v1/accountability/support-cases/{hr.case.pk}/",
        {"state": "active"},
        content_type="application/json",
    )
    assert r.status_code == 200 and state(hr) == "approved"
    assert "state" not in client.get(f"/support-cases/{hr.case.pk}/edit/").content.decode()


def _activate(w):
    assess(w)
    case_services.decide(w.case, "approved", "as assessed", actor=w.ed)
    case_services.decide(w.case, "active", "start", actor=w.ed)


def test_a_cases_steps_are_dated_in_order(hr):
    """A decision is never dated before the case's last step; a review opened by an
    allegation recorded earlier is dated on the last step, not before it."""
    assess(hr, on=TODAY() - dt.timedelta(days=30))
    case_services.decide(
        hr.case, "approved", "as assessed", actor=hr.ed, on=TODAY() - dt.timedelta(days=20)
    )
    with pytest.raises(ValidationError) as e:
        case_services.decide(
            hr.case, "active", "start", actor=hr.ed, on=TODAY() - dt.timedelta(days=25)
        )
    assert "before the case's last step" in e.value.message_dict["on"][0]
    case_services.decide(
        hr.case, "active", "start", actor=hr.ed, on=TODAY() - dt.timedelta(days=10)
    )
    allege(hr, days_ago=15)  # recorded (backdated) before the support started
    review = CaseDecision.objects.filter(case=hr.case).latest("pk")
    assert (review.to_state, review.on) == ("under_review", TODAY() - dt.timedelta(days=10))
    allege(hr, unit=hr.force, days_ago=3)  # no new step (already under review)
    steps = list(CaseDecision.objects.filter(case=hr.case).order_by("pk"))
    assert [s.on for s in steps] == sorted(s.on for s in steps)


def test_a_credible_allegation_against_the_unit_or_its_force_or_former_name_opens_a_review(hr):
    _activate(hr)
    allege(hr, unit=hr.other)  # another unit: nothing happens
    allege(hr, confidence="low")  # not credible: nothing happens
    assert state(hr) == "active"
    upgrade = Allegation.objects.filter(confidence="low").first()
    upgrade.confidence = "credible"  # upgraded later: the review opens then
    services.save(upgrade, actor=hr.ed)
    assert state(hr) == "under_review"
    last = CaseDecision.objects.filter(case=hr.case).latest("at")
    assert last.automatic and last.grounds == [["allegation", upgrade.pk, "unit"]]
    (why,) = decision_texts([last], hr.ed.user)  # worded for a reader who sees the allegation
    assert f"#{upgrade.pk}" in why and "against the supported unit" in why
    # Resumed, then an allegation against the force it belongs to opens a review again …
    case_services.decide(hr.case, "resumed", "cleared", actor=hr.ed)
    allege(hr, unit=hr.force)
    assert state(hr) == "under_review"
    case_services.decide(hr.case, "resumed", "cleared again", actor=hr.ed)
    # … and so does one against the name the battalion had before it was renamed.
    allege(hr, unit=hr.old)
    assert state(hr) == "under_review"
    # Correcting the text of an open allegation does not reopen a review.
    case_services.decide(hr.case, "resumed", "cleared a third time", actor=hr.ed)
    a = Allegation.objects.filter(unit=hr.old).get()
    a.summary = "claim, corrected"
    services.save(a, actor=hr.ed)
    assert state(hr) == "resumed"


def test_an_allegation_recorded_by_someone_who_cannot_edit_the_case_still_opens_its_review(hr):
    _activate(hr)
    monitor_org = make_org("OHC")
    monitor = make_user("monitor", monitor_org, Role.EDITOR, Classification.CONFIDENTIAL)
    services.save(
        Allegation(
            unit=hr.unit,
            violation="unlawful_killing",
            confidence="confirmed",
            summary="claim",
            recorded=TODAY(),
            owner=monitor_org,
        ),
        actor=Actor(user=monitor, interface="api"),
    )
    assert state(hr) == "under_review"
    entry = AuditEntry.objects.filter(model="accountability.supportcase").latest("seq")
    assert entry.actor_label == "system:hrddp"


# --- sensitive sources -------------------------------------------------------------------------


def test_allegation_sources_are_encrypted_at_rest_and_never_in_the_audit_trail(hr):
    a = allege(hr)
    with connection.cursor() as cur:
        cur.execute("SELECT source FROM accountability_allegation WHERE id = %s", [a.pk])
        stored = cur.fetchone()[0]
    assert stored.startswith("enc:") and "Amadou" not in stored
    assert Allegation.objects.get(pk=a.pk).source == "Witness Amadou at the market"
    trail = json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert "Amadou" not in trail and "(sensitive value-" in trail


def test_sources_are_shown_to_editors_and_pseudonymised_for_viewers_and_in_exports(hr):
    a = allege(hr)
    editor, viewer = Client(), Client()
    editor.force_login(hr.editor)
    viewer.force_login(hr.viewer)
    assert "Amadou" in editor.get(f"/allegations/{a.pk}/").content.decode()
    page = viewer.get(f"/allegations/{a.pk}/").content.decode()
    assert "Amadou" not in page and "source-" in page
    assert (
        editor.get(f"/api/v1/accountability/allegations/{a.pk}/")
        .json()["source"]
        .startswith("Witness")
    )
    assert (
        viewer.get(f"/api/v1/accountability/allegations/{a.pk}/")
        .json()["source"]
        .startswith("source-")
    )
    for fmt in ("csv", "json", "xlsx"):
        body = body_text(editor.get(f"/allegations/?export={fmt}"))
        assert "Amadou" not in body and "source-" in body, fmt
    _activate(hr)
    csv = editor.get(f"/operations/{hr.op.pk}/due-diligence/?export=csv").content.decode()
    assert "Amadou" not in csv and "source-" in csv


# --- four eyes, once only ----------------------------------------------------------------------


def test_a_release_needs_a_second_person_and_happens_once(hr):
    d1 = funding_services.propose(hr.tranche, "release", "ready", actor=hr.ded)
    with pytest.raises(ValidationError, match="Four eyes"):
        funding_services.decide(d1, True, "self-approve", actor=hr.ded)
    with pytest.raises(ValidationError, match="already proposed"):
        funding_services.propose(hr.tranche, "release", "again", actor=hr.dmg)
    with pytest.raises(PermissionDenied):
        funding_services.propose(
            hr.tranche, "release", "x", actor=Actor(user=hr.viewer, interface="web")
        )
    funding_services.decide(d1, True, "checked", actor=hr.dmg)
    assert evaluate_tranches(Tranche.objects.filter(pk=hr.tranche.pk))[hr.tranche.pk].status == (
        "released"
    )
    with pytest.raises(ValidationError, match="twice"):
        funding_services.propose(hr.tranche, "release", "once more", actor=hr.dmg)
    # Even written around the services, the database refuses a second release and self-approval.
    with pytest.raises(IntegrityError), transaction.atomic():
        TrancheDecision.objects.create(
            tranche=hr.tranche,
            kind="release",
            rationale="sneaky",
            status="approved",
            proposed_by=hr.editor,
            proposed_at=timezone.now(),
            decided_by=hr.manager,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        TrancheDecision.objects.create(
            tranche=hr.tranche,
            kind="waiver",
            rationale="self",
            status="approved",
            proposed_by=hr.editor,
            proposed_at=timezone.now(),
            decided_by=hr.editor,
        )
    audit = AuditEntry.objects.filter(model="accountability.tranchedecision")
    assert audit.count() == 2
    assert {e.actor_id for e in audit} == {hr.outsider.pk, hr.donor_manager.pk}


# --- segregation of duties across organisations ------------------------------------------------


def test_the_recipient_cannot_move_the_donors_money(hr):
    """Releases, waivers and conditions are the donor's people's, whoever owns the records;
    the recipient (the organisation running the funded mission) sees, and cannot move."""
    with pytest.raises(PermissionDenied, match="You work for the recipient"):
        funding_services.propose(hr.tranche, "release", "we need it", actor=hr.ed)
    with pytest.raises(PermissionDenied, match="You work for the recipient"):
        services.save(
            Condition(tranche=hr.tranche, kind="no_case_suspended", **hr.common), actor=hr.ed
        )
    # A condition the recipient owns (recorded before the rule) stays out of its hands.
    legacy = services.save(
        Condition(tranche=hr.tranche, kind="custom", evidence_needed="audit", **hr.common),
        actor=Actor.system("test"),
    )
    legacy.satisfied_on, legacy.evidence = TODAY(), "we say so"
    with pytest.raises(PermissionDenied, match="You work for the recipient"):
        services.save(legacy, actor=hr.ed)
    with pytest.raises(PermissionDenied, match="You work for the recipient"):
        services.delete(legacy, actor=hr.mg)
    assert Condition.objects.get(pk=legacy.pk).satisfied_on is None
    # Through the API too, with the reason.
    client = Client()
    client.force_login(hr.editor)
    r = client.post(
        f"/api/v1/accountability/tranches/{hr.tranche.pk}/propose/",
        {"kind": "release", "rationale": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403 and "recipient" in r.json()["error"]["message"]
    # An editor of a third organisation who may see the tranche is not the donor either.
    third = make_org("TPO")
    editor = make_user("tpo.editor", third, Role.EDITOR, Classification.CONFIDENTIAL)
    hr.tranche.refresh_from_db()
    services.save(hr.tranche, actor=hr.ded, m2m={"shared_organisations": [hr.un, third]})
    with pytest.raises(PermissionDenied, match="only an editor of the donor"):
        funding_services.propose(
            hr.tranche, "release", "x", actor=Actor(user=editor, interface="web")
        )
    # A recipient that owns a commitment cannot make itself the donor (nor the manager of its
    # instrument): the write is the donor's people's, judged on the commitment before it.
    owned = services.save(
        Commitment(
            donor=hr.eu,
            recipient_operation=hr.op,
            amount=Decimal("1000.00"),
            currency="EUR",
            purpose="Owned by the recipient (legacy)",
            **hr.common,
        ),
        actor=Actor.system("test"),
    )
    owned.donor = hr.un
    with pytest.raises(PermissionDenied, match="You work for the recipient"):
        services.save(owned, actor=hr.ed)
    assert Commitment.objects.get(pk=owned.pk).donor == hr.eu
    legacy_tranche = services.save(
        Tranche(commitment=owned, label="L", amount=1, planned=TODAY(), **hr.common),
        actor=Actor.system("test"),
    )
    with pytest.raises(PermissionDenied, match="You work for the recipient"):
        services.delete(legacy_tranche, actor=hr.mg)  # (its conditions would go with it)
    # Someone on both sides is barred: the donor's people decide, not the recipient's.
    services.set_membership(
        actor=Actor.system("test"), user=hr.outsider, organisation=hr.un, role=Role.VIEWER
    )
    hr.outsider.refresh_from_db()
    with pytest.raises(PermissionDenied, match="You work for the recipient"):
        funding_services.propose(hr.tranche, "release", "x", actor=hr.ded)
    # The donor's own people may.
    d = funding_services.propose(
        hr.tranche, "release", "ready", actor=Actor(user=hr.donor_manager, interface="web")
    )
    assert d.status == "proposed"


def test_a_report_is_reviewed_by_the_organisation_it_is_owed_to(hr):
    """The mission files; the donor (to whom the report is owed) accepts or returns it; the
    mission's own people cannot, by any interface; a change by the author resubmits it."""
    author, donor = Client(), Client()
    author.force_login(hr.editor)
    donor.force_login(hr.outsider)
    with pytest.raises(ValidationError) as e:
        services.save(
            Report(title="self", submitted=TODAY(), status="accepted", **hr.common),
            actor=hr.ed,
            m2m={"obligations": [hr.obligation]},
        )
    assert "not by its author" in e.value.message_dict["status"][0]
    assert not Report.objects.filter(title="self").exists()
    r = author.post(
        "/api/v1/accountability/reports/",
        {
            "title": "self",
            "submitted": str(TODAY()),
            "status": "accepted",
            "obligations": [hr.obligation.pk],
            "owner": hr.un.pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "status" in r.json()["error"]["fields"]
    report = file_report(hr, "Q1", "submitted")
    for actor in (hr.ed, hr.mg):
        with pytest.raises(PermissionDenied, match="owes this report"):
            reporting_services.review(report, "accepted", actor=actor)
    r = author.post(
        f"/api/v1/accountability/reports/{report.pk}/review/",
        {"status": "accepted"},
        content_type="application/json",
    )
    assert r.status_code == 403 and "owes this report" in r.json()["error"]["message"]
    assert "Review this report" not in author.get(f"/reports/{report.pk}/").content.decode()
    stranger = Actor(user=hr.stranger, interface="web")
    with pytest.raises(PermissionDenied):
        reporting_services.review(report, "accepted", actor=stranger)
    outsider = Client()
    outsider.force_login(hr.stranger)  # may not see the report: it looks absent
    assert outsider.post(f"/reports/{report.pk}/review/", {"status": "accepted"}).status_code == 404
    # The donor returns it, saying why; then accepts the revision.
    with pytest.raises(ValidationError) as e:
        reporting_services.review(report, "returned", "", actor=hr.ded)
    assert "review_note" in e.value.message_dict
    page = donor.get(f"/reports/{report.pk}/").content.decode()
    assert "Review this report" in page
    r = donor.post(
        f"/reports/{report.pk}/review/", {"status": "returned", "review_note": "Annex missing"}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.review_note) == (
        "returned",
        hr.outsider,
        "Annex missing",
    )
    entry = AuditEntry.objects.filter(model="accountability.report", object_id=report.pk).last()
    assert entry.actor_id == hr.outsider.pk and entry.changes["status"] == ["submitted", "returned"]
    # The author revises: the report is submitted again and the review no longer holds.
    report.note = "Annex added"
    services.save(report, actor=hr.ed)
    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.review_note) == ("submitted", None, "")
    r = donor.post(
        f"/api/v1/accountability/reports/{report.pk}/review/",
        {"status": "accepted"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert r.json()["reviewed_by"] == hr.outsider.username
    # The owing side cannot make itself the receiver to accept its own report: an editor of
    # the mission who points the obligation at the mission is still the owing side, and the
    # change sends the accepted report back to "submitted" (reviewed against another receiver).
    hr.obligation.to_organisation = hr.un
    services.save(hr.obligation, actor=hr.ed)
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == ("submitted", None)
    with pytest.raises(PermissionDenied, match="owes this report"):
        reporting_services.review(report, "accepted", actor=hr.ed)
    # An obligation owed to a body with no organisation on the platform: nobody can review.
    hr.obligation.to_organisation = None
    services.save(hr.obligation, actor=hr.ed)
    with pytest.raises(PermissionDenied, match="names only a body"):
        reporting_services.review(report, "returned", "x", actor=hr.ded)


def test_bad_funding_input_names_the_field(hr):
    with pytest.raises(ValidationError) as e:
        services.save(
            Commitment(donor=hr.eu, amount=10, currency="EURO", purpose="x", **hr.common),
            actor=hr.ed,
        )
    assert "currency" in e.value.message_dict and "recipient_operation" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.save(
            Tranche(
                commitment=hr.commitment,
                label="too much",
                amount=Decimal("200000.01"),
                planned=TODAY(),
                **hr.common,
            ),
            actor=hr.ed,
        )
    assert "more than the commitment" in e.value.message_dict["amount"][0]  # (no sums: see
    # test_derived_information, tranches the editor may not see count too)
    with pytest.raises(ValidationError) as e:
        services.save(
            Condition(tranche=hr.tranche, kind="report_accepted", **hr.money), actor=hr.ded
        )
    assert {"obligation", "period_end"} <= set(e.value.message_dict)
    client = Client()
    client.force_login(hr.editor)
    r = client.post(
        "/api/v1/accountability/commitments/",
        {
            "donor": hr.eu.pk,
            "recipient_operation": hr.op.pk,
            "amount": "12.345",
            "currency": "EUR",
            "purpose": "x",
            "owner": hr.un.pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "amount" in r.json()["error"]["fields"]


# --- a case's whole life, down to the tranche --------------------------------------------------


def test_a_case_walks_its_whole_life_and_the_tranche_follows(hr):
    """allegation → review → intercession → suspension → tranche held → mitigation →
    resumption → tranche releasable → released on four eyes."""
    client = Client()
    client.force_login(hr.editor)
    for kind, extra in [("no_case_suspended", {}), ("no_grave_allegation", {"days": 30})]:
        services.save(
            Condition(tranche=hr.tranche, kind=kind, **extra, **hr.money),
            actor=hr.ded,
            m2m=hr.shared,
        )
    _activate(hr)

    def status():
        return client.get(f"/api/v1/accountability/tranches/{hr.tranche.pk}/evaluation/").json()[
            "status"
        ]

    assert status() == "releasable"
    allegation = allege(hr, violation="torture", days_ago=40)
    assert state(hr) == "under_review"
    assert status() == "held"  # grave, credible and open for more than 30 days
    r = client.post(
        f"/support-cases/{hr.case.pk}/decide/",
        {"to_state": "intercession", "rationale": "Raise it with the commander"},
    )
    assert r.status_code == 302 and state(hr) == "intercession"
    services.save(
        Intercession(
            case=hr.case,
            raised_on=TODAY() - dt.timedelta(days=20),
            raised_with="Commander",
            what="Investigate and suspend the officers",
            deadline=TODAY() - dt.timedelta(days=1),
            **hr.common,
        ),
        actor=hr.ed,
    )
    register = client.get(f"/operations/{hr.op.pk}/due-diligence/").content.decode()
    assert "Suspension recommended" in register
    case_services.decide(hr.case, "suspended", "No answer by the deadline", actor=hr.ed)
    evaluation = client.get(f"/api/v1/accountability/tranches/{hr.tranche.pk}/evaluation/").json()
    unmet = [c["evidence"] for c in evaluation["conditions"] if not c["met"]]
    assert evaluation["status"] == "held" and any("Suspended" in u for u in unmet)
    # A release cannot be approved while held.
    proposal = funding_services.propose(hr.tranche, "release", "try", actor=hr.ded)
    with pytest.raises(ValidationError, match="Held"):
        funding_services.decide(proposal, True, "no", actor=hr.dmg)
    funding_services.decide(proposal, False, "held", actor=hr.dmg)
    # Mitigation: the officers are suspended, the allegation resolved, a new assessment made.
    services.save(
        MitigatingMeasure(
            case=hr.case,
            description="Officers suspended pending investigation",
            deadline=TODAY(),
            done_on=TODAY(),
            evidence="Ministry order",
            **hr.common,
        ),
        actor=hr.ed,
    )
    allegation.resolved_on, allegation.resolution = TODAY(), "Investigated; officers removed"
    services.save(allegation, actor=hr.ed)
    assess(hr, "approved_with_conditions", on=TODAY())
    assert state(hr) == "suspended"  # a new assessment does not resume support by itself
    case_services.decide(hr.case, "resumed", "Measures taken; new assessment", actor=hr.ed)
    assert status() == "releasable"
    # The mission (the recipient) sees the tranche releasable but cannot move the money.
    page = client.get(f"/tranches/{hr.tranche.pk}/").content.decode()
    assert "Propose a release" not in page and "You work for the recipient" in page
    r = client.post(
        f"/tranches/{hr.tranche.pk}/propose/",
        {"kind": "release", "rationale": "All met"},
        follow=True,
    )
    assert "You work for the recipient" in r.content.decode()
    assert not TrancheDecision.objects.filter(tranche=hr.tranche, status="proposed").exists()
    donor = Client()
    donor.force_login(hr.outsider)
    assert "Propose a release" in donor.get(f"/tranches/{hr.tranche.pk}/").content.decode()
    r = donor.post(
        f"/tranches/{hr.tranche.pk}/propose/", {"kind": "release", "rationale": "All met"}
    )
    assert r.status_code == 302
    decision = TrancheDecision.objects.get(tranche=hr.tranche, status="proposed")
    manager = Client()
    manager.force_login(hr.donor_manager)
    r = manager.post(f"/tranche-decisions/{decision.pk}/decide/", {"approve": "1", "note": "ok"})
    assert r.status_code == 302 and status() == "released"
    decision.refresh_from_db()
    assert decision.status == "approved" and all(v["met"] for v in decision.evidence)
    states = list(CaseDecision.objects.filter(case=hr.case).values_list("to_state", flat=True))
    assert states == [
        "assessed",
        "approved",
        "active",
        "under_review",
        "intercession",
        "suspended",
        "resumed",
    ]


# --- pages, boards, API, CLI -------------------------------------------------------------------


def test_boards_register_and_cli_show_held_and_releasable_with_their_reasons(hr):
    services.save(
        Condition(
            tranche=hr.tranche,
            kind="report_accepted",
            obligation=hr.obligation,
            period_start=d(2026, 1, 1),
            period_end=d(2026, 3, 31),
            **hr.money,
        ),
        actor=hr.ded,
        m2m=hr.shared,
    )
    client = Client()
    client.force_login(hr.editor)
    board = client.get(f"/organisations/{hr.eu.pk}/compliance/").content.decode()
    assert "held" in board and "No report covering 2026-01-01" in board
    assert "300000.00" in board  # committed, by currency
    op_board = client.get(f"/operations/{hr.op.pk}/compliance/").content.decode()
    assert "Compliance report" in op_board and "held" in op_board
    file_report(hr, "Q1", "accepted", submitted=d(2026, 4, 2))
    out = io.StringIO()
    call_command("funding", "evaluate", "--as", "hr.editor", "--donor", "EUD", stdout=out)
    assert "releasable T2" in out.getvalue() and "1 releasable, 0 held" in out.getvalue()
    out = io.StringIO()
    call_command("funding", "evaluate", "--as", "hr.editor", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())[0]["conditions"][0]["met"] is True
    with pytest.raises(CommandError, match="--donor"):
        call_command("funding", "evaluate", "--as", "hr.editor", "--donor", "NOPE")
    with pytest.raises(CommandError, match="--on"):
        call_command("funding", "evaluate", "--as", "hr.editor", "--on", "yesterday")
    api = client.get(
        "/api/v1/accountability/funding-evaluation/?donor=EUD&status=releasable"
    ).json()
    assert [r["label"] for r in api["results"]] == ["T2"]
    assert client.get("/api/v1/accountability/funding-evaluation/?on=soon").status_code == 400
    # Someone who may not see the tranche sees nothing of it.
    outsider = Client()
    outsider.force_login(hr.stranger)
    assert outsider.get("/api/v1/accountability/funding-evaluation/").json()["count"] == 0
    assert outsider.get(f"/tranches/{hr.tranche.pk}/").status_code == 404


def test_evidence_on_records_the_user_may_not_see_is_not_described(hr):
    services.save(
        Condition(tranche=hr.tranche, kind="no_case_suspended", **hr.money),
        actor=hr.ded,
        m2m=hr.shared,
    )
    _activate(hr)
    allege(hr)
    case_services.decide(hr.case, "suspended", "serious", actor=hr.ed)
    donor = Client()
    donor.force_login(hr.outsider)  # sees the tranche, not the (owner-only) case
    page = donor.get(f"/tranches/{hr.tranche.pk}/").content.decode()
    assert "Held" in page and "you may not see" in page and "Rations for the battalion" not in page


def test_the_case_page_offers_only_the_allowed_decisions(hr):
    assess(hr)
    client = Client()
    client.force_login(hr.editor)
    page = client.get(f"/support-cases/{hr.case.pk}/").content.decode()
    assert 'value="approved"' in page and 'value="active"' not in page
    r = client.post(
        f"/support-cases/{hr.case.pk}/decide/", {"to_state": "approved", "rationale": ""}
    )
    assert r.status_code == 302 and state(hr) == "assessed"
    viewer = Client()
    viewer.force_login(hr.viewer)
    assert "Take a decision" not in viewer.get(f"/support-cases/{hr.case.pk}/").content.decode()
    r = viewer.post(
        f"/support-cases/{hr.case.pk}/decide/", {"to_state": "approved", "rationale": "x"}
    )
    assert state(hr) == "assessed"


def test_an_import_of_commitments_names_the_row_and_column_and_writes_nothing(hr):
    from concord.core.importers import import_file
    from concord.exchange.tabular import FileRejected

    hr.op.releasability = Releasability.ORGANISATIONS  # the donor sees the mission it funds
    services.save(hr.op, actor=hr.ed, m2m={"shared_organisations": [hr.eu]})
    csv = (
        "donor,recipient_operation,amount,currency,purpose,owner,classification\n"
        f"EUD,{hr.op.pk},1250000.00,EUR,good row,EUD,confidential\n"
        f"EUD,{hr.op.pk},12x,EUR,bad amount,EUD,confidential\n"
    )
    with pytest.raises(FileRejected) as e:
        import_file("commitments", csv.encode(), "c.csv", actor=hr.ded)
    report = e.value.report()
    assert "row 3" in report and "'amount'" in report and "12x" in report
    assert not Commitment.objects.filter(purpose__in=["good row", "bad amount"]).exists()
    # The recipient cannot record the donor's money through a file either.
    mine = csv.replace("EUD,confidential", "UNM,confidential").encode().rsplit(b"\n", 2)[0]
    with pytest.raises(FileRejected, match="You work for the recipient"):
        import_file("commitments", mine + b"\n", "c.csv", actor=hr.ed)
    saved = import_file(
        "commitments", csv.encode().rsplit(b"\n", 2)[0] + b"\n", "c.csv", actor=hr.ded
    )
    assert saved[0].amount == Decimal("1250000.00") and saved[0].recipient_operation == hr.op


# --- property: nothing is released while a blocking condition holds ---------------------------

EVENTS = st.lists(
    st.sampled_from(
        [
            "report_accepted",
            "report_returned",
            "allegation_old",
            "allegation_resolve",
            "suspend",
            "resume",
            "measure_late",
            "measure_done",
            "waive",
            "release",
        ]
    ),
    min_size=1,
    max_size=12,
)


def _blocked(w, on) -> bool:
    """An oracle written apart from the evaluator: does any unwaived condition hold?"""
    waived = set(
        TrancheDecision.objects.filter(kind="waiver", status="approved").values_list(
            "condition_id", flat=True
        )
    )
    for c in Condition.objects.filter(tranche=w.tranche):
        if c.pk in waived:
            continue
        if (
            c.kind == "report_accepted"
            and not Report.objects.filter(
                obligations=c.obligation,
                status="accepted",
                period_start__lte=c.period_start,
                period_end__gte=c.period_end,
                submitted__lte=on,
            ).exists()
        ):
            return True
        if (
            c.kind == "no_case_suspended"
            and SupportCase.objects.filter(operation=w.op, state="suspended").exists()
        ):
            return True
        if (
            c.kind == "no_grave_allegation"
            and Allegation.objects.filter(
                unit=w.unit,
                confidence__in=["credible", "confirmed"],
                violation__in=sorted(R.GRAVE),
                resolved_on__isnull=True,
                recorded__lt=on - dt.timedelta(days=c.days),
            ).exists()
        ):
            return True
        if (
            c.kind == "measures_on_time"
            and MitigatingMeasure.objects.filter(
                case__operation=w.op, deadline__lt=on, done_on__isnull=True
            ).exists()
        ):
            return True
    return False


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=EVENTS)
def test_no_sequence_of_events_releases_a_tranche_while_a_condition_blocks(hr, events):
    w = hr
    on = TODAY()
    with transaction.atomic():
        sid = transaction.savepoint()
        conditions = [
            services.save(
                Condition(tranche=w.tranche, kind=k, **x, **w.money), actor=w.ded, m2m=w.shared
            )
            for k, x in [
                ("no_case_suspended", {}),
                ("no_grave_allegation", {"days": 10}),
                ("measures_on_time", {}),
                (
                    "report_accepted",
                    {
                        "obligation": w.obligation,
                        "period_start": d(2026, 1, 1),
                        "period_end": d(2026, 3, 31),
                    },
                ),
            ]
        ]
        if SupportCase.objects.get(pk=w.case.pk).state == "proposed":
            _activate(w)
        releases = 0
        for i, event in enumerate(events):
            try:
                with transaction.atomic():
                    if event.startswith("report_"):
                        file_report(w, f"r{i}", event.split("_")[1])
                    elif event == "allegation_old":
                        allege(w, days_ago=20)
                    elif event == "allegation_resolve":
                        for a in Allegation.objects.filter(resolved_on__isnull=True):
                            a.resolved_on, a.resolution = on, "resolved"
                            services.save(a, actor=w.ed)
                    elif event in ("suspend", "resume"):
                        to = "suspended" if event == "suspend" else "resumed"
                        case_services.decide(w.case, to, event, actor=w.ed)
                    elif event == "measure_late":
                        services.save(
                            MitigatingMeasure(
                                case=w.case,
                                description="m",
                                deadline=on - dt.timedelta(days=3),
                                **w.common,
                            ),
                            actor=w.ed,
                        )
                    elif event == "measure_done":
                        for m in MitigatingMeasure.objects.filter(done_on__isnull=True):
                            m.done_on, m.evidence = on, "done"
                            services.save(m, actor=w.ed)
                    elif event == "waive":
                        c = conditions[i % len(conditions)]
                        p = funding_services.propose(
                            w.tranche, "waiver", "accepted risk", condition=c, actor=w.ded
                        )
                        funding_services.decide(p, True, "ok", actor=w.dmg)
                    elif event == "release":
                        blocked = _blocked(w, on)
                        p = funding_services.propose(w.tranche, "release", "go", actor=w.ded)
                        funding_services.decide(p, True, "ok", actor=w.dmg)
                        assert not blocked, f"released while blocked after {events[: i + 1]}"
                        releases += 1
            except ValidationError:
                pass
        assert releases <= 1
        assert (
            TrancheDecision.objects.filter(
                tranche=w.tranche, kind="release", status="approved"
            ).count()
            == releases
        )
        transaction.savepoint_rollback(sid)


def test_the_inverse_of_units_concerned_finds_the_same_cases():
    parent_of = {1: None, 2: 1, 3: 2, 4: None, 5: None, 6: 4}
    successor_of = {1: None, 2: None, 3: None, 4: 3, 5: None, 6: None}
    tree = R.UnitTree(parent_of, successor_of)
    for alleged in parent_of:
        by_inverse = tree.affected_by(alleged, successor_of)
        by_search = {u for u in parent_of if alleged in tree.concerned(u)}
        assert by_inverse == by_search, alleged
