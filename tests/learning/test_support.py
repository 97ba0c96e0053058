"""The catalogue of modular support: a coalition asks for a module, the offering institution
answers (and only it), the request is always readable by the offerer, an accepted module
shows on the operation and in its accountability web, and the findings (ad hoc coalitions
with no accountability module in force, modules never taken up)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from concord.core import services as core
from concord.core.context import Actor
from concord.core.models import Classification, Releasability, Role
from concord.learning import loaders, services
from concord.learning.fixtures import support
from concord.learning.models import SupportModule, SupportRequest
from concord.operations.models import Operation

from ..conftest import make_org, make_user
from .test_learning import actor, web

C, R = Classification, Releasability
TODAY = dt.date.today()


@pytest.fixture
def market(db):
    un, au, ken = make_org("UN"), make_org("AU"), make_org("KEN")
    people = {
        "un": make_user("un.editor", un, Role.EDITOR, C.CONFIDENTIAL),
        "au": make_user("au.editor", au, Role.EDITOR, C.CONFIDENTIAL),
        "ken": make_user("ken.editor", ken, Role.EDITOR, C.CONFIDENTIAL),
    }
    system = Actor.system("test")
    public = {"classification": C.PUBLIC, "releasability": R.PUBLIC}
    compliance = core.save(
        SupportModule(
            owner=un,
            title="HRDDP compliance framework",
            area="compliance_monitoring",
            description="Risk assessments and mitigation.",
            contact="OHCHR",
            **public,
        ),
        actor=system,
    )
    logistics = core.save(
        SupportModule(
            owner=un,
            title="Logistics package",
            area="logistics",
            description="Rations and fuel.",
            contact="UNSOS",
            **public,
        ),
        actor=system,
    )
    coalition = core.save(
        Operation(
            name="Gang Suppression Force",
            key="gsf",
            kind="enforcement",
            framework="ad_hoc",
            start=TODAY - dt.timedelta(days=90),
            owner=ken,
            **public,
        ),
        actor=system,
    )
    return people, compliance, logistics, coalition, ken


def ask(owner, module, op, by, **kw):
    return core.save(
        SupportRequest(
            owner=owner,
            module=module,
            operation=op,
            need="Advisers.",
            wanted_from=TODAY - dt.timedelta(days=10),
            **kw,
        ),
        actor=actor(by),
    )


def test_a_request_is_answered_by_the_offerer_only_and_always_readable_by_it(market):
    people, compliance, logistics, coalition, ken = market
    request = ask(
        ken, compliance, coalition, people["ken"], classification=C.INTERNAL, releasability=R.OWNER
    )
    request.refresh_from_db()
    assert request.releasability == R.ORGANISATIONS  # shared with the offerer all the same
    assert SupportRequest.objects.visible_to(people["un"]).filter(pk=request.pk).exists()
    assert not SupportRequest.objects.visible_to(people["au"]).filter(pk=request.pk).exists()
    with pytest.raises(PermissionDenied):
        services.answer_request(request, "accepted", actor=actor(people["ken"]))
    with pytest.raises(ValidationError):
        services.answer_request(request, "declined", " ", actor=actor(people["un"]))
    with pytest.raises(ValidationError):  # an alternative of another institution, or none
        services.answer_request(request, "alternative", "Try this.", actor=actor(people["un"]))
    answered = services.answer_request(request, "accepted", actor=actor(people["un"]))
    assert answered.state == "accepted" and answered.answered_by == people["un"]
    with pytest.raises(ValidationError):
        services.answer_request(request, "declined", "No.", actor=actor(people["un"]))
    with pytest.raises(ValidationError):  # accepted: no longer withdrawn
        services.withdraw_request(answered, "Changed our minds.", actor=actor(people["ken"]))
    answered.module = logistics
    with pytest.raises(ValidationError):  # an accepted request keeps its module
        core.save(answered, actor=actor(people["ken"]))
    history = web(people["ken"]).get(f"/support-requests/{request.pk}/history/").content.decode()
    assert "un.editor" in history


def test_the_findings_and_the_accountability_web(market):
    people, compliance, logistics, coalition, ken = market
    assert loaders.coalitions_without_accountability(people["ken"]) == [coalition]
    assert {m.pk for m in loaders.unused_modules(people["ken"])} == {compliance.pk, logistics.pk}
    request = ask(
        ken,
        compliance,
        coalition,
        people["ken"],
        **{"classification": C.PUBLIC, "releasability": R.PUBLIC},
    )
    alternative = services.answer_request(
        request,
        "alternative",
        "Our logistics first.",
        alternative=logistics,
        actor=actor(people["un"]),
    )
    assert alternative.alternative == logistics
    assert loaders.coalitions_without_accountability(people["ken"]) == [coalition]
    again = ask(
        ken, compliance, coalition, people["ken"], classification=C.PUBLIC, releasability=R.PUBLIC
    )
    services.answer_request(again, "accepted", actor=actor(people["un"]))
    assert loaders.coalitions_without_accountability(people["ken"]) == []
    assert [m.pk for m in loaders.unused_modules(people["ken"])] == [logistics.pk]
    page = web(people["ken"]).get(f"/operations/{coalition.pk}/accountability/").content.decode()
    assert "HRDDP compliance framework" in page
    op_page = web(people["ken"]).get(coalition.get_absolute_url()).content.decode()
    assert "Modular support" in op_page and "HRDDP compliance framework" in op_page
    findings = web(people["au"]).get("/support-modules/findings/").content.decode()
    assert "Logistics package" in findings


def test_answering_through_the_page_and_the_api(market):
    people, compliance, logistics, coalition, ken = market
    request = ask(ken, compliance, coalition, people["ken"])
    page = web(people["un"]).get(request.get_absolute_url()).content.decode()
    assert "Answer this request" in page
    assert (
        "Answer this request"
        not in web(people["ken"]).get(request.get_absolute_url()).content.decode()
    )
    response = web(people["un"]).post(
        f"/support-requests/{request.pk}/answer/",
        {"decision": "declined", "answer": "No capacity."},
    )
    assert response.status_code == 302
    assert SupportRequest.objects.get(pk=request.pk).state == "declined"
    other = ask(ken, logistics, coalition, people["ken"])
    client = web(people["un"])
    bad = client.post(
        f"/api/v1/learning/support-requests/{other.pk}/answer/",
        {"decision": "maybe"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/api/v1/learning/support-requests/{other.pk}/answer/",
        {"decision": "accepted"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"
    mine = ask(ken, compliance, coalition, people["ken"])
    gone = web(people["ken"]).post(
        f"/api/v1/learning/support-requests/{mine.pk}/withdraw/",
        {"reason": "Found another way."},
        content_type="application/json",
    )
    assert gone.json()["state"] == "withdrawn"


def test_the_seeded_catalogue_is_sourced():
    rows = support.rows()
    assert len(rows) >= 12
    assert all(r["citation"] and r["contact"] for r in rows)
    areas = {r["area"] for r in rows}
    assert {"logistics", "mediation_support", "hr_due_diligence", "compliance_monitoring"} <= areas
    for r in rows:
        if r["until"]:
            assert dt.date.fromisoformat(r["until"]) >= dt.date.fromisoformat(r["since"])
