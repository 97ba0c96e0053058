"""Forms for accountability. References are typed (operation keys, acronyms) and resolved
among the records the user may see, as in imports."""

from __future__ import annotations

from django import forms

from concord.core.forms import AreaRefField, ListField, OrganisationRefField, ScopedForm
from concord.core.models import Person
from concord.core.sources import format_sources, parse_sources
from concord.operations.forms import LinesField, OperationRefField, OptionalOperationField

from .models import (
    AccountabilityLine,
    Allegation,
    CaseState,
    Commitment,
    Condition,
    FundingInstrument,
    Intercession,
    MitigatingMeasure,
    Report,
    ReportingObligation,
    RiskAssessment,
    SecurityUnit,
    SupportCase,
    Tranche,
    UnitCommand,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"}), "required": False}


def _sources_field(help_text="One per line: fact | citation | link."):
    return LinesField(
        parse=lambda line, user=None: parse_sources(line),
        fmt=lambda v: format_sources(v).replace("; ", "\n"),
        help_text=help_text,
    )


class AccountabilityLineForm(ScopedForm):
    operation = OperationRefField(help_text="The operation (key, acronym or name).")
    to_organisation = OrganisationRefField(
        help_text="Optional: the body in the registry (acronym or name)."
    )
    start = forms.DateField(**DATE)
    end = forms.DateField(**DATE)
    sources = _sources_field("The documents behind it, one per line: fact | citation | link.")

    class Meta:
        model = AccountabilityLine
        fields = [*AccountabilityLine.FIELDS, *ScopedForm.SECURITY_FIELDS]


class ReportingObligationForm(ScopedForm):
    reporter_operation = OptionalOperationField(
        required=False, help_text="Who reports: an operation (key or acronym)…"
    )
    reporter_organisation = OrganisationRefField(help_text="… or an organisation.")
    to_organisation = OrganisationRefField(help_text="Optional: the body in the registry.")
    fixed_dates = ListField(required=False, help_text="Fixed dates each year, MM-DD, ';'.")
    first_due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(**DATE)
    sources = _sources_field("The resolution or agreement: fact | citation | link.")

    class Meta:
        model = ReportingObligation
        fields = [*ReportingObligation.FIELDS, *ScopedForm.SECURITY_FIELDS]


class ReportForm(ScopedForm):
    period_start = forms.DateField(**DATE)
    period_end = forms.DateField(**DATE)
    submitted = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    attachments = _sources_field("The document, one per line: title | reference | link.")

    class Meta:
        model = Report
        # The status is the reviewer's (services.reporting.review): the author files.
        fields = [f for f in [*Report.FIELDS, *ScopedForm.SECURITY_FIELDS] if f != "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligations"].queryset = ReportingObligation.objects.visible_to(self.user)
        self.fields["obligations"].help_text = "Every obligation this report satisfies."
        self.fields["obligations"].widget.attrs["size"] = 6


class SecurityUnitForm(ScopedForm):
    start = forms.DateField(**DATE)
    end = forms.DateField(**DATE)

    class Meta:
        model = SecurityUnit
        fields = [*SecurityUnit.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = SecurityUnit.objects.visible_to(self.user)
        if self.instance.pk:
            units = units.exclude(pk=self.instance.pk)
        for name in ("parent", "successor"):
            self.fields[name].queryset = units


class UnitCommandForm(ScopedForm):
    start = forms.DateField(**DATE)
    end = forms.DateField(**DATE)

    class Meta:
        model = UnitCommand
        fields = [*UnitCommand.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = SecurityUnit.objects.visible_to(self.user)
        self.fields["commander"].queryset = Person.objects.visible_to(self.user)


# --- due-diligence cases and conditional funding -----------------------------------------------


REQUIRED_DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class SupportCaseForm(ScopedForm):
    operation = OptionalOperationField(
        required=False, help_text="The operation giving the support (key or acronym)."
    )
    provider = OrganisationRefField(required=True, help_text="Who gives it (acronym or name).")
    start = forms.DateField(**DATE)
    end = forms.DateField(**DATE)

    class Meta:
        model = SupportCase
        fields = [*SupportCase.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = SecurityUnit.objects.visible_to(self.user)


class _CaseChildForm(ScopedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = SupportCase.objects.visible_to(self.user)


class RiskAssessmentForm(_CaseChildForm):
    assessed_on = forms.DateField(**REQUIRED_DATE)
    expires_on = forms.DateField(**REQUIRED_DATE)

    class Meta:
        model = RiskAssessment
        fields = [*RiskAssessment.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from concord.core.models import colleagues

        # Colleagues only (and whoever approved already), never every user of the platform.
        self.fields["approver"].queryset = colleagues(self.user, keep=[self.instance.approver_id])
        self.fields["approver"].label_from_instance = lambda u: u.get_username()


class MitigatingMeasureForm(_CaseChildForm):
    responsible = OrganisationRefField(help_text="Who owns the measure (acronym or name).")
    deadline = forms.DateField(**REQUIRED_DATE)
    done_on = forms.DateField(**DATE)

    class Meta:
        model = MitigatingMeasure
        fields = [*MitigatingMeasure.FIELDS, *ScopedForm.SECURITY_FIELDS]


class AllegationForm(ScopedForm):
    place = AreaRefField(required=False, help_text="P-code or name of the area, if known.")
    occurred_from = forms.DateField(**DATE)
    occurred_to = forms.DateField(**DATE)
    recorded = forms.DateField(**REQUIRED_DATE)
    resolved_on = forms.DateField(**DATE)

    class Meta:
        model = Allegation
        fields = [*Allegation.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = SecurityUnit.objects.visible_to(self.user)


class IntercessionForm(_CaseChildForm):
    raised_on = forms.DateField(**REQUIRED_DATE)
    deadline = forms.DateField(**DATE)
    resolved_on = forms.DateField(**DATE)

    class Meta:
        model = Intercession
        fields = [*Intercession.FIELDS, *ScopedForm.SECURITY_FIELDS]


class DecideForm(forms.Form):
    """A decision on a case: the state it moves to, the date, and why."""

    to_state = forms.ChoiceField(label="Move the case to", choices=CaseState.choices)
    on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Empty: today."
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Every decision needs a written rationale.",
    )


class FundingInstrumentForm(ScopedForm):
    manager = OrganisationRefField(help_text="Who manages it (acronym or name).")
    sources = _sources_field("The documents behind it: fact | citation | link.")

    class Meta:
        model = FundingInstrument
        fields = [*FundingInstrument.FIELDS, *ScopedForm.SECURITY_FIELDS]


class CommitmentForm(ScopedForm):
    donor = OrganisationRefField(required=True, help_text="The donor (acronym or name).")
    recipient_operation = OptionalOperationField(
        required=False, help_text="The recipient: an operation (key or acronym)…"
    )
    recipient_organisation = OrganisationRefField(help_text="… or an organisation.")
    signed = forms.DateField(**DATE)

    class Meta:
        model = Commitment
        fields = [*Commitment.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = FundingInstrument.objects.visible_to(self.user)


class TrancheForm(ScopedForm):
    planned = forms.DateField(**REQUIRED_DATE)

    class Meta:
        model = Tranche
        fields = [*Tranche.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.visible_to(self.user)


class ConditionForm(ScopedForm):
    period_start = forms.DateField(**DATE)
    period_end = forms.DateField(**DATE)
    satisfied_on = forms.DateField(**DATE)

    class Meta:
        model = Condition
        fields = [*Condition.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].queryset = Tranche.objects.visible_to(self.user)
        self.fields["obligation"].queryset = ReportingObligation.objects.visible_to(self.user)


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("release", "Release the tranche"), ("waiver", "Waive a condition")]
    )
    condition = forms.ModelChoiceField(
        queryset=Condition.objects.none(),
        required=False,
        help_text="For a waiver: the condition to waive.",
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("accepted", "Accept"), ("returned", "Return for revision")],
        label="Review",
    )
    review_note = forms.CharField(
        required=False,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to return it: what must be revised.",
    )


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", "Approve"), ("0", "Reject")], coerce=int)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why (required to approve without the proposer's rationale).",
    )
