"""A person in headless Chromium: signs in as demo users, opens every main page, sees a form
error, is refused a page, and leaves screenshots for the docs (CONCORD_SCREENSHOTS=dir).

Uses Debian's chromium through Playwright's ``executable_path``; skips, saying why, where no
Chromium is installed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from concord.core.seed import demo_password

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
    from django.core.management import call_command

    call_command("seed", "demo")
    return live_server.url


def shot(page, name):
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password(username))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def signed_in(browser, base, username, width=1280, height=900):
    """A fresh browser context (its own cookies) signed in as a demo user."""
    context = browser.new_context(viewport={"width": width, "height": height})
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
    assert page.locator("#id_website_error").is_visible()
    shot(page, "form-error")
    page.locator("#id_website").fill("https://example.org/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Mopti Youth Dialogue").is_visible()
    shot(page, "organisation-detail")
    page.get_by_role("link", name="History").click()
    assert "Create" in page.content()
    shot(page, "history")

    # A confidential record shared with a space, as its owner sees it.
    page.goto(f"{base}/people/")
    page.get_by_role("link", name="Jean-Baptiste Koné (demo)").click()
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
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Barkhane").is_visible()
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
