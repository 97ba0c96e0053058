"""Lists at scale: counts stop at a cap (and say so), pages keep a stable order, and a
country filter uses the indexed id (concord.core.paging, concord.core.filters)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.core import paging, services
from concord.core.context import Actor
from concord.core.models import Organisation, Person

from .conftest import country, make_org, make_user


def test_stable_ordering_ends_with_the_id_in_the_first_keys_direction():
    assert paging.stable(["name"]) == ["name", "pk"]
    assert paging.stable(["-submitted", "pk"]) == ["-submitted", "-pk"]
    assert paging.stable(["start", "-id"]) == ["start", "pk"]
    assert paging.stable([]) == ["pk"]


@pytest.fixture
def reader(db):
    owner = make_org("OWN")
    user = make_user("reader", owner, "editor", 2)
    for _ in range(7):
        services.save(Person(name="Same name", owner=owner), actor=Actor.system("t"))
    return user


def test_counts_stop_at_the_cap_and_say_so(client, reader, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    client.force_login(reader)
    body = client.get("/api/v1/core/people/?page_size=2").json()
    assert (body["count"], body["count_exact"]) == (3, False)
    body = client.get("/api/v1/core/people/?page_size=2&count=exact").json()
    assert (body["count"], body["count_exact"]) == (7, True)
    page = client.get("/people/").content.decode()
    assert "More than 3 results" in page and "count=exact" in page
    assert "7 results" in client.get("/people/?count=exact").content.decode()
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    body = client.get("/api/v1/core/people/").json()
    assert (body["count"], body["count_exact"]) == (7, True)


def test_pages_past_the_cap_can_still_be_walked(client, reader, monkeypatch):
    """An API client syncing everything follows ``next`` past the cap to the last row."""
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    client.force_login(reader)
    seen, url = [], "/api/v1/core/people/?page_size=2"
    while url:
        body = client.get(url).json()
        assert body["count_exact"] is False
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == 7 and len(set(seen)) == 7
    assert client.get("/api/v1/core/people/?page_size=2&page=9").status_code == 404
    page = client.get("/people/?page=2").content.decode()  # 50 a page: one page, no "of N"
    assert "Page 2" not in page
    monkeypatch.setattr("concord.web.generic.ListView.page_size", 2)
    page = client.get("/people/?page=3").content.decode()
    assert "Page 3<" in page and "Page 3 of" not in page and 'rel="next"' in page
    page = client.get("/people/?page=4").content.decode()
    assert 'rel="next"' not in page and 'rel="prev"' in page


def test_pages_never_repeat_or_skip_rows_with_equal_sort_keys(client, reader):
    """Seven people with one name, two per page: every one exactly once. (The API sorted by
    name alone, so the database could return ties in any order on each page.)"""
    client.force_login(reader)
    seen, url = [], "/api/v1/core/people/?page_size=2&ordering=name"
    while url:
        body = client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == 7 and len(set(seen)) == 7
    assert seen == sorted(seen)  # ties in id order
    # Whatever order a database happens to return ties in, the query names the tie-breaker.
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/core/people/?ordering=-name")
    assert any(
        'ORDER BY "core_person"."name" DESC, "core_person"."id" DESC' in q["sql"]
        for q in queries.captured_queries
    )


def test_country_filter_is_case_insensitive_and_unknown_codes_match_nothing(client, reader):
    owner = Organisation.objects.get(acronym="OWN")
    system = Actor.system("t")
    services.save(
        Organisation(name="In Mali", kind="local", owner=owner, country=country()), actor=system
    )
    services.save(Organisation(name="Nowhere", kind="local", owner=owner), actor=system)
    client.force_login(reader)
    names = [
        r["name"] for r in client.get("/api/v1/core/organisations/?country=mli").json()["results"]
    ]
    assert names == ["In Mali"]
    assert client.get("/api/v1/core/organisations/?country=XXX").json()["count"] == 0


@pytest.mark.django_db
def test_name_search_has_a_trigram_index_on_postgresql():
    """``?q=`` on names is ``UPPER(name) LIKE '%…%'``; on PostgreSQL a trigram index serves
    it (migration core 0003). SQLite has nothing to check: it scans in process."""
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"]
        )
        found = dict(cursor.fetchall())
    lists = {"core_person_name_trgm", "core_org_name_trgm"}
    # and the header's search (migrations core 0007 and 0011, concord.core.search): the text
    # indexed with its kind first (btree_gin), so that a kind's matches are found alone
    header = {f"core_searchentry_{column}_trgm" for column in ("model_text", "title", "codes")}
    assert set(found) == lists | header
    assert all("gin_trgm_ops" in d for d in found.values())
    assert all("upper" in found[name].lower() for name in lists)
    assert "(model, text gin_trgm_ops)" in found["core_searchentry_model_text_trgm"]
