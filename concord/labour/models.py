"""The division of labour: a catalogue of tasks, what each operation is mandated to do, who
does what where when (the 4W), the arrangements that settle a shared space, and the reviews
people write of the findings the analysis derives."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.models import (
    Area,
    Country,
    Organisation,
    Role,
    ScopedModel,
    ScopedQuerySet,
)
from concord.core.models.labels import ChoiceLabels
from concord.core.models.registry import normalise_name
from concord.core.sources import sources_problem
from concord.operations.models import Operation


class ManagedQuerySet(ScopedQuerySet):
    """Shared reference (the task catalogue, the compatibility matrix): only managers of the
    owning organisation change it."""

    def editable_by(self, user) -> ManagedQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.visible_to(user).filter(
            owner_id__in=user.principal().orgs_with_role(Role.MANAGER)
        )


CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _codes_problem(value) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return gettext("Give a list of codes or names.")
    return None


class Task(ScopedModel):
    """A function that operations and partners carry out, e.g. protection of civilians.

    ``hxl_sectors`` and ``hxl_activities`` list the HXL ``#sector`` / ``#activity`` codes and
    names that mean this task, so a humanitarian 3W file joins the catalogue."""

    code = models.SlugField(
        _("code"), max_length=60, unique=True, help_text=_("A stable key, e.g. 'poc'.")
    )
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    description = models.TextField(_("description"), blank=True)
    hxl_sectors = models.JSONField(_("HXL sectors"), default=list, blank=True)
    hxl_activities = models.JSONField(_("HXL activities"), default=list, blank=True)

    objects = ManagedQuerySet.as_manager()

    FIELDS = ["code", "name", "parent", "description", "hxl_sectors", "hxl_activities"]

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        for name in ("hxl_sectors", "hxl_activities"):
            problem = _codes_problem(getattr(self, name))
            if problem:
                errors[name] = problem
        node, seen = self.parent, set()
        while node is not None:
            if (self.pk is not None and node.pk == self.pk) or node.pk in seen:
                errors["parent"] = gettext("A task cannot be its own ancestor.")
                break
            seen.add(node.pk)
            node = node.parent
        if errors:
            raise ValidationError(errors)


class ClashRule(ScopedModel):
    """Two tasks that must not sit side by side without an arrangement (e.g. kinetic
    counter-terrorism beside humanitarian access). A rule on a task covers its sub-tasks."""

    task_a = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="+", verbose_name=_("task A")
    )
    task_b = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="+", verbose_name=_("task B")
    )
    reason = models.TextField(
        _("reason"), help_text=_("Why the two clash, in words a partner will accept.")
    )

    objects = ManagedQuerySet.as_manager()

    FIELDS = ["task_a", "task_b", "reason"]

    class Meta:
        verbose_name = _("clash rule")
        verbose_name_plural = _("clash rules")
        ordering = ["pk"]
        # One rule per pair for each owner, not platform-wide: a pair taken by a rule the
        # editor may not see would otherwise be refused, and the pair is the rule's content.
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "task_a", "task_b"], name="uniq_clash_pair_per_owner"
            ),
        ]

    def __str__(self) -> str:
        if self.pk is None:
            return gettext("Clash rule new")
        return gettext("Clash rule %(id)s") % {"id": self.pk}

    def clean(self) -> None:
        super().clean()
        if self.task_a_id and self.task_a_id == self.task_b_id:
            raise ValidationError({"task_b": gettext("A task does not clash with itself.")})


class SectorMapping(ScopedModel):
    """A sector value of a 3W file that its owner mapped to a task by hand, remembered for
    the owner's next file (the catalogue's own vocabulary is on the tasks: hxl_sectors)."""

    value = models.CharField(_("value"), max_length=300, help_text=_("As the file writes it."))
    key = models.CharField(max_length=300, editable=False)  # normalise_name(value)
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="+", verbose_name=_("task")
    )

    FIELDS = ["value", "task"]

    class Meta:
        verbose_name = _("sector mapping")
        verbose_name_plural = _("sector mappings")
        ordering = ["value", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="uniq_sector_mapping_per_owner")
        ]

    def __str__(self) -> str:
        return self.value

    def clean(self) -> None:
        super().clean()
        self.value = (self.value or "").strip()
        self.key = normalise_name(self.value)
        if not self.key:
            raise ValidationError({"value": gettext("Give the sector as the file writes it.")})
        taken = SectorMapping.objects.filter(owner_id=self.owner_id, key=self.key)
        if self.owner_id and taken.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"value": gettext("This organisation already maps that sector: edit that mapping.")}
            )


class Priority(models.TextChoices):
    PRIORITY = "priority", _("Priority task")
    OTHER = "other", _("Other task")


class MandatedTask(ChoiceLabels, models.Model):
    """A task in an operation's mandate, with its source and validity (mandates are renewed
    and change). Part of the operation: visible with it, audited with it."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="mandate", verbose_name=_("operation")
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="+", verbose_name=_("task")
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_("Resolution or decision, e.g. 'S/RES/2100 (2013)'."),
    )
    paragraph = models.CharField(
        _("paragraph"), max_length=60, blank=True, help_text=_("e.g. 'OP 16(a)(i)'.")
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.OTHER
    )
    start = models.DateField(
        _("start"), null=True, blank=True, help_text=_("Empty: from the operation's start.")
    )
    end = models.DateField(
        _("end"), null=True, blank=True, help_text=_("Empty: until the operation's end.")
    )

    class Meta:
        verbose_name = _("mandated task")
        verbose_name_plural = _("mandated tasks")
        ordering = ["start", "pk"]

    def __str__(self) -> str:
        para = f" {self.paragraph}" if self.paragraph else ""
        return f"{self.task.code} ({self.source}{para})"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": gettext("The end date is before the start date.")})


class PlaceMixin(models.Model):
    """Where: a country and, optionally, an area in it (adm1/adm2, with its P-code)."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty: open-ended."))

    class Meta:
        abstract = True

    def place_errors(self) -> dict:
        errors = {}
        if self.area_id and self.country_id and self.area.country_id != self.country_id:
            errors["area"] = gettext("The area is in another country.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = gettext("The end date is before the start date.")
        return errors


class Need(PlaceMixin, ScopedModel):
    """A declared need: a task somebody must carry out in a place and period."""

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="+", verbose_name=_("task")
    )
    description = models.TextField(_("description"), blank=True)

    FIELDS = ["task", "country", "area", "start", "end", "description"]

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["country", "start", "pk"]

    def __str__(self) -> str:
        if self.pk is None:
            return gettext("Need new")
        return gettext("Need %(id)s") % {"id": self.pk}

    def clean(self) -> None:
        super().clean()
        errors = self.place_errors()
        if errors:
            raise ValidationError(errors)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORT = "support", _("Support")
    MONITOR = "monitor", _("Monitor")
    FUNDER = "funder", _("Funder")


class AssignmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


class ImportBatch(ScopedModel):
    """One imported 3W file: what it held, what was matched, created and rejected."""

    filename = models.CharField(_("file"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("assignments created"), default=0)
    report = models.JSONField(default=dict, blank=True)
    # What the import created besides its assignments (ids), so that it can be undone.
    created_records = models.JSONField(default=dict, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    FIELDS = ["filename", "sha256", "rows", "created"]

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-pk"]

    def __str__(self) -> str:
        if self.pk is None:
            return gettext("Import new: %(file)s") % {"file": self.filename}
        return gettext("Import %(id)s: %(file)s") % {"id": self.pk, "file": self.filename}


class Assignment(PlaceMixin, ScopedModel):
    """Who (an organisation or an operation) does what (a task), where, when, in which role."""

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    operation = models.ForeignKey(
        Operation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("operation"),
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="+", verbose_name=_("task")
    )
    role = models.CharField(
        _("role"), max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.LEAD
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ACTIVE,
    )
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("import batch"),
    )
    source_values = models.JSONField(
        _("as written in the file"),
        default=dict,
        blank=True,
        help_text=_("The values an import read, as written in the file."),
    )

    FIELDS = [
        "organisation",
        "operation",
        "task",
        "country",
        "area",
        "start",
        "end",
        "role",
        "status",
        "contact",
        "note",
    ]

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["country", "task", "pk"]
        indexes = [
            models.Index(fields=["country", "task"]),
            models.Index(fields=["start", "id"], name="labour_assign_start_id"),
        ]

    def __str__(self) -> str:
        if self.pk is None:
            return gettext("Assignment new")
        return gettext("Assignment %(id)s") % {"id": self.pk}

    def clean(self) -> None:
        super().clean()
        errors = self.place_errors()
        if bool(self.organisation_id) == bool(self.operation_id):
            errors["organisation"] = gettext(
                "Give who does it: an organisation or an operation, not both."
            )
        ended = self.operation.end if self.operation_id else None
        if ended and (self.end is None or self.end > ended):
            errors["end"] = gettext(
                "The operation ended on %(date)s: give an end on or before that date "
                "(an operation does nothing after it ends)."
            ) % {"date": ended}
        if ended and self.start and self.start > ended:
            errors["start"] = gettext("The operation ended on %(date)s, before this start.") % {
                "date": ended
            }
        if errors:
            raise ValidationError(errors)


class ArrangementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    LIAISON = "liaison", _("Liaison officers")
    DIVISION = "division_of_labour", _("Division-of-labour agreement")
    JOC = "joint_operations_centre", _("Joint operations centre")
    JOINT_PLANNING = "joint_planning", _("Joint planning")
    SHARED_COMMAND = "shared_command", _("Shared command")


class Arrangement(ScopedModel):
    """An agreement between actors that settles a shared space: which tasks (none listed: all),
    which places (none listed: everywhere the parties work) and which period."""

    kind = models.CharField(_("kind"), max_length=30, choices=ArrangementKind.choices)
    title = models.CharField(_("title"), max_length=300)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("organisations")
    )
    operations = models.ManyToManyField(
        Operation, blank=True, related_name="arrangements", verbose_name=_("operations")
    )
    tasks = models.ManyToManyField(Task, blank=True, related_name="+", verbose_name=_("tasks"))
    countries = models.ManyToManyField(
        Country, blank=True, related_name="+", verbose_name=_("countries")
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="+", verbose_name=_("areas"))
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)

    FIELDS = [
        "kind",
        "title",
        "organisations",
        "operations",
        "tasks",
        "countries",
        "areas",
        "start",
        "end",
        "note",
        "sources",
    ]

    class Meta:
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangements")
        ordering = ["start", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = gettext("The end date is before the start date.")
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if errors:
            raise ValidationError(errors)


class ReviewStatus(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class FindingReview(ScopedModel):
    """A person's word on a finding (acknowledged, or resolved), keyed by the finding's key."""

    key = models.CharField(_("key"), max_length=200, db_index=True)
    status = models.CharField(_("status"), max_length=15, choices=ReviewStatus.choices)
    note = models.TextField(_("note"))

    FIELDS = ["key", "status", "note"]

    class Meta:
        verbose_name = _("finding review")
        verbose_name_plural = _("finding reviews")
        ordering = ["-pk"]

    def __str__(self) -> str:
        status = self.get_status_display()
        if self.pk is None:
            return gettext("Review new: %(status)s") % {"status": status}
        return gettext("Review %(id)s: %(status)s") % {"id": self.pk, "status": status}

    def clean(self) -> None:
        super().clean()
        if not (self.note or "").strip():
            raise ValidationError({"note": gettext("Say what was done or why it stands.")})


def active_q(prefix: str = "") -> Q:
    """Assignments that carried the task during their dates (planned and suspended did not)."""
    return Q(**{f"{prefix}status__in": [AssignmentStatus.ACTIVE, AssignmentStatus.COMPLETED]})
