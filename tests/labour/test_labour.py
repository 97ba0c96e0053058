"""Division of labour end to end: catalogue and mandates, the demo world's findings in Mali,
3W imports of real HXL files, exports libhxl validates, the pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from concord.core import services
from concord.core.context import Actor
from concord.core.importers import ImportContext
from concord.core.models import Area, AuditEntry, Country, Organisation
from concord.exchange.tabular import FileRejected
from concord.labour import analysis, loaders, pictures, threew
from concord.labour.models import (
    Assignment,
    ClashRule,
    FindingReview,
    ImportBatch,
    MandatedTask,
    Task,
)
from concord.operations.models import Operation

HXL_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "hxl_3w"
AFG = HXL_DIR / "ocha_afg_3w_operational_presence_2024Q1.csv"
needs_data = pytest.mark.skipif(not HXL_DIR.is_dir(), reason="../shared/data/hxl_3w is absent")


def findings_for(user, country="MLI", day=None):
    scope = loaders.Scope(countries=[country], start=day, end=day)
    world = loaders.load(user, scope)
    found = analysis.analyse(world, scope.window)
    names = loaders.Names(user)
    names.preload(found)
    return found, names


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def plan_file(path_or_bytes, name, user, **opts):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    owner = Organisation.objects.get(pk=user.principal().orgs_with_role("contributor")[0])
    options = threew.Options(owner=owner, **opts)
    actor = Actor(user=user, interface="cli")
    return threew.plan(data, name, options, ImportContext(actor)), actor


@pytest.mark.django_db
def test_catalogue_tasks_rules_and_mandates_are_sourced_and_idempotent(demo):
    assert Task.objects.count() >= 25
    assert Task.objects.get(code="wash").hxl_sectors
    assert ClashRule.objects.filter(task_a__code="counter_terrorism").count() >= 3
    minusma = Operation.objects.get(key="minusma")
    items = list(minusma.mandate.select_related("task"))
    assert {m.task.code for m in items} >= {"poc", "stabilisation", "ddr", "human_rights"}
    assert all(m.source.startswith("S/RES/") for m in items)
    before = AuditEntry.objects.count()
    call_command("seed", "catalogue", stdout=io.StringIO())
    assert AuditEntry.objects.count() == before, "re-seeding changed nothing, so logs nothing"
    assert MandatedTask.objects.filter(operation=minusma).count() == len(items)


@pytest.mark.django_db
def test_mali_findings_explain_gaps_overlaps_clashes_and_handover_holes(demo):
    user = demo["dpo.manager"]
    found, names = findings_for(user)
    texts = [loaders.explain(f, names) for f in found]
    kinds = {f.kind for f in found}
    assert kinds == {"gap", "overlap", "clash", "handover"}
    assert any(
        "Barkhane and FC-G5S both lead Counter-terrorism operations in Gao" in t for t in texts
    )
    assert any("beside Humanitarian access and escort by World Food" in t for t in texts)
    assert any("Mine action in Mopti (a declared need)" in t for t in texts)
    assert any("AFISMA re-hatted into MINUSMA: Counter-terrorism operations" in t for t in texts)
    # The MINUSMA–Barkhane liaison arrangement settles their side-by-side work in Gao.
    minusma, barkhane = (f"x{Operation.objects.get(key=k).pk}" for k in ("minusma", "barkhane"))
    assert not [f for f in found if f.kind == "clash" and set(f.actors) == {minusma, barkhane}]
    # As of one day, only what holds that day.
    day_found, _ = findings_for(user, day=dt.date(2019, 6, 1))
    assert not [f for f in day_found if f.kind == "overlap"]  # FC-G5S came to Gao in 2020


@pytest.mark.django_db
def test_findings_use_only_what_the_reader_may_see(demo):
    found, _ = findings_for(None)  # anonymous: the demo assignments are for signed-in users
    assert not [f for f in found if f.kind in ("overlap", "clash")]


@needs_data
@pytest.mark.django_db
def test_afghanistan_3w_imports_completely_with_every_unmatched_value_reported(demo):
    user = demo["dpo.contributor"]
    afg = Country.objects.get(alpha3="AFG")
    plan, actor = plan_file(AFG, AFG.name, user, country=afg, start=dt.date(2024, 1, 1))
    assert plan.rows == 10902
    assert plan.rejected == []
    assert len(plan.assignments) == 10902
    assert plan.columns["org_acronym"] == "#org +acronym"  # spaces in the spec, understood
    unmatched = plan.unmatched
    assert len(unmatched["organisation"]) == len(plan.new_organisations) > 200
    # Provinces: every one found in the ISO 3166-2 set, six by a similar spelling (shown in the
    # preview with their score); none is created (the set is complete).
    assert "adm1" not in unmatched
    similar = {k: (v["area"], v["score"]) for k, v in plan.similar.items()}
    assert similar["adm1 Hilmand (AF30)"] == ("Helmand (AF-HEL)", 86)
    assert similar["adm1 Hirat (AF32)"] == ("Herāt (AF-HER)", 80)
    assert similar["adm1 Maidan Wardak (AF04)"] == ("Wardak (AF-WAR)", 100)
    assert len(similar) == 6
    # Districts the registry lacks: listed, not created unless asked (rows keep the province).
    assert len(unmatched["adm2"]) == len(plan.area_candidates) >= 300
    assert {a.level for a in plan.area_candidates} == {2} and plan.new_areas == []
    assert "sector" not in unmatched  # PROTECTION_OP, EiE_OP … all reach the catalogue
    assert Assignment.objects.filter(country=afg).count() == 0, "a plan writes nothing"
    batch = threew.commit(plan, actor=actor)
    assert Assignment.objects.filter(batch=batch).count() == 10902
    lines = set(
        Assignment.objects.filter(batch=batch).values_list("source_values__line", flat=True)
    )
    assert lines == set(range(3, 10905))
    assert AuditEntry.objects.filter(action="import", object_id=str(batch.pk)).exists()
    again, _ = plan_file(AFG, AFG.name, user, country=afg)
    assert again.previous == batch and again.new_organisations == []


def test_area_names_match_by_similar_spelling_unless_two_come_as_near():
    from concord.labour.exchange import AreaMatcher

    def area(pk, name, level=1, parent=None):
        a = Area(pk=pk, name=name, country_id=1, level=level, iso_code=f"XX-{pk}")
        a.parent_id = parent
        return a

    m = AreaMatcher([area(1, "Helmand"), area(2, "Kandaharo"), area(3, "Kandahari")])
    assert m.similar(1, 1, "Hilmand") == (m.code("XX-1"), 86)
    assert m.similar(1, 1, "Kandahar") is None  # two areas as near: ambiguous
    assert m.similar(1, 1, "Nimroz") is None  # nothing near
    assert m.similar(1, 2, "Hilmand") is None  # another level
    assert m.similar(2, 1, "Hilmand") is None  # another country


@pytest.mark.django_db
def test_3w_never_adds_to_a_complete_first_level_and_creates_areas_only_when_asked(demo):
    user = demo["dpo.contributor"]
    data = (
        b"org,country,adm1,adm1 code,adm2,adm2 code,sector\n"
        b"#org,#country+code,#adm1+name,#adm1+code,#adm2+name,#adm2+code,#sector\n"
        b"UNICEF,MLI,Atlantis,ML99,,,Education\n"
        b"UNICEF,MLI,Mopti,ML05,Tenenkou,ML0507,Education\n"
    )
    for create in (False, True):
        plan, actor = plan_file(data, "x.csv", user, create_areas=create)
        assert "Atlantis (ML99)" in plan.unmatched["adm1"]  # never created: ISO set complete
        assert [a.name for a in plan.area_candidates] == ["Tenenkou"]
        assert [a.name for a in plan.new_areas] == (["Tenenkou"] if create else [])
        assert [e.row for e in plan.rejected] == [3]  # Atlantis: no area, the row is named
    # The page creates none unless its box is ticked (a form without the field asks nothing).
    from django.core.files.uploadedfile import SimpleUploadedFile

    owner = plan.assignments[0].owner
    r = login(user).post(
        "/assignments/import-3w/",
        {
            "file": SimpleUploadedFile("x.csv", data),
            "owner": owner.pk,
            "confirm": "1",
            "allow_rejects": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert not Area.objects.filter(name="Tenenkou").exists()
    threew.commit(plan, actor=actor, allow_rejects=True)
    assert Area.objects.filter(name="Tenenkou", level=2, parent__iso_code="ML-5").exists()
    assert not Area.objects.filter(name="Atlantis").exists()


@pytest.mark.django_db
def test_3w_sectors_speak_the_iasc_clusters_and_areas_of_responsibility(demo):
    from concord.labour.exchange import TaskMatcher

    m = TaskMatcher(Task.objects.all())
    expected = {
        "CCCM": "camp_management",
        "Coordination et gestion des camps": "camp_management",
        "Relèvement précoce": "early_recovery",
        "Éducation": "education",
        "ETC": "emergency_telecoms",
        "Télécommunications d'urgence": "emergency_telecoms",
        "Sécurité alimentaire": "food_security",
        "FSL": "food_security",
        "Santé": "health",
        "Logistique": "logistics",
        "LOG": "logistics",
        "Nutrition": "nutrition",
        "Protection": "protection",
        "Abris/ANA": "shelter_nfi",
        "Emergency Shelter and NFI": "shelter_nfi",
        "EHA": "wash",
        "Eau, hygiène et assainissement": "wash",
        "Child Protection AoR": "child_protection",
        "Protection de l'enfance": "child_protection",
        "VBG": "gbv",
        "Gender-Based Violence": "gbv",
        "Lutte antimines": "mine_action",
        "Housing, Land and Property": "hlp",
        "LTB": "hlp",
        "Operational Presence: Water, Sanitation & Hygiene": "wash",
    }
    assert {v: (m.match(v).code if m.match(v) else None) for v in expected} == expected
    assert m.match("Cash assistance") is None  # not a cluster: mapped by hand


@pytest.mark.django_db
def test_a_hand_mapped_sector_is_remembered_for_the_owners_next_file(demo):
    from concord.labour.models import SectorMapping

    user = demo["dpo.contributor"]
    data = (
        b"org,sector,country\n#org,#sector,#country+code\n"
        b"UNICEF,Multi-purpose cash,MLI\nWFP,Multi-purpose cash,MLI\n"
    )
    plan, actor = plan_file(data, "a.csv", user)
    assert plan.unmatched["sector"] == {"Multi-purpose cash": [3, 4]}
    food = Task.objects.get(code="food_security")
    plan, actor = plan_file(data, "a.csv", user, sector_map={"Multi-purpose cash": food})
    assert plan.rejected == [] and plan.mapped == {"Multi-purpose cash": [3, 4]}
    threew.commit(plan, actor=actor)
    owner = plan.assignments[0].owner
    mapping = SectorMapping.objects.get(owner=owner)
    assert (mapping.value, mapping.task) == ("Multi-purpose cash", food)
    assert AuditEntry.objects.filter(model="labour.sectormapping", object_id=mapping.pk).exists()
    # The next file of the same owner, spelt a little differently: mapped as before.
    again = b"org,sector,country\n#org,#sector,#country+code\nUNHCR,MULTI PURPOSE CASH,MLI\n"
    plan, _ = plan_file(again, "b.csv", user)
    assert plan.rejected == [] and plan.remembered == {"MULTI PURPOSE CASH": [3]}
    assert plan.assignments[0].task == food
    # Rejecting it by hand in a preview overrides the remembered mapping (for this file).
    plan, _ = plan_file(again, "b.csv", user, sector_map={"MULTI PURPOSE CASH": None})
    assert plan.remembered == {} and [e.row for e in plan.rejected] == [3]
    # Another owner's file does not use it.
    other = Organisation.objects.get(acronym="HD")
    plan = threew.plan(
        again,
        "b.csv",
        threew.Options(owner=other),
        ImportContext(Actor(user=demo["hd.manager"], interface="cli")),
    )
    assert "sector" in plan.unmatched


@pytest.mark.django_db
def test_an_import_is_rolled_back_whole_unless_later_records_depend_on_it(demo):
    """Everything the import created goes, audited; refused (nothing deleted) while a later
    record depends on it; by a manager of its owner, through the page, the API and the CLI."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from concord.core import services as core_services
    from concord.core.models import Person
    from concord.labour import services
    from concord.labour.models import ImportBatch

    data = (
        b"org,sector,country,adm1,adm2 code,adm2\n"
        b"#org,#sector,#country+code,#adm1+name,#adm2+code,#adm2+name\n"
        b"Sahel Relief Net,Education,MLI,Mopti,ML0508,Youwarou\n"
        b"Sahel Relief Net,Health,MLI,Mopti,ML0508,Youwarou\n"
    )
    contributor, manager = demo["dpo.contributor"], demo["dpo.manager"]
    plan, actor = plan_file(data, "r.csv", contributor, create_areas=True)
    batch = threew.commit(plan, actor=actor)
    org = Organisation.objects.get(name="Sahel Relief Net")
    district = Area.objects.get(pcode="ML0508")
    assert batch.created_records == {"organisations": [org.pk], "areas": [district.pk]}
    # created in bulk, found by the header's search at once (not only after a reindex)
    from concord.core import search

    found = {g.kind: [h.record for h in g.hits] for g in search.find(contributor, "youwarou")}
    assert found["Areas"] == [district]
    assert [h.record for g in search.find(contributor, "sahel relief") for h in g.hits] == [org]
    as_manager = Actor(user=manager, interface="web")
    with pytest.raises(PermissionDenied, match="manager"):
        services.rollback_import(batch, actor=actor)  # the contributor who imported it
    # A person later affiliated with the created organisation depends on it: refused.
    person = core_services.save(
        Person(name="Awa (test)", owner=batch.owner, classification=1, releasability="owner"),
        actor=as_manager,
        children=core_services.set_affiliations(
            [{"organisation": org, "title": "Coordinator", "start": None, "end": None}]
        ),
    )
    with pytest.raises(ValidationError) as e:
        services.rollback_import(batch, actor=as_manager)
    assert "1 affiliations (organisation)" in e.value.message_dict["batch"][0]
    # What the manager may not see is counted, not described.
    hidden = core_services.save(
        Person(
            name="Hidden (test)",
            owner=Organisation.objects.get(acronym="HD"),
            classification=1,
            releasability="owner",
        ),
        actor=Actor.system("test"),
        children=core_services.set_affiliations(
            [{"organisation": org, "title": "Adviser", "start": None, "end": None}]
        ),
    )
    with pytest.raises(ValidationError) as e:
        services.rollback_import(batch, actor=as_manager)
    message = e.value.message_dict["batch"][0]
    assert "1 affiliations (organisation)" in message and "1 records you may not see" in message
    core_services.delete(hidden, actor=Actor.system("test"))
    assert Assignment.objects.filter(batch=batch).count() == 2  # nothing was deleted
    core_services.delete(person, actor=as_manager)
    # An assignment of the import edited since: refused, saying so.
    edited = Assignment.objects.filter(batch=batch).first()
    edited.contact = "desk@example.org"
    core_services.save(edited, actor=as_manager)
    r = login(manager).post(f"/assignments/imports/{batch.pk}/rollback/", follow=True)
    assert "1 assignment of this import was edited since" in r.content.decode()
    Assignment.objects.filter(pk=edited.pk).update(updated_at=edited.created_at)
    # Now it goes: through the API, as the manager.
    c = Client()
    c.force_login(manager)
    r = c.post(f"/api/v1/labour/import-batches/{batch.pk}/rollback/")
    assert r.status_code == 200, r.content
    assert r.json()["rolled_back_by"] == "dpo.manager" and r.json()["report"]["rows"] == 2
    assert not Assignment.objects.filter(batch=batch).exists()
    assert not Organisation.objects.filter(pk=org.pk).exists()
    assert not Area.objects.filter(pk=district.pk).exists()
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.rolled_back_by == manager
    entries = AuditEntry.objects.filter(actor_id=manager.pk).order_by("-seq")
    assert entries[0].action == "rollback" and entries[0].changes["assignments"] == [2, 0]
    assert {(e.model, e.action) for e in entries[1:3]} == {
        ("core.organisation", "delete"),
        ("core.area", "delete"),
    }
    page = login(manager).get(f"/assignments/imports/{batch.pk}/").content.decode()
    assert "Rolled back" in page and "Roll back the import" not in page
    assert "<details>" not in page.split("</title>")[0]
    with pytest.raises(CommandError, match="rolled back on"):
        call_command("labour", "rollback-3w", str(batch.pk), "--as", "dpo.manager")
    with pytest.raises(CommandError, match="no import"):
        call_command("labour", "rollback-3w", "99999999999999999999", "--as", "dpo.manager")


@needs_data
@pytest.mark.django_db
def test_3w_reader_is_tolerant_of_real_files(demo):
    user = demo["dpo.contributor"]
    mali, _ = plan_file(HXL_DIR / "showcase_rowca-3w-hxl.csv", "mali.csv", user)
    assert mali.rows == 244 and not mali.rejected  # #country names, pre-1.0 #activity_id
    assert {a.country.alpha3 for a in mali.assignments} == {"MLI", "SEN"}  # a regional file
    assert {a.task.code for a in mali.assignments} >= {"food_security", "protection", "wash"}
    with pytest.raises(FileRejected, match="no #org column"):
        plan_file(HXL_DIR / "showcase_rowca-gin-adm2.csv", "gin.csv", user)
    latin1 = HXL_DIR / "libhxl_tests" / "test_io_input-valid-latin1.csv"
    plan, _ = plan_file(latin1, latin1.name, user, country=Country.objects.get(alpha3="AFG"))
    assert any("Windows-1252" in w for w in plan.warnings)
    with pytest.raises(FileRejected, match="hashtag row"):
        plan_file(b"a,b\n1,2\n", "x.csv", user)


@pytest.mark.django_db
def test_3w_rejected_rows_are_named_and_nothing_is_half_written(demo):
    user = demo["dpo.contributor"]
    data = (
        b"org,sector,country,adm1,start\n#org,#sector,#country+code,#adm1+code,#date+start\n"
        b"WFP,Food Security,MLI,ML-5,2024-01-01\n"
        b"WFP,Basket weaving,MLI,ML-5,2024-01-01\n"
        b"WFP,Health,XXX,,2024-01-01\n"
        b"WFP,Health,MLI,,2024-13-01\n"
    )
    plan, actor = plan_file(data, "bad.csv", user)
    errors = sorted(str(e) for e in plan.rejected)
    assert errors == [
        "row 4, column '#sector': 'Basket weaving' matches no task in the catalogue",
        "row 5, column '#country': 'XXX' is not a country",
        "row 6, column '#date+start': '2024-13-01' is not a date (YYYY-MM-DD)",
    ]
    assert plan.unmatched["sector"]["Basket weaving"] == [4]
    count = Assignment.objects.count()
    with pytest.raises(FileRejected):
        threew.commit(plan, actor=actor)
    assert Assignment.objects.count() == count
    # Mapping the unknown sector to a task in the preview takes the row in.
    plan, actor = plan_file(
        data,
        "bad.csv",
        user,
        sector_map={"Basket weaving": Task.objects.get(code="early_recovery")},
    )
    assert len(plan.rejected) == 2
    batch = threew.commit(plan, actor=actor, allow_rejects=True)
    assert batch.created == 2 and batch.report["rejected_count"] == 2


@pytest.mark.django_db
def test_assignment_and_findings_exports_are_hxl_that_libhxl_reads(demo):
    import hxl

    client = login(demo["dpo.manager"])
    body = b"".join(client.get("/assignments/?export=hxl").streaming_content)
    source = hxl.data(io.BytesIO(body), hxl.InputOptions(allow_local=True))
    tags = {c.get_display_tag() for c in source.columns}
    assert {"#org+impl", "#sector", "#adm1+code", "#date+start", "#status"} <= tags
    assert len(list(source)) >= 15
    r = client.get("/labour/?country=MLI&export=hxl")
    assert r.status_code == 200
    findings = hxl.data(io.BytesIO(r.content), hxl.InputOptions(allow_local=True))
    rows = list(findings)
    assert rows and {row.get("#meta+type") for row in rows} >= {"gap", "overlap", "clash"}
    schema = hxl.schema([["#valid_tag", "#valid_required"], ["#meta+id", "true"]])
    assert schema.validate(hxl.data(io.BytesIO(r.content), hxl.InputOptions(allow_local=True)))


@pytest.mark.django_db
def test_analysis_page_matrix_findings_and_reviews(demo):
    client = login(demo["dpo.contributor"])
    r = client.get("/labour/", {"country": "MLI", "start": "2020-06-01", "end": "2020-06-30"})
    text = r.content.decode()
    assert r.status_code == 200
    assert "4W matrix" in text and "Gao" in text and "flag-overlap" in text
    assert "both lead Counter-terrorism operations in Gao" in text
    # The counts read as words do, one and many ("1 clash", "2 clashes"; never "clashs").
    counts = re.search(r'<p class="finding-counts">(.*?)\.', text, re.S).group(1)
    kinds = re.findall(r"<strong>(\d+)</strong> ([a-z ]+?)(?: ·|$)", counts)
    assert len(kinds) == 4, counts
    for n, word in kinds:
        assert word.endswith("s") == (n != "1") and not word.endswith("ss"), (n, word)
    assert "clashs" not in text
    found, _ = findings_for(demo["dpo.contributor"])
    overlap = next(f for f in found if f.kind == "overlap")
    before = AuditEntry.objects.count()
    r = client.post(
        "/labour/review/",
        {
            "key": overlap.key,
            "status": "resolved",
            "note": "Joint cell agreed at Pau",
            "next": "/labour/?country=MLI",
        },
    )
    assert r.status_code == 302
    assert FindingReview.objects.get(key=overlap.key).status == "resolved"
    assert AuditEntry.objects.count() == before + 1
    text = client.get("/labour/", {"country": "MLI"}).content.decode()
    assert "both lead Counter-terrorism operations in Gao" not in text  # resolved: hidden
    text = client.get("/labour/", {"country": "MLI", "show": "all"}).content.decode()
    assert "Joint cell agreed at Pau" in text
    # The map of the same: Mali's regions as dots at their points, filled by their number of
    # lead actors, outlined by their worst flag.
    text = client.get("/labour/", {"country": "MLI", "start": "2020-06-01", "end": "2020-06-30"})
    text = text.content.decode()
    gao = re.search(r'<a href="([^"]+)"[^>]*data-place="Gao"><circle ([^>]*)>', text)
    assert gao and "area_id=" in gao.group(1)
    assert f'fill="{pictures.LEAD_COLOURS[2]}"' in gao.group(2)  # Barkhane, FC-G5S, WFP …
    assert f'stroke="{pictures.FLAG_COLOURS["gap"]}"' in gao.group(2)  # gaps rank first
    assert re.search(r"Gao · G O C</text>", text)
    assert 'data-place="Bamako"' in text and 'data-country="466"' in text
    world = client.get("/labour/", {"start": "2020-06-01", "end": "2020-06-30"}).content.decode()
    mali = re.search(r'<a href="([^"]+)"[^>]*><path [^>]*data-country="466"', world)
    assert mali and "country=MLI" in mali.group(1).replace("&amp;", "&")
    assert 'data-country="250"><' in world  # France: no assignment there, plain and unlinked
    one_task = client.get(
        "/labour/",
        {"country": "MLI", "task": "mine_action", "start": "2020-06-01", "end": "2020-06-30"},
    ).content.decode()
    mopti = re.search(r'data-place="Mopti"><circle ([^>]*)>', one_task).group(1)
    assert f'fill="{pictures.LEAD_COLOURS[0]}"' in mopti  # the declared need nobody leads
    assert f'stroke="{pictures.FLAG_COLOURS["gap"]}"' in mopti
    bad = client.get("/labour/", {"country": "XXX", "start": "2021-01-01", "end": "2020-01-01"})
    assert bad.status_code == 400 and "not an ISO alpha-3" in bad.content.decode()
    svg = client.get("/labour/timeline/", {"country": "MLI", "area": "ML-7", "format": "svg"})
    assert svg.status_code == 200 and b"Barkhane" in svg.content


@pytest.mark.django_db
def test_grid_saves_all_rows_or_names_the_bad_cells(demo):
    client = login(demo["dpo.contributor"])
    count = Assignment.objects.count()
    rows = {
        "rows": "2",
        "r0-organisation": "UNICEF",
        "r0-task": "education",
        "r0-country": "MLI",
        "r0-adm1": "ML-7",
        "r0-start": "2024-01-01",
        "r1-organisation": "UNICEF",
        "r1-task": "nonsense",
        "r1-country": "MLI",
    }
    r = client.post("/assignments/grid/", rows)
    assert r.status_code == 400
    assert "row 2, column &#x27;task&#x27;: no task &#x27;nonsense&#x27;" in r.content.decode()
    assert Assignment.objects.count() == count
    rows["r1-task"] = "wash"
    r = client.post("/assignments/grid/", rows, follow=True)
    assert r.redirect_chain and Assignment.objects.count() == count + 2
    assert "Saved 2 assignments." in r.content.decode()
    # One row: "1 assignment", not "1 assignments" (issue 17: plurals by ngettext).
    one = {k: v for k, v in rows.items() if not k.startswith("r1-")}
    r = client.post("/assignments/grid/", {**one, "rows": "1"}, follow=True)
    assert "Saved 1 assignment." in r.content.decode()


@pytest.mark.django_db
def test_grid_reports_every_problem_of_a_row_at_once(demo):
    """Issue 14, item 10: a row with a bad task, area, date and role showed one error at a
    time, although the grid promises every problem by row and column."""
    client = login(demo["dpo.contributor"])
    rows = {
        "rows": "1",
        "r0-organisation": "UNICEF",
        "r0-task": "nonsense",
        "r0-country": "HTI",
        "r0-adm1": "HT-XX",
        "r0-start": "2026-31-12",
        "r0-role": "boss",
    }
    r = client.post("/assignments/grid/", rows)
    assert r.status_code == 400
    page = r.content.decode().replace("&#x27;", "'")
    for column in ("task", "adm1", "start", "role"):
        assert f"row 1, column '{column}'" in page, column
    assert page.count('aria-invalid="true"') == 4  # each bad cell is marked in the grid too


@pytest.mark.django_db
def test_web_3w_import_previews_unmatched_values_keeps_sector_mappings_and_confirms(demo):
    """Upload, preview (nothing written), map an unknown sector, preview again, confirm.
    Two bugs this pins down: the preview listed no unmatched value at all (a defaultdict
    asked for ``.items`` by the template), and a mapped sector vanished from the form, so
    the confirmation rejected the rows the preview had promised."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(demo["dpo.contributor"])
    owner = demo["dpo.contributor"].memberships.first().organisation_id
    text = (
        "Organisation,Sector,Region\n#org +name,#sector,#adm1 +name\n"
        "UNICEF,Education,Gao\nBrand-new NGO,Protection,Mopti\nUNICEF,Astrology,Gao\n"
    )
    options = {"owner": owner, "country": "MLI", "role": "support", "classification": "1"}
    options.update(releasability="owner", create_organisations="on", create_areas="on")
    before = (Assignment.objects.count(), AuditEntry.objects.count())
    r = client.post(
        "/assignments/import-3w/",
        {**options, "file": SimpleUploadedFile("mali-3w.csv", text.encode())},
    )
    page = r.content.decode()
    assert r.status_code == 200 and "Nothing has been written yet" in page
    assert "Brand-new NGO — row 4" in page and "Astrology — row 5" in page
    assert 'aria-label="Task for Astrology"' in page
    assert (Assignment.objects.count(), AuditEntry.objects.count()) == before
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    again = {**options, "token": token, "filename": "mali-3w.csv", "map:Astrology": "education"}
    page = client.post("/assignments/import-3w/", {**again, "preview": "1"}).content.decode()
    assert '<option value="education" selected>' in page  # the mapping stays in the form
    assert "Import 3 assignments" in page
    r = client.post("/assignments/import-3w/", {**again, "confirm": "1"})
    assert r.status_code == 302, r.content.decode()[:2000]
    batch = ImportBatch.objects.get(pk=int(r["Location"].rstrip("/").split("/")[-1]))
    assert batch.created == 3 and batch.report["mapped"] == {"Astrology": 1}
    assert Assignment.objects.filter(batch=batch, task__code="education").count() == 2


@pytest.mark.django_db
def test_a_refusal_without_field_errors_from_the_mandate_service_is_a_400_naming_it(
    demo, monkeypatch
):
    """The API's one translation of a service's refusal (concord.api.errors): a ValidationError
    with no field gives 400, the documented shape, its message under non_field_errors."""
    from django.core.exceptions import ValidationError

    from concord.labour import services as labour_services

    def refuse(*args, **kwargs):
        raise ValidationError("This mandate cannot be saved today.")

    from concord.core import services

    editor = demo["dpo.editor"]
    op = services.save(
        Operation(
            name="Mission without a mandate yet",
            kind="peacekeeping",
            framework="un",
            framework_organisation=Organisation.objects.get(acronym="UN"),
            start=dt.date(2020, 1, 1),
            owner=Organisation.objects.get(acronym="DPO"),
        ),
        actor=Actor(user=editor, interface="cli"),
        m2m={"host_countries": [Country.objects.get(alpha3="MLI")]},
    )
    monkeypatch.setattr(labour_services, "save_mandate", refuse)
    client = login(editor)
    before = list(op.mandate.values_list("pk", flat=True))
    r = client.put(
        f"/api/v1/labour/mandates/{op.pk}/",
        json.dumps([{"task": Task.objects.get(code="ssr").pk, "source": "S/RES/1 (2021)"}]),
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"non_field_errors": ["This mandate cannot be saved today."]}
    assert list(op.mandate.values_list("pk", flat=True)) == before


def test_mandate_page_edit_and_api(demo):
    editor = demo["dpo.editor"]
    dpo = Organisation.objects.get(acronym="DPO")
    from concord.core import services

    op = services.save(
        Operation(
            name="Test mission",
            kind="peacekeeping",
            framework="un",
            framework_organisation=Organisation.objects.get(acronym="UN"),
            start=dt.date(2020, 1, 1),
            owner=dpo,
        ),
        actor=Actor(user=editor, interface="cli"),
        m2m={"host_countries": [Country.objects.get(alpha3="MLI")]},
    )
    client = login(editor)
    r = client.post(
        f"/operations/{op.pk}/mandate/",
        {
            "mandate": "poc | S/RES/9999 (2020) | OP 3 | priority | 2020-01-01 | 2020-12-31\n"
            "ddr | S/RES/9999 (2020)"
        },
    )
    assert r.status_code == 302
    assert op.mandate.count() == 2
    page = client.get(f"/operations/{op.pk}/").content.decode()
    assert "Mandate changes" in page and "dropped Protection of civilians" in page
    bad = client.post(f"/operations/{op.pk}/mandate/", {"mandate": "nonsense | S/RES/1"})
    assert bad.status_code == 400 and "Line 1: no task" in bad.content.decode()
    assert op.mandate.count() == 2
    api = client.put(
        f"/api/v1/labour/mandates/{op.pk}/",
        json.dumps([{"task": Task.objects.get(code="ssr").pk, "source": "S/RES/1 (2021)"}]),
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["tasks"][0]["source"] == "S/RES/1 (2021)"
    viewer = login(demo["dpo.viewer"])
    assert (
        viewer.put(
            f"/api/v1/labour/mandates/{op.pk}/", "[]", content_type="application/json"
        ).status_code
        == 403
    )
    assert viewer.post(f"/operations/{op.pk}/mandate/", {"mandate": ""}).status_code == 403


@pytest.mark.django_db
def test_api_findings_review_and_3w_dry_run(demo):
    client = login(demo["dpo.contributor"])
    r = client.get("/api/v1/labour/findings/", {"country": "MLI", "kind": "clash"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results and all(f["kind"] == "clash" for f in results)
    assert all(f["refs"]["assignment"] for f in results)
    assert client.get("/api/v1/labour/findings/", {"country": "XX"}).status_code == 400
    r = client.post(
        "/api/v1/labour/findings/",
        json.dumps({"key": results[0]["key"], "status": "acknowledged", "note": "Raised at CIMIC"}),
        content_type="application/json",
    )
    assert r.status_code == 201
    upload = io.BytesIO(b"org,sector,country\n#org,#sector,#country+code\nWFP,Health,MLI\n")
    upload.name = "w.csv"
    owner = demo["dpo.contributor"].principal().orgs_with_role("contributor")[0]
    r = client.post("/api/v1/labour/imports-3w/", {"file": upload, "owner": owner, "dry_run": "1"})
    assert r.status_code == 200 and r.json()["assignments"] == 1
    assert not Assignment.objects.filter(source_values__org_name="WFP").exists()


@pytest.mark.django_db
def test_only_managers_extend_the_catalogue(demo):
    editor, manager = login(demo["dpo.editor"]), login(demo["dpo.manager"])
    form = {
        "code": "drone_monitoring",
        "name": "Drone monitoring",
        "owner": Organisation.objects.get(acronym="DPO").pk,
        "classification": 0,
        "releasability": "public",
    }
    r = editor.post("/tasks/add/", form)
    assert r.status_code == 400 and not Task.objects.filter(code="drone_monitoring").exists()
    assert manager.post("/tasks/add/", form).status_code == 302
    assert Task.objects.filter(code="drone_monitoring").exists()


@pytest.mark.django_db
def test_cli_analyse_and_import_3w(demo, tmp_path):
    out = io.StringIO()
    call_command(
        "labour",
        "analyse",
        "--country",
        "MLI",
        "--format",
        "json",
        "--as",
        "dpo.manager",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    assert {r["kind"] for r in rows} >= {"gap", "overlap", "clash", "handover"}
    out = io.StringIO()
    call_command(
        "labour",
        "analyse",
        "--country",
        "MLI",
        "--format",
        "hxl",
        "--as",
        "dpo.manager",
        stdout=out,
    )
    assert out.getvalue().splitlines()[1].startswith("#meta+type,#meta+id")
    f = tmp_path / "w.csv"
    f.write_text("org,sector,country\n#org,#sector,#country+code\nWFP,Health,MLI\n")
    out = io.StringIO()
    call_command(
        "labour",
        "import-3w",
        str(f),
        "--owner",
        "DPO",
        "--dry-run",
        "--as",
        "dpo.contributor",
        stdout=out,
    )
    assert json.loads(out.getvalue())["assignments"] == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--as-of"):
        call_command("labour", "analyse", "--as-of", "yesterday")
    assert ImportBatch.objects.filter(filename="w.csv").count() == 0


@pytest.mark.django_db
def test_an_operation_does_nothing_after_it_ends(demo):
    """An assignment of an operation that ended must end by then (it ran to 2027 on the
    timeline when it had no end)."""
    from concord.core import services
    from concord.core.context import Actor
    from concord.labour.models import Assignment, Task
    from concord.operations.models import Operation

    minusma = Operation.objects.get(key="minusma")
    editor = demo["dpo.editor"]
    common = {
        "operation": minusma,
        "task": Task.objects.get(code="poc"),
        "country": minusma.host_countries.first(),
        "role": "lead",
        "owner": editor.memberships.first().organisation,
        "classification": 1,
        "releasability": "signed_in",
    }
    for start, end, field in [
        (dt.date(2020, 1, 1), None, "end"),
        (dt.date(2020, 1, 1), dt.date(2024, 6, 30), "end"),
        (dt.date(2024, 1, 1), dt.date(2024, 6, 30), "start"),
    ]:
        with pytest.raises(ValidationError) as e:
            services.save(
                Assignment(start=start, end=end, **common),
                actor=Actor(user=editor, interface="web"),
            )
        assert "ended on 2023-12-31" in e.value.message_dict[field][0]
    ok = services.save(
        Assignment(start=dt.date(2020, 1, 1), end=minusma.end, **common),
        actor=Actor(user=editor, interface="web"),
    )
    assert ok.pk


@pytest.mark.django_db
def test_a_country_page_links_to_its_4w_analysis_and_timeline(demo):
    """Mali's page says how many assignments the reader may see there and links to the 4W
    analysis and the timeline of who does what (issue 17: a country page leads somewhere)."""
    user = demo["dpo.contributor"]
    n = Assignment.objects.visible_to(user).filter(country__alpha3="MLI").count()
    assert n > 1
    text = login(user).get("/countries/MLI/").content.decode()
    section = text.split("<h2>Who does what where</h2>")[1].split("</ul>")[0]
    assert f'<a href="/labour/?country=MLI">4W analysis ({n} assignments)' in section
    assert '<a href="/labour/timeline/?country=MLI">' in section
    # Somewhere with nothing recorded, the section says there is nothing to see.
    text = login(user).get("/countries/FRA/").content.decode()
    assert "<h2>Who does what where</h2><ul><li>None you may see.</li>" in text


@pytest.mark.django_db
def test_the_analysis_says_what_it_could_not_judge(demo):
    """Where nothing is mandated, needed or assigned (France in the demo), the page does not
    say "every mandated task is led": it says gaps, overlaps and clashes could not be judged
    there. Mali, with mandates, needs, assignments and rules, has no such notice."""
    client = login(demo["dpo.contributor"])
    text = client.get("/labour/", {"country": "FRA"}).content.decode()
    assert "No mandate or need is recorded for France: gaps cannot be judged." in text
    assert "overlaps and clashes cannot be judged" in text
    assert "every mandated task is led" not in text
    text = client.get("/labour/", {"country": "MLI"}).content.decode()
    assert 'class="unjudged"' not in text


@pytest.mark.django_db
def test_afghanistan_map_places_provinces_from_their_seats(demo):
    """Issue 17: Afghanistan's 4W map was blank, every province "not on the map" (ISO 3166-2
    comes without coordinates). Provinces now stand at their seats (concord.core.places),
    ISO ones from `seed reference`, ones a 3W import created by their P-code or name."""
    user = demo["dpo.contributor"]
    actor = Actor(user=user, interface="web")
    owner = Organisation.objects.get(pk=user.principal().orgs_with_role("contributor")[0])
    afg = Country.objects.get(alpha3="AFG")
    helmand = Area.objects.get(iso_code="AF-HEL")
    assert (round(helmand.latitude, 2), round(helmand.longitude, 2)) == (31.59, 64.37)
    hirat = services.save(
        Area(name="Hirat", country=afg, level=1, pcode="AF32", owner=owner), actor=actor
    )
    wfp = Organisation.objects.get(acronym="WFP")
    task = Task.objects.get(code="food_security")
    for area in (helmand, hirat):
        services.save(
            Assignment(
                organisation=wfp,
                task=task,
                country=afg,
                area=area,
                role="lead",
                status="active",
                start=dt.date(2024, 1, 1),
                owner=owner,
            ),
            actor=actor,
        )
    text = login(user).get("/labour/", {"country": "AFG"}).content.decode()
    assert 'data-place="Helmand"' in text and 'data-place="Hirat"' in text
    assert "Not on the map" not in text


@pytest.mark.django_db
def test_an_assignment_page_says_what_it_is(demo):
    """Issue 17: "Assignment 18" said nothing; the title says who does what where, when, from
    what the reader may see (a hidden organisation reads "(restricted)")."""
    user = demo["dpo.editor"]
    a = (
        Assignment.objects.visible_to(user)
        .filter(role="lead", organisation__acronym="WFP", area__isnull=False)
        .select_related("area", "task")
        .order_by("pk")
        .first()
    )
    assert a is not None
    page = login(user).get(f"/assignments/{a.pk}/").content.decode()
    task = a.task.name[0].lower() + a.task.name[1:]
    years = f"{a.start.year}" if a.end and a.end.year == a.start.year else ""
    heading = re.search(r"<h1>([^<]+)</h1>", page).group(1)
    assert heading.startswith(
        f"Assignment: World Food Programme (WFP) leads {task} in {a.area.name}"
    )
    assert years in heading
    listed = login(user).get("/assignments/", {"q": ""}).content.decode()
    assert "leads" in listed
    # The same record seen by someone who may not see the organisation
    from concord.labour.views.records import assignment_title

    class Blind:
        user = None

        def get(self, model, pk):
            return None if model is Organisation else model.objects.get(pk=pk)

        def label(self, model, pk):
            return "(restricted)" if model is Organisation else str(self.get(model, pk))

    assert assignment_title(a, Blind()).startswith("Assignment: (restricted) leads ")
