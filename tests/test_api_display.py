"""Every choice field of every API record comes with its label (issue 17: readable labels):
``<field>_display`` beside ``<field>``, the label the pages show."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from concord.core import capabilities
from concord.core.capabilities import resolve

pytestmark = pytest.mark.django_db


def test_every_choice_field_has_its_label_beside_it(demo):
    client = Client()
    client.force_login(demo["dpo.manager"])
    checked = set()
    for capability in capabilities.all():
        for route in capability.api:
            viewset = resolve(route.viewset)
            model = getattr(viewset, "model", None)
            if model is None:
                continue
            if route.basename == "classification":  # the typology's results: named below
                continue
            choices = {f.name: dict(f.choices) for f in model._meta.concrete_fields if f.choices}
            if not choices:
                continue
            try:
                url = reverse(f"api:{capability.label}:{route.basename}-list")
            except NoReverseMatch:  # an operation's mandate: one object per operation
                continue
            response = client.get(url, {"page_size": 20})
            if response.status_code == 403:  # the platform administrators' (a manager's not)
                continue
            assert response.status_code == 200, url
            for item in response.json()["results"]:
                for name, labels in choices.items():
                    if name not in item:
                        continue
                    value = item[name]
                    expected = labels.get(value, value) if value not in (None, "") else value
                    assert item[f"{name}_display"] == (expected or ""), (url, name, item)
                    checked.add((model.__name__, name))
    assert len(checked) > 25, sorted(checked)
    assert ("Operation", "kind") in checked and ("Commitment", "classification") in checked


def test_the_typology_results_carry_labels(demo):
    client = Client()
    client.force_login(demo["dpo.manager"])
    rows = client.get("/api/v1/operations/classifications/", {"page_size": 50}).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert rows
    for row in rows:
        assert row["framework_display"] and row["framework_display"] != row["framework"]
        if row["scenario"]:
            assert row["scenario_display"] and row["scenario_display"] != row["scenario"]
