"""The first-run path in Chromium: the administrator adds an organisation and invites its
manager (strictly confidential clearance), who accepts, signs in with two-factor (enrolling
first) and invites a colleague; and the administrator merges the
demo's duplicate. Leaves the administration screenshots (CONCORD_SCREENSHOTS=dir) at
1366 and 360 px."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from ..test_browser import _totp_from_page, browser, demo, shot, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a field-ready passphrase 19"


def _both_widths(page, name):
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, name)
    page.set_viewport_size({"width": 360, "height": 780})
    shot(page, f"{name}-mobile")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1, f"{name}: the page is {width} px wide at 360 px"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_first_run_administrator_then_manager_then_colleague(browser, demo):  # noqa: F811
    base = demo
    admin = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(admin, base, "admin")
    admin.get_by_text("Platform", exact=True).click()
    admin.get_by_role("link", name="Administration").click()
    admin.wait_for_url(f"{base}/administration/")
    _both_widths(admin, "administration")

    admin.get_by_role("button", name="Add an organisation").click()
    admin.get_by_label("Name").first.fill("Intergovernmental Authority on Development")
    admin.get_by_label("Acronym").fill("IGAD")
    admin.get_by_label("Kind").select_option("regional")
    admin.get_by_role("button", name="Save").click()
    admin.wait_for_url(re.compile(r".*/organisations/\d+/$"))
    assert "Intergovernmental Authority on Development" in admin.content()

    admin.goto(f"{base}/administration/invitations/new/")
    admin.get_by_label("Email").fill("amina@igad.example.org")
    admin.get_by_label("Organisation").fill("IGAD")
    admin.get_by_label("Role").select_option("manager")
    admin.get_by_label("Clearance").select_option(label="Strictly confidential")
    admin.get_by_role("button", name="Send the invitation").click()
    admin.wait_for_url(f"{base}/administration/")
    assert "amina@igad.example.org" in admin.content()
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    manager = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    manager.goto(link)
    assert "Join Intergovernmental Authority on Development" in manager.content()
    manager.get_by_label("Username").fill("amina")
    manager.locator("#id_password1").fill(PASSWORD)
    manager.locator("#id_password2").fill(PASSWORD)
    manager.get_by_role("button", name="Create my account").click()
    manager.wait_for_url(f"{base}/login/")
    manager.get_by_label("Username").fill("amina")
    manager.get_by_label("Password").fill(PASSWORD)
    manager.get_by_role("button", name="Sign in").click()
    # Strictly confidential clearance: two-factor sign-in is required, enrolment comes first.
    manager.get_by_label("Code from the app").wait_for()
    assert "/members/" not in manager.url
    manager.get_by_label("Code from the app").fill(_totp_from_page(manager)(0))
    manager.get_by_role("button", name="Confirm").click()
    manager.locator("#recovery-codes li").first.wait_for()
    manager.goto(f"{base}/members/")
    assert "Members of Intergovernmental Authority on Development (IGAD)" in manager.content()
    manager.get_by_label("Email").fill("colleague@igad.example.org")
    manager.locator("#id_role").select_option("editor")
    manager.get_by_role("button", name="Send the invitation").click()
    manager.wait_for_url(re.compile(r".*/members/\?organisation=\d+"))
    assert "colleague@igad.example.org" in manager.content()
    assert (
        manager.locator("tr", has_text="colleague@igad.example.org").get_by_text("Editor").count()
    )
    _both_widths(manager, "administration-members")

    # The administrator merges the duplicate a 3W import made in the demo.
    admin.goto(f"{base}/administration/merge/")
    admin.get_by_label("Duplicate").fill("CDH")
    admin.get_by_label("Merge into").fill("HD")
    admin.get_by_role("button", name="Show what would move").click()
    admin.get_by_role("button", name="Merge", exact=True).wait_for()
    assert "What moves" in admin.content() or "only its names move" in admin.content()
    _both_widths(admin, "administration-merge")
    admin.get_by_role("button", name="Merge", exact=True).click()
    admin.wait_for_url(f"{base}/administration/")
    assert "Merged Centre pour le dialogue humanitaire" in admin.content()
