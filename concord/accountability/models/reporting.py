"""Accountability: to whom each operation answers and through what (the web of
accountability), and the reporting obligations that follow, with the reports filed against
them. One report can satisfy several obligations ("report once, use many")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.models import Classification, Organisation, ScopedModel
from concord.core.sources import sources_problem
from concord.operations.models import Operation


class Body(models.TextChoices):
    SECURITY_COUNCIL = "security_council", _("UN Security Council")
    AU_PSC = "au_psc", _("AU Peace and Security Council")
    EU_PSC = "eu_psc", _("EU Political and Security Committee")
    OTHER_MULTILATERAL = "other_multilateral", _("Other multilateral body")
    HOST_STATE = "host_state", _("Host state")
    CONTRIBUTORS = "contributors", _("Troop and police contributors")
    DONORS = "donors", _("Donors")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    LOCAL_POPULATION = "local_population", _("Local population")


class Mechanism(models.TextChoices):
    MANDATE_REPORTING = "mandate_reporting", _("Mandate reporting")
    SOFA = "sofa", _("Status-of-forces agreement")
    MOU = "mou", _("Memorandum of understanding")
    OVERSIGHT = "oversight", _("Oversight mechanism")
    COMPLAINTS = "complaints", _("Complaints or feedback mechanism")
    HUMAN_RIGHTS_MONITORING = "human_rights_monitoring", _("Human-rights monitoring")


def confidential():
    """The classification field of records that default to confidential."""
    return models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.CONFIDENTIAL
    )


def period_errors(start, end) -> dict:
    return (
        {"end": gettext("The end date is before the start date.")}
        if start and end and end < start
        else {}
    )


class AccountabilityLine(ScopedModel):
    """One line of an operation's web of accountability: to whom, through what, how often,
    and the documents behind it."""

    operation = models.ForeignKey(
        Operation,
        on_delete=models.CASCADE,
        related_name="accountability_lines",
        verbose_name=_("operation"),
    )
    body = models.CharField(max_length=30, choices=Body.choices, verbose_name=_("body"))
    to_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The body itself where it is in the registry (a donor, a host government)."),
        verbose_name=_("to organisation"),
    )
    mechanism = models.CharField(
        max_length=30, choices=Mechanism.choices, verbose_name=_("mechanism")
    )
    frequency = models.CharField(
        max_length=100, blank=True, help_text=_("e.g. every 90 days"), verbose_name=_("frequency")
    )
    start = models.DateField(null=True, blank=True, verbose_name=_("start"))
    end = models.DateField(null=True, blank=True, verbose_name=_("end"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    sources = models.JSONField(
        default=list, blank=True, help_text=_("The documents behind it."), verbose_name=_("sources")
    )

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
        Operation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="obligations",
        verbose_name=_("reporter operation"),
    )
    reporter_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reporter organisation"),
    )
    body = models.CharField(
        max_length=30, choices=Body.choices, help_text=_("Reports to whom."), verbose_name=_("body")
    )
    to_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to organisation"),
    )
    subject = models.CharField(max_length=300, verbose_name=_("subject"))
    every_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("A report every N days from the first due date (1 to 3660)…"),
        verbose_name=_("every days"),
    )
    fixed_dates = models.JSONField(
        default=list,
        blank=True,
        help_text=_("… or on these dates each year (MM-DD)."),
        verbose_name=_("fixed dates"),
    )
    first_due = models.DateField(verbose_name=_("first due"))
    until = models.DateField(
        null=True, blank=True, help_text=_("Empty: until further notice."), verbose_name=_("until")
    )
    grace_days = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(366)],
        help_text=_("Days after a due date before a missing report is overdue (0 to 366)."),
        verbose_name=_("grace days"),
    )
    sources = models.JSONField(default=list, blank=True, verbose_name=_("sources"))

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
            errors["reporter_operation"] = gettext(
                "Give the reporter: an operation or an organisation."
            )
        problem = analysis.schedule_problem(self.every_days, self.fixed_dates)
        if problem:
            errors["every_days"] = problem
        if self.first_due and self.until and self.until < self.first_due:
            errors["until"] = gettext("The end is before the first due date.")
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if errors:
            raise ValidationError(errors)


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for revision")


class Report(ScopedModel):
    """A report filed: the period it covers, when it was submitted, what became of it, and
    every obligation it satisfies."""

    title = models.CharField(max_length=300, verbose_name=_("title"))
    obligations = models.ManyToManyField(
        ReportingObligation, related_name="reports", verbose_name=_("obligations")
    )
    period_start = models.DateField(null=True, blank=True, verbose_name=_("period start"))
    period_end = models.DateField(null=True, blank=True, verbose_name=_("period end"))
    submitted = models.DateField(verbose_name=_("submitted"))
    status = models.CharField(
        max_length=20,
        choices=ReportStatus.choices,
        default=ReportStatus.SUBMITTED,
        verbose_name=_("status"),
    )
    attachments = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The document: fact | citation | link."),
        verbose_name=_("attachments"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    # The review, by the organisation the report is owed to (services.reporting.review):
    # never among FIELDS, so no form, import or API write of the author sets it.
    reviewed_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    review_note = models.TextField(blank=True, verbose_name=_("review note"))

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

    name = models.CharField(max_length=300, verbose_name=_("name"))
    country = models.ForeignKey(
        "core.Country",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Its state."),
        verbose_name=_("country"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("The unit or force it answers to."),
        verbose_name=_("parent"),
    )
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The unit it was renamed into or merged into."),
        verbose_name=_("successor"),
    )
    start = models.DateField(null=True, blank=True, verbose_name=_("start"))
    end = models.DateField(null=True, blank=True, verbose_name=_("end"))
    note = models.TextField(blank=True, verbose_name=_("note"))

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
                    errors[field] = (
                        gettext("A unit cannot be its own parent (directly or further on).")
                        if field == "parent"
                        else gettext("A unit cannot be its own successor (directly or further on).")
                    )
                    break
                seen.add(node.pk)
                node = getattr(node, step)
        if errors:
            raise ValidationError(errors)


class UnitCommand(ScopedModel):
    """Who commanded a unit, from when to when (a person in the registry, or a name)."""

    unit = models.ForeignKey(
        SecurityUnit, on_delete=models.CASCADE, related_name="commands", verbose_name=_("unit")
    )
    commander = models.ForeignKey(
        "core.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commander"),
    )
    commander_name = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Where the commander is not in the registry."),
        verbose_name=_("commander name"),
    )
    rank = models.CharField(max_length=100, blank=True, verbose_name=_("rank"))
    start = models.DateField(null=True, blank=True, verbose_name=_("start"))
    end = models.DateField(null=True, blank=True, verbose_name=_("end"))

    classification = confidential()  # due-diligence and funding records

    FIELDS = ["unit", "commander", "commander_name", "rank", "start", "end"]

    class Meta:
        ordering = ["unit", "-start", "pk"]

    def __str__(self) -> str:
        return gettext("Command %(pk)s") % {"pk": self.pk or gettext("new")}

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.start, self.end)
        if self.commander_id is None and not self.commander_name.strip():
            errors["commander"] = gettext(
                "Name the commander: a person in the registry, or a name."
            )
        if errors:
            raise ValidationError(errors)
