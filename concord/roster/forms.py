"""Forms for the roster. Rows (expertise, languages, ties, unavailability, a request's
needs) are typed in the same small languages as the import's cells (``exchange``), one per
line, and errors name the line at fault."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from concord.core.forms import CountryRefField, OrganisationRefField, ScopedForm
from concord.core.importers import RowError
from concord.core.models import Classification, Organisation, colleagues

from . import exchange
from .models import CandidateState, Deployment, Expert, ExpertRequest, Step

ROWS = {"widget": forms.Textarea(attrs={"rows": 4}), "required": False}


def _parsed(parse, value, *args, **kwargs):
    try:
        return parse(value, *args, **kwargs)
    except RowError as exc:
        raise forms.ValidationError(exc.message) from None


class ExpertForm(ScopedForm):
    name = forms.CharField(
        label=_("Name"), max_length=300, help_text=_("The person of the registry.")
    )
    nationalities = CountryRefField(many=True, required=False, label=_("Nationalities"))
    countries = CountryRefField(many=True, required=False, label=_("Countries of experience"))
    expertise = forms.CharField(
        label=_("Expertise"),
        help_text=_(
            "One per line: area code:level (evidence), e.g. security_arrangements:3 "
            "(led ceasefire talks, 2019). Levels: 1 working knowledge, 2 advanced, 3 lead expert."
        ),
        **ROWS,
    )
    languages = forms.CharField(
        label=_("Languages"),
        help_text=_("One per line: ISO 639 code:CEFR level, e.g. ar:C2."),
        **ROWS,
    )
    ties = forms.CharField(
        label=_("Ties"),
        help_text=_(
            "Affiliations and past ties that may conflict: kind:organisation:from:to, e.g. "
            "advisory:GOVA:2019-01-01:2021-06-30 (no end: current). Kinds: employment, advisory, "
            "membership, financial, family, other."
        ),
        **ROWS,
    )
    unavailable = forms.CharField(
        label=_("Unavailable"),
        help_text=_("One period per line: from:to (reason), e.g. 2027-03-01:2027-03-20 (leave)."),
        **ROWS,
    )

    class Meta:
        model = Expert
        fields = [
            "name",
            "summary",
            "tier",
            "gender",
            "email",
            "user",
            "nationalities",
            "countries",
            "security_clearance",
            "expertise",
            "languages",
            "ties",
            "unavailable",
            "references",
            "active",
            *ScopedForm.SECURITY_FIELDS,
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        e = self.instance
        keep = [e.user_id] if e.pk and e.user_id else []
        self.fields["user"].queryset = colleagues(user, keep=keep)
        self.fields["user"].required = False
        if not e.pk:
            self.initial.setdefault("classification", Classification.STRICTLY_CONFIDENTIAL)
            return
        from concord.core.models import Person

        person = Person.objects.visible_to(user).filter(pk=e.person_id).first()
        self.initial["name"] = person.name if person else ""
        self.fields["name"].required = person is not None
        self.initial["expertise"] = "\n".join(
            exchange.format_skills([s]) for s in e.skills.select_related("area")
        )
        self.initial["languages"] = "\n".join(
            exchange.format_languages([x]) for x in e.languages.all()
        )
        from concord.core.visibility import VisibleLabels

        labels = VisibleLabels(user)
        self.initial["ties"] = "\n".join(
            exchange.format_ties([t], labels)
            for t in e.ties.all()
            if labels.get(Organisation, t.organisation_id)
        )
        self.initial["unavailable"] = "\n".join(
            exchange.format_periods([u]) for u in e.unavailable.all()
        )

    def clean_expertise(self):
        return _parsed(exchange.parse_skills, self.cleaned_data["expertise"])

    def clean_languages(self):
        return _parsed(exchange.parse_languages, self.cleaned_data["languages"])

    def clean_ties(self):
        def organisation(ref, column):
            field = OrganisationRefField()
            field.user = self.user
            try:
                return field.clean(ref)
            except forms.ValidationError as exc:
                raise RowError(column, " ".join(exc.messages)) from None

        return _parsed(exchange.parse_ties, self.cleaned_data["ties"], organisation)

    def clean_unavailable(self):
        return _parsed(exchange.parse_periods, self.cleaned_data["unavailable"])

    def rows(self) -> dict:
        return {
            "skills": self.cleaned_data["expertise"],
            "languages": self.cleaned_data["languages"],
            "ties": self.cleaned_data["ties"],
            "unavailable": self.cleaned_data["unavailable"],
        }

    def m2m_data(self) -> dict:
        data = super().m2m_data()
        for name in ("nationalities", "countries"):
            data[name] = self.cleaned_data.get(name) or []
        return data


class RequestForm(ScopedForm):
    countries = CountryRefField(many=True, required=False, label=_("Countries"))
    parties = OrganisationRefField(
        many=True,
        required=False,
        label=_("Conflict parties"),
        help_text=_("Acronyms or names, ';' between them: experts are screened against them."),
    )
    stakeholders = OrganisationRefField(
        many=True,
        required=False,
        label=_("Stakeholders"),
        help_text=_("Donors and others with a stake in the process, ';' between them."),
    )
    requester = OrganisationRefField(label=_("Requested by"), required=True)
    expertise = forms.CharField(
        label=_("Expertise wanted"),
        help_text=_(
            "One per line: area code:level, and ? when desirable rather than required, e.g. "
            "security_arrangements:2 or gender_inclusion:2?"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    languages = forms.CharField(
        label=_("Languages"),
        help_text=_("One per line: code:CEFR level, ? when desirable, e.g. ar:C1 or fr:B2?"),
        **ROWS,
    )

    class Meta:
        model = ExpertRequest
        fields = [
            "title",
            "requester",
            "process",
            "operation",
            "countries",
            "parties",
            "stakeholders",
            "description",
            "mode",
            "location",
            "start",
            "duration_days",
            "team_size",
            "shortlist_size",
            "gender_rule",
            "clearance_needed",
            "expertise",
            "languages",
            "space",
            "received_at",
            *ScopedForm.SECURITY_FIELDS,
        ]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "received_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        from concord.core.models import Space
        from concord.operations.models import Operation

        self.fields["operation"].queryset = Operation.objects.visible_to(user)
        self.fields["space"].queryset = Space.objects.visible_to(user)
        self.fields["received_at"].required = False
        self.fields["received_at"].help_text = _(
            "When the request came in: its clock starts then. Empty: now."
        )
        r = self.instance
        if r.pk:
            self.initial["expertise"] = "\n".join(
                exchange.format_needs([x]) for x in r.requirements.select_related("area")
            )
            self.initial["languages"] = "\n".join(
                exchange.format_languages([x]) for x in r.languages.all()
            )

    def clean_expertise(self):
        rows = _parsed(exchange.parse_needs, self.cleaned_data["expertise"])
        if not any(r["required"] for r in rows):
            raise forms.ValidationError(_("Ask for at least one required expertise."))
        return rows

    def clean_languages(self):
        return _parsed(exchange.parse_languages, self.cleaned_data["languages"], needs=True)

    def rows(self) -> dict:
        return {
            "requirements": self.cleaned_data["expertise"],
            "languages": self.cleaned_data["languages"],
        }

    def m2m_data(self) -> dict:
        data = super().m2m_data()
        for name in ("countries", "parties", "stakeholders"):
            data[name] = self.cleaned_data.get(name) or []
        return data


class DeploymentForm(ScopedForm):
    class Meta:
        model = Deployment
        fields = [
            "request",
            "expert",
            "assignment",
            "mode",
            "start",
            "end",
            *ScopedForm.SECURITY_FIELDS,
        ]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["request"].queryset = ExpertRequest.objects.visible_to(user)
        experts = Expert.objects.visible_to(user).select_related("person")
        self.fields["expert"].queryset = experts
        from concord.core.models import Person

        names = dict(
            Person.objects.visible_to(user)
            .filter(pk__in=experts.values("person_id"))
            .values_list("pk", "name")
        )
        self.fields["expert"].label_from_instance = lambda e: names.get(e.person_id) or str(e)
        if not self.instance.pk:
            self.initial.setdefault("classification", Classification.STRICTLY_CONFIDENTIAL)


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices, label=_("Step"))
    at = forms.DateTimeField(
        required=False,
        label=_("At"),
        help_text=_("Empty: now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class WaiverForm(forms.Form):
    waiver = forms.CharField(
        label=_("Waiver"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this conflict is acceptable, and how it is disclosed to the requester."),
    )


class EndForm(forms.Form):
    report = forms.CharField(
        label=_("End-of-assignment report"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What happened and what should be learned: it becomes an observation in learning."
        ),
    )
    rating = forms.TypedChoiceField(
        label=_("Appraisal (1–5)"),
        choices=[("", "—"), *[(i, str(i)) for i in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    appraisal = forms.CharField(
        label=_("Appraisal"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CloseForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("closed", _("Close unfilled")), ("cancelled", _("Cancel"))], label=_("How")
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


STANDING = (
    CandidateState.ALERTED,
    CandidateState.AVAILABLE,
    CandidateState.SHORTLISTED,
    CandidateState.HELD,
)
