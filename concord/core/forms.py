"""Forms for registry records. Every choice list goes through the enforcement point."""

from __future__ import annotations

import json

from django import forms
from django.forms import inlineformset_factory

from .models import (
    Affiliation,
    Area,
    Classification,
    Organisation,
    Person,
    Role,
    Space,
    User,
)
from .models.registry import ContactKind


class ListField(forms.CharField):
    """A list of short strings typed as "a; b; c"."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return "; ".join(value)
        return value

    def to_python(self, value):
        return [v.strip() for v in (value or "").split(";") if v.strip()]


class ContactsField(forms.CharField):
    """One channel per line, "kind: value" (e.g. "phone: +223 20 22 00 00")."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{c.get('kind')}: {c.get('value')}" for c in value)
        return value

    def to_python(self, value):
        out = []
        for i, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            kind, _, val = line.partition(":")
            kind = kind.strip().lower()
            if kind not in ContactKind.values or not val.strip():
                raise forms.ValidationError(
                    f"Line {i}: write 'kind: value' with kind one of {', '.join(ContactKind.values)}."
                )
            out.append({"kind": kind, "value": val.strip()})
        return out


class GeometryField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value)
        return value

    def to_python(self, value):
        if not value or not value.strip():
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno}).") from exc


class ScopedForm(forms.ModelForm):
    """Owner, classification and releasability, with choices limited to what the user may use."""

    SECURITY_FIELDS = [
        "owner",
        "classification",
        "releasability",
        "shared_organisations",
        "shared_spaces",
        "named_users",
    ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        principal = user.principal()
        owners = Organisation.objects.filter(pk__in=principal.orgs_with_role(Role.CONTRIBUTOR))
        self.fields["owner"].queryset = owners
        if not self.instance.pk and owners.count() == 1:
            self.fields["owner"].initial = owners.first().pk
        self.fields["shared_organisations"].queryset = Organisation.objects.visible_to(user).only(
            "pk", "name", "acronym"
        )
        self.fields["shared_spaces"].queryset = Space.objects.visible_to(user)
        self.fields["named_users"].queryset = User.objects.filter(
            is_active=True, clearance=Classification.STRICTLY_CONFIDENTIAL
        )
        self.fields["named_users"].label_from_instance = lambda u: u.get_username()
        for name in ("shared_organisations", "shared_spaces", "named_users"):
            self.fields[name].widget.attrs["size"] = 5
        if "parent" in self.fields:
            self.fields["parent"].queryset = type(self.instance).objects.visible_to(user)

    def m2m_data(self) -> dict:
        return {
            f.name: list(self.cleaned_data[f.name])
            for f in self._meta.model._meta.many_to_many
            if f.name in self.cleaned_data
        }

    def _post_clean(self):
        # Model validation happens in the service (one place); here only field parsing.
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields)
        except forms.ValidationError as exc:  # pragma: no cover - defensive
            self._update_errors(exc)


class OrganisationForm(ScopedForm):
    aliases = ListField(required=False, help_text="Other names and acronyms, separated by ';'.")

    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "kind",
            "parent",
            "country",
            "website",
            "aliases",
            "description",
            *ScopedForm.SECURITY_FIELDS,
        ]


class PersonForm(ScopedForm):
    languages = ListField(required=False, help_text="ISO 639 codes separated by ';', e.g. fr; ar")
    contacts = ContactsField(required=False, help_text="One per line: kind: value")

    class Meta:
        model = Person
        fields = ["name", "languages", "contacts", "notes", *ScopedForm.SECURITY_FIELDS]


class AffiliationForm(forms.ModelForm):
    class Meta:
        model = Affiliation
        fields = ["organisation", "title", "start", "end"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}),
                   "end": forms.DateInput(attrs={"type": "date"})}


AffiliationFormSet = inlineformset_factory(
    Person, Affiliation, form=AffiliationForm, extra=1, can_delete=True
)


class AreaForm(ScopedForm):
    geometry = GeometryField(required=False, help_text="Optional GeoJSON geometry.")

    class Meta:
        model = Area
        fields = [
            "name",
            "country",
            "level",
            "parent",
            "pcode",
            "iso_code",
            "subdivision_type",
            "latitude",
            "longitude",
            "geometry",
            *ScopedForm.SECURITY_FIELDS,
        ]


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV, JSON or XLSX with the same columns as the export.")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'OCHA 3W sync'.")
    read_only = forms.BooleanField(required=False, initial=True)
