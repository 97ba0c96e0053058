"""The webhook form: the same checks as the service (which runs them again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.models import Country, Organisation, Space

from .events import choices
from .models import ACTIONS

ACTION_LABELS = {"create": _("Create"), "update": _("Update"), "delete": _("Delete")}
ACTION_CHOICES = [(a, ACTION_LABELS[a]) for a in ACTIONS]


class Checkboxes(forms.CheckboxSelectMultiple):
    """A group of checkboxes whose error and help text have an id of their own."""

    def id_for_label(self, id_, index=None):
        return id_ if index is None else super().id_for_label(id_, index)


class WebhookForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    name = forms.CharField(max_length=100, label=_("Name"))
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("Where deliveries are POSTed; only destinations the administrator allows."),
    )
    record_types = forms.MultipleChoiceField(choices=(), widget=Checkboxes, label=_("Record types"))
    actions = forms.MultipleChoiceField(
        choices=ACTION_CHOICES, widget=Checkboxes, initial=list(ACTIONS), label=_("Actions")
    )
    country = forms.ModelChoiceField(
        queryset=Country.objects.all(),
        required=False,
        label=_("Country"),
        help_text=_("Only records in this country."),
    )
    operation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label=_("Operation"),
        help_text=_("Only records of, or about, this operation."),
    )
    space = forms.ModelChoiceField(
        queryset=Space.objects.none(),
        required=False,
        label=_("Coordination space"),
        help_text=_("Only records released to this space. Filters combine: all must hold."),
    )

    def __init__(self, *args, user=None, organisations=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        self.fields["record_types"].choices = choices()
        self.fields["organisation"].queryset = organisations
        if editing:
            del self.fields["organisation"]
        operation = apps.get_model("operations", "Operation")
        self.fields["operation"].queryset = operation.objects.visible_to(user).order_by("name")
        self.fields["space"].queryset = Space.objects.filter(
            pk__in=sorted(user.principal().space_ids)
        )
