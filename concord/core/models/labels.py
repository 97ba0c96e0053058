"""Choice labels for every Concord model."""

from __future__ import annotations

from concord.core.locales import choice_labels


class ChoiceLabels:
    """Put before ``models.Model`` in a model's bases: its ``get_FOO_display`` reads the
    field's labels worded once per language (``core.locales.choice_labels``). Django's
    translates the field's whole list of choices at every call, which made translated
    labels the largest cost of a list page. ``tests/test_labels.py`` checks that every
    model with a choice field has it, and that it says what Django's says."""

    def _get_FIELD_display(self, field):  # noqa: N802 (Django's name, overridden)
        value = getattr(self, field.attname)
        try:
            return choice_labels(field).get(value, value)
        except TypeError:  # a value that cannot be a key (a list): Django's own way
            return super()._get_FIELD_display(field)
