"""Filtersets shared by the accountability lists, the API and exports."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from concord.core.filters import CountryCodeFilter, LinkFilter, ScopedFilterSet
from concord.core.models import Organisation
from concord.operations.models import Operation

from .models import (
    AccountabilityLine,
    Allegation,
    Body,
    CaseState,
    Commitment,
    Condition,
    ConditionKind,
    Confidence,
    FundingInstrument,
    InstrumentKind,
    Intercession,
    Mechanism,
    MitigatingMeasure,
    Report,
    ReportingObligation,
    ReportStatus,
    RiskAssessment,
    SecurityUnit,
    SupportCase,
    Tranche,
    UnitCommand,
    Violation,
)


class AccountabilityLineFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="note", lookup_expr="icontains", label=_("Note"))
    operation = LinkFilter(Operation, "operation", label=_("Operation (id)"))
    body = df.ChoiceFilter(choices=Body.choices)
    mechanism = df.ChoiceFilter(choices=Mechanism.choices)

    class Meta:
        model = AccountabilityLine
        fields = ["q", "operation", "body", "mechanism", "classification", "owner"]


class ReportingObligationFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="subject", lookup_expr="icontains", label=_("Subject"))
    operation = LinkFilter(Operation, "reporter_operation", label=_("Operation (id)"))
    organisation = LinkFilter(Organisation, "reporter_organisation", label=_("Organisation (id)"))
    body = df.ChoiceFilter(choices=Body.choices)

    class Meta:
        model = ReportingObligation
        fields = ["q", "operation", "organisation", "body", "classification", "owner"]


class ReportFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    obligation = LinkFilter(ReportingObligation, "obligations", label=_("Obligation (id)"))
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
    q = df.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    country = CountryCodeFilter(label=_("Country"))
    parent = LinkFilter(SecurityUnit, "parent", label=_("Part of (id)"))

    class Meta:
        model = SecurityUnit
        fields = ["q", "country", "parent", "classification", "owner"]


class UnitCommandFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="commander_name", lookup_expr="icontains", label=_("Name"))
    unit = LinkFilter(SecurityUnit, "unit", label=_("Unit (id)"))

    class Meta:
        model = UnitCommand
        fields = ["q", "unit", "classification", "owner"]


# --- due-diligence cases and conditional funding -----------------------------------------------


class SupportCaseFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    operation = LinkFilter(Operation, "operation", label=_("Operation (id)"))
    unit = LinkFilter(SecurityUnit, "unit", label=_("Unit (id)"))
    provider = LinkFilter(Organisation, "provider", label=_("Provider (id)"))
    state = df.ChoiceFilter(choices=CaseState.choices)

    class Meta:
        model = SupportCase
        fields = ["q", "operation", "unit", "provider", "state", "classification", "owner"]


class RiskAssessmentFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="rationale", lookup_expr="icontains", label=_("Rationale"))
    case = LinkFilter(SupportCase, "case", label=_("Case (id)"))
    expires_before = df.DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = RiskAssessment
        fields = ["q", "case", "expires_before", "classification", "owner"]


class MitigatingMeasureFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="description", lookup_expr="icontains", label=_("Description"))
    case = LinkFilter(SupportCase, "case", label=_("Case (id)"))
    open = df.BooleanFilter(field_name="done_on", lookup_expr="isnull", label=_("Not done"))

    class Meta:
        model = MitigatingMeasure
        fields = ["q", "case", "open", "classification", "owner"]


class AllegationFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="summary", lookup_expr="icontains", label=_("Summary"))
    unit = LinkFilter(SecurityUnit, "unit", label=_("Unit (id)"))
    violation = df.ChoiceFilter(choices=Violation.choices)
    confidence = df.ChoiceFilter(choices=Confidence.choices)
    open = df.BooleanFilter(field_name="resolved_on", lookup_expr="isnull", label=_("Unresolved"))

    class Meta:
        model = Allegation
        fields = ["q", "unit", "violation", "confidence", "open", "classification", "owner"]


class IntercessionFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="what", lookup_expr="icontains", label=_("What was raised"))
    case = LinkFilter(SupportCase, "case", label=_("Case (id)"))
    open = df.BooleanFilter(field_name="resolved_on", lookup_expr="isnull", label=_("Unresolved"))

    class Meta:
        model = Intercession
        fields = ["q", "case", "open", "classification", "owner"]


class FundingInstrumentFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    kind = df.ChoiceFilter(choices=InstrumentKind.choices)

    class Meta:
        model = FundingInstrument
        fields = ["q", "kind", "classification", "owner"]


class CommitmentFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="purpose", lookup_expr="icontains", label=_("Purpose"))
    donor = LinkFilter(Organisation, "donor", label=_("Donor (id)"))
    instrument = LinkFilter(FundingInstrument, "instrument", label=_("Instrument (id)"))
    operation = LinkFilter(Operation, "recipient_operation", label=_("Recipient operation (id)"))
    currency = df.CharFilter(field_name="currency", lookup_expr="iexact")

    class Meta:
        model = Commitment
        fields = ["q", "donor", "instrument", "operation", "currency", "classification", "owner"]


class TrancheFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="label", lookup_expr="icontains", label=_("Label"))
    commitment = LinkFilter(Commitment, "commitment", label=_("Commitment (id)"))
    # (through the commitment: a tranche of a commitment the reader may not see is not found)
    donor = LinkFilter(Organisation, "commitment__donor", label=_("Donor (id)"))
    planned_before = df.DateFilter(field_name="planned", lookup_expr="lte")

    class Meta:
        model = Tranche
        fields = ["q", "commitment", "donor", "planned_before", "classification", "owner"]


class ConditionFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="evidence_needed", lookup_expr="icontains", label=_("Evidence"))
    tranche = LinkFilter(Tranche, "tranche", label=_("Tranche (id)"))
    kind = df.ChoiceFilter(choices=ConditionKind.choices)

    class Meta:
        model = Condition
        fields = ["q", "tranche", "kind", "classification", "owner"]
