"""A shared page never goes down because of one record or one request (issue 14, items 1-4).

Values are refused where they come in (forms, API, imports: the model's rules, run by the one
service every interface writes through); pages stay up with what was stored before the rules
existed (written here straight to the database, as an old row would be)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from concord.accountability.models import ReportingObligation
from concord.core import services
from concord.core.context import Actor
from concord.core.models import Classification, Role
from concord.operations.models import Operation

from .conftest import country, make_org, make_user

pytestmark = pytest.mark.django_db
PUBLIC = {"classification": Classification.PUBLIC, "releasability": "public"}


@pytest.fixture
def place():
    s = type("Place", (), {})()
    s.mli = country()
    s.org = make_org("ORG")
    s.editor = make_user("editor", s.org, Role.EDITOR)
    s.actor = Actor(user=s.editor, interface="web")
    s.op = services.save(
        Operation(
            name="A mission",
            kind="peacekeeping",
            framework="ad_hoc",
            start=dt.date(2020, 1, 1),
            owner=s.org,
            **PUBLIC,
        ),
        actor=s.actor,
        m2m={"host_countries": [s.mli]},
    )
    s.obligation = services.save(
        ReportingObligation(
            reporter_operation=s.op,
            body="host_state",
            subject="Monthly report",
            every_days=30,
            first_due=dt.date(2026, 1, 1),
            owner=s.org,
            **PUBLIC,
        ),
        actor=s.actor,
    )
    return s


def ok(client, url, **params):
    r = client.get(url, params)
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert r.status_code < 500, f"{url} {params}: {r.status_code}"
    return r, body


def test_the_area_timeline_of_a_country_without_an_area(place):
    """Item 1: the analysis page's "timeline of who does what" link answered 500 to all."""
    r, body = ok(Client(), "/labour/timeline/", country="MLI")
    assert r.status_code == 200 and b"Who does what in Mali" in body


@pytest.mark.parametrize("value", ["99999999999999999999999", "\u00b2", "12a", "-1", "0"])
def test_numbers_that_name_nothing_are_no_error(place, value):
    """Item 2: a huge number overflowed SQLite; "²" passes ``str.isdigit`` and not ``int``."""
    c = Client()
    c.force_login(place.editor)
    for url, params in [
        ("/api/v1/core/organisations/", {"owner": value}),
        ("/api/v1/core/organisations/", {"parent": value}),
        ("/api/v1/core/organisations/", {"page": value}),
        ("/api/v1/core/organisations/", {"page_size": value}),
        ("/organisations/", {"page": value, "owner": value}),
        ("/api/v1/labour/assignments/", {"batch": value, "task": value, "area": value}),
        ("/api/v1/accountability/tranches/", {"commitment": value, "donor": value}),
        ("/api/v1/accountability/funding-evaluation/", {"donor": value}),
        ("/api/v1/accountability/reports-due/", {"days": value}),
        ("/operations/timeline/", {"theatre": "MLI", "since": value}),
        ("/labour/timeline/", {"country": "MLI", "area_id": value}),
        (f"/api/v1/labour/mandates/{value}/", {}),
        (f"/api/v1/operations/operations/{value}/classification/", {}),
    ]:
        ok(c, url, **params)


def test_a_schedule_far_beyond_any_date_is_refused_and_does_not_break_pages(place):
    """Item 3: a report due every 2,147,483,647 days made the due pages and feeds answer 500."""
    c = Client()
    c.force_login(place.editor)
    r = c.patch(
        f"/api/v1/accountability/reporting-obligations/{place.obligation.pk}/",
        {"every_days": 2_147_483_647},
        content_type="application/json",
    )
    assert r.status_code == 400 and "every_days" in r.json()["error"]["fields"]
    # Stored before the rule existed: the pages still work.
    ReportingObligation.objects.filter(pk=place.obligation.pk).update(every_days=2_147_483_647)
    for url, params in [
        ("/api/v1/accountability/reports-due/", {}),
        ("/api/v1/accountability/reports-due/", {"days": "3660"}),
        ("/accountability/due/", {}),
        ("/accountability/calendar/", {}),
        ("/accountability/calendar/", {"month": "9999-12"}),
        (f"/reporting-obligations/{place.obligation.pk}/", {}),
    ]:
        ok(c, url, **params)


def test_dates_at_the_end_of_the_calendar_are_refused_and_do_not_break_pages(place):
    c = Client()
    c.force_login(place.editor)
    r = c.patch(
        f"/api/v1/operations/operations/{place.op.pk}/",
        {"end": "9999-12-31"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "end" in r.json()["error"]["fields"], r.content
    Operation.objects.filter(pk=place.op.pk).update(end=dt.date(9999, 12, 31))
    ReportingObligation.objects.filter(pk=place.obligation.pk).update(
        first_due=dt.date(9999, 12, 1), every_days=30
    )
    for url, params in [
        ("/operations/timeline/", {"theatre": "MLI"}),
        ("/operations/", {}),
        (f"/operations/{place.op.pk}/", {}),
        ("/operations/map/", {}),
        ("/accountability/due/", {"days": "3660"}),
        ("/api/v1/accountability/reports-due/", {}),
    ]:
        ok(c, url, **params)


def test_a_server_error_in_the_api_answers_the_documented_error_shape(place, monkeypatch):
    """Item 4: a 500 from the API was Django's HTML page."""
    from concord.api import base

    def boom(self, *a, **k):
        raise RuntimeError("something broke")

    monkeypatch.setattr(base.ScopedViewSet, "list", boom)
    c = Client(raise_request_exception=False)
    r = c.get("/api/v1/core/organisations/")
    assert r.status_code == 500
    body = json.loads(r.content)
    assert body["error"]["code"] == "server_error"
    assert "something broke" not in body["error"]["message"]  # no internals to the caller
    assert r["X-Request-ID"] in body["error"]["message"]  # what to quote to the platform team


def test_the_calendar_feed_parses_back_whatever_the_subject_holds(place):
    """Item 19: the hand-written feed left bare carriage returns in event lines."""
    from icalendar import Calendar

    subject = "Rapport mensuel; sécurité, \u00e9t\u00e9\r\nsecond line\rthird " + "é" * 60
    ReportingObligation.objects.filter(pk=place.obligation.pk).update(subject=subject)
    c = Client()
    c.force_login(place.editor)
    body = c.get("/accountability/calendar.ics").content
    lines = body.split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)
    cal = Calendar.from_ical(body)
    events = cal.walk("VEVENT")
    assert events and all(str(e["summary"]).endswith("(A mission)") for e in events)
    # Every line break (CR, LF or both) comes back as one LF.
    want = subject.replace("\r\n", "\n").replace("\r", "\n")
    assert want in str(events[0]["summary"])
    assert events[0].decoded("dtstart") == dt.date(2026, 1, 1)
