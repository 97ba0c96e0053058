"""The audit trail page: its filters combine, a bad date is named, the filters stay from
page to page, and nothing of another organisation's trail is found by searching for it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from concord.core import services
from concord.core.context import Actor
from concord.core.models import Classification, Person, Role

from .conftest import make_org, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail():
    own, other = make_org("OWN"), make_org("OTH")
    editor = make_user("ed", own, Role.EDITOR, Classification.CONFIDENTIAL)
    stranger = make_user("st", other, Role.EDITOR, Classification.CONFIDENTIAL)
    web, cli = Actor(user=editor, interface="web"), Actor(user=editor, interface="cli")
    for i in range(55):
        services.save(Person(owner=own, name=f"Observer {i:02d}"), actor=web)
    envoy = services.save(Person(owner=own, name="Special Envoy Amani"), actor=cli)
    envoy.name = "Special Envoy Amani Kadi"
    services.save(envoy, actor=web)
    services.save(Person(owner=other, name="Secret Contact Zed"), actor=Actor(stranger, "web"))
    client = Client()
    client.force_login(editor)
    return client


def rows(page) -> list[str]:
    body = page.content.decode()
    return re.findall(r"<tr><td>\d+</td>.*?</tr>", body)


def test_the_filters_combine(trail):
    found = rows(trail.get("/audit/", {"q": "Amani"}))
    assert len(found) == 2 and all("Amani" in r for r in found)
    assert len(rows(trail.get("/audit/", {"q": "Amani", "action": "update"}))) == 1
    assert len(rows(trail.get("/audit/", {"q": "Amani", "interface": "cli"}))) == 1
    people = trail.get("/audit/", {"model": "core.person", "q": "Observer 1"})
    assert len(rows(people)) == 10  # Observer 10 … 19
    assert rows(trail.get("/audit/", {"model": "core.organisation", "q": "Observer"})) == []
    today = trail.get("/audit/", {"since": "2000-01-01", "q": "Amani"})
    assert len(rows(today)) == 2
    assert rows(trail.get("/audit/", {"until": "2000-01-01"})) == []


def test_another_organisations_trail_is_not_found(trail):
    page = trail.get("/audit/", {"q": "Secret Contact"})
    assert rows(page) == [] and "Secret Contact Zed" not in page.content.decode()
    assert len(rows(trail.get("/audit/", {"q": "Zed"}))) == 0


def test_a_bad_date_is_named_and_lists_nothing(trail):
    page = trail.get("/audit/", {"since": "31/31/2026"})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="error"' in body and "Enter a valid date" in body
    assert rows(page) == []


def test_the_filters_stay_from_page_to_page(trail):
    first = trail.get("/audit/", {"model": "core.person"})
    body = first.content.decode()
    assert "57 entries" in body
    assert 'href="?model=core.person&amp;page=2"' in body
    second = trail.get("/audit/", {"model": "core.person", "page": 2})
    assert len(rows(second)) == 7
