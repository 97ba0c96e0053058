"""Human-rights due diligence (HRDDP) cases: support to a security-force unit, its versioned
risk assessments, mitigating measures, the allegations against units and the intercessions
made. A case's state changes only through ``services.cases.decide`` (rules in
``analysis.cases``); each decision is kept as a :class:`CaseDecision` with its rationale.

All these records default to confidential; an allegation's source is encrypted at rest."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from concord.core.crypto import EncryptedTextField
from concord.core.models import Organisation, ScopedModel
from concord.operations.models import Operation

from .reporting import SecurityUnit, confidential, period_errors


class SupportKind(models.TextChoices):
    TRAINING = "training", "Training"
    PAY = "pay", "Pay or allowances"
    LOGISTICS = "logistics", "Logistics"
    OPERATIONAL = "operational", "Operational support"
    FIRE = "fire", "Fire support"
    JOINT = "joint_operations", "Joint operations"
    OTHER = "other", "Other"


class CaseState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ASSESSED = "assessed", "Assessed"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    DENIED = "denied", "Denied"
    ACTIVE = "active", "Active"
    UNDER_REVIEW = "under_review", "Under review"
    INTERCESSION = "intercession", "Intercession"
    SUSPENDED = "suspended", "Suspended"
    RESUMED = "resumed", "Resumed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SupportCase(ScopedModel):
    """Support from a provider to a security-force unit, and where its due diligence stands."""

    title = models.CharField(max_length=300)
    operation = models.ForeignKey(
        Operation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_cases",
        help_text="The operation giving the support (its register lists the case).",
    )
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="Who gives it."
    )
    unit = models.ForeignKey(
        SecurityUnit,
        on_delete=models.PROTECT,
        related_name="support_cases",
        help_text="The recipient unit.",
    )
    kind = models.CharField(max_length=20, choices=SupportKind.choices)
    description = models.TextField(blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217, e.g. USD.")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    state = models.CharField(
        max_length=30, choices=CaseState.choices, default=CaseState.PROPOSED, editable=False
    )
    classification = confidential()

    FIELDS = [
        "title",
        "operation",
        "provider",
        "unit",
        "kind",
        "description",
        "value",
        "currency",
        "start",
        "end",
    ]

    class Meta:
        ordering = ["title", "pk"]
        indexes = [
            models.Index(fields=["state"]),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.start, self.end)
        errors.update(currency_errors(self.value, self.currency, required=False))
        if errors:
            raise ValidationError(errors)


def currency_errors(amount, currency: str, *, required: bool = True) -> dict:
    import pycountry

    code = (currency or "").strip().upper()
    if not code:
        if required or amount is not None:
            return {"currency": "Give the currency (ISO 4217, e.g. USD, EUR, XOF)."}
        return {}
    if pycountry.currencies.get(alpha_3=code) is None:
        return {"currency": f"{currency!r} is not an ISO 4217 currency code."}
    return {}


class CaseDecision(models.Model):
    """One step in a case's life: from which state to which, on which date, why, by whom
    (or automatically, by a rule). Written only by ``services.cases``; read through the
    case, so it is visible exactly where the case is."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="decisions")
    from_state = models.CharField(max_length=30, choices=CaseState.choices)
    to_state = models.CharField(max_length=30, choices=CaseState.choices)
    on = models.DateField()
    rationale = models.TextField()
    by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    automatic = models.BooleanField(default=False)
    # An automatic step's grounds, as references ([kind, id, …]: accountability.access.shown):
    # its rationale says only what happened, and each reader gets the grounds they may see.
    grounds = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} · {self.from_state} → {self.to_state} on {self.on}"


class Rating(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approve"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approve with conditions"
    DENIED = "denied", "Deny"


class RiskAssessment(ScopedModel):
    """One version of a case's risk assessment. A new version supersedes the previous one
    (versions are numbered by the service and never rewritten)."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="assessments")
    version = models.PositiveIntegerField(editable=False, default=0)
    recipient_record = models.TextField(help_text="The recipient's human-rights record.")
    corrective_steps = models.TextField(blank=True, help_text="Corrective steps it has taken.")
    leverage = models.TextField(blank=True, help_text="The provider's leverage.")
    mitigation_feasibility = models.TextField(blank=True)
    withholding_risk = models.TextField(
        blank=True, help_text="The risk of withholding support (to civilians, to the mandate)."
    )
    rating = models.CharField(max_length=10, choices=Rating.choices)
    decision = models.CharField(max_length=30, choices=Decision.choices)
    rationale = models.TextField()
    approver = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField()
    expires_on = models.DateField()
    classification = confidential()

    FIELDS = [
        "case",
        "recipient_record",
        "corrective_steps",
        "leverage",
        "mitigation_feasibility",
        "withholding_risk",
        "rating",
        "decision",
        "rationale",
        "approver",
        "assessed_on",
        "expires_on",
    ]

    class Meta:
        ordering = ["case", "-version", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="one_assessment_version")
        ]

    def __str__(self) -> str:
        # Never the case's title: the case may be more confidential than its assessment.
        return f"Risk assessment {self.pk or 'new'} (version {self.version or 'new'})"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not (self.rationale or "").strip():
            errors["rationale"] = "Every decision needs a written rationale."
        if self.assessed_on and self.expires_on and self.expires_on < self.assessed_on:
            errors["expires_on"] = "The assessment expires before it was made."
        if errors:
            raise ValidationError(errors)


class MitigatingMeasure(ScopedModel):
    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="measures")
    description = models.TextField()
    responsible = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who owns the measure.",
    )
    deadline = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True, help_text="What shows it was done.")
    classification = confidential()

    FIELDS = ["case", "description", "responsible", "deadline", "done_on", "evidence"]

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"Measure {self.pk or 'new'}: {self.description[:60]}"

    def clean(self) -> None:
        super().clean()
        if self.done_on and not self.evidence.strip():
            raise ValidationError({"evidence": "A measure marked done needs its evidence."})


class Confidence(models.TextChoices):
    UNVERIFIED = "unverified", "Unverified"
    LOW = "low", "Low"
    CREDIBLE = "credible", "Credible"
    CONFIRMED = "confirmed", "Confirmed"


class Violation(models.TextChoices):
    UNLAWFUL_KILLING = "unlawful_killing", "Unlawful killing"
    SEXUAL_VIOLENCE = "sexual_violence", "Sexual violence"
    TORTURE = "torture", "Torture or ill-treatment"
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", "Enforced disappearance"
    CHILD_RECRUITMENT = "child_recruitment", "Recruitment or use of children"
    ATTACK_ON_CIVILIANS = "attack_on_civilians", "Attack on civilians"
    ARBITRARY_DETENTION = "arbitrary_detention", "Arbitrary detention"
    LOOTING = "looting", "Looting or destruction of property"
    OTHER = "other", "Other"


class Allegation(ScopedModel):
    """A claim (not a finding) that a unit committed a violation. Recording a credible one
    against a supported unit, or a unit it belongs to, opens a review of the support."""

    unit = models.ForeignKey(SecurityUnit, on_delete=models.PROTECT, related_name="allegations")
    violation = models.CharField(max_length=30, choices=Violation.choices)
    confidence = models.CharField(max_length=12, choices=Confidence.choices)
    summary = models.TextField()
    source = EncryptedTextField(
        blank=True,
        help_text="Who reported it. Encrypted at rest; shown only to those entitled, "
        "pseudonymised in exports.",
    )
    occurred_from = models.DateField(null=True, blank=True)
    occurred_to = models.DateField(null=True, blank=True)
    place = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place_name = models.CharField(max_length=200, blank=True)
    recorded = models.DateField(help_text="When it reached us: the clock for 'unresolved'.")
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    classification = confidential()

    FIELDS = [
        "unit",
        "violation",
        "confidence",
        "summary",
        "source",
        "occurred_from",
        "occurred_to",
        "place",
        "place_name",
        "recorded",
        "resolved_on",
        "resolution",
    ]

    class Meta:
        ordering = ["-recorded", "pk"]

    def __str__(self) -> str:
        return f"Allegation {self.pk or 'new'}: {self.get_violation_display()}"

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.occurred_from, self.occurred_to)
        if errors:
            errors = {"occurred_to": errors["end"]}
        if self.resolved_on and not self.resolution.strip():
            errors["resolution"] = "Say how it was resolved."
        if self.resolved_on and self.recorded and self.resolved_on < self.recorded:
            errors["resolved_on"] = "Resolved before it was recorded."
        if errors:
            raise ValidationError(errors)


class Intercession(ScopedModel):
    """A concern raised with the recipient's authorities: what, with whom, the response,
    and the deadline after which an unresolved intercession recommends suspension."""

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="intercessions")
    raised_on = models.DateField()
    raised_with = models.CharField(max_length=300)
    what = models.TextField(help_text="What was raised.")
    response = models.TextField(blank=True)
    deadline = models.DateField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    classification = confidential()

    FIELDS = ["case", "raised_on", "raised_with", "what", "response", "deadline", "resolved_on"]

    class Meta:
        ordering = ["-raised_on", "pk"]

    def __str__(self) -> str:
        return f"Intercession {self.pk or 'new'} with {self.raised_with}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.deadline and self.raised_on and self.deadline < self.raised_on:
            errors["deadline"] = "The deadline is before the intercession was raised."
        if self.resolved_on and not self.response.strip():
            errors["response"] = "Record the response that resolved it."
        if errors:
            raise ValidationError(errors)
