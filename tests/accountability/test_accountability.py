"""Accountability: due dates from schedules (pure), the thin-accountability finding, the
reports-due page, the web of accountability, the calendar feed, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from concord.accountability import analysis as A
from concord.accountability.models import AccountabilityLine, Report, ReportingObligation
from concord.core import services
from concord.core.context import Actor
from concord.core.models import AuditEntry, User
from concord.operations.models import Operation

d = dt.date


# --- pure -------------------------------------------------------------------------------------


def test_schedule_needs_one_rule_and_real_month_days():
    assert A.schedule_problem(90, []) is None
    assert A.schedule_problem(None, ["03-31", "09-30"]) is None
    assert "either" in A.schedule_problem(90, ["03-31"])
    assert "either" in A.schedule_problem(None, [])
    assert "02-30" in A.schedule_problem(None, ["02-30"])
    assert A.schedule_problem(None, ["02-29"]) is None  # in leap years; 28 Feb otherwise


def test_due_dates_by_interval_and_by_fixed_dates_with_the_end_and_leap_days():
    every = A.Schedule(1, d(2024, 1, 1), every_days=90, until=d(2024, 12, 31))
    assert A.due_dates(every, d(2030, 1, 1)) == [
        d(2024, 1, 1),
        d(2024, 3, 31),
        d(2024, 6, 29),
        d(2024, 9, 27),
        d(2024, 12, 26),
    ]
    fixed = A.Schedule(2, d(2023, 3, 1), fixed_dates=("02-29", "06-30"))
    assert A.due_dates(fixed, d(2024, 7, 1)) == [
        d(2023, 6, 30),
        d(2024, 2, 29),
        d(2024, 6, 30),
    ]
    assert A.due_dates(fixed, d(2025, 3, 1))[-1] == d(2025, 2, 28)
    assert A.due_dates(every, d(2023, 12, 31)) == []


def test_each_due_date_takes_the_first_report_after_the_previous_one():
    s = A.Schedule(7, d(2026, 1, 1), every_days=30, grace_days=2)
    reports = [
        A.Filed(1, d(2025, 12, 20)),  # early: meets 1 Jan
        A.Filed(2, d(2026, 1, 5)),  # a second version before the next cycle: used by 31 Jan
        A.Filed(3, d(2026, 2, 10), returned=True),  # returned: counts for nothing
        A.Filed(4, d(2026, 3, 5)),  # after 2 Mar + 2 days: late for 2 Mar
    ]
    got = {x.due: (x.state, x.report) for x in A.cycles(s, reports, d(2026, 4, 10), horizon=30)}
    assert got[d(2026, 1, 1)] == ("met", 1)
    assert got[d(2026, 1, 31)] == ("met", 2)
    assert got[d(2026, 3, 2)] == ("late", 4)
    assert got[d(2026, 4, 1)] == ("overdue", None)
    assert got[d(2026, 5, 1)] == ("due", None)  # within the horizon
    assert d(2026, 5, 31) not in got
    late = next(x for x in A.cycles(s, reports, d(2026, 4, 10)) if x.state == "late")
    assert late.days_late(d(2026, 4, 10), grace=2) == 1  # 5 Mar is 3 days after 2 Mar
    # On the day after the due date, within the grace days, it is still only "due".
    assert A.cycles(s, [], d(2026, 1, 3))[0].state == "due"
    assert A.cycles(s, [], d(2026, 1, 4))[0].state == "overdue"


def test_a_report_sent_before_the_previous_due_date_is_not_counted_twice():
    s = A.Schedule(1, d(2026, 1, 1), every_days=30)
    both_early = [A.Filed(1, d(2025, 12, 1)), A.Filed(2, d(2025, 12, 2))]
    got = [x.state for x in A.cycles(s, both_early, d(2026, 2, 5), horizon=0)]
    assert got == ["met", "overdue"]


def test_thin_accountability_names_each_missing_kind_of_line():
    lines = [
        A.Line(1, "host_state", "sofa"),
        A.Line(1, "security_council", "mandate_reporting", end=d(2020, 12, 31)),
    ]
    assert A.thin_accountability(lines, d(2020, 6, 1)) == ("population", "human_rights")
    assert A.thin_accountability(lines, d(2021, 6, 1)) == (
        "multilateral",
        "population",
        "human_rights",
    )
    full = [
        *lines,
        A.Line(1, "local_population", "complaints"),
        A.Line(1, "au_psc", "human_rights_monitoring"),
    ]
    assert A.thin_accountability(full, d(2021, 6, 1)) == ()


def test_an_authorisation_by_a_multilateral_body_is_a_line_to_it():
    """Issue 14, item 12: a coalition authorised by the Security Council was flagged "no line
    to a multilateral body"."""
    coalition = [A.Line(1, "host_state", "sofa")]
    authorised = A.authorisation_lines(1, [("unsc", d(2013, 4, 25)), ("host_consent", None)])
    assert [(x.body, x.mechanism) for x in authorised] == [("security_council", "authorisation")]
    assert "multilateral" not in A.thin_accountability(coalition + authorised, d(2014, 1, 1))
    assert "multilateral" in A.thin_accountability(coalition + authorised, d(2013, 1, 1))
    national = A.authorisation_lines(1, [("national", None), ("host_consent", None)])
    assert "multilateral" in A.thin_accountability(coalition + national, d(2014, 1, 1))


@pytest.mark.django_db
def test_an_authorised_coalitions_web_shows_the_authorisation_as_its_line():
    from concord.operations.models import Authorisation

    from ..conftest import country, make_org, make_user

    org = make_org("COA")
    user = make_user("coa", org)
    op = services.save(
        Operation(
            name="Authorised coalition",
            kind="enforcement",
            framework="ad_hoc",
            start=dt.date(2013, 1, 1),
            owner=org,
            classification=0,
            releasability="public",
        ),
        actor=Actor.system("test"),
        m2m={"host_countries": [country()]},
    )
    Authorisation.objects.create(operation=op, kind="unsc", reference="2085", date=d(2012, 12, 20))
    c = Client()
    c.force_login(user)
    page = c.get(f"/operations/{op.pk}/accountability/", {"on": "2014-01-01"}).content.decode()
    assert "Authorised by S/RES/2085 (2012-12-20): a line to a multilateral body" in page
    assert "no line to a multilateral body" not in page
    before = c.get(f"/operations/{op.pk}/accountability/", {"on": "2012-06-01"}).content.decode()
    assert "no line to a multilateral body" in before
    assert "no line to a multilateral body" not in c.get(op.get_absolute_url()).content.decode()


# --- with the demo world ----------------------------------------------------------------------


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_reports_due_page_lists_overdue_and_upcoming_for_those_who_may_see(demo):
    page = login(demo["dpo.viewer"]).get("/accountability/due/", {"days": "60"})
    text = page.content.decode()
    assert page.status_code == 200
    overdue = text.split("<h2>Overdue")[1].split("<h2>")[0]
    assert "Protection-of-civilians update (demo)" in overdue
    # The AU's report to the EU, shared with the UN: month three came a week late.
    assert "AUSSOM financial and human-rights compliance report to the EU (demo)" in overdue
    coming = text.split("<h2>Coming up")[1].split("<h2>")[0]
    assert "Protection-of-civilians update (demo)" in coming  # the next quarter
    assert "Days late" in overdue
    anonymous = Client().get("/accountability/due/").content.decode()
    assert "(demo)" not in anonymous  # released to signed-in users only
    bad = login(demo["dpo.viewer"]).get("/accountability/due/", {"days": "soon"})
    assert bad.status_code == 400 and "days: give a whole number" in bad.content.decode()


@pytest.mark.django_db
def test_filing_one_report_for_two_obligations_clears_both_and_is_audited(demo):
    user = demo["dpo.editor"]
    client = login(user)
    today = timezone.localdate()
    poc = ReportingObligation.objects.get(subject="Protection-of-civilians update (demo)")
    monthly = services.save(
        ReportingObligation(
            reporter_organisation=poc.reporter_organisation,
            body="donors",
            subject="Monthly update to donors",
            every_days=30,
            first_due=today - dt.timedelta(days=45),
            owner=poc.owner,
            classification=1,
            releasability="signed_in",
        ),
        actor=Actor(user=user, interface="web"),
    )
    obligations = [poc, monthly]
    before_overdue = _overdue(user)
    entries = AuditEntry.objects.count()
    r = client.post(
        "/reports/add/",
        {
            "title": "Combined report, this month",
            "obligations": [o.pk for o in obligations],
            "submitted": today.isoformat(),
            "status": "submitted",
            "attachments": "Combined report | S/2026/1 | https://undocs.org/S/2026/1",
            "owner": user.memberships.first().organisation_id,
            "classification": "1",
            "releasability": "signed_in",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    report = Report.objects.get(title="Combined report, this month")
    assert set(report.obligations.all()) == set(obligations)
    assert AuditEntry.objects.count() == entries + 1
    after = _overdue(user)
    assert len(after) == len(before_overdue) - 2  # the oldest overdue of each is now met (late)
    bad = client.post(
        "/reports/add/",
        {"title": "No date", "obligations": [obligations[0].pk], "status": "submitted"},
    )
    assert bad.status_code == 400 and "submitted" in bad.content.decode()


def _overdue(user):
    from concord.accountability import loaders

    rows = loaders.dues(user, timezone.localdate(), 30)
    return [r for r in rows if r.state == "overdue"]


@pytest.mark.django_db
def test_web_of_accountability_and_the_thin_finding(demo):
    client = login(demo["dpo.viewer"])
    barkhane = Operation.objects.get(key="barkhane")
    page = client.get(f"/operations/{barkhane.pk}/accountability/", {"on": "2020-06-01"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Thin accountability" in text
    assert "no channel for the local population" in text and "no human-rights oversight" in text
    # Resolution 2100 (2013) authorised French forces in Mali: a line to the Council.
    assert "no line to a multilateral body" not in text
    assert "Authorised by S/RES/2100 (2013-04-25): a line to a multilateral body" in text
    assert 'data-body="host_state"' in text and 'data-body="security_council"' in text
    minusma = Operation.objects.get(key="minusma")
    text = client.get(f"/operations/{minusma.pk}/accountability/", {"on": "2020-06-01"})
    assert "Thin accountability" not in text.content.decode()
    svg = client.get(f"/operations/{minusma.pk}/accountability/", {"format": "svg"})
    assert svg["Content-Type"].startswith("image/svg+xml")
    g5s = Operation.objects.get(key="g5s-jf")
    section = client.get(g5s.get_absolute_url()).content.decode()
    assert "Accountability" in section and "no channel for the local population" in section
    assert client.get(f"/operations/{g5s.pk}/accountability/", {"on": "x"}).status_code == 404


@pytest.mark.django_db
def test_calendar_feed_for_a_session_or_a_feed_secret(demo):
    user = demo["dpo.viewer"]
    body = login(user).get("/accountability/calendar.ics")
    assert body.status_code == 200 and body["Content-Type"].startswith("text/calendar")
    text = body.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.count("BEGIN:VEVENT") >= 5
    assert "SUMMARY:OVERDUE: Protection-of-civilians update (demo)" in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    _, key = services.create_feed_secret(actor=Actor(user=user, interface="web"))
    assert Client().get("/accountability/calendar.ics", {"feed": key}).status_code == 200
    assert Client().get("/accountability/calendar.ics", {"feed": "nope"}).status_code == 401
    # API tokens are refused (tests/test_secrets_and_enumeration.py has the rest).
    _, api_key = services.create_token(
        actor=Actor(user=user, interface="web"), name="calendar", read_only=True
    )
    assert Client().get("/accountability/calendar.ics", {"token": api_key}).status_code == 401
    assert Client().get("/accountability/calendar.ics").status_code == 401


@pytest.mark.django_db
def test_api_obligations_reports_and_reports_due(demo):
    user = demo["dpo.editor"]
    client = login(user)
    owner = user.memberships.first().organisation_id
    bad = client.post(
        "/api/v1/accountability/reporting-obligations/",
        {
            "reporter_organisation": owner,
            "body": "donors",
            "subject": "Both rules",
            "every_days": 30,
            "fixed_dates": ["03-31"],
            "first_due": "2026-01-01",
            "owner": owner,
            "classification": 1,
            "releasability": "owner",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "every_days" in bad.json()["error"]["fields"]
    ok = client.post(
        "/api/v1/accountability/reporting-obligations/",
        {
            "reporter_organisation": owner,
            "body": "donors",
            "subject": "Annual audit (test)",
            "fixed_dates": ["03-31"],
            "first_due": "2020-01-01",
            "owner": owner,
            "classification": 1,
            "releasability": "owner",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    due = client.get("/api/v1/accountability/reports-due/", {"days": "0"}).json()
    rows = due["results"] if isinstance(due, dict) else due
    audit_rows = [r for r in rows if r["subject"] == "Annual audit (test)"]
    assert {r["state"] for r in audit_rows} == {"overdue"} and len(audit_rows) >= 6
    assert client.get("/api/v1/accountability/reports-due/", {"days": "x"}).status_code == 400
    report = client.post(
        "/api/v1/accountability/reports/",
        {
            "title": "Audit 2020 (test)",
            "obligations": [ok.json()["id"]],
            "submitted": "2020-03-30",
            "owner": owner,
            "classification": 1,
            "releasability": "owner",
        },
        content_type="application/json",
    )
    assert report.status_code == 201, report.content
    due = client.get("/api/v1/accountability/reports-due/", {"days": "0", "all": "1"}).json()
    rows = due["results"] if isinstance(due, dict) else due
    first = min((r for r in rows if r["subject"] == "Annual audit (test)"), key=lambda r: r["due"])
    assert first["state"] == "met" and first["report"] == report.json()["id"]


@pytest.mark.django_db
def test_cli_due_and_notify(demo, settings):
    out = io.StringIO()
    call_command("accountability", "due", "--as", "dpo.viewer", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert any(r["state"] == "overdue" for r in rows)
    with pytest.raises(CommandError, match="--days"):
        call_command("accountability", "due", "--days", "-3", stdout=io.StringIO())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User.objects.filter(username="dpo.viewer").update(email="viewer@example.org")
    out = io.StringIO()
    call_command("accountability", "notify", stdout=out)
    assert "1 messages sent" in out.getvalue()
    (message,) = mail.outbox
    assert message.to == ["viewer@example.org"] and "overdue" in message.subject
    assert "Protection-of-civilians update (demo)" in message.body


@pytest.mark.django_db
def test_import_of_obligations_names_the_row_and_column(demo):
    from concord.core.importers import SPECS, import_table
    from concord.exchange.tabular import FileRejected, Table

    user = demo["dpo.editor"]
    headers = ["body", "subject", "fixed_dates", "first_due", "reporter_organisation"]
    table = Table(
        headers=headers,
        rows=[
            (2, dict(zip(headers, ["donors", "Good", "06-30", "2026-01-01", "DPO"], strict=True))),
            (3, dict(zip(headers, ["donors", "Bad", "13-01", "2026-01-01", "DPO"], strict=True))),
        ],
    )
    count = ReportingObligation.objects.count()
    with pytest.raises(FileRejected) as exc:
        import_table(
            SPECS["reporting-obligations"],
            table,
            "test.csv",
            actor=Actor(user=user, interface="import"),
        )
    assert any("13-01" in str(e) and "row 3" in str(e) for e in exc.value.errors), [
        str(e) for e in exc.value.errors
    ]
    assert ReportingObligation.objects.count() == count  # nothing half-written
    assert AccountabilityLine.objects.filter(operation__key="minusma").count() == 4


def test_month_weeks_start_on_monday_and_blank_other_months():
    weeks = A.month_weeks(2026, 2)
    assert weeks[0][:6] == [None] * 6 and weeks[0][6] == d(2026, 2, 1)  # a Sunday
    assert all(len(w) == 7 for w in weeks)
    assert [day for w in weeks for day in w if day][-1] == d(2026, 2, 28)


@pytest.mark.django_db
def test_calendar_page_shows_each_due_date_on_its_day(demo):
    from concord.accountability import loaders

    user = demo["dpo.viewer"]
    client = login(user)
    rows = [r for r in loaders.dues(user, timezone.localdate(), 0) if r.state == "overdue"]
    r = rows[0]
    page = client.get("/accountability/calendar/", {"month": r.due.due.strftime("%Y-%m")})
    text = page.content.decode()
    assert page.status_code == 200 and f"Due dates, {r.due.due:%B %Y}" in text
    cell = text.split(f'<span class="day">{r.due.due.day}</span>')[1].split("</td>")[0]
    assert "state-overdue" in cell and r.obligation.subject in cell
    for bad in ("2026-13", "soon", "9999-12"):
        response = client.get("/accountability/calendar/", {"month": bad})
        assert response.status_code == 400 and "month: give a month" in response.content.decode()


@pytest.mark.django_db
def test_an_operations_page_shows_its_reporting_board(demo):
    user = demo["dpo.editor"]
    owner = user.memberships.first().organisation
    barkhane = Operation.objects.get(key="barkhane")
    actor = Actor(user=user, interface="web")
    first = timezone.localdate() - dt.timedelta(days=100)
    ob = services.save(
        ReportingObligation(
            reporter_operation=barkhane,
            body="host_state",
            subject="Incident reports to the host state (test)",
            every_days=30,
            first_due=first,
            owner=owner,
            classification=1,
            releasability="owner",
        ),
        actor=actor,
    )
    services.save(
        Report(
            title="First incident report (test)",
            submitted=first,
            owner=owner,
            classification=1,
            releasability="owner",
        ),
        actor=actor,
        m2m={"obligations": [ob]},
    )
    text = login(user).get(f"/operations/{barkhane.pk}/accountability/").content.decode()
    board = text.split("<h2>Reporting by")[1].split("</table>")[0]
    cells = board.split("Incident reports to the host state (test)")[1]
    # Due at -100 (met), -70, -40, -10 (overdue), +20 (next).
    assert "<td>3</td><td>0</td><td>1</td>" in cells
    from django.template.defaultfilters import date as date_filter

    assert f"<td>{date_filter(first + dt.timedelta(days=120))}</td>" in cells
    other = login(demo["eu.viewer"]).get(f"/operations/{barkhane.pk}/accountability/")
    assert "Incident reports to the host state (test)" not in other.content.decode()


# --- security-force units ---------------------------------------------------------------------


def test_chain_lineage_and_commanders_on_a_day():
    parent_of = {1: None, 2: 1, 3: 2, 9: 9}
    assert A.chain(3, parent_of) == [2, 1]
    assert A.chain(9, parent_of) == []  # a loop stops
    successor_of = {10: 12, 11: 12, 12: 13, 13: None}
    assert A.lineage(12, successor_of) == ([10, 11], [13])
    assert A.lineage(13, successor_of) == ([10, 11, 12], [])
    commands = [
        A.Command(1, d(2020, 1, 1), d(2021, 6, 30)),
        A.Command(2, d(2021, 7, 1), None),
        A.Command(3, None, d(2019, 12, 31)),
    ]
    assert A.commanders_on(commands, d(2021, 6, 30)) == [1]  # both ends count
    assert A.commanders_on(commands, d(2021, 7, 1)) == [2]
    assert A.commanders_on(commands, d(2010, 1, 1)) == [3]


@pytest.mark.django_db
def test_units_show_their_chain_lineage_and_commanders_and_refuse_loops(demo):
    from concord.accountability.models import SecurityUnit, UnitCommand
    from concord.core.models import Country

    user = demo["dpo.editor"]
    owner = user.memberships.first().organisation
    actor = Actor(user=user, interface="web")
    mli = Country.objects.get(alpha3="MLI")

    def unit(name, **kw):
        return services.save(
            SecurityUnit(name=name, country=mli, owner=owner, classification=2, **kw),
            actor=actor,
        )

    army = unit("Armed forces (test)")
    battalion = unit("Battalion A (test)", parent=army, end=d(2020, 12, 31))
    renamed = unit("Battalion B (test)", parent=army, start=d(2021, 1, 1))
    battalion.successor = renamed
    services.save(battalion, actor=actor)
    services.save(
        UnitCommand(
            unit=renamed,
            commander_name="Col. Traoré (test)",
            rank="Colonel",
            start=d(2021, 1, 1),
            owner=owner,
            classification=2,
        ),
        actor=actor,
    )
    client = login(user)
    text = client.get(renamed.get_absolute_url()).content.decode()
    for expected in ("Armed forces (test)", "Battalion A (test)", "Colonel Col. Traoré (test)"):
        assert expected in text
    assert "(in command today)" in text
    assert UnitCommand.objects.get(unit=renamed).classification == 2
    r = client.patch(
        f"/api/v1/accountability/security-units/{army.pk}/",
        {"parent": battalion.pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "parent" in r.json()["error"]["fields"]
    assert SecurityUnit.objects.get(pk=army.pk).parent_id is None
    form = client.get("/security-units/add/").content.decode()
    assert '<option value="2" selected>' in form  # confidential by default
    assert login(demo["eu.viewer"]).get(renamed.get_absolute_url()).status_code == 404
