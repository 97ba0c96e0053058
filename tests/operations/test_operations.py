"""Operations registry end to end: the catalogue, the paper's examples, import/export (incl.
HXL), the API, the CLI and the pages a liaison officer and an analyst use."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from concord.core import services
from concord.core.context import Actor
from concord.core.importers import SPECS, export_queryset, import_file
from concord.core.models import AuditEntry, Classification, Country, Releasability, Role
from concord.exchange.tabular import FileRejected
from concord.operations import analysis, loaders
from concord.operations.fixtures.catalogue import read, seed_catalogue
from concord.operations.models import Operation, Relation, Scenario

from ..conftest import make_org, make_user

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "peace_operations"
REQUIRED = [
    "interfet",
    "unitaf",
    "mnf-lebanon",
    "mif-haiti",
    "turquoise",
    "artemis",
    "licorne",
    "serval",
    "barkhane",
    "sangaris",
    "takuba",
    "ramsi",
    "alba",
    "isaf",
    "oef",
    "mnf-i",
    "g5s-jf",
    "mnjtf",
    "mss-haiti",
    "gsf-haiti",
    "imsc-sentinel",
    "emasoh",
    "mfo",
]


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        counts = seed_catalogue()
        yield counts
        call_command("flush", interactive=False, verbosity=0)


def by_key(key):
    return Operation.objects.get(key=key)


def lifetime(key, user=None):
    world = loaders.world_for(user)
    return analysis.overall(world, by_key(key).pk, loaders.country_names())


@pytest.mark.django_db
def test_catalogue_is_complete_sourced_and_idempotent(catalogue):
    ops = Operation.objects.all()
    assert catalogue["operations"] == ops.count() >= 250
    assert Relation.objects.count() == catalogue["relations"] >= 60
    keys = set(ops.values_list("key", flat=True))
    assert set(REQUIRED) <= keys
    un_pko = ops.filter(framework="un").exclude(kind="political").count()
    assert un_pko >= 71
    for org in ("AU", "EU", "NATO", "ECOWAS", "SADC", "ECCAS", "OSCE"):
        assert ops.filter(framework_organisation__acronym=org).exists(), org
    # every row says where its facts come from, with a link
    assert all(o.sources and all(s.get("url") for s in o.sources) for o in ops)
    assert all(r.sources for r in Relation.objects.all())
    assert by_key("minusma").authorisations.filter(kind="unsc", reference="2100").exists()
    # re-running changes nothing: no duplicates, no audit entries
    audit_before = AuditEntry.objects.count()
    again = seed_catalogue()
    assert again == catalogue
    assert Operation.objects.count() == catalogue["operations"]
    assert AuditEntry.objects.count() == audit_before
    # ...but updates what changed
    Operation.objects.filter(key="alba").update(end=dt.date(1997, 8, 1))
    seed_catalogue()
    assert by_key("alba").end == dt.date(1997, 8, 12)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key, scenario, words",
    [
        ("mss-haiti", "stand_alone", "no UN or regional force recorded in Haiti"),
        ("imsc-sentinel", "stand_alone", "no UN or regional force"),
        ("amib", "sequential", "handed over to ONUB on 2004-06-01 after 13 months in Burundi"),
        ("interfet", "sequential", "handed over to UNTAET on 2000-02-23"),
        ("barkhane", "parallel", "operates alongside MINUSMA in Mali"),
        ("g5s-jf", "parallel", "is supported by MINUSMA"),
        ("oef", "parallel", "operates alongside ISAF in Afghanistan"),
    ],
)
def test_the_papers_examples_reproduce(catalogue, key, scenario, words):
    res = lifetime(key)
    assert res.scenario == scenario, res.reason
    assert words in res.reason


@pytest.mark.django_db
def test_mss_rehatted_into_a_un_operation_becomes_fully_integrated(catalogue):
    """The paper's fourth example is a possibility: record it and the scenario follows."""
    actor = Actor.system("test")
    mss = by_key("mss-haiti")
    un = Operation.objects.get(key="binuh").framework_organisation
    mission = services.save(
        Operation(
            name="Hypothetical UN operation in Haiti",
            kind="stabilisation",
            framework="un",
            framework_organisation=un,
            start=dt.date(2025, 3, 1),
            owner=mss.owner,
            classification=0,
            releasability="public",
        ),
        actor=actor,
        m2m={"host_countries": [Country.objects.get(alpha3="HTI")]},
    )
    services.save(
        Relation(
            source=mss,
            kind="integrated_into",
            target=mission,
            start=dt.date(2025, 3, 1),
            owner=mss.owner,
            classification=0,
            releasability="public",
        ),
        actor=actor,
    )
    res, history = loaders.classification_of(mss, None, dt.date(2025, 6, 1))
    assert res.scenario == "fully_integrated"
    assert [p.result.scenario for p in history] == ["stand_alone", "fully_integrated"]
    before, _ = loaders.classification_of(mss, None, dt.date(2024, 12, 1))
    assert before.scenario == "stand_alone"


def _data_or_skip(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared datasets are not on this machine)")
    return path


def test_catalogue_dates_agree_with_the_un_list_or_the_disagreement_is_documented():
    path = _data_or_skip("un_psdata_DPPADPOSS-PKO_missions.csv")
    cat = {r["acronym"]: r for r in read("operations.csv") if r["framework"] == "un"}
    known = {
        (d["acronym"], d["field"]) for d in read("disagreements.csv") if d["dataset"] == "un_psdata"
    }
    found, compared = set(), 0
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ours = cat.get(row["mission_acronym"].strip())
            if ours is None:
                continue
            for field, theirs in (("start", row["start_date"]), ("end", row["end_date"])):
                if not theirs or not ours[field]:
                    continue
                gap = abs((dt.date.fromisoformat(ours[field]) - dt.date.fromisoformat(theirs)).days)
                compared += 1
                if gap > 31:
                    found.add((row["mission_acronym"].strip(), field))
    assert compared > 120
    assert found - known == set(), f"undocumented disagreements: {sorted(found - known)}"
    assert known - found == set(), f"documented but no longer disagreeing: {sorted(known - found)}"


def test_catalogue_years_cover_geo_pko_deployments_or_the_disagreement_is_documented():
    path = _data_or_skip("geopko_v2.3_FrontMap_v.2.3.csv")
    cat = {r["acronym"]: r for r in read("operations.csv") if r["framework"] == "un"}
    known = {d["acronym"] for d in read("disagreements.csv") if d["dataset"] == "geopko"}
    years: dict[str, set[int]] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            years.setdefault(row["mission"], set()).add(int(row["year"]))
    missing = sorted(m for m in years if m not in cat)
    assert not missing, f"Geo-PKO missions absent from the catalogue: {missing}"
    outside = {
        m
        for m, ys in years.items()
        if min(ys) < int(cat[m]["start"][:4]) or max(ys) > int((cat[m]["end"] or "2100")[:4])
    }
    assert outside == known


# --- import / export --------------------------------------------------------------------------


@pytest.fixture
def officer(db):
    org = make_org("KEN-COAL")
    return make_user("liaison", org, Role.EDITOR, Classification.CONFIDENTIAL)


def _rows(kind, user, fmt):
    """The user's own organisation's records (the catalogue's are not theirs to re-import)."""
    from concord.core.importers import write

    headers, qs = export_queryset(kind, user)
    qs = qs.filter(owner__in=user.principal().org_ids)
    body, _ = write(kind, fmt, headers, SPECS[kind].rows(qs, user))
    return b"".join(body) if fmt == "xlsx" else "".join(body).encode()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "hxl"])
def test_operations_and_relations_round_trip_losslessly(catalogue, officer, fmt):
    actor = Actor(user=officer, interface="web")
    owner = officer.memberships.first().organisation
    hti = Country.objects.get(alpha3="HTI")
    op = services.save(
        Operation(
            key="test-coalition",
            name="Test coalition; with a semicolon?",
            acronym="TC",
            aliases=["Coalition test", "TC-1"],
            kind="stabilisation",
            framework="ad_hoc",
            lead_state=Country.objects.get(alpha3="KEN"),
            start=dt.date(2026, 1, 1),
            funding="voluntary",
            description='Line one\nline two, with "quotes"',
            sources=[
                {"fact": "start", "citation": "Press release", "url": "https://example.org/a"}
            ],
            owner=owner,
            classification=Classification.INTERNAL,
            releasability=Releasability.SIGNED_IN,
        ),
        actor=actor,
        m2m={"host_countries": [hti]},
        children=__import__("concord.operations.services", fromlist=["x"]).set_children(
            [{"kind": "unsc", "reference": "2793", "date": dt.date(2025, 9, 30), "renewal": False}],
            [
                {
                    "contributor_state": Country.objects.get(alpha3="KEN"),
                    "date": dt.date(2026, 2, 1),
                    "troops": 400,
                    "police": None,
                    "civilians": 12,
                }
            ],
        ),
    )
    services.save(
        Relation(
            source=op,
            kind="handed_over_to",
            target=by_key("minustah"),
            start=dt.date(2026, 6, 1),
            coordination_level="liaison",
            owner=owner,
            classification=Classification.INTERNAL,
            releasability="signed_in",
        ),
        actor=actor,
    )
    name = f"ops.{'csv' if fmt == 'hxl' else fmt}"
    for kind in ("operations", "relations"):
        before = _rows(kind, officer, fmt)
        if fmt == "hxl":
            assert b"#activity+name" in before or b"#activity+code+source" in before
        saved = import_file(kind, before, name, actor=actor, fmt=fmt)
        assert saved, kind
        after = _rows(kind, officer, fmt)
        if fmt == "xlsx":
            from openpyxl import load_workbook

            def cells(b):
                ws = load_workbook(io.BytesIO(b)).active
                return [list(r) for r in ws.iter_rows(values_only=True)]

            assert cells(before) == cells(after)
        else:
            assert before.decode() == after.decode(), (before.decode(), after.decode())
    assert Operation.objects.filter(key="test-coalition").count() == 1
    assert Relation.objects.filter(source=op).count() == 1


@pytest.mark.django_db
def test_bad_rows_name_row_and_column_and_nothing_is_written(catalogue, officer):
    actor = Actor(user=officer, interface="web")
    count = Operation.objects.count()
    data = (
        b"key,name,kind,framework,start,end,host_countries,authorisations,sources\n"
        b"ok-1,Fine coalition,stabilisation,ad_hoc,2026-01-01,,HTI,,\n"
        b"bad-1,Bad dates,stabilisation,ad_hoc,2026-05-01,2026-01-01,HTI,,\n"
        b"bad-2,Bad kind,peace,ad_hoc,2026-01-01,,XXX,,\n"
        b"bad-3,Bad auth,stabilisation,ad_hoc,2026-13-01,,HTI,unsc,nowhere\n"
    )
    with pytest.raises(FileRejected) as exc:
        import_file("operations", data, "ops.csv", actor=actor)
    report = exc.value.report()
    assert "row 3" in report and "end" in report
    assert "row 4" in report and "kind" in report
    assert "row 5" in report and "start" in report
    assert Operation.objects.count() == count
    rel = b"source,kind,target,start\nmss-haiti,handed_over_to,NOPE,2025-01-01\n"
    with pytest.raises(FileRejected) as exc:
        import_file("relations", rel, "rels.csv", actor=actor)
    assert "target" in exc.value.report() and "NOPE" in exc.value.report()
    hxl = b"Name,Start\n#activity+name,#org+unknowntag\nX,2026-01-01\n"
    with pytest.raises(FileRejected) as exc:
        import_file("operations", hxl, "ops.csv", actor=actor)
    assert "unknown hashtag" in exc.value.report()


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_register_link_classify_and_override(catalogue, officer):
    client = Client()
    client.force_login(officer)
    owner = officer.memberships.first().organisation
    created = client.post(
        "/api/v1/operations/operations/",
        {
            "name": "Coalition for Haiti",
            "kind": "stabilisation",
            "framework": "ad_hoc",
            "lead_state": "KEN",
            "host_countries": ["HTI"],
            "start": "2026-01-01",
            "owner": owner.pk,
            "classification": 1,
            "releasability": "signed_in",
            "authorisations": [{"kind": "unsc", "reference": "2793", "date": "2025-09-30"}],
            "sources": [{"citation": "Council press release", "url": "https://example.org/x"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    op_id = created.json()["id"]
    target = by_key("binuh").pk
    rel = client.post(
        "/api/v1/operations/relations/",
        {
            "source": op_id,
            "kind": "handed_over_to",
            "target": target,
            "start": "2026-09-01",
            "owner": owner.pk,
            "classification": 1,
            "releasability": "signed_in",
        },
        content_type="application/json",
    )
    assert rel.status_code == 201, rel.content
    got = client.get(
        f"/api/v1/operations/operations/{op_id}/classification/?as_of=2026-03-01"
    ).json()
    assert got["current"]["scenario"] == "sequential"
    assert "handed over to BINUH on 2026-09-01 after 8 months in Haiti" in got["current"]["reason"]
    bad = client.get(f"/api/v1/operations/operations/{op_id}/classification/?as_of=2026-02-30")
    assert bad.status_code == 400 and "as_of" in bad.json()["error"]["fields"]
    # an override needs a justification, is audited, and keeps the derived value
    no_why = client.post(
        f"/api/v1/operations/operations/{op_id}/classification/",
        {"scenario": "parallel"},
        content_type="application/json",
    )
    assert no_why.status_code == 400
    ok = client.post(
        f"/api/v1/operations/operations/{op_id}/classification/",
        {"scenario": "parallel", "justification": "Handover postponed; both will deploy."},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["scenario"] == "parallel" and ok.json()["derived_scenario"] == "sequential"
    entry = AuditEntry.objects.filter(model="operations.operation", object_id=str(op_id)).first()
    assert (
        "scenario_override"
        in AuditEntry.objects.filter(
            model="operations.operation", object_id=str(op_id), action="update"
        )
        .latest("seq")
        .changes
    )
    assert entry is not None
    # someone from another organisation may read it but not override it
    other = make_user("other", make_org("OTHER"), Role.EDITOR, Classification.CONFIDENTIAL)
    c2 = Client()
    c2.force_login(other)
    denied = c2.post(
        f"/api/v1/operations/operations/{op_id}/classification/",
        {"scenario": "stand_alone", "justification": "no"},
        content_type="application/json",
    )
    assert denied.status_code == 403
    listing = client.get(
        "/api/v1/operations/classifications/?as_of=2026-03-01&framework=ad_hoc"
    ).json()
    mine = [r for r in listing["results"] if r["operation"] == op_id]
    assert mine and mine[0]["scenario"] == "parallel" and mine[0]["override"] == "parallel"
    summary = client.get("/api/v1/operations/classifications/summary/").json()
    assert summary["by_decade"]["2000s"]["sequential"] >= 3
    assert "Africa" in summary["by_region"]


@pytest.mark.django_db
def test_a_hidden_relation_does_not_change_what_others_see(catalogue, officer):
    """A confidential handover recorded by one organisation must not show through another
    reader's classification (its reason would name the hidden plan)."""
    owner = officer.memberships.first().organisation
    actor = Actor(user=officer, interface="web")
    mss = by_key("mss-haiti")
    services.save(
        Relation(
            source=mss,
            kind="integrated_into",
            target=by_key("binuh"),
            start=dt.date(2024, 7, 1),
            owner=owner,
            classification=Classification.CONFIDENTIAL,
            releasability="owner",
        ),
        actor=actor,
    )
    outsider = make_user("outsider", make_org("OUT"), Role.VIEWER, Classification.CONFIDENTIAL)
    assert lifetime("mss-haiti", officer).scenario == "fully_integrated"
    assert lifetime("mss-haiti", outsider).scenario == "stand_alone"
    assert "BINUH" not in lifetime("mss-haiti", outsider).reason


def test_a_country_page_lists_the_operations_there_with_their_scenario_today(catalogue, officer):
    """Mali's page lists the operations there (it listed none), each with its scenario today
    as its own page gives it, or the year it ended, and links to the timeline and the 4W
    analysis; an operation the reader may not see is not listed (issue 17)."""
    owner = officer.memberships.first().organisation
    services.save(
        Operation(
            key="hidden-op",
            name="Hidden Sahel Plan",
            acronym="HSP",
            kind="stabilisation",
            framework="ad_hoc",
            start=dt.date(2025, 1, 1),
            owner=owner,
            classification=Classification.CONFIDENTIAL,
            releasability="owner",
        ),
        actor=Actor(user=officer, interface="web"),
        m2m={"host_countries": [Country.objects.get(alpha3="MLI")]},
    )
    outsider = make_user("outsider", make_org("OUT"), Role.VIEWER, Classification.CONFIDENTIAL)
    client = Client()
    client.force_login(outsider)
    text = client.get("/countries/MLI/").content.decode()
    section = text.split("<h2>Operations here</h2>")[1].split("</ul>")[0]
    eucap = by_key("eucap-mali")
    today = loaders.classification_of(eucap, outsider)[0].scenario
    assert f"EUCAP Sahel Mali (since 2014), today: {Scenario(today).label}" in section
    assert f'href="/operations/{eucap.pk}/"' in section
    assert "MINUSMA" in section and "(2013–2023), ended 2023" in section
    assert "Barkhane" in section and "ended 2022" in section
    assert "/operations/timeline/?theatre=MLI" in section
    assert "Hidden Sahel Plan" not in text and "HSP" not in text
    client.force_login(officer)  # its owner sees it
    assert "HSP (since 2025), today:" in client.get("/countries/MLI/").content.decode()


# --- CLI ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_classify_prints_a_table(catalogue):
    out = io.StringIO()
    call_command("operations", "classify", "--as-of", "2004-05-01", stdout=out)
    text = out.getvalue()
    assert "MIF" in text and "sequential" in text and "handed over to MINUSTAH" in text
    assert "operations, as of 2004-05-01" in text
    out = io.StringIO()
    call_command("operations", "classify", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["scenario"] for r in rows} >= {"stand_alone", "sequential", "parallel"}
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--as-of"):
        call_command("operations", "classify", "--as-of", "2004-13-01")


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_liaison_officer_registers_links_and_sees_the_reason(catalogue, officer):
    client = Client()
    client.force_login(officer)
    owner = officer.memberships.first().organisation
    form = {
        "key": "new-coalition",
        "name": "New Haiti Coalition",
        "kind": "stabilisation",
        "framework": "ad_hoc",
        "lead_state": "KEN",
        "host_countries": "HTI",
        "start": "2026-01-01",
        "authorisations": "unsc | 2793 | 2025-09-30",
        "contributions": "KEN | 2026-02-01 | 400 | | 12",
        "sources": "start | Council press release | https://example.org/x",
        "owner": owner.pk,
        "classification": 1,
        "releasability": "signed_in",
    }
    bad = client.post("/operations/add/", {**form, "host_countries": "HTI; ZZZ"})
    assert bad.status_code == 400 and "ZZZ" in bad.content.decode()
    response = client.post("/operations/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    op = Operation.objects.get(key="new-coalition")
    assert op.contributions.get().troops == 400
    response = client.post(
        "/relations/add/",
        {
            "source": "new-coalition",
            "kind": "handed_over_to",
            "target": "MINUSTAH",
            "start": "2026-07-01",
            "owner": owner.pk,
            "classification": 1,
            "releasability": "signed_in",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(f"/operations/{op.pk}/?as_of=2026-03-01").content.decode()
    assert "handed over to MINUSTAH on 2026-07-01 after 6 months in Haiti" in page
    assert "Override the classification" in page
    response = client.post(
        f"/operations/{op.pk}/classification/",
        {"scenario": "stand_alone", "justification": "MINUSTAH closed in 2017; typo in plan."},
    )
    assert response.status_code == 302
    page = client.get(f"/operations/{op.pk}/").content.decode()
    assert "Set by a person" in page and "typo in plan" in page and "sequential" in page


@pytest.mark.django_db
def test_analyst_pages_timeline_map_typology_and_exports(catalogue):
    client = Client()
    page = client.get("/operations/timeline/?theatre=MLI")
    text = page.content.decode()
    assert page.status_code == 200 and "MINUSMA" in text and "Barkhane" in text
    assert 'marker-end="url(#arrow)"' in text  # handovers (AFISMA -> MINUSMA) are arrows
    svg = client.get("/operations/timeline/?theatre=HTI&format=svg")
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert b"MSS" in svg.content and b"MINUSTAH" in svg.content
    assert client.get("/operations/timeline/?theatre=Africa").status_code == 200
    recent = client.get("/operations/timeline/?theatre=CYP&since=2020").content.decode()
    assert "UNFICYP" in recent  # started in 1964, still running: shown since 2020
    assert client.get("/operations/timeline/?theatre=NOWHERE").status_code == 404
    world = client.get("/operations/map/?date=2015-06-01&framework=un")
    text = world.content.decode()
    assert world.status_code == 200 and "MINUSMA" in text and "Barkhane" not in text
    assert 'data-country="466"' in text  # Mali on the base map
    assert client.get("/operations/map/?date=2015-06-01&format=svg")["Content-Type"].startswith(
        "image/svg+xml"
    )
    typ = client.get("/operations/typology/").content.decode()
    assert "INTERFET" in typ and "The paper" in typ and "<strong>no</strong>" not in typ
    export = client.get("/operations/typology/?export=csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert any(r["key"] == "amib" and r["scenario"] == "sequential" for r in client_rows(client))
    assert {r["scenario"] for r in rows} >= {"stand_alone", "sequential", "parallel"}
    listing = client.get("/operations/?export=csv&framework=ad_hoc")
    assert b"INTERFET" in b"".join(listing.streaming_content)
    template = b"".join(client.get("/operations/template/?format=hxl").streaming_content)
    template = template.decode()
    assert template.splitlines()[1].startswith("#meta+id,#activity+code")


def client_rows(client):
    text = client.get("/operations/typology/?export=csv&all=1").content.decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_openapi_schema_lists_the_new_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/v1/operations/operations/{id}/classification/" in paths
    assert "/api/v1/operations/classifications/summary/" in paths
    json.dumps(schema, default=str)


@pytest.mark.django_db
def test_authorisations_and_contributions_are_entered_in_rows(catalogue, officer):
    """Issue 17: no more "kind | reference | date" typed by hand: one row per item, a field
    per column, *Add a row*; the same validation, its message naming the row. Countries by
    name ("Kenya", "Tchad")."""
    client = Client()
    client.force_login(officer)
    owner = officer.memberships.first().organisation
    page = client.get("/operations/add/").content.decode()
    assert 'name="authorisations-0-0"' in page and 'data-add-row="contributions"' in page
    assert 'aria-label="Troops, row 1"' in page
    form = {
        "key": "rows-coalition",
        "name": "Rows Coalition",
        "kind": "stabilisation",
        "framework": "ad_hoc",
        "lead_state": "Kenya",
        "host_countries": "Haiti",
        "start": "2026-01-01",
        "authorisations-rows": "3",
        "authorisations-0-0": "unsc",
        "authorisations-0-1": "2793",
        "authorisations-0-2": "2025-09-30",
        "authorisations-2-0": "unsc",  # a row left empty in between is skipped
        "authorisations-2-1": "2800",
        "authorisations-2-2": "2026-03-31",
        "authorisations-2-3": "renewal",
        "contributions-rows": "2",
        "contributions-0-0": "Kenya",
        "contributions-0-1": "2026-02-01",
        "contributions-0-2": "400",
        "contributions-1-0": "Tchad",
        "contributions-1-1": "2026-02-01",
        "contributions-1-4": "12",
        "owner": owner.pk,
        "classification": 1,
        "releasability": "signed_in",
    }
    bad = client.post("/operations/add/", {**form, "contributions-1-2": "many"})
    assert bad.status_code == 400
    assert "Row 2, troops: &#x27;many&#x27; is not a whole number" in bad.content.decode()
    assert 'value="Tchad"' in bad.content.decode()  # what was typed comes back
    response = client.post("/operations/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    op = Operation.objects.get(key="rows-coalition")
    assert op.lead_state.alpha3 == "KEN" and [c.alpha3 for c in op.host_countries.all()] == ["HTI"]
    assert sorted(a.reference for a in op.authorisations.all()) == ["2793", "2800"]
    assert op.authorisations.get(reference="2800").renewal
    by = {c.contributor_state.alpha3: c for c in op.contributions.all()}
    assert by["KEN"].troops == 400 and by["TCD"].civilians == 12
    edit = client.get(f"/operations/{op.pk}/edit/").content.decode()
    assert 'name="contributions-1-0" value="TCD"' in edit
