"""Reference data: ISO 3166 from pycountry, M49 regions, idempotent seeding."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command

from concord.core.m49 import M49, region_of
from concord.core.models import Area, AuditEntry, Country

from ..conftest import SHARED_DATA


@pytest.mark.django_db
def test_seed_reference_loads_everything_once():
    call_command("seed", "reference")
    countries, areas, entries = (
        Country.objects.count(),
        Area.objects.count(),
        AuditEntry.objects.count(),
    )
    assert countries >= 249 + 25 and areas > 4000
    mli = Country.objects.get(alpha3="MLI")
    assert (mli.alpha2, mli.numeric, mli.m49_region, mli.m49_subregion) == (
        "ML",
        "466",
        "Africa",
        "Western Africa",
    )
    assert Country.objects.get(alpha3="YUG").historical
    assert Area.objects.filter(iso_code="ML-5", level=1).exists()
    fr_dept = Area.objects.filter(country__alpha3="FRA", level=2).first()
    assert fr_dept is not None and fr_dept.parent.level == 1
    call_command("seed", "reference")
    assert (Country.objects.count(), Area.objects.count(), AuditEntry.objects.count()) == (
        countries,
        areas,
        entries,
    )


def test_m49_table_has_no_duplicates():
    codes = [c for v in M49.values() for c in v.split()]
    assert len(codes) == len(set(codes))
    assert region_of("HTI") == ("Americas", "Caribbean")
    assert region_of("ZAR") == ("Africa", "Middle Africa")


def test_m49_regions_agree_with_the_un_pko_crosswalk():
    """Every host country of a UN peacekeeping operation has an M49 region."""
    path = SHARED_DATA / "peace_operations" / "unpko_country_crosswalk.csv"
    if not path.exists():
        pytest.skip(f"{path} not present (shared datasets are optional)")
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    import pycountry

    iso = {c.alpha_3 for c in pycountry.countries} | {
        c.alpha_3 for c in pycountry.historic_countries
    }
    codes = {(r.get("iso3c") or "").strip() for r in rows} - {""}
    # Kosovo (UNMIK) and the Yemen Arab Republic (UNYOM) have no ISO 3166 code.
    assert codes - iso <= {"KSV", "YAR"}, f"unexpected non-ISO codes {sorted(codes - iso)}"
    missing = sorted(c for c in codes & iso if region_of(c) == ("", ""))
    assert len(codes & iso) > 40 and not missing, f"no M49 region for {missing}"


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    call_command("seed", "demo")
    out = capsys.readouterr().out
    assert "dpo.manager" in out and "demo-" in out
    entries = AuditEntry.objects.count()
    call_command("seed", "demo")
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_seed_demo_before_the_catalogue_leaves_the_labour_demo_whole_for_later(capsys):
    """Demo first, catalogue second: the division-of-labour demo waits for the operations
    rather than loading the half of it that needs none (a bug: the later run then skipped
    it, and Barkhane's and the Joint Force's assignments never appeared)."""
    from concord.labour.fixtures.catalogue import seed_labour_catalogue
    from concord.labour.models import Arrangement, Assignment
    from concord.operations.fixtures.catalogue import seed_catalogue

    call_command("seed", "demo")
    assert "needs the operations catalogue" in capsys.readouterr().out
    assert not Assignment.objects.exists() and not Arrangement.objects.exists()
    seed_catalogue()
    seed_labour_catalogue()
    call_command("seed", "demo")
    assert "needs the operations catalogue" not in capsys.readouterr().out
    assert Assignment.objects.filter(operation__key="barkhane").count() == 2
    assert Assignment.objects.filter(organisation__acronym="WFP").exists()
    assert Arrangement.objects.count() == 1
