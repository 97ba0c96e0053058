"""The capability registry: every capability declares what it brings in its own folder, and
the site, the API, the menus, `concord seed` and the test world are built from it."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

from concord.core import capabilities, importers, services
from concord.core.capabilities import Capability, Hook, NavEntry, Route, Searchable


def _with(label: str, **changes) -> list[Capability]:
    """The installed capabilities, with ``changes`` made to one of them."""
    return [
        dataclasses.replace(c, **changes) if c.label == label else c for c in capabilities.all()
    ]


def test_the_installed_capabilities_are_read_in_the_order_of_installed_apps():
    from importlib import util

    from django.conf import settings

    expected = [
        app.rsplit(".", 1)[1]
        for app in settings.INSTALLED_APPS
        if app.startswith("concord.") and util.find_spec(f"{app}.capability")
    ]
    assert [c.label for c in capabilities.all()] == expected
    assert expected[:4] == ["core", "operations", "labour", "accountability"]


@pytest.mark.parametrize(
    "label, changes, named",
    [
        (
            "labour",
            {"import_kinds": "concord.accountability.exchange.SPECS"},
            "import kind 'commitments'",
        ),
        (
            "labour",
            {"navigation": (NavEntry("Funding", "Commitments", "labour:task_list"),)},
            "navigation entry ('Funding', 'Commitments')",
        ),
        (
            "operations",
            {
                "hooks": (
                    Hook("core.Organisation", "after_save", "concord.core.fixtures.demo.demo"),
                )
            },
            "save hook ('core.Organisation', 'after_save')",
        ),
        (
            "labour",
            {"api": (Route("tasks", "x.Y", "task"), Route("tasks", "x.Z", "task2"))},
            "API route ('labour', 'tasks')",
        ),
        (
            "labour",
            {"search": (Searchable("core.Person", "Staff", title="name"),)},
            "searchable model 'core.Person'",
        ),
    ],
)
def test_a_key_declared_twice_is_an_error_at_start_up_naming_it(label, changes, named):
    with pytest.raises(ImproperlyConfigured) as refused:
        capabilities.check(_with(label, **changes))
    assert named in str(refused.value)
    assert "declared twice" in str(refused.value)


def test_a_search_path_through_a_scoped_record_is_refused():
    """A tranche found by its commitment's purpose would match on words a reader of the
    tranche may not see (issue 17's review)."""
    bad = (Searchable("accountability.Tranche", "Tranches", title="commitment.purpose"),)
    with pytest.raises(ImproperlyConfigured, match="goes through Commitment"):
        capabilities.check(_with("accountability", search=bad))
    ok = (Searchable("accountability.SecurityUnit", "Units", title="name", text=("country.name",)),)
    capabilities.check(_with("accountability", search=ok))


def test_a_hook_at_an_unknown_moment_is_refused():
    bad = (Hook("labour.Task", "after_lunch", "concord.core.access.may"),)
    with pytest.raises(ImproperlyConfigured, match="after_lunch"):
        capabilities.check(_with("labour", hooks=bad))


def test_what_the_capabilities_declare_is_installed():
    from concord.accountability.models import Report
    from concord.accountability.services import reporting
    from concord.core.models import Organisation

    assert services.AFTER_SAVE[Organisation] is services.index_organisation_names
    assert services.BEFORE_SAVE[Report] is reporting.before_report
    declared = {
        kind for c in capabilities.all() if c.import_kinds for kind in capabilities._kinds(c)
    }
    assert declared == set(importers.SPECS) and {"tasks", "commitments", "people"} <= declared


def test_every_declared_page_viewset_and_section_exists():
    for c in capabilities.all():
        for entry in c.navigation:
            assert entry.url_name.startswith(f"{c.label}:"), entry
            reverse(entry.url_name)
        for route in c.api:
            assert capabilities.resolve(route.viewset).__name__.endswith("ViewSet")
            name = f"api:{c.label}:{route.basename}"
            try:
                reverse(f"{name}-list")
            except NoReverseMatch:  # a detail-only endpoint (a mandate is read per operation)
                reverse(f"{name}-detail", kwargs={"pk": 1})
    # every declared section is found, once, and callable (a count written here went stale
    # with each capability that added one)
    for kind in ("operation", "organisation", "country", "findings", "accountability"):
        declared = [p for c in capabilities.all() for p in getattr(c, f"{kind}_sections")]
        found = capabilities.sections(kind)
        assert len(found) == len(declared) and all(callable(f) for f in found), kind
    assert len(capabilities.sections("country")) >= 2  # operations there, who does what
    assert len(capabilities.sections("findings")) >= 1  # lessons beside labour's findings


@pytest.mark.django_db
def test_the_api_root_lists_each_capability_whose_root_lists_its_endpoints(client):
    root = client.get("/api/v1/").json()
    assert set(root) == {c.label for c in capabilities.all() if c.api}
    assert {"core", "operations", "labour", "accountability"} <= set(root)
    labour = client.get(root["labour"]).json()
    assert labour["assignments"].endswith("/api/v1/labour/assignments/")


@pytest.mark.django_db
def test_the_old_flat_api_paths_are_gone(client):
    assert client.get("/api/v1/assignments/").status_code == 404
    assert client.get("/api/v1/labour/assignments/").status_code == 200
