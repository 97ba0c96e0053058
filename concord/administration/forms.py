"""Forms of administration: choices limited to what the acting user may grant."""

from __future__ import annotations

from django import forms

from concord.core.forms import OrganisationRefField
from concord.core.models import Classification, Organisation, Role
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
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    clearance = forms.TypedChoiceField(
        choices=Classification.choices, coerce=int, initial=Classification.INTERNAL
    )

    def __init__(self, *args, user=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations is not None and organisations.count() == 1:
            self.initial.setdefault("organisation", organisations.first().pk)
        self.fields["role"].choices = role_choices(user)
        self.fields["clearance"].choices = clearance_choices(user)
        self.fields["role"].help_text = "Never above your own role."
        self.fields["clearance"].help_text = "Never above your own clearance."


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
