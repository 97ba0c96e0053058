"""Lists show people's words, not stored values (issue 17: readable labels): no column of any
capability's list shows a choice's stored value ("stand_alone", "approved_with_conditions")
where its label says something else ("Stand-alone")."""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver

from concord.core.visibility import VisibleLabels
from concord.web.generic import ListView


def list_configs() -> dict:
    """Every list page's Config, found in the URL configuration (a new list is covered)."""
    found = {}

    def walk(resolver):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern)
                continue
            view = getattr(pattern.callback, "view_class", None)
            config = getattr(pattern.callback, "view_initkwargs", {}).get("config")
            if view is not None and issubclass(view, ListView) and config is not None:
                found[config.name] = config

    walk(get_resolver())
    return found


def stored_values(obj) -> set[str]:
    """The obj's choice values that are not their own label (text choices only: a number
    would match any count)."""
    out = set()
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        if f.choices and isinstance(value, str) and value:
            if str(dict(f.flatchoices).get(value, value)) != value:
                out.add(value)
    return out


def shows(cell: str, value: str) -> bool:
    return cell == value or ("_" in value and value in cell)


@pytest.mark.django_db
def test_no_list_shows_a_stored_choice_value(demo):
    configs = list_configs()
    assert {"organisations", "operations", "assignments", "tranches"} <= set(configs)
    labels = VisibleLabels(demo["admin"])
    found = []
    for name, config in sorted(configs.items()):
        for obj in config.model.objects.all()[:300]:
            raw = stored_values(obj)
            for column in config.columns:
                cell = str(column.value(obj, labels))
                found += [(name, column.label, v) for v in raw if shows(cell, v)]
    assert not found, sorted(set(found))


def test_the_check_finds_a_stored_value_shown():
    """The check above can fail: a column showing the stored value is caught."""
    from concord.operations.models import Operation

    op = Operation(framework="ad_hoc", kind="counter_terrorism")
    assert stored_values(op) >= {"ad_hoc", "counter_terrorism"}
    assert shows("ad_hoc", "ad_hoc") and shows("led by x (counter_terrorism)", "counter_terrorism")
    assert not shows("Ad hoc coalition", "ad_hoc")


def test_one_date_format_on_pages_and_in_lists():
    """Issue 17: dates came as "2026-12-31" in lists and "Dec. 31, 2026" on pages: one
    format (ISO 8601) wherever a template shows a date or a time."""
    import datetime as dt

    from django.template import Context, Template

    rendered = Template("{{ d }} · {{ t }}").render(
        Context({"d": dt.date(2026, 12, 31), "t": dt.datetime(2026, 12, 4, 23, 8, tzinfo=dt.UTC)})
    )
    assert rendered == "2026-12-31 · 2026-12-04 23:08 UTC"


@pytest.mark.django_db
def test_exports_carry_a_label_beside_each_coded_column(demo):
    """Issue 17: exports' display columns: "kind" stays the code an import reads back, and
    "kind_display" says it in words; an import ignores the labels (round trip unchanged)."""
    import csv
    import io as _io

    from django.test import Client

    from concord.operations.models import Operation

    client = Client()
    client.force_login(demo["dpo.editor"])
    response = client.get("/operations/", {"export": "csv"})
    body = (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else response.content.decode()
    )
    rows = list(csv.DictReader(_io.StringIO(body)))
    assert rows
    for row in rows[:50]:
        op = Operation.objects.get(pk=row["id"])
        assert row["kind"] == op.kind and row["kind_display"] == op.get_kind_display()
        assert row["releasability_display"] == op.get_releasability_display()


def choice_fields():
    """Every choice field of every Concord model (a new model is covered)."""
    from django.apps import apps

    for model in apps.get_models():
        if model.__module__.startswith("concord."):
            for f in model._meta.concrete_fields:
                if f.choices:
                    yield model, f


def test_every_model_words_its_choices_once_per_language():
    """Every model with a choice field takes its get_FOO_display from ChoiceLabels (Django's
    translates every label of the field at each call: the cost of list pages in French)."""
    from concord.core.models.labels import ChoiceLabels

    missing = [
        f"{model._meta.label}.{f.name}"
        for model, f in choice_fields()
        if getattr(model, f"get_{f.name}_display")._partialmethod.func
        is not ChoiceLabels._get_FIELD_display
    ]
    assert list(choice_fields()) and not missing, f"put ChoiceLabels in their bases: {missing}"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_choice_labels_say_what_djangos_says(language):
    """For every value of every choice field, and one that is not a choice, in both
    languages: the same label as Django's own get_FOO_display."""
    from django.db import models
    from django.utils import translation

    with translation.override(language):
        for model, f in choice_fields():
            for value in [*dict(f.flatchoices), "not-a-choice", None]:
                obj = model()
                setattr(obj, f.attname, value)
                ours = getattr(obj, f"get_{f.name}_display")()
                assert ours == models.Model._get_FIELD_display(obj, f), (model, f.name, value)
    with translation.override("fr"):
        from concord.core.models import Organisation

        assert Organisation(kind="regional").get_kind_display() == "Organisation régionale"
