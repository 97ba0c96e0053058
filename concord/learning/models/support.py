"""The catalogue of modular support: what institutions offer coalitions and regional
operations (expertise, accountability mechanisms), and the requests for it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.models import ScopedModel, User
from concord.operations.models import Operation


class SupportArea(models.TextChoices):
    PLANNING = "planning", _("Planning")
    HRDD = "hr_due_diligence", _("Human-rights due diligence")
    MEDIATION = "mediation_support", _("Mediation support")
    CIVILIAN_HARM = "civilian_harm_tracking", _("Civilian harm tracking")
    LESSONS = "lessons_learned", _("Lessons learned")
    LOGISTICS = "logistics", _("Logistics")
    REPORTING = "reporting_templates", _("Reporting templates")
    COMPLIANCE = "compliance_monitoring", _("Compliance monitoring")
    CONDUCT = "conduct_discipline", _("Conduct and discipline")
    COMPLAINTS = "complaint_mechanism", _("Complaint mechanism")


# The areas that are accountability mechanisms (the others are expertise).
ACCOUNTABILITY_AREAS = frozenset(
    {
        SupportArea.REPORTING,
        SupportArea.COMPLIANCE,
        SupportArea.CONDUCT,
        SupportArea.COMPLAINTS,
    }
)


class SupportModule(ScopedModel):
    """What an institution offers coalitions and regional operations: expertise or an
    accountability mechanism, with its conditions, capacity, lead time and contact point.
    The owner is the offering institution."""

    title = models.CharField(max_length=200, verbose_name=_("title"))
    area = models.CharField(max_length=30, choices=SupportArea.choices, verbose_name=_("area"))
    description = models.TextField(verbose_name=_("what is offered"))
    conditions = models.TextField(
        blank=True,
        help_text=_("What the receiving operation must accept."),
        verbose_name=_("conditions"),
    )
    capacity = models.CharField(max_length=200, blank=True, verbose_name=_("capacity"))
    lead_time_days = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("lead time (days)")
    )
    contact = models.CharField(
        max_length=200,
        help_text=_("The office to ask (not a person's private details)."),
        verbose_name=_("contact point"),
    )
    available_from = models.DateField(null=True, blank=True, verbose_name=_("offered from"))
    available_until = models.DateField(null=True, blank=True, verbose_name=_("offered until"))
    sources = models.JSONField(default=list, blank=True, verbose_name=_("sources"))

    FIELDS = [
        "title",
        "area",
        "description",
        "conditions",
        "capacity",
        "lead_time_days",
        "contact",
        "available_from",
        "available_until",
        "sources",
    ]

    class Meta:
        ordering = ["area", "title", "pk"]
        verbose_name = _("support module")
        verbose_name_plural = _("support modules")

    def __str__(self) -> str:
        return self.title

    @property
    def is_accountability(self) -> bool:
        return self.area in ACCOUNTABILITY_AREAS

    def clean(self) -> None:
        super().clean()
        if (
            self.available_from
            and self.available_until
            and self.available_until < self.available_from
        ):
            raise ValidationError({"available_until": gettext("The offer ends before it starts.")})


class RequestState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ALTERNATIVE = "alternative", _("Alternative proposed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SupportRequest(ScopedModel):
    """An operation asks for a module. The owner is the requesting organisation; the
    offering institution answers (accepts, declines, or proposes another module) through
    ``services.answer_request``, and always sees the request."""

    module = models.ForeignKey(
        SupportModule, on_delete=models.PROTECT, related_name="requests", verbose_name=_("module")
    )
    operation = models.ForeignKey(
        Operation,
        on_delete=models.CASCADE,
        related_name="support_requests",
        verbose_name=_("operation"),
    )
    need = models.TextField(verbose_name=_("what is needed"))
    wanted_from = models.DateField(verbose_name=_("wanted from"))
    wanted_until = models.DateField(null=True, blank=True, verbose_name=_("wanted until"))
    state = models.CharField(
        max_length=20,
        choices=RequestState.choices,
        default=RequestState.REQUESTED,
        editable=False,
        verbose_name=_("state"),
    )
    answer = models.TextField(blank=True, editable=False, verbose_name=_("answer"))
    alternative = models.ForeignKey(
        SupportModule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("alternative proposed"),
    )
    answered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    answered_on = models.DateField(
        null=True, blank=True, editable=False, verbose_name=_("answered on")
    )

    FIELDS = ["module", "operation", "need", "wanted_from", "wanted_until"]

    class Meta:
        ordering = ["-wanted_from", "pk"]
        indexes = [models.Index(fields=["state"])]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")

    def __str__(self) -> str:
        # its own fields only (see Disposition.__str__): its module or operation may be
        # hidden from a reader of the request
        return gettext("Support request: %(need)s") % {"need": self.need[:80]}

    def clean(self) -> None:
        super().clean()
        if self.wanted_from and self.wanted_until and self.wanted_until < self.wanted_from:
            raise ValidationError({"wanted_until": gettext("The end is before the start.")})
        if self.pk:
            before = (
                SupportRequest.objects.filter(pk=self.pk)
                .values_list("state", "module_id", "operation_id")
                .first()
            )
            if (
                before
                and before[0] == RequestState.ACCEPTED
                and (before[1], before[2]) != (self.module_id, self.operation_id)
            ):
                raise ValidationError(
                    {
                        "module": gettext(
                            "An accepted request keeps its module and its operation: make a "
                            "new request instead."
                        )
                    }
                )

    def in_force_on(self, day) -> bool:
        return (
            self.state == RequestState.ACCEPTED
            and self.wanted_from <= day
            and (self.wanted_until is None or day <= self.wanted_until)
        )
