"""Funding released only on compliance: instruments, commitments (donor → recipient,
exact decimal amounts with their currency), tranches, the conditions on each tranche, and
the release and waiver decisions (four eyes: proposed by one person, approved by another)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum

from concord.core.models import Organisation, ScopedModel
from concord.core.sources import sources_problem
from concord.operations.models import Operation

from .cases import currency_errors
from .reporting import ReportingObligation, confidential


class InstrumentKind(models.TextChoices):
    TRUST_FUND = "trust_fund", "Trust fund"
    PEACE_FACILITY = "peace_facility", "Peace facility"
    ASSESSED = "assessed", "Assessed contributions"
    BILATERAL = "bilateral", "Bilateral aid"
    OTHER = "other", "Other"


class FundingInstrument(ScopedModel):
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=InstrumentKind.choices)
    manager = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who manages it (e.g. the EU for the European Peace Facility).",
    )
    note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)

    FIELDS = ["name", "kind", "manager", "note", "sources"]

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        problem = sources_problem(self.sources)
        if problem:
            raise ValidationError({"sources": problem})


class Commitment(ScopedModel):
    """A donor's commitment to a recipient (an operation or an organisation)."""

    instrument = models.ForeignKey(
        FundingInstrument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    donor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recipient_operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )
    recipient_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")
    purpose = models.CharField(max_length=300)
    signed = models.DateField(null=True, blank=True)
    classification = confidential()  # due-diligence and funding records

    FIELDS = [
        "instrument",
        "donor",
        "recipient_operation",
        "recipient_organisation",
        "amount",
        "currency",
        "purpose",
        "signed",
    ]

    class Meta:
        ordering = ["donor", "pk"]
        indexes = [
            models.Index(fields=["donor"]),
        ]

    def __str__(self) -> str:
        # "3,000,000.00 EUR", as the pages show it (an amount not yet cleaned: as typed)
        amount = self.amount
        shown = f"{amount:,}" if isinstance(amount, (int, Decimal)) else amount
        return f"{self.purpose} ({shown} {self.currency})"

    def clean(self) -> None:
        super().clean()
        self.currency = (self.currency or "").strip().upper()
        errors = currency_errors(self.amount, self.currency)
        if (self.recipient_operation_id is None) == (self.recipient_organisation_id is None):
            errors["recipient_operation"] = (
                "Give the recipient: an operation or an organisation (one of them)."
            )
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "The amount must be more than zero."
        if self.pk and self.amount is not None:
            planned = self.tranches.aggregate(s=Sum("amount"))["s"] or 0
            if planned > self.amount:
                # Every tranche counts, also those the editor may not see: the message gives
                # no sum (it would add theirs in). See docs/security-model.md.
                errors["amount"] = "Its tranches already add up to more than this amount."
        if errors:
            raise ValidationError(errors)


class Tranche(ScopedModel):
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="tranches")
    label = models.CharField(max_length=100, help_text="e.g. Tranche 2")
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    planned = models.DateField(help_text="When it is planned to be released.")
    note = models.TextField(blank=True)
    classification = confidential()  # due-diligence and funding records

    FIELDS = ["commitment", "label", "amount", "planned", "note"]

    class Meta:
        ordering = ["planned", "pk"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "The amount must be more than zero."
        if self.commitment_id and self.amount is not None:
            others = (
                Tranche.objects.filter(commitment_id=self.commitment_id)
                .exclude(pk=self.pk)
                .aggregate(s=Sum("amount"))["s"]
                or 0
            )
            if others + self.amount > self.commitment.amount:
                # Every tranche counts, also those the editor may not see, and the editor may
                # not see the commitment: the message gives no amount.
                errors["amount"] = (
                    "With this amount, the commitment's tranches would add up to more than the "
                    "commitment."
                )
        if errors:
            raise ValidationError(errors)


class ConditionKind(models.TextChoices):
    REPORT_ACCEPTED = "report_accepted", "Report for a period submitted and accepted"
    NO_CASE_SUSPENDED = "no_case_suspended", "No due-diligence case of the recipient suspended"
    NO_GRAVE_ALLEGATION = (
        "no_grave_allegation",
        "No credible grave allegation unresolved for more than N days",
    )
    MEASURES_ON_TIME = "measures_on_time", "Mitigating measures on time"
    CUSTOM = "custom", "Custom condition with named evidence"


class Condition(ScopedModel):
    """One condition on a tranche. A tranche with several is releasable only when all hold."""

    tranche = models.ForeignKey(Tranche, on_delete=models.CASCADE, related_name="conditions")
    kind = models.CharField(max_length=30, choices=ConditionKind.choices)
    obligation = models.ForeignKey(
        ReportingObligation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Report condition: the obligation the report answers.",
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Allegation condition: days an allegation may stay open."
    )
    evidence_needed = models.CharField(
        max_length=300, blank=True, help_text="Custom condition: the evidence that satisfies it."
    )
    satisfied_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True, help_text="Custom condition: the evidence given.")
    classification = confidential()  # due-diligence and funding records

    FIELDS = [
        "tranche",
        "kind",
        "obligation",
        "period_start",
        "period_end",
        "days",
        "evidence_needed",
        "satisfied_on",
        "evidence",
    ]

    class Meta:
        ordering = ["tranche", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}" + (f" ({self.pk})" if self.pk else "")

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind == ConditionKind.REPORT_ACCEPTED:
            if self.obligation_id is None:
                errors["obligation"] = "Name the reporting obligation the report answers."
            if self.period_start is None or self.period_end is None:
                errors["period_end"] = "Give the period the report must cover."
            elif self.period_end < self.period_start:
                errors["period_end"] = "The period ends before it starts."
        if self.kind == ConditionKind.NO_GRAVE_ALLEGATION and self.days is None:
            errors["days"] = "Give N: the days an allegation may stay unresolved."
        if self.kind == ConditionKind.CUSTOM and not self.evidence_needed.strip():
            errors["evidence_needed"] = "Name the evidence that satisfies the condition."
        if self.satisfied_on and not self.evidence.strip():
            errors["evidence"] = "Give the evidence."
        if errors:
            raise ValidationError(errors)


class DecisionKind(models.TextChoices):
    RELEASE = "release", "Release the tranche"
    WAIVER = "waiver", "Waive a condition"


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class TrancheDecision(models.Model):
    """A release of a tranche or a waiver of one of its conditions: proposed with a
    rationale by one person, approved (or rejected) by another. Written only by
    ``services.funding``; read through the tranche, so visible exactly where it is."""

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    condition = models.ForeignKey(
        Condition, null=True, blank=True, on_delete=models.PROTECT, related_name="waivers"
    )
    rationale = models.TextField()
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    evidence = models.JSONField(
        default=list,
        blank=True,
        help_text="The evaluation at approval: each condition's verdict, as a template and "
        "references worded for each reader (concord.accountability.access.shown).",
    )

    class Meta:
        ordering = ["tranche", "proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tranche"],
                condition=Q(kind="release", status="approved"),
                name="tranche_released_once",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")),
                name="tranche_decision_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.tranche} · {self.get_status_display()}"
