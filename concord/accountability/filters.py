"""Filtersets shared by the accountability lists, the API and exports."""

from __future__ import annotations

import django_filters as df

from concord.core.filters import CountryCodeFilter, ScopedFilterSet

from .models import (
    AccountabilityLine,
    Body,
    Mechanism,
    Report,
    ReportingObligation,
    ReportStatus,
    SecurityUnit,
    UnitCommand,
)


class AccountabilityLineFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="note", lookup_expr="icontains", label="Note")
    operation = df.NumberFilter(field_name="operation_id", label="Operation (id)")
    body = df.ChoiceFilter(choices=Body.choices)
    mechanism = df.ChoiceFilter(choices=Mechanism.choices)

    class Meta:
        model = AccountabilityLine
        fields = ["q", "operation", "body", "mechanism", "classification", "owner"]


class ReportingObligationFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="subject", lookup_expr="icontains", label="Subject")
    operation = df.NumberFilter(field_name="reporter_operation_id", label="Operation (id)")
    organisation = df.NumberFilter(field_name="reporter_organisation_id", label="Organisation (id)")
    body = df.ChoiceFilter(choices=Body.choices)

    class Meta:
        model = ReportingObligation
        fields = ["q", "operation", "organisation", "body", "classification", "owner"]


class ReportFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label="Title")
    obligation = df.NumberFilter(field_name="obligations", label="Obligation (id)", distinct=True)
    status = df.ChoiceFilter(choices=ReportStatus.choices)
    submitted_after = df.DateFilter(field_name="submitted", lookup_expr="gte")
    submitted_before = df.DateFilter(field_name="submitted", lookup_expr="lte")

    class Meta:
        model = Report
        fields = [
            "q",
            "obligation",
            "status",
            "submitted_after",
            "submitted_before",
            "classification",
            "owner",
        ]


class SecurityUnitFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    country = CountryCodeFilter(label="Country")
    parent = df.NumberFilter(field_name="parent_id", label="Part of (id)")

    class Meta:
        model = SecurityUnit
        fields = ["q", "country", "parent", "classification", "owner"]


class UnitCommandFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="commander_name", lookup_expr="icontains", label="Name")
    unit = df.NumberFilter(field_name="unit_id", label="Unit (id)")

    class Meta:
        model = UnitCommand
        fields = ["q", "unit", "classification", "owner"]


# --- due-diligence cases and conditional funding -----------------------------------------------

from .models import (  # noqa: E402
    Allegation,
    CaseState,
    Commitment,
    Condition,
    ConditionKind,
    Confidence,
    FundingInstrument,
    InstrumentKind,
    Intercession,
    MitigatingMeasure,
    RiskAssessment,
    SupportCase,
    Tranche,
    Violation,
)


class SupportCaseFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label="Title")
    operation = df.NumberFilter(field_name="operation_id", label="Operation (id)")
    unit = df.NumberFilter(field_name="unit_id", label="Unit (id)")
    provider = df.NumberFilter(field_name="provider_id", label="Provider (id)")
    state = df.ChoiceFilter(choices=CaseState.choices)

    class Meta:
        model = SupportCase
        fields = ["q", "operation", "unit", "provider", "state", "classification", "owner"]


class RiskAssessmentFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="rationale", lookup_expr="icontains", label="Rationale")
    case = df.NumberFilter(field_name="case_id", label="Case (id)")
    expires_before = df.DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = RiskAssessment
        fields = ["q", "case", "expires_before", "classification", "owner"]


class MitigatingMeasureFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="description", lookup_expr="icontains", label="Description")
    case = df.NumberFilter(field_name="case_id", label="Case (id)")
    open = df.BooleanFilter(field_name="done_on", lookup_expr="isnull", label="Not done")

    class Meta:
        model = MitigatingMeasure
        fields = ["q", "case", "open", "classification", "owner"]


class AllegationFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="summary", lookup_expr="icontains", label="Summary")
    unit = df.NumberFilter(field_name="unit_id", label="Unit (id)")
    violation = df.ChoiceFilter(choices=Violation.choices)
    confidence = df.ChoiceFilter(choices=Confidence.choices)
    open = df.BooleanFilter(field_name="resolved_on", lookup_expr="isnull", label="Unresolved")

    class Meta:
        model = Allegation
        fields = ["q", "unit", "violation", "confidence", "open", "classification", "owner"]


class IntercessionFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="what", lookup_expr="icontains", label="What was raised")
    case = df.NumberFilter(field_name="case_id", label="Case (id)")
    open = df.BooleanFilter(field_name="resolved_on", lookup_expr="isnull", label="Unresolved")

    class Meta:
        model = Intercession
        fields = ["q", "case", "open", "classification", "owner"]


class FundingInstrumentFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    kind = df.ChoiceFilter(choices=InstrumentKind.choices)

    class Meta:
        model = FundingInstrument
        fields = ["q", "kind", "classification", "owner"]


class CommitmentFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="purpose", lookup_expr="icontains", label="Purpose")
    donor = df.NumberFilter(field_name="donor_id", label="Donor (id)")
    instrument = df.NumberFilter(field_name="instrument_id", label="Instrument (id)")
    operation = df.NumberFilter(field_name="recipient_operation_id", label="Recipient operation")
    currency = df.CharFilter(field_name="currency", lookup_expr="iexact")

    class Meta:
        model = Commitment
        fields = ["q", "donor", "instrument", "operation", "currency", "classification", "owner"]


class TrancheFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="label", lookup_expr="icontains", label="Label")
    commitment = df.NumberFilter(field_name="commitment_id", label="Commitment (id)")
    donor = df.NumberFilter(field_name="commitment__donor_id", label="Donor (id)")
    planned_before = df.DateFilter(field_name="planned", lookup_expr="lte")

    class Meta:
        model = Tranche
        fields = ["q", "commitment", "donor", "planned_before", "classification", "owner"]


class ConditionFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="evidence_needed", lookup_expr="icontains", label="Evidence")
    tranche = df.NumberFilter(field_name="tranche_id", label="Tranche (id)")
    kind = df.ChoiceFilter(choices=ConditionKind.choices)

    class Meta:
        model = Condition
        fields = ["q", "tranche", "kind", "classification", "owner"]
