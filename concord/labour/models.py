"""The division of labour: a catalogue of tasks, what each operation is mandated to do, who
does what where when (the 4W), the arrangements that settle a shared space, and the reviews
people write of the findings the analysis derives."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from concord.core.models import (
    Area,
    Country,
    Organisation,
    Role,
    ScopedModel,
    ScopedQuerySet,
)
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
        return "Give a list of codes or names."
    return None


class Task(ScopedModel):
    """A function that operations and partners carry out, e.g. protection of civilians.

    ``hxl_sectors`` and ``hxl_activities`` list the HXL ``#sector`` / ``#activity`` codes and
    names that mean this task, so a humanitarian 3W file joins the catalogue."""

    code = models.SlugField(max_length=60, unique=True, help_text="A stable key, e.g. 'poc'.")
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    hxl_sectors = models.JSONField(default=list, blank=True)
    hxl_activities = models.JSONField(default=list, blank=True)

    objects = ManagedQuerySet.as_manager()

    FIELDS = ["code", "name", "parent", "description", "hxl_sectors", "hxl_activities"]

    class Meta:
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
                errors["parent"] = "A task cannot be its own ancestor."
                break
            seen.add(node.pk)
            node = node.parent
        if errors:
            raise ValidationError(errors)


class ClashRule(ScopedModel):
    """Two tasks that must not sit side by side without an arrangement (e.g. kinetic
    counter-terrorism beside humanitarian access). A rule on a task covers its sub-tasks."""

    task_a = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    task_b = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(help_text="Why the two clash, in words a partner will accept.")

    objects = ManagedQuerySet.as_manager()

    FIELDS = ["task_a", "task_b", "reason"]

    class Meta:
        ordering = ["pk"]
        # One rule per pair for each owner, not platform-wide: a pair taken by a rule the
        # editor may not see would otherwise be refused, and the pair is the rule's content.
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "task_a", "task_b"], name="uniq_clash_pair_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"Clash rule {self.pk or 'new'}"

    def clean(self) -> None:
        super().clean()
        if self.task_a_id and self.task_a_id == self.task_b_id:
            raise ValidationError({"task_b": "A task does not clash with itself."})


class SectorMapping(ScopedModel):
    """A sector value of a 3W file that its owner mapped to a task by hand, remembered for
    the owner's next file (the catalogue's own vocabulary is on the tasks: hxl_sectors)."""

    value = models.CharField(max_length=300, help_text="As the file writes it.")
    key = models.CharField(max_length=300, editable=False)  # normalise_name(value)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")

    FIELDS = ["value", "task"]

    class Meta:
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
            raise ValidationError({"value": "Give the sector as the file writes it."})
        taken = SectorMapping.objects.filter(owner_id=self.owner_id, key=self.key)
        if self.owner_id and taken.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"value": "This organisation already maps that sector: edit that mapping."}
            )


class Priority(models.TextChoices):
    PRIORITY = "priority", "Priority task"
    OTHER = "other", "Other task"


class MandatedTask(models.Model):
    """A task in an operation's mandate, with its source and validity (mandates are renewed
    and change). Part of the operation: visible with it, audited with it."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="mandate")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        max_length=200, help_text="Resolution or decision, e.g. 'S/RES/2100 (2013)'."
    )
    paragraph = models.CharField(max_length=60, blank=True, help_text="e.g. 'OP 16(a)(i)'.")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.OTHER)
    start = models.DateField(null=True, blank=True, help_text="Empty: from the operation's start.")
    end = models.DateField(null=True, blank=True, help_text="Empty: until the operation's end.")

    class Meta:
        ordering = ["start", "pk"]

    def __str__(self) -> str:
        para = f" {self.paragraph}" if self.paragraph else ""
        return f"{self.task.code} ({self.source}{para})"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date is before the start date."})


class PlaceMixin(models.Model):
    """Where: a country and, optionally, an area in it (adm1/adm2, with its P-code)."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True, help_text="Empty: open-ended.")

    class Meta:
        abstract = True

    def place_errors(self) -> dict:
        errors = {}
        if self.area_id and self.country_id and self.area.country_id != self.country_id:
            errors["area"] = "The area is in another country."
        if self.start and self.end and self.end < self.start:
            errors["end"] = "The end date is before the start date."
        return errors


class Need(PlaceMixin, ScopedModel):
    """A declared need: a task somebody must carry out in a place and period."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)

    FIELDS = ["task", "country", "area", "start", "end", "description"]

    class Meta:
        ordering = ["country", "start", "pk"]

    def __str__(self) -> str:
        return f"Need {self.pk or 'new'}"

    def clean(self) -> None:
        super().clean()
        errors = self.place_errors()
        if errors:
            raise ValidationError(errors)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "Lead"
    SUPPORT = "support", "Support"
    MONITOR = "monitor", "Monitor"
    FUNDER = "funder", "Funder"


class AssignmentStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    SUSPENDED = "suspended", "Suspended"


class ImportBatch(ScopedModel):
    """One imported 3W file: what it held, what was matched, created and rejected."""

    filename = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    # What the import created besides its assignments (ids), so that it can be undone.
    created_records = models.JSONField(default=dict, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    FIELDS = ["filename", "sha256", "rows", "created"]

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk or 'new'}: {self.filename}"


class Assignment(PlaceMixin, ScopedModel):
    """Who (an organisation or an operation) does what (a task), where, when, in which role."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(
        max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.LEAD
    )
    status = models.CharField(
        max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    contact = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_values = models.JSONField(
        default=dict, blank=True, help_text="The values an import read, as written in the file."
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
        ordering = ["country", "task", "pk"]
        indexes = [
            models.Index(fields=["country", "task"]),
            models.Index(fields=["start", "id"], name="labour_assign_start_id"),
        ]

    def __str__(self) -> str:
        return f"Assignment {self.pk or 'new'}"

    def clean(self) -> None:
        super().clean()
        errors = self.place_errors()
        if bool(self.organisation_id) == bool(self.operation_id):
            errors["organisation"] = "Give who does it: an organisation or an operation, not both."
        ended = self.operation.end if self.operation_id else None
        if ended and (self.end is None or self.end > ended):
            errors["end"] = (
                f"The operation ended on {ended}: give an end on or before that date "
                "(an operation does nothing after it ends)."
            )
        if ended and self.start and self.start > ended:
            errors["start"] = f"The operation ended on {ended}, before this start."
        if errors:
            raise ValidationError(errors)


class ArrangementKind(models.TextChoices):
    MOU = "mou", "Memorandum of understanding"
    LIAISON = "liaison", "Liaison officers"
    DIVISION = "division_of_labour", "Division-of-labour agreement"
    JOC = "joint_operations_centre", "Joint operations centre"
    JOINT_PLANNING = "joint_planning", "Joint planning"
    SHARED_COMMAND = "shared_command", "Shared command"


class Arrangement(ScopedModel):
    """An agreement between actors that settles a shared space: which tasks (none listed: all),
    which places (none listed: everywhere the parties work) and which period."""

    kind = models.CharField(max_length=30, choices=ArrangementKind.choices)
    title = models.CharField(max_length=300)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")
    operations = models.ManyToManyField(Operation, blank=True, related_name="arrangements")
    tasks = models.ManyToManyField(Task, blank=True, related_name="+")
    countries = models.ManyToManyField(Country, blank=True, related_name="+")
    areas = models.ManyToManyField(Area, blank=True, related_name="+")
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)

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
        ordering = ["start", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = "The end date is before the start date."
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if errors:
            raise ValidationError(errors)


class ReviewStatus(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class FindingReview(ScopedModel):
    """A person's word on a finding (acknowledged, or resolved), keyed by the finding's key."""

    key = models.CharField(max_length=200, db_index=True)
    status = models.CharField(max_length=15, choices=ReviewStatus.choices)
    note = models.TextField()

    FIELDS = ["key", "status", "note"]

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Review {self.pk or 'new'}: {self.get_status_display()}"

    def clean(self) -> None:
        super().clean()
        if not (self.note or "").strip():
            raise ValidationError({"note": "Say what was done or why it stands."})


def active_q(prefix: str = "") -> Q:
    """Assignments that carried the task during their dates (planned and suspended did not)."""
    return Q(**{f"{prefix}status__in": [AssignmentStatus.ACTIVE, AssignmentStatus.COMPLETED]})
