"""Accountability: to whom each operation answers and through what (the web of
accountability), and the reporting obligations that follow, with the reports filed against
them. One report can satisfy several obligations ("report once, use many")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from concord.core.models import Classification, Organisation, ScopedModel
from concord.core.sources import sources_problem
from concord.operations.models import Operation


class Body(models.TextChoices):
    SECURITY_COUNCIL = "security_council", "UN Security Council"
    AU_PSC = "au_psc", "AU Peace and Security Council"
    EU_PSC = "eu_psc", "EU Political and Security Committee"
    OTHER_MULTILATERAL = "other_multilateral", "Other multilateral body"
    HOST_STATE = "host_state", "Host state"
    CONTRIBUTORS = "contributors", "Troop and police contributors"
    DONORS = "donors", "Donors"
    CIVIL_SOCIETY = "civil_society", "Civil society"
    LOCAL_POPULATION = "local_population", "Local population"


class Mechanism(models.TextChoices):
    MANDATE_REPORTING = "mandate_reporting", "Mandate reporting"
    SOFA = "sofa", "Status-of-forces agreement"
    MOU = "mou", "Memorandum of understanding"
    OVERSIGHT = "oversight", "Oversight mechanism"
    COMPLAINTS = "complaints", "Complaints or feedback mechanism"
    HUMAN_RIGHTS_MONITORING = "human_rights_monitoring", "Human-rights monitoring"


def confidential():
    """The classification field of records that default to confidential."""
    return models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.CONFIDENTIAL
    )


def period_errors(start, end) -> dict:
    return (
        {"end": "The end date is before the start date."} if start and end and end < start else {}
    )


class AccountabilityLine(ScopedModel):
    """One line of an operation's web of accountability: to whom, through what, how often,
    and the documents behind it."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="accountability_lines"
    )
    body = models.CharField(max_length=30, choices=Body.choices)
    to_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The body itself where it is in the registry (a donor, a host government).",
    )
    mechanism = models.CharField(max_length=30, choices=Mechanism.choices)
    frequency = models.CharField(max_length=100, blank=True, help_text="e.g. every 90 days")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="The documents behind it.")

    FIELDS = [
        "operation",
        "body",
        "to_organisation",
        "mechanism",
        "frequency",
        "start",
        "end",
        "note",
        "sources",
    ]

    class Meta:
        ordering = ["operation", "body", "pk"]

    def __str__(self) -> str:
        return f"{self.get_body_display()} · {self.get_mechanism_display()}"

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.start, self.end)
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if errors:
            raise ValidationError(errors)


class ReportingObligation(ScopedModel):
    """Who reports to whom, on what, how often (every N days, or on fixed dates each year),
    from when and until when, and the resolution or agreement that requires it."""

    reporter_operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.CASCADE, related_name="obligations"
    )
    reporter_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.CharField(max_length=30, choices=Body.choices, help_text="Reports to whom.")
    to_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(max_length=300)
    every_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text="A report every N days from the first due date (1 to 3660)…",
    )
    fixed_dates = models.JSONField(
        default=list, blank=True, help_text="… or on these dates each year (MM-DD)."
    )
    first_due = models.DateField()
    until = models.DateField(null=True, blank=True, help_text="Empty: until further notice.")
    grace_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(366)],
        help_text="Days after a due date before a missing report is overdue (0 to 366).",
    )
    sources = models.JSONField(default=list, blank=True)

    FIELDS = [
        "reporter_operation",
        "reporter_organisation",
        "body",
        "to_organisation",
        "subject",
        "every_days",
        "fixed_dates",
        "first_due",
        "until",
        "grace_days",
        "sources",
    ]

    class Meta:
        ordering = ["first_due", "pk"]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        from .. import analysis

        super().clean()
        errors = {}
        if (self.reporter_operation_id is None) == (self.reporter_organisation_id is None):
            errors["reporter_operation"] = "Give the reporter: an operation or an organisation."
        problem = analysis.schedule_problem(self.every_days, self.fixed_dates)
        if problem:
            errors["every_days"] = problem
        if self.first_due and self.until and self.until < self.first_due:
            errors["until"] = "The end is before the first due date."
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if errors:
            raise ValidationError(errors)


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned for revision"


class Report(ScopedModel):
    """A report filed: the period it covers, when it was submitted, what became of it, and
    every obligation it satisfies."""

    title = models.CharField(max_length=300)
    obligations = models.ManyToManyField(ReportingObligation, related_name="reports")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    submitted = models.DateField()
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    attachments = models.JSONField(
        default=list, blank=True, help_text="The document: fact | citation | link."
    )
    note = models.TextField(blank=True)
    # The review, by the organisation the report is owed to (services.reporting.review):
    # never among FIELDS, so no form, import or API write of the author sets it.
    reviewed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    FIELDS = [
        "title",
        "obligations",
        "period_start",
        "period_end",
        "submitted",
        "status",
        "attachments",
        "note",
    ]

    class Meta:
        ordering = ["-submitted", "-pk"]
        indexes = [
            models.Index(fields=["submitted", "id"], name="acc_report_submitted_id"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.period_start, self.period_end)
        if errors:
            errors = {"period_end": errors["end"]}
        problem = sources_problem(self.attachments)
        if problem:
            errors["attachments"] = problem
        if errors:
            raise ValidationError(errors)


# --- human-rights due diligence: the recipients ------------------------------------------------


class SecurityUnit(ScopedModel):
    """A security-force unit that receives (or may receive) support: where it sits in its
    chain of command, and, once renamed or merged, the unit it became (its lineage)."""

    name = models.CharField(max_length=300)
    country = models.ForeignKey(
        "core.Country", on_delete=models.PROTECT, related_name="+", help_text="Its state."
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The unit or force it answers to.",
    )
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text="The unit it was renamed into or merged into.",
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    classification = confidential()  # due-diligence and funding records

    FIELDS = ["name", "country", "parent", "successor", "start", "end", "note"]

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.start, self.end)
        for field, step in (("parent", "parent"), ("successor", "successor")):
            node, seen = getattr(self, step), set()
            while node is not None:
                if (self.pk is not None and node.pk == self.pk) or node.pk in seen:
                    errors[field] = f"A unit cannot be its own {field} (directly or further on)."
                    break
                seen.add(node.pk)
                node = getattr(node, step)
        if errors:
            raise ValidationError(errors)


class UnitCommand(ScopedModel):
    """Who commanded a unit, from when to when (a person in the registry, or a name)."""

    unit = models.ForeignKey(SecurityUnit, on_delete=models.CASCADE, related_name="commands")
    commander = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commander_name = models.CharField(
        max_length=300, blank=True, help_text="Where the commander is not in the registry."
    )
    rank = models.CharField(max_length=100, blank=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    classification = confidential()  # due-diligence and funding records

    FIELDS = ["unit", "commander", "commander_name", "rank", "start", "end"]

    class Meta:
        ordering = ["unit", "-start", "pk"]

    def __str__(self) -> str:
        return f"Command {self.pk or 'new'}"

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.start, self.end)
        if self.commander_id is None and not self.commander_name.strip():
            errors["commander"] = "Name the commander: a person in the registry, or a name."
        if errors:
            raise ValidationError(errors)
