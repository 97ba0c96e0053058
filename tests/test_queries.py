"""List pages and exports issue a fixed number of queries, however many rows they show
(no N+1 through links such as parents, shared organisations or affiliations)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.core import services
from concord.core.context import Actor
from concord.core.models import Area, Organisation, Person, User

from .conftest import country, make_org, make_user

URLS = [
    "/api/v1/core/organisations/?page_size=100",
    "/api/v1/core/people/?page_size=100",
    "/api/v1/core/areas/?page_size=100",
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
    # The header's unread count (cached per reader, so 0 or 1 query) and the session's
    # last-seen time (at most once a minute) are the page's furniture, not the list's.
    furniture = ("notifications_", "signin_usersession", "SAVEPOINT")
    return sum(1 for q in queries.captured_queries if not any(f in q["sql"] for f in furniture))


@pytest.mark.django_db
def test_query_count_does_not_grow_with_rows(client):
    owner = make_org("ROOT")
    client.force_login(make_user("reader", owner, "editor", 2))
    _add_linked_records(owner, 0, 3)
    # The session's first request records it (the sign-in's list of sessions): not the
    # list's queries, so it is made before counting.
    # (and each page once: what a page computes once per reader is not per row).
    client.get("/")
    for url in URLS:
        _count(client, url)
    few = {url: _count(client, url) for url in URLS}
    _add_linked_records(owner, 3, 12)
    many = {url: _count(client, url) for url in URLS}
    assert many == few


# --- every list, at scale: the synthetic world -------------------------------------------

LIST_LIMIT = 25  # queries, whatever the page shows
# Lists of accounts, for platform administrators only (tests/administration counts them).
ADMINISTRATORS_ONLY = {"api:administration:user-list"}
MUST_FILL = {"organisations", "people", "operations", "relations", "assignments", "reports"}


def _lists():
    from .test_access_matrix import discover, view_model

    out = []
    for name, pattern, callback in discover():
        if not name or "<" in pattern or "(?P" in pattern or view_model(callback) is None:
            continue
        if not name.startswith("api:") and name.endswith("_list"):
            out.append((name, "/" + pattern.lstrip("^").rstrip("$")))
        elif name.startswith("api:") and name.endswith("-list"):
            out.append((name, "/" + pattern.replace("^", "").replace("$", "")))
    return out


@pytest.mark.django_db
def test_every_list_issues_a_fixed_number_of_queries(client, monkeypatch):
    """Every list page and API list, as a reader of a synthetic world: a page of 100 rows
    issues no more queries than a page of 20 (a linked model absent from the smaller page
    may add its one query), and never more than LIST_LIMIT."""
    from concord.synthetic.world import World
    from concord.web.generic import ListView

    World(1, 2).generate()
    client.force_login(User.objects.get(username="synth.manager"))
    lists = _lists()
    assert len(lists) > 30
    filled, problems = set(), []
    for name, url in lists:
        sizes = {}
        for size in (20, 100):
            if not name.startswith("api:"):
                monkeypatch.setattr(ListView, "page_size", size)
                target = url
            else:
                target = f"{url}?page_size={size}"
            with CaptureQueriesContext(connection) as queries:
                response = client.get(target)
            if name in ADMINISTRATORS_ONLY:
                assert response.status_code == 403, target  # the reader is no administrator
                break
            assert response.status_code == 200, target
            if not name.startswith("api:"):
                rows = len(response.context["rows"])
            else:
                body = response.json()
                rows = len(body["results"]) if isinstance(body, dict) else len(body)
            sizes[size] = (len(queries.captured_queries), rows)
        if name in ADMINISTRATORS_ONLY:
            continue
        (few, few_rows), (many, many_rows) = sizes[20], sizes[100]
        if many_rows > few_rows:
            filled.add(url.strip("/").split("/")[-1])
        if many > few + 1 or many > LIST_LIMIT:
            problems.append(f"{url}: {few} queries for {few_rows} rows, {many} for {many_rows}")
    assert not problems, "\n".join(problems)
    assert MUST_FILL <= filled, f"too few rows to tell: {sorted(MUST_FILL - filled)}"

    # Exports read in batches of 500 rows: a bounded number of queries per batch, including
    # links reached through links (an assignment's district, then its region).
    for url in ("/assignments/?export=csv",):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            rows = b"".join(response.streaming_content).count(b"\n") - 1
        batches = -(-rows // 500)
        assert rows > 500 and len(queries.captured_queries) <= 12 * batches + 10, (url, rows)


def test_labels_held_while_streaming_stay_bounded():
    """An export of a million rows must not keep a label for every record it linked to."""
    from concord.core.visibility import VisibleLabels

    labels = VisibleLabels(None)
    labels._cache[Organisation].update({i: None for i in range(15_000)})
    labels.trim(limit=20_000)
    assert len(labels._cache[Organisation]) == 15_000  # under the limit: kept for reuse
    labels._cache[Person].update({i: None for i in range(6_000)})
    labels.trim(limit=20_000)
    assert not labels._cache[Organisation] and not labels._cache[Person]
