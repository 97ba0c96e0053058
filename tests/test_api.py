"""The REST API: one error shape, token scopes, the same permissions as the UI."""

from __future__ import annotations

import pytest
from django.test import Client

from concord.core import services
from concord.core.context import Actor
from concord.core.models import AuditEntry, Organisation, Person

from .conftest import country, make_org, make_user


@pytest.fixture
def api(db):
    org = make_org("APO")
    other = make_org("OTH")
    editor = make_user("api_editor", org, "editor", 2)
    viewer = make_user("api_viewer", org, "viewer", 2)
    country("MLI")
    return org, other, editor, viewer


def token_client(user, read_only=False):
    _, key = services.create_token(
        actor=Actor(user=user, interface="web"), name="t", read_only=read_only
    )
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_openapi_schema_and_docs(client, db):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    doc = schema.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/core/organisations/" in doc["paths"]
    assert "tokenAuth" in doc["components"]["securitySchemes"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"/static/vendor/swagger-ui" in docs.content


def test_the_schema_describes_what_the_api_returns(client, db):
    """What the fuzzer (scripts/fuzz-api, in make test) found: hidden links are null, a
    history is a list, a finding's days a number, people may be null, and every operation
    documents its error answers in the one error shape."""
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for component, field in [
        ("Allegation", "unit"),
        ("Tranche", "commitment"),
        ("Commitment", "donor"),
        ("RiskAssessment", "case"),
        ("Need", "task"),
        ("Report", "reviewed_by"),
        ("TrancheDecision", "decided_by"),
        ("Assignment", "batch"),
    ]:
        assert schemas[component]["properties"][field].get("nullable"), (component, field)
    assert schemas["Finding"]["properties"]["days"]["type"] == "integer"
    history = doc["paths"]["/api/v1/core/organisations/{id}/history/"]["get"]["responses"]["200"]
    assert history["content"]["application/json"]["schema"]["type"] == "array"
    mandate = doc["paths"]["/api/v1/labour/mandates/{id}/"]["get"]["responses"]["200"]
    assert mandate["content"]["application/json"]["schema"]["$ref"].endswith("/Mandate")
    assert {"key", "status", "note"} <= set(schemas["ReviewRequest"]["properties"])
    assert "Error" in schemas
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "403", "404"} <= set(operation["responses"]), (path, method)


def test_a_finding_review_that_is_not_an_object_is_refused_not_a_server_error(api):
    org, other, editor, _ = api
    r = token_client(editor).post(
        "/api/v1/labour/findings/", [None, None], content_type="application/json"
    )
    assert r.status_code == 400 and "key, status" in r.json()["error"]["message"]


def test_create_update_delete_through_the_api_is_audited(api):
    org, other, editor, _ = api
    c = token_client(editor)
    r = c.post(
        "/api/v1/core/organisations/",
        {
            "name": "Sahel Peace Net",
            "kind": "nngo",
            "owner": org.pk,
            "country": "MLI",
            "aliases": ["SPN"],
            "classification": 1,
            "releasability": "owner",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    r = c.patch(
        f"/api/v1/core/organisations/{pk}/", {"acronym": "SPN"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["acronym"] == "SPN"
    entry = AuditEntry.objects.filter(object_id=str(pk)).order_by("-seq").first()
    assert entry.interface == "api" and entry.changes == {"acronym": ["", "SPN"]}
    history = c.get(f"/api/v1/core/organisations/{pk}/history/").json()
    assert [h["action"] for h in history] == ["update", "create"]


def test_validation_error_shape_names_fields(api):
    org, _, editor, _ = api
    c = token_client(editor)
    r = c.post(
        "/api/v1/core/organisations/",
        {"name": "", "kind": "planet", "owner": org.pk, "website": "nope"},
        content_type="application/json",
    )
    assert r.status_code == 400
    body = r.json()["error"]
    assert body["code"] == "invalid"
    assert set(body["fields"]) >= {"name", "kind", "website"}
    assert body["message"].startswith("Invalid input")


def test_model_rule_errors_use_the_same_shape(api):
    org, _, editor, _ = api
    c = token_client(editor)
    r = c.post(
        "/api/v1/core/organisations/",
        {
            "name": "X",
            "kind": "local",
            "owner": org.pk,
            "classification": 2,
            "releasability": "public",
        },
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "releasability" in r.json()["error"]["fields"]


def test_read_only_token_cannot_write(api):
    org, _, editor, _ = api
    c = token_client(editor, read_only=True)
    assert c.get("/api/v1/core/organisations/").status_code == 200
    r = c.post(
        "/api/v1/core/organisations/",
        {"name": "X", "kind": "local", "owner": org.pk},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"


def test_revoked_token_is_refused(api):
    _, _, editor, _ = api
    token, key = services.create_token(actor=Actor(user=editor, interface="web"), name="t")
    c = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert c.get("/api/v1/core/tokens/").status_code == 200
    services.revoke_token(token, actor=Actor(user=editor, interface="web"))
    r = c.get("/api/v1/core/tokens/")
    assert r.status_code == 401 and r.json()["error"]["code"] == "authentication_failed"


def test_viewer_cannot_edit_and_gets_403(api):
    org, _, _, viewer = api
    o = services.save(Organisation(name="V", kind="local", owner=org), actor=Actor.system("t"))
    r = token_client(viewer).patch(
        f"/api/v1/core/organisations/{o.pk}/", {"name": "W"}, content_type="application/json"
    )
    assert r.status_code == 403


def test_cannot_create_for_an_organisation_you_are_not_in(api):
    _, other, editor, _ = api
    r = token_client(editor).post(
        "/api/v1/core/organisations/",
        {"name": "X", "kind": "local", "owner": other.pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "owner" in r.json()["error"]["fields"]


def test_cannot_lock_yourself_out(api):
    """Strictly confidential without naming yourself: refused, nothing saved."""
    org, _, editor, _ = api
    before = Organisation.objects.count()
    r = token_client(editor).post(
        "/api/v1/core/organisations/",
        {"name": "Sealed", "kind": "local", "owner": org.pk, "classification": 3},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Organisation.objects.count() == before


def test_people_with_affiliations_and_filters(api):
    org, _, editor, _ = api
    c = token_client(editor)
    r = c.post(
        "/api/v1/core/people/",
        {
            "name": "Mariam",
            "owner": org.pk,
            "languages": ["fr"],
            "contacts": [{"kind": "email", "value": "m@example.org"}],
            "affiliations": [{"organisation": org.pk, "title": "Adviser", "start": "2024-01-01"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    person = Person.objects.get(pk=r.json()["id"])
    assert person.affiliations.get().title == "Adviser"
    assert c.get(f"/api/v1/core/people/?organisation={org.pk}").json()["count"] == 1
    assert c.get("/api/v1/core/people/?language=fr").json()["count"] == 1
    assert c.get("/api/v1/core/people/?language=ar").json()["count"] == 0
    bad = c.post(
        "/api/v1/core/people/",
        {"name": "X", "owner": org.pk, "languages": ["zz"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "languages" in bad.json()["error"]["fields"]


def test_pagination_ordering_and_filtering(api):
    org, _, editor, _ = api
    for n in ("Charlie", "Alpha", "Bravo"):
        services.save(Organisation(name=n, kind="ingo", owner=org), actor=Actor.system("t"))
    c = token_client(editor)
    page = c.get("/api/v1/core/organisations/?kind=ingo&ordering=-name&page_size=2").json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert [o["name"] for o in page["results"]] == ["Charlie", "Bravo"]
    assert c.get(page["next"]).json()["results"][0]["name"] == "Alpha"


def test_not_found_shape(api):
    r = token_client(api[2]).get("/api/v1/core/organisations/999999/")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_anonymous_write_is_refused(client, api):
    r = client.post("/api/v1/core/organisations/", {"name": "X"}, content_type="application/json")
    assert r.status_code in (401, 403) and "error" in r.json()


def test_checked_sources_refuses_what_is_not_a_list():
    """A JSON null for a record's sources was a TypeError (a server error), not a 400."""
    from rest_framework import serializers

    from concord.api.base import checked_sources

    for value in (None, "text", 3):
        with pytest.raises(serializers.ValidationError, match="list"):
            checked_sources(value)
    assert checked_sources([{"citation": "S/RES/2719 (2023)"}]) == [
        {"citation": "S/RES/2719 (2023)"}
    ]
