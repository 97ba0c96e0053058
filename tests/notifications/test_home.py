"""The home page: what needs my attention, from every capability's providers, in the demo
world (whose people follow something sensible: notifications/fixtures/demo.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from concord.core.fixtures.demo import DEMO_USERS
from concord.learning.fixtures import corpus
from concord.web.attention import gather

pytestmark = pytest.mark.django_db


def home(user) -> str:
    c = Client()
    if user is not None:
        c.force_login(user)
    html = c.get("/").content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("username", [u for u, *_ in DEMO_USERS])
def test_every_demo_person_has_something_real_to_attend_to(demo, username):
    groups = gather(demo[username])
    real = [i for g in groups for i in g.items if i.title != "You follow nothing yet"]
    assert real, f"{username}: nothing on the home page"
    for g in groups:
        assert len(g.items) <= 10
        for i in g.items:
            assert i.url.startswith("/") and i.why


def test_what_the_eu_editor_and_manager_see(demo):
    editor = home(demo["eu.editor"])
    assert "Changes to what you follow" in editor
    # the tranche's change is among the first; the lessons of public reports on Somalia,
    # recorded as reference after it, notify nobody (decades-old lessons are not news)
    changes = {g.title: g for g in gather(demo["eu.editor"])}["Changes to what you follow"]
    assert any("Tranche 1 (demo)" in i.title and "which you follow" in i.why for i in changes.items)
    public = {r.title for r in corpus.rows()}
    everything = {g.title: g for g in gather(demo["eu.editor"], limit=500)}
    assert not public & {i.title for i in everything["Changes to what you follow"].items}
    assert "a country you follow" in editor  # Somalia
    assert "Reports overdue" in editor and "days late" in editor
    # the waiver eu.editor proposed awaits a second person, never the proposer
    assert "Awaiting your approval" not in editor
    manager = home(demo["eu.manager"])
    assert "Awaiting your approval" in manager and "Proposed by eu.editor" in manager
    assert "four eyes" in manager


def test_gaps_in_followed_countries_and_deadlines_passed(demo):
    msu = home(demo["msu.editor"])
    assert "Gaps in what you follow" in msu and "in Somalia, a country you follow" in msu
    dpo = home(demo["dpo.editor"])
    assert "Due-diligence deadlines passed" in dpo and "passed" in dpo


def test_counts_are_capped_and_empty_states_say_what_to_do(demo):
    from concord.core.models import User

    groups = {g.title: g for g in gather(demo["dpo.editor"], limit=2)}
    assert groups["Changes to what you follow"].more
    assert len(groups["Changes to what you follow"].items) == 2
    page = Client()
    page.force_login(demo["dpo.editor"])
    assert "more than 10" in page.get("/").content.decode()
    nobody = User.objects.create_user("newcomer", password="x")
    text = home(nobody)
    assert "You follow nothing yet" in text and "Follow an operation, a country" in text
    assert "no organisation membership yet" in text


def test_anonymous_visitors_keep_a_public_home_page(demo):
    text = home(None)
    assert "You see public records only" in text and "Organisations" in text
    assert "What needs your attention" not in text


def test_the_platform_administrator_gains_nothing_on_the_home_page(demo):
    admin = demo["admin"]
    text = home(admin)
    for words in ("Tranche 2", "Awaiting your approval", "deadlines passed", "Reports overdue"):
        assert words not in text
