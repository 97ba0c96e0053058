"""A person in headless Chromium: signs in as demo users, opens every main page, sees a form
error, is refused a page, and leaves screenshots for the docs (CONCORD_SCREENSHOTS=dir).

Uses Debian's chromium through Playwright's ``executable_path``; skips, saying why, where no
Chromium is installed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from concord.core.fixtures.demo import demo_password
from concord.signin.fixtures.demo import demo_code

from .conftest import chromium_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = chromium_path()
SHOTS = (
    Path(os.environ.get("CONCORD_SCREENSHOTS", ""))
    if os.environ.get("CONCORD_SCREENSHOTS")
    else None
)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); browser test skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM (used by the
    # live server fixture and seeding) must be allowed alongside it, for this module only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(live_server):
    """The demo world (without the catalogue) behind a live server: seeded by the first test
    of the process, then put back from a copy (tests/snapshots.py)."""
    from django.core.management import call_command

    from . import snapshots

    if snapshots.has("browser-demo"):
        snapshots.restore("browser-demo")
    else:
        call_command("seed", "demo")
        snapshots.take("browser-demo")
    return live_server.url


def shot(page, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, base, username):
    """The password, then, for the demo personas with an authenticator (admin, dpo.manager,
    hd.manager), the code `concord twofactor code` would print."""
    page.goto(f"{base}/login/")
    # by the fields' ids: the page may be in any language (the browser's)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(demo_password(username))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/(login/code/)?$"))
    if page.url.endswith("/login/code/"):
        give_code(page, lambda ahead: demo_code(username, ahead))
    page.wait_for_url(f"{base}/")


def give_code(page, code_at):
    """Type the authenticator's code; a code is accepted once, so a second sign-in within the
    same 30 seconds gives the next period's code (accepted one step early)."""
    for ahead in (0, 1):
        page.locator("#id_code").fill(code_at(ahead))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if "/login/code/" not in page.url:
            return
    raise AssertionError("the code step refused both codes")


def signed_in(browser, base, username, width=1280, height=900, locale="en-GB"):
    """A fresh browser context (its own cookies) signed in as a demo user; ``locale`` is
    the browser's language (its Accept-Language)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    sign_in(page, base, username)
    return context, page


def test_a_day_in_concord(browser, demo):
    base = demo
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/login/")
    shot(page, "login")
    sign_in(page, base, "dpo.editor")
    assert "dpo.editor" in page.content()
    shot(page, "home")

    for path, heading in [
        ("/organisations/", "Organisations"),
        ("/people/", "People"),
        ("/areas/?country=MLI", "Areas"),
        ("/countries/", "Countries"),
        ("/spaces/", "Coordination spaces"),
        ("/audit/", "Audit trail"),
        ("/tokens/", "API tokens"),
        ("/search/?q=mopti", "Search"),
    ]:
        page.goto(base + path)
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), path
    page.goto(f"{base}/organisations/")
    shot(page, "organisations")
    # The filter panel updates the results in place (htmx) and the address with them.
    page.get_by_text("Filter", exact=True).click()
    page.locator("#id_kind").select_option("regional")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**kind=regional**")
    assert page.locator("#results").get_by_text("African Union").count() == 1
    assert page.locator("#results").get_by_text("Centre for Humanitarian Dialogue").count() == 0

    # A form with an error: the message appears on the field, nothing is saved.
    page.goto(f"{base}/organisations/add/")
    page.locator("#id_name").fill("Mopti Youth Dialogue")
    page.locator("#id_kind").select_option("local")
    page.locator("#id_website").fill("not a website")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_website_error")).to_be_visible()
    shot(page, "form-error")
    page.locator("#id_website").fill("https://example.org/")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Mopti Youth Dialogue")).to_be_visible()
    shot(page, "organisation-detail")
    page.get_by_role("link", name="History").click()
    # Wait for the navigation: content() during it can read an empty document.
    page.wait_for_url("**/history/")
    expect(page.locator("main")).to_contain_text("Create")
    shot(page, "history")

    # A confidential record shared with a space, as its owner sees it.
    page.goto(f"{base}/people/")
    page.get_by_role("link", name="Jean-Baptiste Koné (demo)").click()
    expect(page.get_by_role("heading", name="Jean-Baptiste Koné (demo)")).to_be_visible()
    shot(page, "person-detail")
    context.close()

    # A viewer is refused the edit page; a public-clearance user does not see confidential records.
    context, page = signed_in(browser, base, "dpo.viewer")
    page.goto(f"{base}/organisations/")
    page.get_by_role("link", name="UN Department of Peace Operations").click()
    edit_url = page.url + "edit/"
    response = page.goto(edit_url)
    assert response.status == 403
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    shot(page, "refused")
    context.close()

    context, page = signed_in(browser, base, "au.public")
    page.goto(f"{base}/people/")
    assert "Jean-Baptiste" not in page.content() and "Grassroots source" not in page.content()
    context.close()

    # Usable at 360 px.
    context, page = signed_in(browser, base, "hd.manager", width=360, height=740)
    page.goto(f"{base}/people/")
    assert "Grassroots source M-7 (demo)" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page is {width}px wide at a 360px viewport"
    shot(page, "mobile-people")
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_operations_timeline_map_and_typology(browser, demo):
    """An analyst loads the catalogue, browses Mali's timeline (zoom, click through), the
    map and the typology; a liaison officer's page shows the scenario and its reason."""
    from django.core.management import call_command

    call_command("seed", "catalogue")
    base = demo
    context, page = signed_in(browser, base, "dpo.editor", width=1400, height=900)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/operations/timeline/?theatre=MLI")
    assert page.get_by_role("heading", name="Peace operations in Mali").is_visible()
    svg = page.locator("#picture svg")
    before = svg.get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    assert svg.get_attribute("viewBox") != before
    page.get_by_role("button", name="Reset").click()
    assert svg.get_attribute("viewBox") == before
    shot(page, "operations-timeline")
    page.locator('#picture a:has-text("Barkhane")').first.click()
    expect(page.get_by_role("heading", name="Barkhane")).to_be_visible()
    assert "operates alongside MINUSMA" in page.content()
    shot(page, "operation-detail")
    page.goto(f"{base}/operations/map/?date=2016-06-01")
    assert page.locator('#picture path[data-country="466"]').count() == 1
    shot(page, "operations-map")
    page.goto(f"{base}/operations/typology/")
    assert page.get_by_role("heading", name="The paper's own examples").is_visible()
    shot(page, "operations-typology")
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_division_of_labour_analysis_timeline_grid_and_3w_import(browser, demo, tmp_path):
    """A coordination officer in Mali reads the 4W matrix and its findings, opens Gao's
    timeline, enters two assignments with the keyboard alone, and previews a 3W file."""
    from django.core.management import call_command

    call_command("seed", "catalogue")
    call_command("seed", "demo")  # again, now that the task catalogue is there
    base = demo
    context, page = signed_in(browser, base, "dpo.contributor", width=1400, height=900)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/labour/?country=MLI&start=2020-06-01&end=2020-06-30")
    assert page.get_by_role("heading", name="Who does what where").is_visible()
    assert page.locator(".flag-overlap").count() >= 1
    assert page.get_by_text("both lead Counter-terrorism operations in Gao").first.is_visible()
    shot(page, "labour-analysis")
    gao = page.locator('.map-4w a[data-place="Gao"]')
    assert gao.count() == 1 and "Gao" in gao.text_content()
    if SHOTS:
        page.locator(".map-4w").screenshot(path=str(SHOTS / "labour-map.png"))
    gao.locator("circle").click()  # a region on the map opens its timeline
    page.wait_for_url("**/labour/timeline/?country=MLI&area_id=*")
    assert page.get_by_role("heading", name="Who does what in Gao").is_visible()

    page.goto(f"{base}/labour/timeline/?country=MLI&area=ML-7")
    assert page.get_by_role("heading", name="Who does what in Gao").is_visible()
    assert page.locator("svg").get_by_text("Barkhane").count() >= 1
    shot(page, "labour-timeline")

    # The grid, by keyboard only: type, Tab across, Enter adds a row, Ctrl+Enter saves.
    page.goto(f"{base}/assignments/grid/")
    first = page.get_by_label("Row 1 organisation")
    first.click()
    for value, keys in [("UNICEF", 2), ("education", 1), ("MLI", 1), ("ML-7", 7)]:
        page.keyboard.type(value)
        for _ in range(keys):
            page.keyboard.press("Tab")
    rows_before = page.locator("#grid tbody tr").count()
    page.get_by_label(f"Row {rows_before} contact").focus()
    page.keyboard.press("Enter")  # in the last row's last cell: a new row
    assert page.locator("#grid tbody tr").count() == rows_before + 1
    assert page.evaluate("document.activeElement.name") == f"r{rows_before}-organisation"
    page.get_by_label("Row 2 organisation").fill("UNICEF")
    page.get_by_label("Row 2 task").fill("no-such-task")
    page.get_by_label("Row 2 country").fill("MLI")
    page.keyboard.press("Control+Enter")
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Nothing was saved" in alert.inner_text() and "row 2" in alert.inner_text()
    assert page.get_by_label("Row 1 task").input_value() == "education"  # kept for correction
    page.get_by_label("Row 2 task").fill("wash")
    page.get_by_label("Row 2 task").press("Control+Enter")
    page.wait_for_url("**/assignments/?sort=-pk")

    # A 3W file: the preview says what will be created, matched and rejected.
    f = tmp_path / "mali-3w.csv"
    f.write_text(
        "Organisation,Sector,Region\n#org +name,#sector,#adm1 +name\n"
        "UNICEF,Education,Gao\nBrand-new NGO,Protection,Mopti\nUNICEF,Astrology,Gao\n"
        "UNICEF,Santé,Tombouctu\n"
    )
    page.goto(f"{base}/assignments/import-3w/")
    page.locator('input[type="file"]').set_input_files(str(f))
    page.get_by_label("Country (when the file has no #country)").fill("MLI")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview of mali-3w.csv")).to_be_visible()
    page.get_by_text("organisation: 1 value").click()  # folded: real files list hundreds
    expect(page.get_by_text("Brand-new NGO — row 4")).to_be_visible()
    # A region spelt differently from the registry: matched, with its score, to be checked.
    expect(page.get_by_role("heading", name="Areas matched by a similar name")).to_be_visible()
    assert "adm1 Tombouctu" in page.locator("main").inner_text()
    # The unknown sector is mapped to a task, and the preview is made again.
    page.get_by_label("Task for Astrology").select_option("education")
    shot(page, "labour-import-preview")
    page.get_by_role("button", name="Preview again with these choices").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Import 4 assignments").click()
    page.wait_for_load_state()
    created = page.locator("dt:has-text('Assignments created') + dd")
    assert created.inner_text() == "4"
    assert "Brand-new NGO" in page.locator("main").inner_text()
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_accountability_reports_due_and_the_web_of_an_operation(browser, demo):
    """A coordinator sees this month's overdue reports; a human-rights officer opens the web
    of accountability of an operation and sees what it lacks."""
    from django.core.management import call_command

    call_command("seed", "catalogue")
    call_command("seed", "demo")  # again, now that the operations are there
    base = demo
    context, page = signed_in(browser, base, "dpo.viewer", width=1280, height=900)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/accountability/due/")
    assert page.get_by_role("heading", name="Reports due").is_visible()
    assert page.locator("tr.overdue").count() >= 2
    shot(page, "accountability-due")
    page.get_by_text("Accountability", exact=True).click()  # the menu opens
    page.get_by_role("link", name="Calendar of due dates", exact=True).click()
    page.wait_for_url("**/accountability/calendar/")
    assert page.locator("table.due-calendar td.today").count() == 1
    shot(page, "accountability-calendar")
    page.goto(f"{base}/operations/?q=Barkhane")
    page.get_by_role("link", name="Barkhane").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Thin accountability", exact=False).first.click()
    expect(page.get_by_role("heading", name="The web of accountability of")).to_be_visible()
    # On its last day the SOFA with Mali had ended (Barkhane left Mali in August 2022).
    assert page.locator('svg line[data-body="host_state"]').count() == 0
    page.get_by_label("On", exact=True).fill("2020-06-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**on=2020-06-01**")
    assert page.locator('svg line[data-body="host_state"]').count() == 1
    # Resolution 2100 authorised French forces: a line to the Security Council.
    assert "no human-rights oversight" in page.get_by_role("alert").inner_text()
    assert "no line to a multilateral body" not in page.get_by_role("alert").inner_text()
    assert page.locator('svg line[data-body="security_council"]').count() == 1
    shot(page, "accountability-web")
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_due_diligence_case_and_a_tranche_held_then_the_donor_board(browser, demo):
    """A human-rights officer suspends support after an unanswered intercession; the
    recipient (the AU) sees the EU's tranche held and cannot move it; the EU's editor accepts
    the AU's report, which only the EU may; the donor desk sees the board."""
    from django.core.management import call_command

    from concord.accountability.models import Report, SupportCase, Tranche
    from concord.core.models import Organisation

    call_command("seed", "catalogue")
    call_command("seed", "demo")
    base = demo
    case = SupportCase.objects.get(title__startswith="Fuel and rations")
    context, page = signed_in(browser, base, "dpo.editor")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/support-cases/{case.pk}/")
    expect(page.get_by_text("Suspension recommended", exact=False)).to_be_visible()
    page.get_by_text("Take a decision").click()
    shot(page, "hrddp-case")
    page.get_by_label("Move the case to").select_option("suspended")
    page.get_by_label("Rationale").fill("No answer by the deadline; support suspended.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("State: Suspended")).to_be_visible()
    page.goto(f"{base}/security-units/{case.unit_id}/")
    expect(page.get_by_role("heading", name="Chain of command (nearest first)")).to_be_visible()
    assert "Southern Sector Command (demo)" in page.locator("main").inner_text()
    shot(page, "accountability-unit")
    tranche = Tranche.objects.get(label="Tranche 2 (demo)")
    page.goto(f"{base}/tranches/{tranche.pk}/")
    expect(page.locator("p.verdict")).to_contain_text("Held")
    assert "Suspended: Fuel and rations" in page.locator("ul.conditions").inner_text()
    shot(page, "funding-tranche")
    context.close()
    # The recipient sees why the tranche is held, and that it cannot move it.
    context, page = signed_in(browser, base, "au.editor")
    page.goto(f"{base}/tranches/{tranche.pk}/")
    expect(page.locator("p.verdict")).to_contain_text("Held")
    expect(page.get_by_text("You work for the recipient", exact=False)).to_be_visible()
    assert page.get_by_text("Propose a release or a waiver").count() == 0
    shot(page, "funding-tranche-recipient")
    report = Report.objects.get(title="Donor report, month three (demo)")
    page.goto(f"{base}/reports/{report.pk}/")
    expect(page.get_by_text("awaiting review", exact=False)).to_be_visible()
    assert page.get_by_text("Review this report").count() == 0
    context.close()
    # The EU, to which the report is owed, accepts it.
    context, page = signed_in(browser, base, "eu.editor")
    page.goto(f"{base}/reports/{report.pk}/")
    page.get_by_label("Review").select_option("accepted")
    page.get_by_label("Note").fill("Complete; thank you.")
    shot(page, "report-review")
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("p.verdict")).to_contain_text("Accepted by eu.editor")
    page.goto(f"{base}/tranches/{tranche.pk}/")
    expect(page.get_by_text("Propose a release or a waiver")).to_be_visible()
    context.close()
    context, page = signed_in(browser, base, "eu.manager")
    eu = Organisation.objects.get(acronym="EU")
    page.goto(f"{base}/organisations/{eu.pk}/")
    page.get_by_role("link", name="Compliance board", exact=False).click()
    expect(page.get_by_role("heading", name="Compliance board of")).to_be_visible()
    assert page.locator("tr.state-held").count() == 1
    assert page.locator("tr.state-released").count() == 1
    shot(page, "funding-board")
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_what_a_partner_sees_of_a_downgraded_record_and_of_hidden_evidence(browser, demo):
    """Derived information as partners see it (docs/security-model.md). DPO's manager keeps a
    source strictly confidential, then downgrades the record to share a sanitised contact: an
    EEAS viewer sees the contact and its later history, never what it said before. DPO then
    makes the suspended support case strictly confidential: the EEAS donor desk still sees the
    tranche held, and that it rests on a record it may not see, never the case."""
    from django.core.management import call_command

    from concord.accountability.models import SupportCase, Tranche
    from concord.core import services
    from concord.core.context import Actor
    from concord.core.models import Classification, Organisation, Person, Releasability, User

    call_command("seed", "catalogue")
    call_command("seed", "demo")
    base = demo
    manager = User.objects.get(username="dpo.manager")
    dpo = Organisation.objects.get(acronym="DPO")
    as_manager = Actor(user=manager, interface="web")
    person = services.save(
        Person(
            name="Informant at the Sévaré checkpoint",
            notes="Meets the patrol on Thursdays; do not call.",
            owner=dpo,
            classification=Classification.STRICTLY_CONFIDENTIAL,
        ),
        actor=as_manager,
        m2m={"named_users": [manager]},
    )
    person.name, person.notes = "Community liaison, Mopti region", "Contact through the JMAC desk."
    person.classification, person.releasability = Classification.INTERNAL, Releasability.SIGNED_IN
    services.save(person, actor=as_manager, m2m={"named_users": []})
    person.languages = ["fr", "ff"]
    services.save(person, actor=as_manager)
    case = SupportCase.objects.get(title__startswith="Fuel and rations")
    SupportCase.objects.filter(pk=case.pk).update(state="suspended")  # (its decisions: elsewhere)
    case.refresh_from_db()
    case.classification = Classification.STRICTLY_CONFIDENTIAL
    services.save(case, actor=as_manager, m2m={"named_users": [manager]})

    errors = []
    for width, height, suffix in ((1366, 900, ""), (360, 780, "-mobile")):
        context, page = signed_in(browser, base, "eu.viewer", width=width, height=height)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/people/{person.pk}/history/")
        main = page.locator("main").inner_text()
        assert "Community liaison" in main and "ff" in main
        assert "Sévaré" not in main and "Thursdays" not in main
        assert page.locator("article.entry").count() == 1  # only the change after the downgrade
        shot(page, f"history-after-downgrade{suffix}")
        tranche = Tranche.objects.get(label="Tranche 2 (demo)")
        page.goto(f"{base}/tranches/{tranche.pk}/")
        expect(page.locator("p.verdict")).to_contain_text("Held")
        conditions = page.locator("ul.conditions").first.inner_text()
        assert "Fuel and rations" not in conditions
        assert "record you may not see" in conditions
        shot(page, f"funding-tranche-restricted{suffix}")
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_large_export_runs_as_a_job_and_the_header_says_when_it_is_ready(browser, demo, settings):
    """Above the threshold an export becomes a job: its page follows its progress (htmx,
    every 2 s) and offers the file; the header says "Your export is ready" until opened."""
    import re

    from django.core.management import call_command

    settings.CONCORD_JOBS_ROWS_THRESHOLD = 3
    settings.CONCORD_JOBS_HEARTBEAT_SECONDS = 0  # the worker runs in this test's thread
    base = demo
    context, page = signed_in(browser, base, "dpo.editor", width=1366, height=900)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/organisations/?export=csv")
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    assert page.get_by_text("The export runs in the background").is_visible()
    assert page.get_by_text("Queued").first.is_visible()
    shot(page, "jobs-queued")
    call_command("worker", "--batch", "--no-startup-delay", "--nice", "0", "--verbosity", "0")
    download = page.get_by_role("button", name=re.compile("Download concord-organisations"))
    expect(download).to_be_visible(timeout=10_000)  # the page polled and swapped it in
    shot(page, "jobs-done")
    with page.expect_download() as got:
        download.click()
    assert got.value.suggested_filename == "concord-organisations.csv"

    # A second export, left while it waits: the header announces it once it is ready.
    page.goto(f"{base}/organisations/?export=json")
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    page.goto(f"{base}/jobs/")
    call_command("worker", "--batch", "--no-startup-delay", "--nice", "0", "--verbosity", "0")
    page.goto(f"{base}/jobs/")
    expect(page.locator("#jobs-ready")).to_have_text("Your export is ready")
    shot(page, "jobs-list")
    mobile = context.browser.new_context(viewport={"width": 360, "height": 780})
    small = mobile.new_page()
    sign_in(small, base, "dpo.editor")
    small.goto(f"{base}/jobs/")
    assert small.get_by_role("link", name=re.compile("Export of")).first.is_visible()
    shot(small, "jobs-list-mobile")
    mobile.close()
    page.locator("#jobs-ready").click()
    expect(
        page.get_by_role("button", name=re.compile("Download concord-organisations.json"))
    ).to_be_visible()
    page.goto(f"{base}/")
    assert page.locator("#jobs-ready").count() == 0  # opened
    assert not errors, errors


def _totp_from_page(page):
    """The code of the key shown on the enrolment page, as the person's app computes it."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    key = b32decode(page.locator("#totp-key").inner_text().replace(" ", ""))

    def code_at(ahead):
        totp = TOTP(key)
        totp.time += 30 * ahead
        return f"{totp.token():06d}"

    return code_at


def test_two_factor_enrolment_sign_in_account_and_organisation_policy(browser, demo):
    """An editor turns on two-factor sign-in (QR code, confirm, recovery codes), signs in
    again with a code; a manager requires it of her organisation, and her editor is sent to
    enrolment before any other page. At 1366 and 360 px."""
    from concord.core.models import Organisation

    base = demo
    context, page = signed_in(browser, base, "dpo.editor", width=1366, height=900)
    page.locator(".user-menu summary").click()  # the header's menu named after the user
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert "Optional for your account" in page.content()
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    shot(page, "signin-enrol")
    code_at = _totp_from_page(page)
    page.get_by_label("Code from the app").fill("12345")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#id_code_error")).to_be_visible()
    page.get_by_label("Code from the app").fill(code_at(0))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shot(page, "signin-recovery-codes")
    page.goto(f"{base}/account/")
    assert "On: after your password" in page.content()
    shot(page, "signin-account")
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name=re.compile("Sign out dpo.editor")).click()

    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("dpo.editor")
    page.get_by_label("Password").fill(demo_password("dpo.editor"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/login/code/")
    page.locator("#id_code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#id_code_error")).to_be_visible()
    shot(page, "signin-code")
    give_code(page, lambda ahead: code_at(ahead + 1))  # the enrolment used this period's
    page.wait_for_url(f"{base}/")
    context.close()

    # A manager requires two-factor sign-in of the EU's members.
    eu = Organisation.objects.get(acronym="EU")
    context, page = signed_in(browser, base, "eu.manager", width=1366, height=900)
    page.goto(f"{base}/organisations/{eu.pk}/")
    page.get_by_role("link", name=re.compile("Not required by this organisation")).click()
    page.get_by_label(re.compile("Require two-factor sign-in")).check()
    page.get_by_role("button", name="Save").click()
    # She is a member too: her next page is enrolment.
    expect(page.get_by_text("required by European Union")).to_be_visible()
    page.get_by_label("Code from the app").fill(_totp_from_page(page)(0))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.goto(f"{base}/organisations/{eu.pk}/two-factor/")
    expect(page.get_by_text("Required: every member signs in")).to_be_visible()
    shot(page, "signin-organisation")
    context.close()

    # Its editor, at 360 px, is sent to enrolment before any other page.
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("eu.editor")
    page.get_by_label("Password").fill(demo_password("eu.editor"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/two-factor/enrol/**")
    page.goto(f"{base}/organisations/")
    assert "/account/two-factor/enrol/" in page.url
    assert "required for your account" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page is {width}px wide at a 360px viewport"
    shot(page, "signin-enrol-mobile")
    context.close()

    # A persona with a demo authenticator, at 360 px: the account page.
    context, page = signed_in(browser, base, "hd.manager", width=360, height=740)
    page.goto(f"{base}/account/")
    assert "Required for your account" in page.content()
    assert "Turn off" not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, f"page is {width}px wide at a 360px viewport"
    shot(page, "signin-account-mobile")
    context.close()


def test_a_manager_subscribes_a_webhook_pings_it_and_reads_the_delivery_log(
    browser, demo, settings
):
    """EU's manager adds a webhook (the secret shown once), sends a test ping, and reads
    the delivery log once a change has been delivered, at 1366 px and at 360 px."""
    from concord.core import services
    from concord.core.context import Actor
    from concord.core.models import Organisation, User

    from .webhooks.receiver import Receiver

    settings.CONCORD_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1/32"]
    # No worker runs beside the live server: tasks run as they are queued (the queue and
    # its worker are tested in tests/jobs).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with Receiver() as receiver:
        context, page = signed_in(browser, demo, "eu.manager", width=1366, height=900)
        page.goto(f"{demo}/webhooks/")
        expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
        page.get_by_role("button", name="Add a webhook").click()
        page.locator("#id_name").fill("EU data warehouse")
        page.locator("#id_url").fill("http://10.0.0.8/hook")  # outside the allow-list
        page.get_by_label("Registry: organisation").check()
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#id_url_error")).to_contain_text("not among the destinations")
        page.locator("#id_url").fill(receiver.url)
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#webhook-secret")).to_contain_text("whsec_")
        page.get_by_role("button", name="Send a test ping").click()
        page.wait_for_url("**/deliveries/")
        expect(page.locator("main")).to_contain_text("Delivered")
        user = User.objects.get(username="eu.manager")
        org = Organisation.objects.visible_to(user).get(acronym="EU")
        org.description = (org.description or "") + " (updated)"
        services.save(org, actor=Actor.system("browser-test"))
        assert any(b.get("type") == "core.organisation.update" for b in receiver.bodies())
        page.reload()
        expect(page.locator("main")).to_contain_text("core.organisation · update")
        shot(page, "webhooks-deliveries")
        page.get_by_role("link", name="EU data warehouse").click()
        expect(page.get_by_role("heading", name="Webhook EU data warehouse")).to_be_visible()
        shot(page, "webhooks-detail")
        context.close()

        context, page = signed_in(browser, demo, "eu.manager", width=360, height=740)
        page.goto(f"{demo}/webhooks/")
        page.get_by_role("link", name="EU data warehouse").click()
        page.get_by_role("link", name="The whole delivery log").click()
        # Wait for the log to load: measuring mid-navigation finds no document element.
        page.wait_for_url("**/deliveries/")
        expect(page.locator("main")).to_contain_text("core.organisation · update")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 380, f"page is {width}px wide at a 360px viewport"
        shot(page, "webhooks-deliveries-mobile")
        context.close()

        # Another member of the EU, not a manager, finds nothing to manage.
        context, page = signed_in(browser, demo, "eu.editor")
        page.goto(f"{demo}/webhooks/")
        expect(page.locator("main")).to_contain_text("No webhooks you may manage")
        context.close()


def test_home_notifications_and_following_in_the_browser(browser, demo):
    """Every demo person's home page shows something real to act on, at 1366 and 360 px; a
    country is followed with the htmx button; the notifications page marks all read and the
    header's count follows (docs/notifications.md's screenshots)."""
    from django.core.management import call_command

    from concord.core.fixtures.demo import DEMO_USERS

    call_command("seed", "catalogue")  # AUSSOM and its funding: the whole demo world
    call_command("seed", "demo")
    base = demo
    errors = []
    for username, *_ in DEMO_USERS:  # signed in once, the home page at both widths
        context, page = signed_in(browser, base, username, width=1366, height=900)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for width, height, suffix in ((1366, 900, ""), (360, 780, "-mobile")):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/")
            expect(page.get_by_role("heading", name="What needs your attention")).to_be_visible()
            links = page.locator("section.attention li a")
            assert links.count() > 0, f"{username} at {width}px: nothing to attend to"
            assert "You follow nothing yet" not in links.first.inner_text(), username
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width + 20, f"{username}: page is {wide}px wide at {width}px"
            if username == "eu.editor":
                shot(page, f"home-attention{suffix}")
            if username == "eu.manager":
                expect(page.locator("main")).to_contain_text("Awaiting your approval")
        context.close()
    context, page = signed_in(browser, base, "msu.editor", width=1366, height=900)
    page.goto(f"{base}/countries/MLI/")
    page.get_by_role("button", name="Follow", exact=True).click()  # htmx: the button swaps
    expect(page.get_by_role("button", name="Following · Unfollow")).to_be_visible()
    shot(page, "follow-country")
    expect(page.locator("main")).to_contain_text("Operations here")
    page.set_viewport_size({"width": 360, "height": 780})
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 380, f"the country page is {wide}px wide at 360px"
    shot(page, "country-mobile")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/following/")
    expect(page.locator("main")).to_contain_text("Mali")
    expect(page.locator("main")).to_contain_text("Somalia")
    shot(page, "following")
    page.goto(f"{base}/notifications/")
    badge = page.locator("header .badge")
    expect(badge).to_be_visible()
    shot(page, "notifications")
    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_url("**/notifications/")
    expect(page.locator("header .badge")).to_have_count(0)
    context.close()
    context, page = signed_in(browser, base, "msu.editor", width=360, height=780)
    page.goto(f"{base}/notifications/?show=all")
    shot(page, "notifications-mobile")
    page.goto(f"{base}/notifications/settings/")
    shot(page, "digest-settings-mobile")
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_search_from_the_header_with_the_keyboard(browser, demo):
    """The header's search (docs/search.md): a name typed without its accent, results grouped
    by kind, ↓ from the box to the first result, Enter opens it; usable at 360 px."""
    base = demo
    for width, height, name in ((1366, 900, "search"), (360, 740, "search-mobile")):
        context, page = signed_in(browser, base, "dpo.editor", width=width, height=height)
        page.goto(f"{base}/people/")
        page.locator("#global-search").fill("kone")
        page.locator("#global-search").press("Enter")
        page.wait_for_url("**/search/?q=kone")
        expect(page.get_by_role("heading", name=re.compile("^People"))).to_be_visible()
        page.locator("#global-search").fill("mali")
        page.locator("#global-search").press("Enter")
        page.wait_for_url("**/search/?q=mali")
        headings = page.locator(".search-results h2").all_inner_texts()
        assert headings[0].startswith("Countries"), headings
        shot(page, name)
        page.locator("#global-search").press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent") == "Mali (MLI)"
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Enter")
        page.wait_for_url("**/countries/MLI/")
        width_now = page.evaluate("document.documentElement.scrollWidth")
        assert width_now <= width + 20, f"{width_now}px wide at {width}px"
        context.close()


# Elements wider than the viewport that are not inside a container scrolling sideways (a
# table's card, a picture): what makes a phone page scroll sideways as a whole.
OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || s.opacity === '0') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > W + 1 && r.left < W && !scrolls(el)) {
      const where = `${Math.round(r.left)}..${Math.round(r.right)}`;
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${where}`);
    }
  }
  return out.slice(0, 5);
}"""

MAIN_PAGES = [
    "/",
    "/search/?q=mali",
    "/countries/MLI/",
    "/operations/",
    "/labour/?country=MLI",
    "/assignments/grid/?country=MLI",
]


def test_learning_a_lesson_its_observations_and_a_seal_broken(browser, demo):
    """An officer submits an observation without attribution; an analyst reads the lesson
    the demo holds (abstract, body, actions); DPO's knowledge manager breaks a seal for a
    written reason, which the history then shows (issue 18)."""
    from django.core.management import call_command

    call_command("seed", "catalogue")
    call_command("seed", "demo")
    base = demo
    context, page = signed_in(browser, base, "dpo.contributor", width=1366, height=900)
    page.goto(f"{base}/observations/add/")
    page.get_by_label("Title").fill("Night convoys were stopped at every checkpoint")
    page.get_by_label("What happened").fill("Each checkpoint asked for a new paper.")
    page.get_by_label("Source").select_option("field_visit")
    page.get_by_label("Submit without attribution").check()
    shot(page, "learning-observation-form")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/add/" in page.url:  # alike records were shown: record it all the same
        page.get_by_label("Record it although alike records exist").check()
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/observations/\d+/$"))
    assert "Sealed: not shown to anyone" in page.content()
    # typing an observation the demo already holds: the alike records appear as you type
    page.goto(f"{base}/observations/add/")
    page.get_by_label("Title").fill("Contingents rehatted without a check of UN standards")
    page.get_by_label("What happened").fill(
        "The regional mission's contingents were rehatted to the UN mission before anyone "
        "checked their equipment against UN standards."
    )
    page.locator("#similar li").first.wait_for()
    assert "AFISMA contingents rehatted" in page.locator("#similar").inner_text()
    page.get_by_label("Source").select_option("handover_note")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.get_by_label("AFISMA contingents rehatted", exact=False).check()
    shot(page, "learning-similar")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/observations/\d+/$"))
    assert "Proposed as the same as" in page.content()
    context.close()
    context, page = signed_in(browser, base, "dpo.editor", width=1366, height=900)
    page.goto(f"{base}/lessons/?q=Rehatted+contingents+need")
    page.get_by_role("link", name="Rehatted contingents", exact=False).click()
    page.wait_for_load_state()
    assert "Make a joint AU–UN assessment" in page.content()  # the body, released to DPO
    assert "Add a joint contingent assessment" in page.content()  # its remedial action
    shot(page, "learning-lesson")
    context.close()
    context, page = signed_in(browser, base, "au.editor", width=360, height=800)
    page.goto(f"{base}/lessons/?q=Rehatted+contingents+need")
    page.get_by_role("link", name="Rehatted contingents", exact=False).click()
    page.wait_for_load_state()
    assert "not released to you" in page.content()  # a partner: the abstract, not the body
    shot(page, "learning-lesson-partner-mobile")
    context.close()
    context, page = signed_in(browser, base, "dpo.manager", width=1366, height=900)
    page.goto(f"{base}/observations/?q=Night+convoys")
    page.get_by_role("link", name="Night convoys", exact=False).click()
    page.get_by_text("Break the seal", exact=True).click()
    page.get_by_label("Why the seal must be broken").fill(
        "The author is named in a threat we must assess"
    )
    page.get_by_role("button", name="Reveal who submitted it").click()
    page.wait_for_load_state()
    assert "dpo.contributor" in page.content()
    page.get_by_role("link", name="Back to the observation").click()
    page.goto(page.url + "history/")
    assert "The author is named in a threat we must assess" in page.content()
    assert "dpo.contributor" not in page.content()
    shot(page, "learning-seal-history")
    page.goto(f"{base}/lessons/re-learned/")
    assert re.search(r"Learned \d+ times", page.content())
    shot(page, "learning-recurrence")
    context.close()
    # the AU's planner answers the lessons surfaced for its mission in Somalia
    context, page = signed_in(browser, base, "au.editor", width=1366, height=900)
    page.goto(f"{base}/")
    page.locator("main a[href*='/operations/'][href$='/lessons/']").first.click()
    page.wait_for_url(re.compile(r".*/operations/\d+/lessons/$"))
    first = page.locator("ol.ranked > li").nth(1)
    first.get_by_text("Record a disposition").click()
    first.get_by_label("Decision").select_option("deferred")
    first.get_by_label("Note").fill("To be taken up in the mission's second concept of operations.")
    first.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "To be taken up in the mission" in page.content()
    shot(page, "learning-operation-lessons")
    context.close()
    # DPO answers the AU's request for the standby mediation team, on a phone
    context, page = signed_in(browser, base, "dpo.editor", width=360, height=800)
    page.goto(f"{base}/support-requests/?state=requested")
    page.locator("main table tbody a").first.click()
    page.wait_for_load_state()
    assert "Answer this request" in page.content()
    shot(page, "learning-support-request")
    page.get_by_label("Answer", exact=True).select_option("accepted")
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state()
    assert "Accepted" in page.content()
    # ... and, still on the phone, archives a field note proposed as the same as the MISCA
    # evaluation as its duplicate, in one click
    page.goto(f"{base}/observations/?q=MINUSCA+contingents+arrived")
    page.get_by_role("link", name="MINUSCA contingents arrived", exact=False).click()
    page.wait_for_load_state()
    assert "MISCA contingents rehatted to MINUSCA" in page.content()
    shot(page, "learning-duplicate-mobile")
    page.get_by_role("button", name="Archive it as a duplicate of that one").click()
    page.wait_for_load_state()
    assert "archived as its duplicate" in page.content()
    context.close()


def test_roster_a_conflict_waived_and_an_alert_answered_on_a_phone(browser, demo):
    """The manager waives the Sudan request's held conflict in writing (the roster officer
    proposed the expert: four eyes); an expert with no account answers an alert on a phone,
    and the link then says it was used."""
    from concord.roster import services as roster
    from concord.roster.models import Candidate, ExpertRequest

    base = demo
    sudan = ExpertRequest.objects.get(title="Ceasefire monitoring adviser for the Sudan talks")
    context, page = signed_in(browser, base, "msu.roster", width=1366, height=900)
    page.goto(base + sudan.get_absolute_url())
    assert "The 72-hour clock" in page.content()
    assert "Waive the conflict" not in page.content()  # an editor: no waiver form
    shot(page, "roster-request")
    context.close()
    context, page = signed_in(browser, base, "msu.manager", width=360, height=800)
    page.goto(base + sudan.get_absolute_url())
    held = page.locator("article.candidate", has_text="Held: waiver needed").first
    held.get_by_label("Waiver").fill("Advice on security-sector reform only; disclosed to the AU.")
    shot(page, "roster-waiver-mobile")
    held.get_by_role("button", name="Waive in writing").click()
    page.wait_for_load_state()
    assert "Waiver recorded" in page.content()
    context.close()
    alerted = Candidate.objects.filter(request=sudan, state="alerted").order_by("rank").first()
    token = roster.alert_token(alerted)
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    page.goto(f"{base}/alerts/{token}/")
    assert "Sudan" not in page.content() and "Jeddah" not in page.content()
    shot(page, "roster-alert-mobile")
    page.get_by_label("Available", exact=True).check()
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_load_state()
    assert "you said you are available" in page.content()
    page.goto(f"{base}/alerts/{token}/")
    assert "already used" in page.content()
    context.close()


def record_pages() -> list[str]:
    """A record's page of each main kind, and the funding boards, in the demo world."""
    from concord.accountability.models import Commitment, SupportCase
    from concord.core.models import Organisation
    from concord.learning.models import Lesson, Observation
    from concord.operations.models import Operation

    records = [
        model.objects.order_by("pk").first()
        for model in (Operation, Organisation, SupportCase, Lesson, Observation)
    ]
    pages = [r.get_absolute_url() for r in records if r is not None]
    commitment = Commitment.objects.exclude(recipient_operation=None).order_by("pk").first()
    if commitment is not None:
        pages += [
            f"/operations/{commitment.recipient_operation_id}/compliance/",
            f"/organisations/{commitment.donor_id}/compliance/",
            f"/operations/{commitment.recipient_operation_id}/mandate/",
        ]
    return pages


def test_every_main_page_fits_the_screen_at_360_and_1366(browser, demo):
    """Layout (issue 17): on every page of the menus and the main working pages, nothing is
    wider than the screen outside a container that scrolls sideways, at 360 and 1366 px, and
    at 360 px in French (whose words are longer)."""
    from django.core.management import call_command

    call_command("seed", "catalogue")
    call_command("seed", "demo")  # the whole demo world: operations, their funding, the 4W
    base = demo
    problems = []
    for width, locale in ((360, "en-GB"), (1366, "en-GB"), (360, "fr-FR")):
        context, page = signed_in(
            browser, base, "dpo.editor", width=width, height=800, locale=locale
        )
        page.goto(f"{base}/")
        menu = page.eval_on_selector_all(
            "#main-menu a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
        )
        records = record_pages()
        assert len(records) >= 3, records
        pages = list(dict.fromkeys([*MAIN_PAGES, *records, *menu]))
        assert len(pages) > 20, pages
        for path in pages:
            response = page.goto(base + path)
            assert response.status in (200, 403), (path, response.status)
            # what htmx loads after the page counts too
            page.wait_for_function("!document.querySelector('.htmx-request')")
            offenders = page.evaluate(OVERFLOW_JS)
            if offenders:
                problems.append(f"{path} at {width}px ({locale}): {offenders}")
        page.wait_for_load_state("networkidle")  # nothing left running on the server
        context.close()
    assert not problems, "\n".join(problems)


def test_in_french_from_the_footer_switch(browser, demo):
    """A francophone officer switches the language at the foot of the sign-in page, signs
    in, and works in French; the choice follows the account (docs/translating.md)."""
    base = demo
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.locator("#language-footer").select_option("fr")
    page.locator("form.language-switch button").click()
    page.wait_for_load_state()
    shot(page, "fr-login")
    assert page.locator("html").get_attribute("lang") == "fr", page.url
    page.locator("#id_username").fill("msu.editor")
    page.get_by_label("Mot de passe").fill(demo_password("msu.editor"))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")
    shot(page, "fr-home")
    assert page.get_by_role("searchbox").get_attribute("placeholder") == "Rechercher…"
    # On the account page, the choice is stored: a new browser in English still sees French.
    page.goto(f"{base}/account/")
    page.locator("#language-account").select_option("fr")
    page.locator("#language-account").locator("xpath=ancestor::form").locator("button").click()
    page.wait_for_load_state()
    context.close()
    context, page = signed_in(browser, base, "msu.editor", width=360, height=800)
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(f"{base}/labour/?country=SOM")
    page.wait_for_load_state("networkidle")
    shot(page, "fr-labour-analysis-mobile")
    assert page.get_by_role("heading", name="Qui fait quoi où").is_visible()
    assert "Somalie" in page.locator("main").inner_text()  # pycountry's French name
    context.close()
