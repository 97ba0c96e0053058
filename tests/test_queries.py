"""List pages and exports issue a fixed number of queries, however many rows they show
(no N+1 through links such as parents, shared organisations or affiliations)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.core import services
from concord.core.context import Actor
from concord.core.models import Area, Organisation, Person

from .conftest import country, make_org, make_user

URLS = [
    "/api/v1/organisations/?page_size=100",
    "/api/v1/people/?page_size=100",
    "/api/v1/areas/?page_size=100",
    "/organisations/?export=csv",
    "/people/?export=json",
    "/areas/?export=csv",
    "/organisations/",
]


def _add_linked_records(owner, start, count):
    system = Actor.system("t")
    mli = country("MLI")
    for i in range(start, start + count):
        parent = services.save(Organisation(name=f"P{i}", kind="local", owner=owner), actor=system)
        partner = services.save(Organisation(name=f"S{i}", kind="local", owner=owner), actor=system)
        services.save(
            Organisation(name=f"C{i}", kind="local", owner=owner, parent=parent),
            actor=system,
            m2m={"shared_organisations": [partner]},
        )
        services.save(
            Person(name=f"Pe{i}", owner=owner),
            actor=system,
            m2m={"shared_organisations": [partner]},
            children=services.set_affiliations(
                [{"organisation": parent, "title": "", "start": None, "end": None}]
            ),
        )
        region = services.save(Area(name=f"R{i}", country=mli, level=1, owner=owner), actor=system)
        services.save(
            Area(name=f"D{i}", country=mli, level=2, parent=region, owner=owner),
            actor=system,
            m2m={"shared_organisations": [partner]},
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_query_count_does_not_grow_with_rows(client):
    owner = make_org("ROOT")
    client.force_login(make_user("reader", owner, "editor", 2))
    _add_linked_records(owner, 0, 3)
    few = {url: _count(client, url) for url in URLS}
    _add_linked_records(owner, 3, 12)
    many = {url: _count(client, url) for url in URLS}
    assert many == few
