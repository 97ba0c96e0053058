"""Learning across institutions: observations analysed into lessons, the remedial actions
that make a lesson learned, and the guidance a lesson changed.

A lesson is two records: its abstract (:class:`Lesson`, meant to travel: a partner may see
that a lesson exists and what it says in brief) and its body (:class:`LessonBody`, the
analysis, conclusion and recommendation), each with its own classification and
releasability. States change only through ``services`` (rules in ``analysis.states``).

An observation may be sealed: nobody reading it sees who submitted it, not even the owner's
managers. The identity is kept encrypted and only a knowledge manager named by the owner
may reveal it, with a written reason that the record's history shows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from concord.core.crypto import EncryptedTextField
from concord.core.models import Area, Country, Organisation, ScopedModel, User
from concord.labour.models import Task
from concord.operations.models import Operation, Scenario


class Phase(models.TextChoices):
    DEPLOYMENT = "deployment", _("Deployment")
    HANDOVER = "handover", _("Handover")
    DRAWDOWN = "drawdown", _("Drawdown")
    TRANSITION = "transition", _("Transition")
    MEDIATION = "mediation", _("Mediation")
    OTHER = "other", _("Other")


class SourceKind(models.TextChoices):
    AFTER_ACTION = "after_action_review", _("After-action review")
    END_OF_ASSIGNMENT = "end_of_assignment", _("End-of-assignment report")
    HANDOVER_NOTE = "handover_note", _("Handover note")
    EVALUATION = "evaluation", _("Evaluation")
    FIELD_VISIT = "field_visit", _("Field visit")
    EXERCISE = "exercise", _("Exercise")


class Theme(models.TextChoices):
    MANDATE = "mandate_planning", _("Mandate and planning")
    HANDOVER = "handover_transition", _("Handover and transition")
    FORCE = "force_generation", _("Force generation")
    SUPPORT = "logistics_support", _("Logistics and support")
    FUNDING = "funding", _("Funding")
    PROTECTION = "protection", _("Protection of civilians")
    RIGHTS = "human_rights_conduct", _("Human rights and conduct")
    COORDINATION = "coordination", _("Coordination between institutions")
    POLITICAL = "political_process", _("Mediation and the political process")
    INCLUSION = "gender_inclusion", _("Gender and inclusion")
    INFORMATION = "information", _("Information and communications")
    OTHER = "other", _("Other")


class ObservationState(models.TextChoices):
    # (the context: in French an observation is feminine, a lesson masculine)
    SUBMITTED = "submitted", pgettext_lazy("observation", "Submitted")
    VERIFIED = "verified", pgettext_lazy("observation", "Verified")
    ANALYSED = "analysed", pgettext_lazy("observation", "Analysed into a lesson")
    ARCHIVED = "archived", pgettext_lazy("observation", "Archived")
    REJECTED = "rejected", pgettext_lazy("observation", "Rejected")


class LessonState(models.TextChoices):
    IDENTIFIED = "identified", _("Lesson identified")
    ACTING = "action_in_progress", _("Action in progress")
    LEARNED = "learned", _("Lesson learned")
    ARCHIVED = "archived", _("Archived")
    REJECTED = "rejected", _("Rejected")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


def period_errors(start, end) -> dict:
    if start and end and end < start:
        return {"period_end": gettext("The end of the period is before its start.")}
    return {}


class Observation(ScopedModel):
    """Something that happened and what it teaches, as one person or team saw it."""

    title = models.CharField(max_length=300, verbose_name=_("title"))
    what_happened = models.TextField(verbose_name=_("what happened"))
    discussion = models.TextField(blank=True, verbose_name=_("discussion"))
    recommendation = models.TextField(blank=True, verbose_name=_("recommendation"))
    source_kind = models.CharField(
        max_length=30, choices=SourceKind.choices, verbose_name=_("source")
    )
    phase = models.CharField(
        max_length=20, choices=Phase.choices, default=Phase.OTHER, verbose_name=_("phase")
    )
    operations = models.ManyToManyField(
        Operation, blank=True, related_name="observations", verbose_name=_("operations")
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="observations", verbose_name=_("countries")
    )
    areas = models.ManyToManyField(
        Area, blank=True, related_name="observations", verbose_name=_("areas")
    )
    tasks = models.ManyToManyField(
        Task, blank=True, related_name="observations", verbose_name=_("tasks")
    )
    period_start = models.DateField(null=True, blank=True, verbose_name=_("from"))
    period_end = models.DateField(null=True, blank=True, verbose_name=_("to"))
    scenario = models.CharField(
        max_length=20,
        choices=Scenario.choices,
        blank=True,
        help_text=_("The scenario of its first operation at the start of the period."),
        verbose_name=_("scenario"),
    )
    sources = models.JSONField(default=list, blank=True, verbose_name=_("evidence"))
    lesson = models.ForeignKey(
        "learning.Lesson",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="observations",
        editable=False,
        verbose_name=_("lesson"),
    )
    same_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_same",
        editable=False,
        help_text=_(
            "Its submitter found it alike an earlier one and proposed them as the same: whoever "
            "verifies it decides (nothing is merged without a person's step)."
        ),
        verbose_name=_("proposed as the same as"),
    )
    state = models.CharField(
        max_length=20,
        choices=ObservationState.choices,
        default=ObservationState.SUBMITTED,
        editable=False,
        verbose_name=_("state"),
    )
    state_reason = models.TextField(blank=True, editable=False, verbose_name=_("reason"))
    sealed = models.BooleanField(default=False, editable=False, verbose_name=_("sealed"))
    # Who submitted a sealed observation (their user id), readable only through
    # ``services.break_seal``; never in a page, an export, the API or the audit trail.
    sealed_identity = EncryptedTextField(blank=True, editable=False)

    FIELDS = [
        "title",
        "what_happened",
        "discussion",
        "recommendation",
        "source_kind",
        "phase",
        "operations",
        "countries",
        "areas",
        "tasks",
        "period_start",
        "period_end",
        "sources",
    ]

    class Meta:
        ordering = ["-period_start", "title", "pk"]
        indexes = [models.Index(fields=["state"])]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = period_errors(self.period_start, self.period_end)
        if errors:
            raise ValidationError(errors)


class Lesson(ScopedModel):
    """A lesson identified from one or more observations: its title, theme and abstract (what
    travels). Its body is a record of its own, :class:`LessonBody`."""

    title = models.CharField(max_length=300, verbose_name=_("title"))
    theme = models.CharField(max_length=30, choices=Theme.choices, verbose_name=_("theme"))
    abstract = models.TextField(
        help_text=_("What the lesson says in brief, for every partner it is released to."),
        verbose_name=_("abstract"),
    )
    phase = models.CharField(
        max_length=20, choices=Phase.choices, default=Phase.OTHER, verbose_name=_("phase")
    )
    identified_on = models.DateField(
        default=timezone.localdate,
        help_text=_(
            "When the lesson was identified (a report's date, for a lesson recorded late)."
        ),
        verbose_name=_("identified on"),
    )
    sources = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The reports it was drawn from (a public lesson cites its report)."),
        verbose_name=_("sources"),
    )
    # Where it was learned (by default, on identification, what its observations name): what
    # the ranking for a new operation reads, so it travels with the abstract.
    operations = models.ManyToManyField(
        Operation, blank=True, related_name="lessons", verbose_name=_("operations")
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="lessons", verbose_name=_("countries")
    )
    tasks = models.ManyToManyField(
        Task, blank=True, related_name="lessons", verbose_name=_("tasks")
    )
    scenario = models.CharField(
        max_length=20,
        choices=Scenario.choices,
        blank=True,
        editable=False,
        help_text=_("The scenario most of its observations were in."),
        verbose_name=_("scenario"),
    )
    state = models.CharField(
        max_length=20,
        choices=LessonState.choices,
        default=LessonState.IDENTIFIED,
        editable=False,
        verbose_name=_("state"),
    )
    state_reason = models.TextField(blank=True, editable=False, verbose_name=_("reason"))
    validated_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("validated by"),
    )
    validated_on = models.DateField(
        null=True, blank=True, editable=False, verbose_name=_("validated on")
    )

    FIELDS = [
        "title",
        "theme",
        "abstract",
        "phase",
        "identified_on",
        "sources",
        "operations",
        "countries",
        "tasks",
    ]

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["state"]), models.Index(fields=["theme"])]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return self.title


class LessonBody(ScopedModel):
    """What a lesson's owner may keep closer than its abstract: the analysis, the conclusion
    and the recommendation."""

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, related_name="body", verbose_name=_("lesson")
    )
    analysis = models.TextField(blank=True, verbose_name=_("analysis"))
    conclusion = models.TextField(verbose_name=_("conclusion"))
    recommendation = models.TextField(verbose_name=_("recommendation"))

    FIELDS = ["lesson", "analysis", "conclusion", "recommendation"]

    class Meta:
        ordering = ["lesson", "pk"]
        verbose_name = _("lesson body")
        verbose_name_plural = _("lesson bodies")

    def __str__(self) -> str:
        return gettext("Body of a lesson")


class RemedialAction(ScopedModel):
    """What must change for a lesson to be learned, and who must change it: the action body
    may be any organisation, not only the lesson's owner."""

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="actions", verbose_name=_("lesson")
    )
    what = models.TextField(verbose_name=_("what must change"))
    action_body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("action body")
    )
    due = models.DateField(null=True, blank=True, verbose_name=_("due"))
    status = models.CharField(
        max_length=20,
        choices=ActionStatus.choices,
        default=ActionStatus.PLANNED,
        verbose_name=_("status"),
    )
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("completed on"))
    completion_evidence = models.TextField(
        blank=True,
        help_text=_("What shows the change was made (a document, a decision, a link)."),
        verbose_name=_("evidence of completion"),
    )

    FIELDS = [
        "lesson",
        "what",
        "action_body",
        "due",
        "status",
        "completed_on",
        "completion_evidence",
    ]

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["status", "due"])]
        verbose_name = _("remedial action")
        verbose_name_plural = _("remedial actions")

    def __str__(self) -> str:
        return self.what[:80]

    def clean(self) -> None:
        super().clean()
        if self.lesson_id and self.owner_id and self.owner_id != self.lesson.owner_id:
            # Its lesson's owner answers for it: a partner's action on someone else's lesson
            # would move that lesson's state and could hold up its validation unseen.
            raise ValidationError(
                {"owner": gettext("A remedial action belongs to the owner of its lesson.")}
            )
        if self.status == ActionStatus.DONE and not (
            self.completed_on and self.completion_evidence.strip()
        ):
            raise ValidationError(
                {
                    "completion_evidence": gettext(
                        "A done action needs its completion date and the evidence of it."
                    )
                }
            )


class GuidanceChange(models.Model):
    """Guidance a lesson changed (a doctrine, a handbook, a template): a child row of the
    lesson, seen wherever the lesson is."""

    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="guidance", verbose_name=_("lesson")
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    url = models.URLField(blank=True, verbose_name=_("link"))
    on = models.DateField(null=True, blank=True, verbose_name=_("date"))

    class Meta:
        ordering = ["lesson", "on", "pk"]
        verbose_name = _("guidance changed")
        verbose_name_plural = _("guidance changed")

    def __str__(self) -> str:
        return self.title


class KnowledgeManager(models.Model):
    """A person an organisation's manager names to break the seal of the organisation's
    sealed observations."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    named_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("named by")
    )
    named_at = models.DateTimeField(auto_now_add=True, verbose_name=_("named at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_naming_per_person")
        ]
        verbose_name = _("knowledge manager")
        verbose_name_plural = _("knowledge managers")

    def __str__(self) -> str:
        return gettext("%(user)s, knowledge manager of %(organisation)s") % {
            "user": self.user,
            "organisation": self.organisation,
        }


class Term(models.Model):
    """One term (``analysis.similarity.terms``) of an observation or of a lesson's title and
    abstract (never its body, which is scoped apart): an index to find the records alike a
    draft. Never shown; kept by the save hooks (``services.index_terms``)."""

    term = models.CharField(max_length=60)
    observation = models.ForeignKey(
        Observation, null=True, on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(Lesson, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        # (partial: the records holding a term, newest first, without walking the other
        # kind's rows, whose empty column sorts first on PostgreSQL)
        indexes = [
            models.Index(
                fields=["term", "observation"],
                condition=Q(observation__isnull=False),
                name="learning_term_observations",
            ),
            models.Index(
                fields=["term", "lesson"],
                condition=Q(lesson__isnull=False),
                name="learning_term_lessons",
            ),
            models.Index(fields=["lesson", "term"]),
            models.Index(fields=["observation", "term"], name="learning_term_of_observation"),
        ]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return self.term


class Decision(models.TextChoices):
    APPLIED = "applied", _("Applied")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    DEFERRED = "deferred", _("Deferred")


class Disposition(ScopedModel):
    """What the planners of an operation did with a lesson put in front of them: applied,
    not applicable or deferred, and why. One per operation, lesson and organisation."""

    operation = models.ForeignKey(
        Operation,
        on_delete=models.CASCADE,
        related_name="lesson_dispositions",
        verbose_name=_("operation"),
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="dispositions", verbose_name=_("lesson")
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, verbose_name=_("decision"))
    note = models.TextField(
        help_text=_("What was done with it, or why not (a plan, a paragraph, a decision)."),
        verbose_name=_("note"),
    )
    decided_on = models.DateField(verbose_name=_("decided on"))

    FIELDS = ["operation", "lesson", "decision", "note", "decided_on"]

    class Meta:
        ordering = ["operation", "lesson", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "operation", "lesson"], name="one_disposition_per_planner"
            )
        ]
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")

    def __str__(self) -> str:
        # its own fields only: the name of its lesson or operation may be hidden from a
        # reader of the disposition (a record's name goes into notifications and the audit
        # trail); pages say what it is through the reader's labels (views.DISPOSITIONS)
        return gettext("Disposition: %(decision)s, %(date)s") % {
            "decision": self.get_decision_display(),
            "date": self.decided_on,
        }

    def clean(self) -> None:
        super().clean()
        if not (self.note or "").strip():
            raise ValidationError(
                {"note": gettext("Say what was done with the lesson, or why not.")}
            )
