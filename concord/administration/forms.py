"""Forms of administration: choices limited to what the acting user may grant."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        help_text=gettext_lazy("The invitation link is sent there; it works once."),
    )
    organisation = OrganisationRefField(
        required=True,
        label=gettext_lazy("Organisation"),
        help_text=gettext_lazy("Its acronym, name or id: one you may invite people to."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.VIEWER)
    clearance = forms.TypedChoiceField(
        label=gettext_lazy("Clearance"),
        choices=Classification.choices,
        coerce=int,
        initial=Classification.INTERNAL,
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
        self.fields["role"].help_text = _("Never above your own role.")
        self.fields["clearance"].help_text = _("Never above your own clearance.")

    def clean_organisation(self):
        org = self.cleaned_data["organisation"]
        if org is not None and not self.allowed.filter(pk=org.pk).exists():
            raise forms.ValidationError(
                _("You may not invite people to %(organisation)s.") % {"organisation": org}
            )
        return org


class AcceptForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        label=gettext_lazy("Username"),
        help_text=gettext_lazy("What you will sign in with."),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput, strip=False
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password (again)"), widget=forms.PasswordInput, strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class MemberForm(forms.Form):
    """A member's role and clearance, as their manager (or an administrator) sets them."""

    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    clearance = forms.TypedChoiceField(
        label=gettext_lazy("Clearance"), choices=Classification.choices, coerce=int
    )

    def __init__(self, *args, user=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(user, organisation)
        self.fields["clearance"].choices = clearance_choices(user)


class MergeForm(forms.Form):
    duplicate = OrganisationRefField(
        label=gettext_lazy("Duplicate"),
        help_text=gettext_lazy("The organisation to remove: its name, acronym, alias or id."),
    )
    into = OrganisationRefField(
        label=gettext_lazy("Merge into"),
        help_text=gettext_lazy("The organisation to keep: it receives every reference."),
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
            raise forms.ValidationError(_("Name the organisation (its acronym, name or id)."))
        return self.cleaned_data[name]

    def clean(self):
        data = super().clean()
        if data.get("duplicate") and data.get("duplicate") == data.get("into"):
            self.add_error("into", _("An organisation cannot be merged into itself."))
        return data


class AccountForm(forms.Form):
    clearance = forms.TypedChoiceField(
        label=gettext_lazy("Clearance"), choices=Classification.choices, coerce=int
    )


class SpaceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    organisations = OrganisationRefField(
        many=True,
        required=False,
        label=gettext_lazy("Organisations"),
        help_text=gettext_lazy("Members: acronyms or names separated by ';'."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].user = user
