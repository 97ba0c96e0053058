"""The demo world holds together: nothing runs after its operation ended, the steps of a case
read in the order of their dates and name who took them, and every persona has something real
to do (docs/getting-started.md lists what)."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from concord.accountability.models import (
    CaseDecision,
    Commitment,
    ReportingObligation,
    SupportCase,
    Tranche,
    TrancheDecision,
)
from concord.core.fixtures.demo import DEMO_USERS
from concord.labour.models import Assignment, Need
from concord.operations.models import Operation


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_nothing_runs_after_its_operation_ended(demo):
    today = timezone.localdate()
    ended = Operation.objects.filter(end__lt=today)
    for a in Assignment.objects.filter(operation__in=ended).select_related("operation"):
        assert a.end is not None and a.end <= a.operation.end, (a, a.end, a.operation.end)
    # Money and cases of today concern operations running today.
    assert not Commitment.objects.filter(recipient_operation__in=ended).exists()
    assert not Tranche.objects.filter(commitment__recipient_operation__in=ended).exists()
    live = SupportCase.objects.exclude(state__in=["denied", "withdrawn"])
    assert not live.filter(operation__in=ended).exists()
    for o in ReportingObligation.objects.filter(reporter_operation__in=ended):
        assert o.until is not None and o.until <= o.reporter_operation.end, o
    # Needs and assignments of today are current.
    assert Need.objects.filter(Q(end=None) | Q(end__gte=today), start__lte=today).exists()


@pytest.mark.django_db
def test_a_cases_steps_read_in_date_order_and_name_who_took_them(demo):
    for case in SupportCase.objects.all():
        steps = list(CaseDecision.objects.filter(case=case).order_by("pk"))
        assert [s.on for s in steps] == sorted(s.on for s in steps), case
        assert all(s.automatic or s.by_id for s in steps), "a step by nobody (a deleted user?)"
        page = login(demo["dpo.editor"]).get(case.get_absolute_url()).content.decode()
        shown = page.split("Decisions (newest first)")[1].split("</ul>")[0]
        assert "deleted user" not in shown
        dates = [line.split(":")[0].split(">")[-1] for line in shown.split("<li>")[1:]]
        assert dates == sorted(dates, reverse=True), dates
    for d in TrancheDecision.objects.all():
        assert d.proposed_by_id and (d.status == "proposed" or d.decided_by_id)


# What each persona has to do, and where: (page, what it must show).
TASKS = {
    "dpo.viewer": ("/accountability/due/", "Protection-of-civilians update (demo)"),
    "dpo.contributor": ("/reports/add/", "Every obligation this report satisfies"),
    "dpo.editor": ("case", "Suspension recommended"),
    "dpo.manager": ("case", "Take a decision"),
    "au.public": ("/operations/?q=AUSSOM", "African Union Support and Stabilization Mission"),
    "au.editor": ("report:Donor report, month two (demo)", "Returned for revision"),
    "eu.viewer": ("tranche:Tranche 2 (demo)", "Held"),
    "eu.editor": ("report:Donor report, month three (demo)", "Review this report"),
    "eu.manager": ("tranche:Tranche 2 (demo)", "/tranche-decisions/"),
    "hd.manager": ("/people/?q=Grassroots", "Grassroots source M-7 (demo)"),
    "rmm.contributor": ("/allegations/add/", "Mopti sector battalion (demo)"),
    "norad.editor": ("report:Grant report, second half-year (demo)", "Review this report"),
    "msu.editor": ("/needs/?country=SOM", "Mediation support to clan reconciliation"),
    "msu.roster": (
        "expertrequest:Ceasefire monitoring adviser for the Sudan talks",
        "Make the shortlist from who is available",
    ),
    "msu.manager": (
        "expertrequest:Ceasefire monitoring adviser for the Sudan talks",
        "Waive in writing",
    ),
}


def _address(where: str) -> str:
    from concord.accountability.models import Report

    if where == "case":
        return SupportCase.objects.get(title__startswith="Fuel and rations").get_absolute_url()
    kind, _, title = where.partition(":")
    if kind == "report":
        return Report.objects.get(title=title).get_absolute_url()
    if kind == "tranche":
        return Tranche.objects.get(label=title).get_absolute_url()
    if kind == "expertrequest":
        from concord.roster.models import ExpertRequest

        return ExpertRequest.objects.get(title=title).get_absolute_url()
    return where


@pytest.mark.django_db
@pytest.mark.parametrize("username", [u for u, *_ in DEMO_USERS])
def test_every_persona_has_something_real_to_do(demo, username):
    assert set(TASKS) >= {u for u, *_ in DEMO_USERS}, "say what the new persona does"
    where, what = TASKS[username]
    page = login(demo[username]).get(_address(where))
    assert page.status_code == 200, (username, where, page.status_code)
    assert what in page.content.decode(), (username, where, what)


@pytest.mark.django_db
def test_the_administrator_and_the_managers_have_something_to_do(demo):
    """The administrator merges the duplicate a 3W import made; DPO's manager sees the
    invitation that expires tomorrow."""
    from concord.core.models import User

    admin = User.objects.get(username="admin")
    page = login(admin).get("/administration/merge/", {"duplicate": "CDH", "into": "HD"})
    text = page.content.decode()
    assert page.status_code == 200 and "Centre for Humanitarian Dialogue (HD)" in text
    assert "Confirm" in text or 'name="confirm"' in text
    page = login(demo["dpo.manager"]).get("/members/").content.decode()
    assert "new.officer@dpo.example.org" in page and "pending" in page
    home = login(demo["dpo.manager"]).get("/").content.decode()
    assert "new.officer@dpo.example.org to DPO (contributor)" in home
    assert "not accepted yet; expires on" in home
