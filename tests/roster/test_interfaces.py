"""The roster through its pages, its API, its CLI and its files: what a user does, and the
bad input each refuses with the field, row or column at fault."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from concord.core.context import Actor
from concord.core.importers import import_table
from concord.exchange.tabular import FileRejected, Table
from concord.roster.exchange import SPECS
from concord.roster.models import Candidate, CandidateState, Expert, ExpertRequest, Grade

from .conftest import TODAY, actor


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_the_request_page_shows_the_clock_the_ranking_and_the_actions(roster):
    page = web(roster.editor).get(roster.request.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "The 72-hour clock" in text and "waiting" in text
    assert "Amina Haddad" in text  # the best match, explained
    assert "Screen and alert the best matches" in text
    assert "Jon Smith" in text and "Atlantis Liberation Front" in text  # not matched: why


def test_the_requester_sees_the_request_but_not_the_roster(roster):
    from concord.core import services as core

    roster.request.releasability = "organisations"
    core.save(
        roster.request, actor=actor(roster.editor), m2m={"shared_organisations": [roster.requester]}
    )
    page = web(roster.outsider).get(roster.request.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Amina Haddad" not in text and "Best matches" not in text
    assert web(roster.outsider).get(f"/experts/{roster.experts['amina'].pk}/").status_code == 404


def test_alerting_and_waiving_from_the_page(roster):
    client = web(roster.editor)
    response = client.post(f"/expert-requests/{roster.request.pk}/alert/", follow=True)
    assert "screened and alerted" in response.content.decode()
    omar = Candidate.objects.get(expert=roster.experts["omar"])
    assert omar.state == CandidateState.HELD
    # an editor may not waive; a manager who did not propose may, in writing
    web(roster.editor).post(f"/candidates/{omar.pk}/waive/", {"waiver": "Fine."})
    omar.refresh_from_db()
    assert omar.waived_by is None
    response = web(roster.manager).post(
        f"/candidates/{omar.pk}/waive/", {"waiver": "Disclosed to the envoy."}, follow=True
    )
    omar.refresh_from_db()
    assert omar.waived_by == roster.manager and omar.state == CandidateState.ALERTED


def test_the_alert_link_page_needs_no_account_and_tells_nothing_more(roster, settings, mailoutbox):
    from concord.roster import services, tasks

    services.alert(roster.request, actor=actor(roster.editor))
    c = Candidate.objects.filter(state="alerted").order_by("rank").first()
    token = services.alert_token(c)
    anonymous = Client()
    page = anonymous.get(f"/alerts/{token}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ceasefire" not in text or "Security arrangements" in text
    assert "Atlantis" not in text and "ENVOY" not in text
    assert anonymous.post(f"/alerts/{token}/", {"answer": "maybe"}).status_code == 400
    assert anonymous.post(f"/alerts/{token}/", {"answer": "available"}).status_code == 200
    again = anonymous.get(f"/alerts/{token}/")
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert anonymous.get(f"/alerts/{token[:-3]}abc/").status_code == 410
    assert tasks  # the e-mails are sent by the worker (test_workflow)


def test_expert_form_refuses_bad_rows_naming_them(roster):
    client = web(roster.editor)
    data = {
        "name": "New Expert",
        "tier": "roster",
        "gender": "woman",
        "security_clearance": 1,
        "owner": roster.msu.pk,
        "classification": 3,
        "releasability": "owner",
        "named_users": [roster.editor.pk],
        "expertise": "security_arrangements:3 (led talks)\nnot_an_area:2 (x)",
        "languages": "ar:C2\nxx:B1",
        "active": "on",
    }
    response = client.post("/experts/add/", data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "not_an_area" in text and "not an expertise code" in text
    assert "xx" in text and "ISO 639" in text
    assert not Expert.objects.filter(person__name="New Expert").exists()
    data["expertise"] = "security_arrangements:3 (led talks)"
    data["languages"] = "ar:C2"
    response = client.post("/experts/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    expert = Expert.objects.get(person__name="New Expert")
    assert expert.skills.get().level == 3 and expert.languages.get().code == "ar"


def test_api_match_assign_and_a_double_booking(roster):
    client = api(roster.editor)
    r = client.get(f"/api/v1/roster/requests/{roster.request.pk}/match/")
    assert r.status_code == 200
    body = r.json()
    assert body["matches"][0]["name"] == "Amina Haddad"
    assert {p["part"] for p in body["matches"][0]["parts"]} >= {"expertise", "languages"}
    plan = client.get("/api/v1/roster/assign/").json()
    assert plan["method"] in ("linear_sum_assignment", "milp (HiGHS)")
    assert [c["name"] for c in plan["choices"]] == ["Amina Haddad"]
    greedy = client.get("/api/v1/roster/assign/?method=greedy").json()
    assert greedy["total_fit"] <= plan["total_fit"]
    assert client.get("/api/v1/roster/assign/?method=fast").status_code == 400
    # deployments through the API: the second overlapping one is refused, naming the first
    amina = roster.experts["amina"].pk
    payload = {
        "request": roster.request.pk,
        "expert": amina,
        "assignment": "Ceasefire adviser",
        "start": str(TODAY),
        "end": str(TODAY.replace(day=1) if TODAY.day > 1 else TODAY),
        "owner": roster.msu.pk,
        "classification": 3,
        "releasability": "owner",
        "named_users": [roster.editor.pk],
    }
    payload["end"] = str(TODAY)
    first = client.post("/api/v1/roster/deployments/", payload, format="json")
    assert first.status_code == 201, first.content
    second = client.post("/api/v1/roster/deployments/", payload, format="json")
    assert second.status_code == 400
    assert f"deployment {first.json()['id']}" in json.dumps(second.json())


def test_api_waiver_by_the_proposer_is_refused(roster):
    client = api(roster.manager)
    client.post(f"/api/v1/roster/requests/{roster.request.pk}/alert/", format="json")
    omar = Candidate.objects.get(expert=roster.experts["omar"])
    assert omar.grade == Grade.WAIVABLE and omar.proposed_by == roster.manager
    r = client.post(
        f"/api/v1/roster/requests/{roster.request.pk}/waive/",
        {"candidate": omar.pk, "waiver": "Fine."},
        format="json",
    )
    assert r.status_code == 400 and "four eyes" in json.dumps(r.json())


def test_cli_match_and_assign_as_json(roster):
    out = io.StringIO()
    call_command(
        "roster",
        "match",
        str(roster.request.pk),
        "--format",
        "json",
        "--as",
        "msu.editor",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["matches"][0]["name"] == "Amina Haddad"
    out = io.StringIO()
    call_command("roster", "assign", "--format", "json", "--as", "msu.editor", stdout=out)
    assert json.loads(out.getvalue())["choices"][0]["name"] == "Amina Haddad"
    with pytest.raises(CommandError, match="no request 9999"):
        call_command("roster", "match", "9999", "--as", "msu.editor", stdout=io.StringIO())
    with pytest.raises(CommandError, match="a number"):
        call_command("roster", "match", "abc", "--as", "msu.editor", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no request"):
        call_command(
            "roster", "match", str(roster.request.pk), "--as", "envoy.editor", stdout=io.StringIO()
        )


def _table(rows):
    headers = list(rows[0])
    return Table(headers, [(i, r) for i, r in enumerate(rows, start=2)])


def test_import_refuses_unknown_codes_naming_row_and_column_and_writes_nothing(roster):
    rows = [
        {
            "name": "Imported One",
            "tier": "roster",
            "expertise": "ddr:2 (programme lead)",
            "languages": "fr:C1",
        },
        {"name": "Imported Two", "tier": "roster", "expertise": "ddr:9 (x)", "languages": "fr:C1"},
        {
            "name": "Imported Three",
            "tier": "roster",
            "expertise": "cooking:2 (x)",
            "languages": "zz:C1",
        },
    ]
    before = Expert.objects.count()
    with pytest.raises(FileRejected) as e:
        import_table(
            SPECS["experts"],
            _table(rows),
            "experts.csv",
            actor=Actor(user=roster.editor, interface="web"),
        )
    errors = {(err.row, err.column) for err in e.value.errors}
    assert (3, "expertise") in errors and (4, "expertise") in errors
    assert Expert.objects.count() == before


def test_import_and_export_round_trip(roster):
    from concord.core.models import Person

    rows = [
        {
            "name": "Imported Expert",
            "tier": "standby_team",
            "gender": "man",
            "email": "imported@example.org",
            "expertise": "ddr:3 (led a DDR programme); elections:2 (observer mission)",
            "languages": "fr:C2; en:C1",
            "ties": f"advisory:{roster.gov.acronym}:2020-01-01:2021-12-31",
            "unavailable": "2030-01-01:2030-01-31 (leave)",
            "nationalities": "SEN",
            "countries": "MLI; SDN",
        }
    ]
    [saved] = import_table(
        SPECS["experts"], _table(rows), "e.csv", actor=Actor(user=roster.editor, interface="web")
    )
    assert saved.classification == 3 and roster.editor in saved.named_users.all()
    assert Person.objects.get(pk=saved.person_id).name == "Imported Expert"
    assert sorted(saved.skills.values_list("area__code", "level")) == [("ddr", 3), ("elections", 2)]
    assert saved.ties.get().organisation == roster.gov
    exported = list(SPECS["experts"].rows(Expert.objects.filter(pk=saved.pk), roster.editor))[0]
    header = SPECS["experts"].columns
    row = dict(zip(header, exported, strict=False))
    assert row["name"] == "Imported Expert"
    assert "ddr:3 (led a DDR programme)" in row["expertise"] and "fr:C2" in row["languages"]
    assert row["ties"].startswith("advisory:GOVA:2020-01-01:2021-12-31")
    # requests: an unknown expertise code in the file
    bad = [
        {
            "title": "T",
            "requester": "ENVOY",
            "process": "P",
            "start": "2030-01-01",
            "duration_days": "10",
            "expertise": "nope:2",
        }
    ]
    with pytest.raises(FileRejected) as e:
        import_table(
            SPECS["expert-requests"],
            _table(bad),
            "r.csv",
            actor=Actor(user=roster.editor, interface="web"),
        )
    assert [(x.row, x.column) for x in e.value.errors] == [(2, "expertise")]
    good = [{**bad[0], "expertise": "ddr:2; elections:1?", "languages": "fr:B2?"}]
    [r] = import_table(
        SPECS["expert-requests"],
        _table(good),
        "r.csv",
        actor=Actor(user=roster.editor, interface="web"),
    )
    assert r.steps.filter(step="received").exists()
    assert sorted(r.requirements.values_list("area__code", "required")) == [
        ("ddr", True),
        ("elections", False),
    ]
    assert ExpertRequest.objects.filter(title="T").count() == 1


def test_every_roster_list_and_the_catalogue_render(roster):
    client = web(roster.editor)
    for path in (
        "/experts/",
        "/expert-requests/",
        "/deployments/",
        "/expert-requests/board/",
        "/roster/reports/",
        "/roster/expertise/",
        "/deployments/?export=csv",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "security_arrangements.monitoring" in client.get("/roster/expertise/").content.decode()
    codes = [a["code"] for a in api(roster.editor).get("/api/v1/roster/expertise/").json()]
    assert "ddr.reintegration" in codes


def test_the_request_page_tells_a_reader_who_sees_no_expert_why(roster):
    from concord.core.models import Role

    from ..conftest import make_user

    colleague = make_user("msu.colleague", roster.msu, Role.EDITOR, 2)
    text = web(colleague).get(roster.request.get_absolute_url()).content.decode()
    assert "You may see no expert on the roster" in text
    assert "No expert on the roster meets" not in text


def test_the_board_reads_and_ranks_once_for_both_plans(roster, monkeypatch):
    """The optimal plan and the first-come baseline solve the same ranking: the board reads
    the requests once (it read them twice, a few seconds at 10,000 experts)."""
    from concord.roster.loaders import ranking

    calls = []
    real = ranking.ranked_together
    monkeypatch.setattr(
        ranking, "ranked_together", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    text = web(roster.editor).get("/expert-requests/board/").content.decode()
    assert calls == [1]
    assert "Amina Haddad" in text  # the optimum and the baseline both name her
    assert text.count("Amina Haddad") >= 2
