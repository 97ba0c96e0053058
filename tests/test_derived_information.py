"""Derived information is confidential too (docs/security-model.md, "Derived information").

Each test reproduces one leak found by attacking the landed project (issue 13): history after
a downgrade, stored release evidence, hidden conditions, automatic decisions, classification
reasons, an allegation's place, board totals, affiliations and arrangement links, exports.
Every test failed on the code before its fix. A marker string (``SECRET…``) is put in each
hidden value; the test asserts it never reaches a reader who may not see its record."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from concord.accountability.models import (
    Allegation,
    Commitment,
    Condition,
    Report,
    ReportingObligation,
    SecurityUnit,
    SupportCase,
    Tranche,
    TrancheDecision,
)
from concord.accountability.services import funding as funding_services
from concord.core import services
from concord.core.context import Actor
from concord.core.models import Area, Classification, Organisation, Person, Releasability, Role
from concord.operations.models import Operation

from .conftest import country, make_org, make_user

C, R = Classification, Releasability
pytestmark = pytest.mark.django_db


def web(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8", "replace")


@pytest.fixture
def scene():
    """Two partner organisations A and B, a strictly confidential organisation nobody is
    named on, and A's people: two editors (four eyes), a named manager, an unnamed one."""
    s = type("Scene", (), {})()
    s.a = make_org("AAA")
    s.b = make_org("BBB")
    s.hidden_org = make_org(
        "SECRETACR",
        owner=s.a,
        kind="regional",
        cls=C.STRICTLY_CONFIDENTIAL,
        rel=R.OWNER,
        name="SECRET regional organisation",
    )
    s.editor = make_user("a_editor", s.a, Role.EDITOR, C.STRICTLY_CONFIDENTIAL)
    s.editor2 = make_user("a_editor2", s.a, Role.EDITOR, C.STRICTLY_CONFIDENTIAL)
    s.unnamed = make_user("a_unnamed", s.a, Role.MANAGER, C.STRICTLY_CONFIDENTIAL)
    s.b_viewer = make_user("b_viewer", s.b, Role.VIEWER, C.CONFIDENTIAL)
    s.mli = country()
    return s


def as_(user, interface="web") -> Actor:
    return Actor(user=user, interface=interface)


SYSTEM = Actor.system("test")  # writes strictly confidential records named to nobody


# --- 1. history after a downgrade ---------------------------------------------------------------


def test_a_downgrade_never_shows_the_old_content_to_the_new_audience(scene):
    person = services.save(
        Person(
            name="SECRET-NAME",
            notes="SECRET-NOTES",
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=as_(scene.editor),
        m2m={"named_users": [scene.editor]},
    )
    person.notes = "SECRET-NOTES-2"
    services.save(person, actor=as_(scene.editor))
    person.name, person.notes = "Clean name", "clean notes"
    person.classification, person.releasability = C.INTERNAL, R.SIGNED_IN
    services.save(person, actor=as_(scene.editor), m2m={"named_users": []})
    person.notes = "later notes"
    services.save(person, actor=as_(scene.editor))

    for reader in (scene.b_viewer, scene.unnamed):
        for url in (f"/api/v1/core/people/{person.pk}/history/", f"/people/{person.pk}/history/"):
            body = text(web(reader).get(url))
            assert "Clean name" in body or "later notes" in body, (url, reader)
            assert "SECRET" not in body, f"{url} as {reader}: shows the strictly confidential past"
    # The one person who saw it all along still sees every entry.
    entries = json.loads(text(web(scene.editor).get(f"/api/v1/core/people/{person.pk}/history/")))
    assert len(entries) == 4
    assert "SECRET-NOTES-2" in json.dumps(entries)
    # The other reader sees only the entry written after the downgrade.
    entries = json.loads(text(web(scene.b_viewer).get(f"/api/v1/core/people/{person.pk}/history/")))
    assert [e["action"] for e in entries] == ["update"] and len(entries) == 1


def test_the_audit_trail_page_hides_a_downgrade_from_readers_below_its_past(scene):
    viewer = make_user("a_viewer", scene.a, Role.VIEWER, C.INTERNAL)
    org = services.save(
        Organisation(
            name="SECRET-ORG-NAME", kind="other", owner=scene.a, classification=C.CONFIDENTIAL
        ),
        actor=as_(scene.editor),
    )
    org.name, org.classification = "Plain name", C.INTERNAL
    services.save(org, actor=as_(scene.editor))
    body = text(web(viewer).get("/audit/"))
    assert "SECRET-ORG-NAME" not in body
    assert "Plain name" not in body  # the downgrade's entry showed the confidential past


# --- 2, 3. stored release evidence, hidden conditions, hidden commitments ------------------------


@pytest.fixture
def funding(scene):
    """A visible tranche to a visible operation, held by a strictly confidential suspended
    case and a strictly confidential accepted report; a hidden condition and a tranche under a
    hidden commitment."""
    f = type("Funding", (), {})()
    open_ = {"classification": C.PUBLIC, "releasability": R.PUBLIC, "owner": scene.a}
    sc = {"classification": C.STRICTLY_CONFIDENTIAL, "releasability": R.OWNER, "owner": scene.a}
    ed = as_(scene.editor)
    f.op = services.save(
        Operation(
            name="Visible mission",
            kind="peacekeeping",
            framework="ad_hoc",
            start=dt.date(2020, 1, 1),
            **open_,
        ),
        actor=ed,
    )
    f.unit = services.save(SecurityUnit(name="Visible unit", country=scene.mli, **open_), actor=ed)
    f.case = services.save(
        SupportCase(
            title="SECRET-CASE-TITLE",
            operation=f.op,
            provider=scene.a,
            unit=f.unit,
            kind="training",
            **sc,
        ),
        actor=SYSTEM,
        m2m={"named_users": []},
    )
    SupportCase.objects.filter(pk=f.case.pk).update(state="suspended")
    f.obligation = services.save(
        ReportingObligation(
            reporter_operation=f.op,
            body="donors",
            subject="Quarterly",
            every_days=90,
            first_due=dt.date(2026, 1, 1),
            **open_,
        ),
        actor=ed,
    )
    f.report = services.save(
        Report(
            title="SECRET-REPORT-TITLE",
            submitted=dt.date(2026, 1, 5),
            status="accepted",
            period_start=dt.date(2025, 10, 1),
            period_end=dt.date(2025, 12, 31),
            **sc,
        ),
        actor=SYSTEM,
        m2m={"obligations": [f.obligation], "named_users": []},
    )
    f.commitment = services.save(
        Commitment(
            donor=scene.a,
            recipient_operation=f.op,
            amount=1000,
            currency="EUR",
            purpose="Visible commitment",
            **open_,
        ),
        actor=ed,
    )
    f.tranche = services.save(
        Tranche(
            commitment=f.commitment,
            label="Visible tranche",
            amount=400,
            planned=dt.date(2026, 6, 1),
            **open_,
        ),
        actor=ed,
    )
    f.suspended = services.save(
        Condition(tranche=f.tranche, kind="no_case_suspended", **open_), actor=ed
    )
    f.reported = services.save(
        Condition(
            tranche=f.tranche,
            kind="report_accepted",
            obligation=f.obligation,
            period_start=dt.date(2025, 10, 1),
            period_end=dt.date(2025, 12, 31),
            **open_,
        ),
        actor=ed,
    )
    f.hidden_commitment = services.save(
        Commitment(
            donor=scene.a,
            recipient_operation=f.op,
            amount="777777.77",
            currency="CHF",
            purpose="SECRET-COMMITMENT",
            **sc,
        ),
        actor=SYSTEM,
        m2m={"named_users": []},
    )
    f.orphan = services.save(
        Tranche(
            commitment=f.hidden_commitment,
            label="Visible tranche of a hidden commitment",
            amount=5,
            planned=dt.date(2026, 7, 1),
            **open_,
        ),
        actor=ed,
    )
    return f


def test_release_evidence_never_names_hidden_records(scene, funding):
    f = funding
    # Held: the approver's error message must not name the hidden case either.
    d = funding_services.propose(f.tranche, "release", "go", actor=as_(scene.editor))
    with pytest.raises(Exception) as exc:
        funding_services.decide(d, True, "ok", actor=as_(scene.editor2))
    assert "SECRET" not in str(exc.value)
    assert "may not see" in str(exc.value)
    TrancheDecision.objects.filter(pk=d.pk).delete()
    w = funding_services.propose(
        f.tranche, "waiver", "waive it", condition=f.suspended, actor=as_(scene.editor)
    )
    funding_services.decide(w, True, "agreed", actor=as_(scene.editor2))
    d = funding_services.propose(f.tranche, "release", "go", actor=as_(scene.editor))
    funding_services.decide(d, True, "ok", actor=as_(scene.editor2))
    for reader in (scene.b_viewer, scene.editor):  # the editor is not named on the SC records
        for url in ("/api/v1/accountability/tranche-decisions/", f"/tranches/{f.tranche.pk}/"):
            body = text(web(reader).get(url))
            assert "SECRET" not in body, f"{url} as {reader}"
        data = json.loads(text(web(reader).get("/api/v1/accountability/tranche-decisions/")))
        assert any("may not see" in json.dumps(x["evidence"]) for x in data["results"])
    # Nothing stored with the decision embeds another record's content.
    stored = json.dumps([d.evidence for d in TrancheDecision.objects.all()])
    assert "SECRET" not in stored


def test_a_hidden_condition_and_a_hidden_commitment_stay_hidden_under_a_visible_tranche(
    scene, funding
):
    f = funding
    services.save(
        Condition(
            tranche=f.tranche,
            kind="custom",
            evidence_needed="SECRET-CONDITION",
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=SYSTEM,
        m2m={"named_users": []},
    )
    urls = [
        f"/api/v1/accountability/tranches/{f.tranche.pk}/evaluation/",
        "/api/v1/accountability/funding-evaluation/",
        f"/tranches/{f.tranche.pk}/",
        f"/tranches/{f.orphan.pk}/",
        f"/api/v1/accountability/tranches/{f.orphan.pk}/evaluation/",
    ]
    for reader in (None, scene.b_viewer, scene.editor):
        for url in urls:
            body = text(web(reader).get(url))
            assert "SECRET" not in body, f"{url} as {reader}"
            assert not shows_chf(body), f"{url} as {reader}: the hidden commitment's currency"
    evaluation = json.loads(
        text(web(scene.b_viewer).get(f"/api/v1/accountability/tranches/{f.tranche.pk}/evaluation/"))
    )
    assert evaluation["status"] == "held"  # the hidden condition still counts
    assert any("may not see" in c["evidence"] for c in evaluation["conditions"])


def shows_chf(body: str) -> bool:
    """The hidden commitment's currency as a word: not three letters inside a random token
    (a CSRF token once held "pCHF9": a failure one run in some thousands)."""
    return re.search(r"\bCHF\b", body) is not None


def test_boards_reach_tranches_only_through_commitments_the_reader_may_see(scene, funding):
    """A board adds commitments' amounts and reaches tranches through their commitment (its
    donor, its recipient): a hidden commitment adds nothing and brings no tranche."""
    for url in (
        f"/organisations/{scene.a.pk}/compliance/",
        f"/operations/{funding.op.pk}/compliance/",
    ):
        body = text(web(scene.editor).get(url))
        assert "777,777.77" not in body and "777777.77" not in body, url
        assert not shows_chf(body), url
        assert "Visible tranche of a hidden commitment" not in body, url
        assert "1000.00" in body or "1,000.00" in body, url  # the visible commitment counts


# --- 4. automatic decisions ----------------------------------------------------------------------


def public_case(scene, f, title: str) -> SupportCase:
    """A case anyone may see, of support from A to the visible unit."""
    return services.save(
        SupportCase(
            title=title,
            operation=f.op,
            provider=scene.a,
            unit=f.unit,
            kind="training",
            owner=scene.a,
            classification=C.PUBLIC,
            releasability=R.PUBLIC,
        ),
        actor=as_(scene.editor),
    )


def test_automatic_decisions_do_not_describe_a_hidden_allegation(scene, funding):
    f = funding
    case = public_case(scene, f, "Public case")
    SupportCase.objects.filter(pk=case.pk).update(state="active")
    allegation = services.save(
        Allegation(
            unit=f.unit,
            violation="sexual_violence",
            confidence="credible",
            summary="SECRET-ALLEGATION",
            recorded=dt.date(2026, 3, 3),
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=as_(scene.editor),
        m2m={"named_users": [scene.editor]},
    )
    case.refresh_from_db()
    assert case.state == "under_review"  # the rule saw the allegation
    for reader in (None, scene.b_viewer, scene.unnamed):
        for url in (
            f"/api/v1/accountability/support-cases/{case.pk}/decisions/",
            f"/support-cases/{case.pk}/",
        ):
            body = text(web(reader).get(url))
            assert "review" in body.lower(), url
            assert "sexual violence" not in body.lower(), f"{url} as {reader}"
            assert f"#{allegation.pk}" not in body, f"{url} as {reader}"
    # Whoever may see the allegation reads the full reason.
    body = text(web(scene.editor).get(f"/api/v1/accountability/support-cases/{case.pk}/decisions/"))
    assert "sexual violence" in body.lower()


def test_register_flags_do_not_describe_hidden_records(scene, funding):
    from concord.accountability.models import Intercession

    f = funding
    case = public_case(scene, f, "Flagged case")
    services.save(
        Intercession(
            case=case,
            raised_on=dt.date(2025, 11, 17),
            raised_with="SECRET-MINISTER",
            what="SECRET-WHAT",
            deadline=dt.date(2026, 2, 1),
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=as_(scene.editor),
        m2m={"named_users": [scene.editor]},
    )
    for reader in (None, scene.b_viewer):
        for url in (
            f"/support-cases/{case.pk}/",
            f"/operations/{f.op.pk}/due-diligence/",
            f"/operations/{f.op.pk}/due-diligence/?export=csv",
        ):
            body = text(web(reader).get(url))
            assert "SECRET" not in body, f"{url} as {reader}"
            assert "2025-11-17" not in body, f"{url} as {reader}: the hidden intercession's date"


# --- 5. classification reasons and maps ----------------------------------------------------------


def test_a_hidden_organisation_never_appears_in_a_classification_reason(scene):
    op = services.save(
        Operation(
            name="Regional mission",
            kind="peacekeeping",
            framework="regional",
            framework_organisation=scene.hidden_org,
            start=dt.date(2020, 1, 1),
            owner=scene.a,
            classification=C.PUBLIC,
            releasability=R.PUBLIC,
        ),
        actor=as_(scene.editor),
        m2m={"host_countries": [scene.mli]},
    )
    urls = [
        f"/api/v1/operations/operations/{op.pk}/classification/",
        f"/operations/{op.pk}/",
        "/api/v1/operations/classifications/",
        "/operations/typology/",
        "/operations/map/",
        "/operations/map/?format=svg",
        "/operations/timeline/?theatre=MLI",
    ]
    for reader in (None, scene.b_viewer, scene.editor):
        for url in urls:
            response = web(reader).get(url)
            assert "SECRETACR" not in text(response), f"{url} as {reader}"


# --- 6. an allegation's place --------------------------------------------------------------------


def test_the_allegation_page_does_not_name_a_hidden_place(scene, funding):
    place = services.save(
        Area(
            name="SECRET-PLACE",
            pcode="SECRETPCODE",
            country=scene.mli,
            level=1,
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=SYSTEM,
        m2m={"named_users": []},
    )
    allegation = services.save(
        Allegation(
            unit=funding.unit,
            violation="looting",
            confidence="low",
            summary="Visible",
            recorded=dt.date(2026, 3, 3),
            place=place,
            owner=scene.a,
            classification=C.PUBLIC,
            releasability=R.PUBLIC,
        ),
        actor=as_(scene.editor),
    )
    for reader in (None, scene.b_viewer, scene.editor):
        body = text(web(reader).get(f"/allegations/{allegation.pk}/"))
        assert "Visible" in body
        assert "SECRET" not in body, reader


# --- 8. affiliations and hidden links in edit forms ----------------------------------------------


def test_affiliations_to_hidden_organisations_are_neither_shown_nor_lost(scene):
    person = services.save(
        Person(
            name="Visible person",
            owner=scene.a,
            classification=C.INTERNAL,
            releasability=R.SIGNED_IN,
        ),
        actor=as_(scene.editor),
        children=services.set_affiliations(
            [
                {
                    "organisation": scene.hidden_org,
                    "title": "SECRET-TITLE",
                    "start": None,
                    "end": None,
                },
                {"organisation": scene.b, "title": "Adviser", "start": None, "end": None},
            ]
        ),
    )
    for reader in (scene.b_viewer, scene.editor):
        for url in (
            f"/people/{person.pk}/history/",
            f"/api/v1/core/people/{person.pk}/history/",
            f"/people/{person.pk}/",
            f"/people/{person.pk}/edit/",
            "/people/?export=csv",
        ):
            body = text(web(reader).get(url))
            if url.endswith("/edit/") and reader is scene.b_viewer:
                continue  # not an editor
            assert "SECRET" not in body, f"{url} as {reader}"
    # Saving the form unchanged keeps the hidden affiliation.
    client = web(scene.editor)
    from .test_round_trip import form_data

    data = form_data(text(client.get(f"/people/{person.pk}/edit/")))
    response = client.post(f"/people/{person.pk}/edit/", data)
    assert response.status_code == 302, text(response)[:3000]
    titles = sorted(person.affiliations.values_list("title", flat=True))
    assert titles == ["Adviser", "SECRET-TITLE"]


def test_saving_an_arrangement_unchanged_keeps_links_the_editor_cannot_see(scene):
    from concord.labour.models import Arrangement, Task

    sc = {"owner": scene.a, "classification": C.STRICTLY_CONFIDENTIAL, "releasability": R.OWNER}
    ed = as_(scene.editor)
    hidden_task = services.save(Task(code="secret-task", name="SECRET task", **sc), actor=SYSTEM)
    hidden_area = services.save(
        Area(name="SECRET area", pcode="SECRETA1", country=scene.mli, level=1, **sc), actor=SYSTEM
    )
    hidden_op = services.save(
        Operation(
            name="SECRET op",
            kind="peacekeeping",
            framework="ad_hoc",
            start=dt.date(2020, 1, 1),
            **sc,
        ),
        actor=SYSTEM,
    )
    visible_task = services.save(
        Task(
            code="visible-task",
            name="Visible task",
            owner=scene.a,
            classification=C.PUBLIC,
            releasability=R.PUBLIC,
        ),
        actor=SYSTEM,  # the task catalogue is changed by managers only
    )
    arrangement = services.save(
        Arrangement(
            kind="liaison",
            title="Visible arrangement",
            owner=scene.a,
            classification=C.PUBLIC,
            releasability=R.PUBLIC,
        ),
        actor=ed,
        m2m={
            "organisations": [scene.hidden_org, scene.b],
            "operations": [hidden_op],
            "tasks": [hidden_task, visible_task],
            "areas": [hidden_area],
        },
    )
    client = web(scene.editor)
    from .test_round_trip import form_data

    page = text(client.get(f"/arrangements/{arrangement.pk}/edit/"))
    assert "SECRET" not in page and "secret-task" not in page
    response = client.post(f"/arrangements/{arrangement.pk}/edit/", form_data(page))
    assert response.status_code == 302, text(response)[:3000]
    arrangement.refresh_from_db()
    assert set(arrangement.organisations.all()) == {scene.hidden_org, scene.b}
    assert list(arrangement.operations.all()) == [hidden_op]
    assert set(arrangement.tasks.all()) == {hidden_task, visible_task}
    assert list(arrangement.areas.all()) == [hidden_area]
    # The same through the API: PATCH what GET returned.
    api = web(scene.editor)
    got = json.loads(text(api.get(f"/api/v1/labour/arrangements/{arrangement.pk}/")))
    body = {k: v for k, v in got.items() if k not in ("id", "url", "created_at", "updated_at")}
    response = api.patch(
        f"/api/v1/labour/arrangements/{arrangement.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 200, text(response)
    assert set(arrangement.tasks.all()) == {hidden_task, visible_task}
    assert set(arrangement.organisations.all()) == {scene.hidden_org, scene.b}

    # --- 9. the export does not list the hidden task's code.
    for reader in (None, scene.b_viewer, scene.editor):
        body = text(web(reader).get("/arrangements/?export=csv"))
        assert "Visible arrangement" in body
        assert "secret-task" not in body and "SECRET" not in body, reader


# --- found by the independent review ----------------------------------------------------------


def test_the_tranche_total_check_gives_no_sum_that_counts_hidden_tranches(scene, funding):
    """The tranches of a commitment may not add up to more than it: every tranche counts,
    also those the editor may not see, so the message names no sum."""
    from django.core.exceptions import ValidationError

    f = funding
    services.save(
        Tranche(
            commitment=f.commitment,
            label="SECRET tranche",
            amount="555.55",
            planned=dt.date(2026, 9, 1),
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=SYSTEM,
    )
    with pytest.raises(ValidationError) as exc:
        services.save(
            Tranche(
                commitment=f.commitment,
                label="One more",
                amount=100,
                planned=dt.date(2026, 10, 1),
                owner=scene.a,
                classification=C.PUBLIC,
                releasability=R.PUBLIC,
            ),
            actor=as_(scene.editor),
        )
    message = " ".join(exc.value.messages)
    assert "more than the commitment" in message
    assert "555" not in message and "1055" not in message and "955" not in message
    f.commitment.amount = 900
    with pytest.raises(ValidationError) as exc:
        services.save(f.commitment, actor=as_(scene.editor))
    assert "955" not in " ".join(exc.value.messages)


def test_a_source_pseudonym_says_nothing_about_another_allegation(scene, funding):
    """Keyed by the allegation as well as the source: nobody can confirm a guessed source by
    recording it on an allegation of their own, nor link allegations that share a source."""
    b_editor = make_user("b_editor", scene.b, Role.EDITOR, C.CONFIDENTIAL)

    def allegation(owner, actor, source):
        return services.save(
            Allegation(
                unit=funding.unit,
                violation="looting",
                confidence="low",
                summary="x",
                source=source,
                recorded=dt.date(2026, 3, 3),
                owner=owner,
                classification=C.PUBLIC,
                releasability=R.PUBLIC,
            ),
            actor=actor,
        )

    first = allegation(scene.a, as_(scene.editor), "Informant 42, Sévaré")
    second = allegation(scene.a, as_(scene.editor), "Informant 42, Sévaré")
    guess = allegation(scene.b, as_(b_editor), "informant 42, sévaré")
    shown = {
        a.pk: json.loads(text(web(None).get(f"/api/v1/accountability/allegations/{a.pk}/")))[
            "source"
        ]
        for a in (first, second, guess)
    }
    assert all(v.startswith("source-") for v in shown.values())
    assert len(set(shown.values())) == 3, shown
    # Stable for one allegation: the page, the API and the export agree.
    assert shown[first.pk].split(" ")[0] in text(web(None).get(f"/allegations/{first.pk}/"))
    assert shown[first.pk].split(" ")[0] in text(web(None).get("/allegations/?export=csv"))
    # Its history says only that the source changed, for any reader.
    first.source = "Informant 43"
    services.save(first, actor=as_(scene.editor))
    history = text(
        web(scene.b_viewer).get(f"/api/v1/accountability/allegations/{first.pk}/history/")
    )
    assert "(sensitive: not shown)" in history and "value-" not in history


def test_proposing_and_approving_through_the_api_answers_the_decision_worded_for_the_caller(
    scene, funding
):
    """(The review found both answering 500 after the write was saved.)"""
    f = funding
    proposer, approver = web(scene.editor), web(scene.editor2)
    r = proposer.post(
        f"/api/v1/accountability/tranches/{f.tranche.pk}/propose/",
        {"kind": "waiver", "rationale": "agreed", "condition": f.suspended.pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = approver.post(
        f"/api/v1/accountability/tranche-decisions/{r.json()['id']}/decide/",
        {"approve": True, "note": "ok"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    r = proposer.post(
        f"/api/v1/accountability/tranches/{f.tranche.pk}/propose/",
        {"kind": "release", "rationale": "go"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = approver.post(
        f"/api/v1/accountability/tranche-decisions/{r.json()['id']}/decide/",
        {"approve": True, "note": "ok"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    evidence = r.json()["evidence"]
    assert evidence and "SECRET" not in json.dumps(evidence)
    assert any("may not see" in v["evidence"] for v in evidence)


def test_the_operation_page_counts_a_hidden_organisations_contribution_never_describes_it(scene):
    op = services.save(
        Operation(
            name="Visible mission",
            kind="peacekeeping",
            framework="ad_hoc",
            start=dt.date(2020, 1, 1),
            owner=scene.a,
            classification=C.PUBLIC,
            releasability=R.PUBLIC,
        ),
        actor=SYSTEM,
    )
    from concord.operations.models import Contribution

    Contribution.objects.create(
        operation=op,
        contributor_organisation=scene.hidden_org,
        troops=1111,
        date=dt.date(2019, 6, 1),
    )
    Contribution.objects.create(operation=op, contributor_organisation=scene.b, troops=22)
    for reader in (None, scene.b_viewer, scene.editor):
        body = text(web(reader).get(f"/operations/{op.pk}/"))
        assert "1111" not in body and "2019-06-01" not in body, reader
        assert "1 contribution you may not see" in body and "22 troops" in body


def test_a_hidden_clash_rule_does_not_take_its_pair_from_other_owners(scene):
    from django.core.exceptions import ValidationError

    from concord.labour.models import ClashRule, Task

    pub = {"owner": scene.a, "classification": C.PUBLIC, "releasability": R.PUBLIC}
    t1 = services.save(Task(code="t-one", name="One", **pub), actor=SYSTEM)
    t2 = services.save(Task(code="t-two", name="Two", **pub), actor=SYSTEM)
    services.save(
        ClashRule(
            task_a=t1,
            task_b=t2,
            reason="SECRET",
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=SYSTEM,
    )
    b_manager = make_user("b_manager", scene.b, Role.MANAGER, C.CONFIDENTIAL)
    mine = ClashRule(
        task_a=t1,
        task_b=t2,
        reason="Ours",
        owner=scene.b,
        classification=C.PUBLIC,
        releasability=R.PUBLIC,
    )
    services.save(mine, actor=as_(b_manager))  # refused before: the pair was taken
    with pytest.raises(ValidationError):  # one rule per pair for each owner
        services.save(
            ClashRule(
                task_a=t1,
                task_b=t2,
                reason="Again",
                owner=scene.b,
                classification=C.PUBLIC,
                releasability=R.PUBLIC,
            ),
            actor=as_(b_manager),
        )


def test_the_analysis_cuts_visible_tasks_from_a_hidden_parent(scene):
    """A rule on a hidden task must not fire on its visible sub-tasks: that would show
    where they sit, a link the reader may not see."""
    from concord.labour import loaders
    from concord.labour.models import Assignment, ClashRule, Task

    pub = {"owner": scene.a, "classification": C.PUBLIC, "releasability": R.PUBLIC}
    hidden = services.save(
        Task(
            code="secret-parent",
            name="SECRET",
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=SYSTEM,
    )
    child = services.save(Task(code="child", name="Child", parent=hidden, **pub), actor=SYSTEM)
    other = services.save(Task(code="other", name="Other", **pub), actor=SYSTEM)
    services.save(ClashRule(task_a=other, task_b=hidden, reason="r", **pub), actor=SYSTEM)
    for org, task in ((scene.a, child), (scene.b, other)):
        services.save(
            Assignment(
                organisation=org, task=task, country=scene.mli, start=dt.date(2026, 1, 1), **pub
            ),
            actor=SYSTEM,
        )
    world = loaders.load(scene.b_viewer, loaders.Scope(countries=["MLI"]))
    assert world.task_parent[child.pk] is None
    from concord.labour import analysis

    assert analysis.clashes(world) == []


def test_findings_name_no_id_of_a_hidden_actor_or_place(scene):
    """An overlap between a visible partner and a hidden organisation, in a hidden district:
    the finding's key and actors carry opaque stand-ins, the same for every reader and every
    run (so reviews keep matching), never the hidden records' ids."""
    from concord.labour.models import Assignment, Task

    pub = {"owner": scene.a, "classification": C.PUBLIC, "releasability": R.PUBLIC}
    task = services.save(Task(code="wash", name="Water", **pub), actor=SYSTEM)
    region = services.save(
        Area(name="Region", pcode="ML01", country=scene.mli, level=1, **pub), actor=SYSTEM
    )
    district = services.save(
        Area(
            name="SECRET district",
            pcode="ML0101",
            country=scene.mli,
            level=2,
            parent=region,
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
        ),
        actor=SYSTEM,
    )
    for org in (scene.hidden_org, scene.b):
        services.save(
            Assignment(
                organisation=org,
                task=task,
                country=scene.mli,
                area=district,
                start=dt.date(2026, 1, 1),
                **pub,
            ),
            actor=SYSTEM,
        )
    keys = []
    for reader in (None, scene.b_viewer):
        data = json.loads(
            text(web(reader).get("/api/v1/labour/findings/", {"country": "MLI", "kind": "overlap"}))
        )
        (finding,) = data["results"]
        keys.append(finding["key"])
        body = json.dumps(finding)
        assert f":o{scene.hidden_org.pk}" not in finding["key"]
        assert f":{district.pk}:" not in finding["key"]
        hidden_actor = [a for a in finding["actors"] if a["name"] == "(restricted)"]
        assert hidden_actor and hidden_actor[0]["key"].startswith("h")
        assert "SECRET" not in body
    assert keys[0] == keys[1]  # the same stand-ins for every reader


def test_people_are_named_to_signed_in_users_only(scene, funding):
    """A public tranche's releases, a public case's decisions and a public assessment's
    approver do not name people to anonymous visitors (the review found usernames there)."""
    from concord.accountability.models import RiskAssessment
    from concord.accountability.services import cases as case_services

    f = funding
    w = funding_services.propose(
        f.tranche, "waiver", "waive", condition=f.suspended, actor=as_(scene.editor)
    )
    funding_services.decide(w, True, "agreed", actor=as_(scene.editor2))
    case = public_case(scene, f, "Public case")
    services.save(
        RiskAssessment(
            case=case,
            recipient_record="r",
            rating="low",
            decision="approved",
            rationale="ok",
            approver=scene.editor2,
            assessed_on=dt.date(2026, 1, 1),
            expires_on=dt.date(2027, 1, 1),
            owner=scene.a,
            classification=C.PUBLIC,
            releasability=R.PUBLIC,
        ),
        actor=as_(scene.editor),
    )
    case_services.decide(
        case, "approved", "as assessed", actor=as_(scene.editor), on=dt.date(2026, 1, 2)
    )
    assessment = RiskAssessment.objects.get(case=case)
    urls = [
        f"/tranches/{f.tranche.pk}/",
        f"/support-cases/{case.pk}/",
        f"/api/v1/accountability/support-cases/{case.pk}/decisions/",
        f"/risk-assessments/{assessment.pk}/",
        f"/api/v1/accountability/risk-assessments/{assessment.pk}/",
    ]
    for url in urls:
        body = text(web(None).get(url))
        assert "a_editor" not in body, url  # (a_editor and a_editor2)
    assert "a_editor2" in text(web(scene.b_viewer).get(f"/tranches/{f.tranche.pk}/"))


def test_a_units_page_gives_no_id_of_a_hidden_unit_in_its_chain_or_lineage(scene):
    """Found by the second independent review: the chain of command and the lineage linked a
    hidden parent or successor as "(restricted)" with its page address (its id)."""
    hidden = services.save(
        SecurityUnit(
            name="SECRET-UNIT",
            country=scene.mli,
            owner=scene.a,
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=R.OWNER,
        ),
        actor=SYSTEM,
        m2m={"named_users": []},
    )
    public = dict(owner=scene.a, classification=C.PUBLIC, releasability=R.PUBLIC)
    unit = services.save(
        SecurityUnit(
            name="Visible unit", country=scene.mli, parent=hidden, successor=hidden, **public
        ),
        actor=SYSTEM,
    )
    child = services.save(
        SecurityUnit(name="Visible child", country=scene.mli, parent=unit, **public), actor=SYSTEM
    )
    for reader in (None, scene.b_viewer, scene.editor):
        body = text(web(reader).get(f"/security-units/{unit.pk}/"))
        assert f"/security-units/{hidden.pk}/" not in body, reader
        assert "SECRET" not in body
        assert f"/security-units/{child.pk}/" in body  # the visible chain is still there
        body = text(web(reader).get(f"/security-units/{child.pk}/"))
        assert f"/security-units/{hidden.pk}/" not in body, reader
        assert f"/security-units/{unit.pk}/" in body
