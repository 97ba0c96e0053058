"""Requests for experts on a 72-hour clock, their shortlists (each candidate screened for
conflicts of interest and alerted through a one-use link) and the deployments that fill them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from concord.core.models import Classification, Country, Organisation, ScopedModel, Space, User
from concord.core.models.labels import ChoiceLabels
from concord.operations.models import Operation

from .experts import Cefr, Expert, ExpertiseArea, Level, language_problem


class Mode(models.TextChoices):
    REMOTE = "remote", _("Remote")
    IN_PERSON = "in_person", _("In person")
    EITHER = "either", _("Remote or in person")


class GenderRule(models.TextChoices):
    POLICY = "policy", _("At least one woman and one man on a shortlist of two or more")
    NONE = "none", _("No rule for this request")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", _("Closed unfilled")
    CANCELLED = "cancelled", pgettext_lazy("request for experts", "Cancelled")


class Step(models.TextChoices):
    """The 72-hour clock, in order."""

    RECEIVED = "received", _("Request received")
    ALERT_SENT = "alert_sent", _("Alert sent")
    RESPONSES = "responses", _("Responses in")
    SHORTLIST = "shortlist", _("Shortlist made")
    NOMINATION = "nomination", _("Nomination")
    CONSENT = "consent", _("Requester's consent")
    CONTRACTING = "contracting", _("Contracting and clearance")
    TRAVEL = "travel", _("Travel")
    ARRIVAL = "arrival", _("Arrival or remote start")


def _confidential() -> int:
    return Classification.CONFIDENTIAL


class ExpertRequest(ScopedModel):
    """A request for expert support by an envoy, a mission, a regional organisation or a
    member state. The owner is whoever answers it (the roster's keeper)."""

    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=_confidential
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    requester = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    process = models.CharField(
        max_length=200,
        help_text=_("The peace process supported; the same words name the same process."),
        verbose_name=_("process"),
    )
    operation = models.ForeignKey(
        Operation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("operation"),
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="+", verbose_name=_("countries")
    )
    parties = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        help_text=_("The conflict parties: experts are screened against them."),
        verbose_name=_("conflict parties"),
    )
    stakeholders = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        help_text=_("Donors and others with a stake in the process."),
        verbose_name=_("stakeholders"),
    )
    description = models.TextField(blank=True, verbose_name=_("what is needed"))
    mode = models.CharField(
        max_length=10,
        choices=Mode.choices,
        default=Mode.EITHER,
        verbose_name=_("remote or in person"),
    )
    location = models.CharField(max_length=200, blank=True, verbose_name=_("location"))
    start = models.DateField(verbose_name=_("start"))
    duration_days = models.PositiveIntegerField(verbose_name=_("duration (days)"))
    team_size = models.PositiveSmallIntegerField(default=1, verbose_name=_("experts wanted"))
    shortlist_size = models.PositiveSmallIntegerField(default=3, verbose_name=_("shortlist size"))
    gender_rule = models.CharField(
        max_length=10,
        choices=GenderRule.choices,
        default=GenderRule.POLICY,
        verbose_name=_("gender balance"),
    )
    clearance_needed = models.PositiveSmallIntegerField(
        choices=Classification.choices,
        default=Classification.INTERNAL,
        verbose_name=_("clearance needed"),
    )
    space = models.ForeignKey(
        Space,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Deployed experts with an account join it for their deployment."),
        verbose_name=_("space"),
    )
    received_at = models.DateTimeField(verbose_name=_("received at"))
    state = models.CharField(
        max_length=10,
        choices=RequestState.choices,
        default=RequestState.OPEN,
        editable=False,
        verbose_name=_("state"),
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("closed at")
    )

    FIELDS = [
        "title",
        "requester",
        "process",
        "operation",
        "countries",
        "parties",
        "stakeholders",
        "description",
        "mode",
        "location",
        "start",
        "duration_days",
        "team_size",
        "shortlist_size",
        "gender_rule",
        "clearance_needed",
        "space",
        "received_at",
    ]

    class Meta:
        ordering = ["-received_at", "pk"]
        indexes = [models.Index(fields=["state", "start"])]
        verbose_name = _("request for experts")
        verbose_name_plural = _("requests for experts")

    def __str__(self) -> str:
        return self.title

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=max(self.duration_days, 1) - 1)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.duration_days is not None and self.duration_days < 1:
            errors["duration_days"] = gettext("A deployment lasts at least one day.")
        if self.team_size is not None and self.team_size < 1:
            errors["team_size"] = gettext("Ask for at least one expert.")
        if (
            self.team_size is not None
            and self.shortlist_size is not None
            and self.shortlist_size < self.team_size
        ):
            errors["shortlist_size"] = gettext(
                "The shortlist must hold at least as many experts as are wanted."
            )
        if errors:
            raise ValidationError(errors)


class Requirement(ChoiceLabels, models.Model):
    """Expertise a request wants: required (an expert without it is not matched) or desirable."""

    request = models.ForeignKey(
        ExpertRequest, on_delete=models.CASCADE, related_name="requirements"
    )
    area = models.ForeignKey(
        ExpertiseArea,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("expertise", "area"),
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices, verbose_name=_("level"))
    required = models.BooleanField(default=True, verbose_name=_("required"))

    class Meta:
        ordering = ["-required", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "area"], name="roster_requirement_once")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} ≥ {self.level}"


class LanguageNeed(ChoiceLabels, models.Model):
    """A language the request's team must cover (required) or would like (desirable)."""

    request = models.ForeignKey(ExpertRequest, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(max_length=3, verbose_name=_("language"))
    level = models.PositiveSmallIntegerField(
        choices=Cefr.choices, default=Cefr.C1, verbose_name=_("level")
    )
    required = models.BooleanField(default=True, verbose_name=_("required"))

    class Meta:
        ordering = ["-required", "code"]
        constraints = [
            models.UniqueConstraint(fields=["request", "code"], name="roster_language_need_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} ≥ {self.get_level_display()}"

    def clean(self) -> None:
        problem = language_problem(self.code)
        if problem:
            raise ValidationError({"code": problem})


class ClockStep(ChoiceLabels, models.Model):
    """When a request reached a step of its 72-hour clock, and who recorded it."""

    request = models.ForeignKey(ExpertRequest, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=12, choices=Step.choices, verbose_name=_("step"))
    at = models.DateTimeField(verbose_name=_("at"))
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "step"], name="roster_step_once")]

    def __str__(self) -> str:
        return f"{self.step} {self.at:%Y-%m-%d %H:%M}"


class Grade(models.TextChoices):
    """Conflict-of-interest findings, after the IBA Guidelines on Conflicts of Interest in
    International Arbitration (2024): most severe first."""

    NON_WAIVABLE = "red", _("Non-waivable red")
    WAIVABLE = "waivable_red", _("Waivable red")
    ORANGE = "orange", _("Orange: disclose")
    GREEN = "green", _("Green")


class CandidateState(models.TextChoices):
    HELD = "held", _("Held: waiver needed")
    ALERTED = "alerted", _("Alerted")
    AVAILABLE = "available", _("Available")
    NOT_AVAILABLE = "not_available", _("Not available")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    NOMINATED = "nominated", _("Nominated")
    STOOD_DOWN = "stood_down", _("Stood down")


class Candidate(ChoiceLabels, models.Model):
    """An expert alerted for a request (or held until a waiver): screened, scored, answered,
    shortlisted, nominated or stood down. Read through
    its request and its expert, each scoped (a reader sees a candidate only when they may
    see both)."""

    request = models.ForeignKey(ExpertRequest, on_delete=models.CASCADE, related_name="candidates")
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="candidacies")
    rank = models.PositiveSmallIntegerField(
        verbose_name=pgettext_lazy("position in a ranking", "rank")
    )
    score = models.FloatField(verbose_name=_("fit"))
    parts = models.JSONField(default=list, verbose_name=_("fit in parts"))
    grade = models.CharField(max_length=12, choices=Grade.choices, verbose_name=_("screening"))
    findings = models.JSONField(default=list, verbose_name=_("findings"))
    screened_at = models.DateTimeField(verbose_name=_("screened at"))
    proposed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    waiver = models.TextField(blank=True, verbose_name=_("waiver"))
    waived_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=14, choices=CandidateState.choices, default=CandidateState.ALERTED
    )
    alert_text = models.TextField(blank=True, verbose_name=_("what the alert said"))
    # the hash of the one-use key in the alert's link; emptied once answered
    alert_key = models.CharField(max_length=64, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    stood_down_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "expert"], name="roster_candidate_once")
        ]

    def __str__(self) -> str:
        return gettext("Candidate %(rank)s") % {"rank": self.rank}

    @property
    def blocked(self) -> bool:
        """Not to be alerted or nominated: a non-waivable red, or a waivable red not waived."""
        return self.grade == Grade.NON_WAIVABLE or (
            self.grade == Grade.WAIVABLE and self.waived_by_id is None
        )


class DeploymentState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONSENTED = "consented", _("Consented")
    DEPLOYED = "deployed", _("Deployed")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


def _strictly() -> int:
    return Classification.STRICTLY_CONFIDENTIAL


class Deployment(ScopedModel):
    """An expert sent to fill a request: proposed → consented → deployed → ended. While
    deployed, their account (if any) belongs to the request's space; on ending, their
    end-of-assignment report becomes an observation in learning and an appraisal that later
    matching reads."""

    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=_strictly
    )
    request = models.ForeignKey(
        ExpertRequest,
        on_delete=models.PROTECT,
        related_name="deployments",
        verbose_name=_("request"),
    )
    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="deployments", verbose_name=_("expert")
    )
    candidate = models.ForeignKey(
        Candidate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deployments",
        editable=False,
        verbose_name=_("alert filled"),
    )
    assignment = models.CharField(
        max_length=300,
        help_text=_("What the expert is to do (their terms of reference, in a line)."),
        verbose_name=_("assignment"),
    )
    mode = models.CharField(
        max_length=10,
        choices=Mode.choices,
        default=Mode.IN_PERSON,
        verbose_name=_("remote or in person"),
    )
    start = models.DateField(verbose_name=_("start"))
    end = models.DateField(verbose_name=_("end"))
    state = models.CharField(
        max_length=10,
        choices=DeploymentState.choices,
        default=DeploymentState.PROPOSED,
        editable=False,
        verbose_name=_("state"),
    )
    report = models.TextField(
        blank=True, editable=False, verbose_name=_("end-of-assignment report")
    )
    observation = models.ForeignKey(
        "learning.Observation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("observation"),
    )
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, verbose_name=_("appraisal (1–5)")
    )
    appraisal = models.TextField(blank=True, editable=False, verbose_name=_("appraisal"))
    appraised_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    space_granted = models.BooleanField(default=False, editable=False)

    FIELDS = ["request", "expert", "assignment", "mode", "start", "end"]

    class Meta:
        ordering = ["-start", "pk"]
        indexes = [models.Index(fields=["expert", "state", "start"])]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")

    def __str__(self) -> str:
        return gettext("Deployment %(number)s") % {"number": self.pk or "—"}

    def clean(self) -> None:
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": gettext("The end is before the start.")})


# Live deployments: they book the expert.
BOOKING = (DeploymentState.PROPOSED, DeploymentState.CONSENTED, DeploymentState.DEPLOYED)
