"""Funding released only on compliance: instruments, commitments (donor → recipient,
exact decimal amounts with their currency), tranches, the conditions on each tranche, and
the release and waiver decisions (four eyes: proposed by one person, approved by another)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.models import Organisation, ScopedModel
from concord.core.models.labels import ChoiceLabels
from concord.core.sources import sources_problem
from concord.operations.models import Operation

from .cases import currency_errors
from .reporting import ReportingObligation, confidential


class InstrumentKind(models.TextChoices):
    TRUST_FUND = "trust_fund", _("Trust fund")
    PEACE_FACILITY = "peace_facility", _("Peace facility")
    ASSESSED = "assessed", _("Assessed contributions")
    BILATERAL = "bilateral", _("Bilateral aid")
    OTHER = "other", _("Other")


class FundingInstrument(ScopedModel):
    name = models.CharField(max_length=300, verbose_name=_("name"))
    kind = models.CharField(max_length=20, choices=InstrumentKind.choices, verbose_name=_("kind"))
    manager = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who manages it (e.g. the EU for the European Peace Facility)."),
        verbose_name=_("manager"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    sources = models.JSONField(default=list, blank=True, verbose_name=_("sources"))

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
        verbose_name=_("instrument"),
    )
    donor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("donor")
    )
    recipient_operation = models.ForeignKey(
        Operation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("recipient operation"),
    )
    recipient_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient organisation"),
    )
    amount = models.DecimalField(max_digits=18, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(
        max_length=3, help_text=_("ISO 4217, e.g. EUR."), verbose_name=_("currency")
    )
    purpose = models.CharField(max_length=300, verbose_name=_("purpose"))
    signed = models.DateField(null=True, blank=True, verbose_name=_("signed"))
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
            errors["recipient_operation"] = gettext(
                "Give the recipient: an operation or an organisation (one of them)."
            )
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = gettext("The amount must be more than zero.")
        if self.pk and self.amount is not None:
            planned = self.tranches.aggregate(s=Sum("amount"))["s"] or 0
            if planned > self.amount:
                # Every tranche counts, also those the editor may not see: the message gives
                # no sum (it would add theirs in). See docs/security-model.md.
                errors["amount"] = gettext("Its tranches already add up to more than this amount.")
        if errors:
            raise ValidationError(errors)


class Tranche(ScopedModel):
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="tranches", verbose_name=_("commitment")
    )
    label = models.CharField(max_length=100, help_text=_("e.g. Tranche 2"), verbose_name=_("label"))
    amount = models.DecimalField(max_digits=18, decimal_places=2, verbose_name=_("amount"))
    planned = models.DateField(
        help_text=_("When it is planned to be released."), verbose_name=_("planned")
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
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
            errors["amount"] = gettext("The amount must be more than zero.")
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
                errors["amount"] = gettext(
                    "With this amount, the commitment's tranches would add up to more than the "
                    "commitment."
                )
        if errors:
            raise ValidationError(errors)


class ConditionKind(models.TextChoices):
    REPORT_ACCEPTED = "report_accepted", _("Report for a period submitted and accepted")
    NO_CASE_SUSPENDED = "no_case_suspended", _("No due-diligence case of the recipient suspended")
    NO_GRAVE_ALLEGATION = (
        "no_grave_allegation",
        _("No credible grave allegation unresolved for more than N days"),
    )
    MEASURES_ON_TIME = "measures_on_time", _("Mitigating measures on time")
    CUSTOM = "custom", _("Custom condition with named evidence")


class Condition(ScopedModel):
    """One condition on a tranche. A tranche with several is releasable only when all hold."""

    tranche = models.ForeignKey(
        Tranche, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("tranche")
    )
    kind = models.CharField(max_length=30, choices=ConditionKind.choices, verbose_name=_("kind"))
    obligation = models.ForeignKey(
        ReportingObligation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Report condition: the obligation the report answers."),
        verbose_name=_("obligation"),
    )
    period_start = models.DateField(null=True, blank=True, verbose_name=_("period start"))
    period_end = models.DateField(null=True, blank=True, verbose_name=_("period end"))
    days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Allegation condition: days an allegation may stay open."),
        verbose_name=_("days"),
    )
    evidence_needed = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Custom condition: the evidence that satisfies it."),
        verbose_name=_("evidence needed"),
    )
    satisfied_on = models.DateField(null=True, blank=True, verbose_name=_("satisfied on"))
    evidence = models.TextField(
        blank=True, help_text=_("Custom condition: the evidence given."), verbose_name=_("evidence")
    )
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
                errors["obligation"] = gettext("Name the reporting obligation the report answers.")
            if self.period_start is None or self.period_end is None:
                errors["period_end"] = gettext("Give the period the report must cover.")
            elif self.period_end < self.period_start:
                errors["period_end"] = gettext("The period ends before it starts.")
        if self.kind == ConditionKind.NO_GRAVE_ALLEGATION and self.days is None:
            errors["days"] = gettext("Give N: the days an allegation may stay unresolved.")
        if self.kind == ConditionKind.CUSTOM and not self.evidence_needed.strip():
            errors["evidence_needed"] = gettext("Name the evidence that satisfies the condition.")
        if self.satisfied_on and not self.evidence.strip():
            errors["evidence"] = gettext("Give the evidence.")
        if errors:
            raise ValidationError(errors)


class DecisionKind(models.TextChoices):
    RELEASE = "release", _("Release the tranche")
    WAIVER = "waiver", _("Waive a condition")


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TrancheDecision(ChoiceLabels, models.Model):
    """A release of a tranche or a waiver of one of its conditions: proposed with a
    rationale by one person, approved (or rejected) by another. Written only by
    ``services.funding``; read through the tranche, so visible exactly where it is."""

    tranche = models.ForeignKey(
        Tranche, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("tranche")
    )
    kind = models.CharField(max_length=10, choices=DecisionKind.choices, verbose_name=_("kind"))
    condition = models.ForeignKey(
        Condition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waivers",
        verbose_name=_("condition"),
    )
    rationale = models.TextField(verbose_name=_("rationale"))
    status = models.CharField(
        max_length=10,
        choices=DecisionStatus.choices,
        default=DecisionStatus.PROPOSED,
        verbose_name=_("status"),
    )
    proposed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(verbose_name=_("proposed at"))
    decided_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_note = models.TextField(blank=True, verbose_name=_("decision note"))
    evidence = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "The evaluation at approval: each condition's verdict, as a template and "
            "references worded for each reader (concord.accountability.access.shown)."
        ),
        verbose_name=_("evidence"),
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
