"""Forms of administration: choices limited to what the acting user may grant."""

from __future__ import annotations

from django import forms

from concord.core.forms import OrganisationRefField
from concord.core.models import Classification, Role
from concord.core.models.security import ROLE_RANK

from . import access


def role_choices(user, organisation=None):
    ceiling = ROLE_RANK[access.role_ceiling(user, organisation)] if organisation else 3
    return [(v, label) for v, label in Role.choices if ROLE_RANK[v] <= ceiling]


def clearance_choices(user):
    ceiling = access.clearance_ceiling(user)
    return [(v, label) for v, label in Classification.choices if v <= ceiling]


class InviteForm(forms.Form):
    email = forms.EmailField(help_text="The invitation link is sent there; it works once.")
    organisation = OrganisationRefField(
        required=True, help_text="Its acronym, name or id: one you may invite people to."
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    clearance = forms.TypedChoiceField(
        choices=Classification.choices, coerce=int, initial=Classification.INTERNAL
    )

    def __init__(self, *args, user=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = organisations
        self.fields["organisation"].user = user
        if organisations is not None and organisations.count() == 1:
            only = organisations.first()
            self.initial["organisation"] = only.acronym or only.name
        self.fields["role"].choices = role_choices(user)
        self.fields["clearance"].choices = clearance_choices(user)
        self.fields["role"].help_text = "Never above your own role."
        self.fields["clearance"].help_text = "Never above your own clearance."

    def clean_organisation(self):
        org = self.cleaned_data["organisation"]
        if org is not None and not self.allowed.filter(pk=org.pk).exists():
            raise forms.ValidationError(f"You may not invite people to {org}.")
        return org


class AcceptForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="What you will sign in with.")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password (again)", widget=forms.PasswordInput, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class MemberForm(forms.Form):
    """A member's role and clearance, as their manager (or an administrator) sets them."""

    role = forms.ChoiceField(choices=Role.choices)
    clearance = forms.TypedChoiceField(choices=Classification.choices, coerce=int)

    def __init__(self, *args, user=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(user, organisation)
        self.fields["clearance"].choices = clearance_choices(user)


class MergeForm(forms.Form):
    duplicate = OrganisationRefField(
        help_text="The organisation to remove: its name, acronym, alias or id."
    )
    into = OrganisationRefField(
        label="Merge into", help_text="The organisation to keep: it receives every reference."
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.user = user
        self.fields["duplicate"].required = self.fields["into"].required = True

    def clean_duplicate(self):
        return self._named("duplicate")

    def clean_into(self):
        return self._named("into")

    def _named(self, name):
        if self.cleaned_data.get(name) is None:
            raise forms.ValidationError("Name the organisation (its acronym, name or id).")
        return self.cleaned_data[name]

    def clean(self):
        data = super().clean()
        if data.get("duplicate") and data.get("duplicate") == data.get("into"):
            self.add_error("into", "An organisation cannot be merged into itself.")
        return data


class AccountForm(forms.Form):
    clearance = forms.TypedChoiceField(choices=Classification.choices, coerce=int)


class SpaceForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    organisations = OrganisationRefField(
        many=True, required=False, help_text="Members: acronyms or names separated by ';'."
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].user = user
