"""Forms for accountability. References are typed (operation keys, acronyms) and resolved
among the records the user may see, as in imports."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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


SOURCES_HELP = _("One per line: fact | citation | link.")
SOURCES = _("Sources")


def _sources_field(help_text=SOURCES_HELP, label=SOURCES):
    return LinesField(
        parse=lambda line, user=None: parse_sources(line),
        fmt=lambda v: format_sources(v).replace("; ", "\n"),
        help_text=help_text,
        label=label,
    )


class AccountabilityLineForm(ScopedForm):
    operation = OperationRefField(
        help_text=_("The operation (key, acronym or name)."), label=_("Operation")
    )
    to_organisation = OrganisationRefField(
        help_text=_("Optional: the body in the registry (acronym or name)."),
        label=_("To organisation"),
    )
    start = forms.DateField(**DATE, label=_("Start"))
    end = forms.DateField(**DATE, label=_("End"))
    sources = _sources_field(_("The documents behind it, one per line: fact | citation | link."))

    class Meta:
        model = AccountabilityLine
        fields = [*AccountabilityLine.FIELDS, *ScopedForm.SECURITY_FIELDS]


class ReportingObligationForm(ScopedForm):
    reporter_operation = OptionalOperationField(
        required=False,
        help_text=_("Who reports: an operation (key or acronym)…"),
        label=_("Reporter operation"),
    )
    reporter_organisation = OrganisationRefField(
        help_text=_("… or an organisation."), label=_("Reporter organisation")
    )
    to_organisation = OrganisationRefField(
        help_text=_("Optional: the body in the registry."), label=_("To organisation")
    )
    fixed_dates = ListField(
        required=False, help_text=_("Fixed dates each year, MM-DD, ';'."), label=_("Fixed dates")
    )
    first_due = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=_("First due")
    )
    until = forms.DateField(**DATE, label=_("Until"))
    sources = _sources_field(_("The resolution or agreement: fact | citation | link."))

    class Meta:
        model = ReportingObligation
        fields = [*ReportingObligation.FIELDS, *ScopedForm.SECURITY_FIELDS]


class ReportForm(ScopedForm):
    period_start = forms.DateField(**DATE, label=_("Period start"))
    period_end = forms.DateField(**DATE, label=_("Period end"))
    submitted = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=_("Submitted")
    )
    attachments = _sources_field(
        _("The document, one per line: title | reference | link."), label=_("Attachments")
    )

    class Meta:
        model = Report
        # The status is the reviewer's (services.reporting.review): the author files.
        fields = [f for f in [*Report.FIELDS, *ScopedForm.SECURITY_FIELDS] if f != "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligations"].queryset = ReportingObligation.objects.visible_to(self.user)
        self.fields["obligations"].help_text = _("Every obligation this report satisfies.")
        self.fields["obligations"].widget.attrs["size"] = 6


class SecurityUnitForm(ScopedForm):
    start = forms.DateField(**DATE, label=_("Start"))
    end = forms.DateField(**DATE, label=_("End"))

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
    start = forms.DateField(**DATE, label=_("Start"))
    end = forms.DateField(**DATE, label=_("End"))

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
        required=False,
        help_text=_("The operation giving the support (key or acronym)."),
        label=_("Operation"),
    )
    provider = OrganisationRefField(
        required=True, help_text=_("Who gives it (acronym or name)."), label=_("Provider")
    )
    start = forms.DateField(**DATE, label=_("Start"))
    end = forms.DateField(**DATE, label=_("End"))

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
    assessed_on = forms.DateField(**REQUIRED_DATE, label=_("Assessed on"))
    expires_on = forms.DateField(**REQUIRED_DATE, label=_("Expires on"))

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
    responsible = OrganisationRefField(
        help_text=_("Who owns the measure (acronym or name)."), label=_("Responsible")
    )
    deadline = forms.DateField(**REQUIRED_DATE, label=_("Deadline"))
    done_on = forms.DateField(**DATE, label=_("Done on"))

    class Meta:
        model = MitigatingMeasure
        fields = [*MitigatingMeasure.FIELDS, *ScopedForm.SECURITY_FIELDS]


class AllegationForm(ScopedForm):
    place = AreaRefField(
        required=False, help_text=_("P-code or name of the area, if known."), label=_("Place")
    )
    occurred_from = forms.DateField(**DATE, label=_("Occurred from"))
    occurred_to = forms.DateField(**DATE, label=_("Occurred to"))
    recorded = forms.DateField(**REQUIRED_DATE, label=_("Recorded"))
    resolved_on = forms.DateField(**DATE, label=_("Resolved on"))

    class Meta:
        model = Allegation
        fields = [*Allegation.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = SecurityUnit.objects.visible_to(self.user)


class IntercessionForm(_CaseChildForm):
    raised_on = forms.DateField(**REQUIRED_DATE, label=_("Raised on"))
    deadline = forms.DateField(**DATE, label=_("Deadline"))
    resolved_on = forms.DateField(**DATE, label=_("Resolved on"))

    class Meta:
        model = Intercession
        fields = [*Intercession.FIELDS, *ScopedForm.SECURITY_FIELDS]


class DecideForm(forms.Form):
    """A decision on a case: the state it moves to, the date, and why."""

    to_state = forms.ChoiceField(label=_("Move the case to"), choices=CaseState.choices)
    on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: today."),
        label=_("On"),
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Every decision needs a written rationale."),
        label=_("Rationale"),
    )


class FundingInstrumentForm(ScopedForm):
    manager = OrganisationRefField(
        help_text=_("Who manages it (acronym or name)."), label=_("Manager")
    )
    sources = _sources_field(_("The documents behind it: fact | citation | link."))

    class Meta:
        model = FundingInstrument
        fields = [*FundingInstrument.FIELDS, *ScopedForm.SECURITY_FIELDS]


class CommitmentForm(ScopedForm):
    donor = OrganisationRefField(
        required=True, help_text=_("The donor (acronym or name)."), label=_("Donor")
    )
    recipient_operation = OptionalOperationField(
        required=False,
        help_text=_("The recipient: an operation (key or acronym)…"),
        label=_("Recipient operation"),
    )
    recipient_organisation = OrganisationRefField(
        help_text=_("… or an organisation."), label=_("Recipient organisation")
    )
    signed = forms.DateField(**DATE, label=_("Signed"))

    class Meta:
        model = Commitment
        fields = [*Commitment.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = FundingInstrument.objects.visible_to(self.user)


class TrancheForm(ScopedForm):
    planned = forms.DateField(**REQUIRED_DATE, label=_("Planned"))

    class Meta:
        model = Tranche
        fields = [*Tranche.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.visible_to(self.user)


class ConditionForm(ScopedForm):
    period_start = forms.DateField(**DATE, label=_("Period start"))
    period_end = forms.DateField(**DATE, label=_("Period end"))
    satisfied_on = forms.DateField(**DATE, label=_("Satisfied on"))

    class Meta:
        model = Condition
        fields = [*Condition.FIELDS, *ScopedForm.SECURITY_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tranche"].queryset = Tranche.objects.visible_to(self.user)
        self.fields["obligation"].queryset = ReportingObligation.objects.visible_to(self.user)


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("release", _("Release the tranche")), ("waiver", _("Waive a condition"))],
        label=_("Kind"),
    )
    condition = forms.ModelChoiceField(
        queryset=Condition.objects.none(),
        required=False,
        help_text=_("For a waiver: the condition to waive."),
        label=_("Condition"),
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Rationale"))


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("accepted", _("Accept")), ("returned", _("Return for revision"))],
        label=_("Review"),
    )
    review_note = forms.CharField(
        required=False,
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to return it: what must be revised."),
    )


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=int, label=_("Approve")
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why (required to approve without the proposer's rationale)."),
        label=_("Note"),
    )
