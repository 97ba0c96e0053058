"""Human-rights due diligence (HRDDP) cases: support to a security-force unit, its versioned
risk assessments, mitigating measures, the allegations against units and the intercessions
made. A case's state changes only through ``services.cases.decide`` (rules in
``analysis.cases``); each decision is kept as a :class:`CaseDecision` with its rationale.

All these records default to confidential; an allegation's source is encrypted at rest."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.crypto import EncryptedTextField
from concord.core.models import Organisation, ScopedModel
from concord.core.models.labels import ChoiceLabels
from concord.operations.models import Operation

from .reporting import SecurityUnit, confidential, period_errors


class SupportKind(models.TextChoices):
    TRAINING = "training", _("Training")
    PAY = "pay", _("Pay or allowances")
    LOGISTICS = "logistics", _("Logistics")
    OPERATIONAL = "operational", _("Operational support")
    FIRE = "fire", _("Fire support")
    JOINT = "joint_operations", _("Joint operations")
    OTHER = "other", _("Other")


class CaseState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ASSESSED = "assessed", _("Assessed")
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
    DENIED = "denied", _("Denied")
    ACTIVE = "active", _("Active")
    UNDER_REVIEW = "under_review", _("Under review")
    INTERCESSION = "intercession", _("Intercession")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SupportCase(ScopedModel):
    """Support from a provider to a security-force unit, and where its due diligence stands."""

    title = models.CharField(max_length=300, verbose_name=_("title"))
    operation = models.ForeignKey(
        Operation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_cases",
        help_text=_("The operation giving the support (its register lists the case)."),
        verbose_name=_("operation"),
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who gives it."),
        verbose_name=_("provider"),
    )
    unit = models.ForeignKey(
        SecurityUnit,
        on_delete=models.PROTECT,
        related_name="support_cases",
        help_text=_("The recipient unit."),
        verbose_name=_("unit"),
    )
    kind = models.CharField(max_length=20, choices=SupportKind.choices, verbose_name=_("kind"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    value = models.DecimalField(
        max_digits=18, decimal_places=2, null=True, blank=True, verbose_name=_("value")
    )
    currency = models.CharField(
        max_length=3, blank=True, help_text=_("ISO 4217, e.g. USD."), verbose_name=_("currency")
    )
    start = models.DateField(null=True, blank=True, verbose_name=_("start"))
    end = models.DateField(null=True, blank=True, verbose_name=_("end"))
    state = models.CharField(
        max_length=30,
        choices=CaseState.choices,
        default=CaseState.PROPOSED,
        editable=False,
        verbose_name=_("state"),
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
            return {"currency": gettext("Give the currency (ISO 4217, e.g. USD, EUR, XOF).")}
        return {}
    if pycountry.currencies.get(alpha_3=code) is None:
        return {
            "currency": gettext("%(code)r is not an ISO 4217 currency code.") % {"code": currency}
        }
    return {}


class CaseDecision(ChoiceLabels, models.Model):
    """One step in a case's life: from which state to which, on which date, why, by whom
    (or automatically, by a rule). Written only by ``services.cases``; read through the
    case, so it is visible exactly where the case is."""

    case = models.ForeignKey(
        SupportCase, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("case")
    )
    from_state = models.CharField(
        max_length=30, choices=CaseState.choices, verbose_name=_("from state")
    )
    to_state = models.CharField(
        max_length=30, choices=CaseState.choices, verbose_name=_("to state")
    )
    on = models.DateField(verbose_name=_("on"))
    rationale = models.TextField(verbose_name=_("rationale"))
    by = models.ForeignKey(
        "core.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    automatic = models.BooleanField(default=False, verbose_name=_("automatic"))
    # An automatic step's grounds, as references ([kind, id, …]: accountability.access.shown):
    # its rationale says only what happened, and each reader gets the grounds they may see.
    grounds = models.JSONField(default=list, blank=True, verbose_name=_("grounds"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=_("at"))

    class Meta:
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return gettext("%(case)s · %(before)s → %(after)s on %(on)s") % {
            "case": self.case,
            "before": self.from_state,
            "after": self.to_state,
            "on": self.on,
        }


class Rating(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approve")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approve with conditions")
    DENIED = "denied", _("Deny")


class RiskAssessment(ScopedModel):
    """One version of a case's risk assessment. A new version supersedes the previous one
    (versions are numbered by the service and never rewritten)."""

    case = models.ForeignKey(
        SupportCase, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("case")
    )
    version = models.PositiveIntegerField(editable=False, default=0, verbose_name=_("version"))
    recipient_record = models.TextField(
        help_text=_("The recipient's human-rights record."), verbose_name=_("recipient record")
    )
    corrective_steps = models.TextField(
        blank=True,
        help_text=_("Corrective steps it has taken."),
        verbose_name=_("corrective steps"),
    )
    leverage = models.TextField(
        blank=True, help_text=_("The provider's leverage."), verbose_name=_("leverage")
    )
    mitigation_feasibility = models.TextField(blank=True, verbose_name=_("mitigation feasibility"))
    withholding_risk = models.TextField(
        blank=True,
        help_text=_("The risk of withholding support (to civilians, to the mandate)."),
        verbose_name=_("withholding risk"),
    )
    rating = models.CharField(max_length=10, choices=Rating.choices, verbose_name=_("rating"))
    decision = models.CharField(max_length=30, choices=Decision.choices, verbose_name=_("decision"))
    rationale = models.TextField(verbose_name=_("rationale"))
    approver = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approver"),
    )
    assessed_on = models.DateField(verbose_name=_("assessed on"))
    expires_on = models.DateField(verbose_name=_("expires on"))
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
        new = gettext("new")
        return gettext("Risk assessment %(pk)s (version %(version)s)") % {
            "pk": self.pk or new,
            "version": self.version or new,
        }

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not (self.rationale or "").strip():
            errors["rationale"] = gettext("Every decision needs a written rationale.")
        if self.assessed_on and self.expires_on and self.expires_on < self.assessed_on:
            errors["expires_on"] = gettext("The assessment expires before it was made.")
        if errors:
            raise ValidationError(errors)


class MitigatingMeasure(ScopedModel):
    case = models.ForeignKey(
        SupportCase, on_delete=models.CASCADE, related_name="measures", verbose_name=_("case")
    )
    description = models.TextField(verbose_name=_("description"))
    responsible = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who owns the measure."),
        verbose_name=_("responsible"),
    )
    deadline = models.DateField(verbose_name=_("deadline"))
    done_on = models.DateField(null=True, blank=True, verbose_name=_("done on"))
    evidence = models.TextField(
        blank=True, help_text=_("What shows it was done."), verbose_name=_("evidence")
    )
    classification = confidential()

    FIELDS = ["case", "description", "responsible", "deadline", "done_on", "evidence"]

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return gettext("Measure %(pk)s: %(description)s") % {
            "pk": self.pk or gettext("new"),
            "description": self.description[:60],
        }

    def clean(self) -> None:
        super().clean()
        if self.done_on and not self.evidence.strip():
            raise ValidationError(
                {"evidence": gettext("A measure marked done needs its evidence.")}
            )


class Confidence(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    LOW = "low", _("Low")
    CREDIBLE = "credible", _("Credible")
    CONFIRMED = "confirmed", _("Confirmed")


class Violation(models.TextChoices):
    UNLAWFUL_KILLING = "unlawful_killing", _("Unlawful killing")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    TORTURE = "torture", _("Torture or ill-treatment")
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", _("Enforced disappearance")
    CHILD_RECRUITMENT = "child_recruitment", _("Recruitment or use of children")
    ATTACK_ON_CIVILIANS = "attack_on_civilians", _("Attack on civilians")
    ARBITRARY_DETENTION = "arbitrary_detention", _("Arbitrary detention")
    LOOTING = "looting", _("Looting or destruction of property")
    OTHER = "other", _("Other")


class Allegation(ScopedModel):
    """A claim (not a finding) that a unit committed a violation. Recording a credible one
    against a supported unit, or a unit it belongs to, opens a review of the support."""

    unit = models.ForeignKey(
        SecurityUnit, on_delete=models.PROTECT, related_name="allegations", verbose_name=_("unit")
    )
    violation = models.CharField(
        max_length=30, choices=Violation.choices, verbose_name=_("violation")
    )
    confidence = models.CharField(
        max_length=12, choices=Confidence.choices, verbose_name=_("confidence")
    )
    summary = models.TextField(verbose_name=_("summary"))
    source = EncryptedTextField(
        blank=True,
        help_text=_(
            "Who reported it. Encrypted at rest; shown only to those entitled, "
            "pseudonymised in exports."
        ),
        verbose_name=_("source"),
    )
    occurred_from = models.DateField(null=True, blank=True, verbose_name=_("occurred from"))
    occurred_to = models.DateField(null=True, blank=True, verbose_name=_("occurred to"))
    place = models.ForeignKey(
        "core.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("place"),
    )
    place_name = models.CharField(max_length=200, blank=True, verbose_name=_("place name"))
    recorded = models.DateField(
        help_text=_("When it reached us: the clock for 'unresolved'."), verbose_name=_("recorded")
    )
    resolved_on = models.DateField(null=True, blank=True, verbose_name=_("resolved on"))
    resolution = models.TextField(blank=True, verbose_name=_("resolution"))
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
        return gettext("Allegation %(pk)s: %(violation)s") % {
            "pk": self.pk or gettext("new"),
            "violation": self.get_violation_display(),
        }

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.occurred_from, self.occurred_to)
        if errors:
            errors = {"occurred_to": errors["end"]}
        if self.resolved_on and not self.resolution.strip():
            errors["resolution"] = gettext("Say how it was resolved.")
        if self.resolved_on and self.recorded and self.resolved_on < self.recorded:
            errors["resolved_on"] = gettext("Resolved before it was recorded.")
        if errors:
            raise ValidationError(errors)


class Intercession(ScopedModel):
    """A concern raised with the recipient's authorities: what, with whom, the response,
    and the deadline after which an unresolved intercession recommends suspension."""

    case = models.ForeignKey(
        SupportCase, on_delete=models.CASCADE, related_name="intercessions", verbose_name=_("case")
    )
    raised_on = models.DateField(verbose_name=_("raised on"))
    raised_with = models.CharField(max_length=300, verbose_name=_("raised with"))
    what = models.TextField(help_text=_("What was raised."), verbose_name=_("what"))
    response = models.TextField(blank=True, verbose_name=_("response"))
    deadline = models.DateField(null=True, blank=True, verbose_name=_("deadline"))
    resolved_on = models.DateField(null=True, blank=True, verbose_name=_("resolved on"))
    classification = confidential()

    FIELDS = ["case", "raised_on", "raised_with", "what", "response", "deadline", "resolved_on"]

    class Meta:
        ordering = ["-raised_on", "pk"]

    def __str__(self) -> str:
        return gettext("Intercession %(pk)s with %(with)s") % {
            "pk": self.pk or gettext("new"),
            "with": self.raised_with,
        }

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.deadline and self.raised_on and self.deadline < self.raised_on:
            errors["deadline"] = gettext("The deadline is before the intercession was raised.")
        if self.resolved_on and not self.response.strip():
            errors["response"] = gettext("Record the response that resolved it.")
        if errors:
            raise ValidationError(errors)
