"""A job the user can see (an import or export run in the background), its files, and the
state of each periodic schedule (when it next runs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.models.labels import ChoiceLabels


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
# A job's kind in words (the kind itself is a code: "export", "import", …).
KINDS = {"export": _("export"), "import": _("import")}


class Job(ChoiceLabels, models.Model):
    """Seen by its user only (platform administrators gain no right to read it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40)  # "export", "import", …
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)  # why it failed, in words
    # What runs it: the task (a django_tasks Task, by dotted path) and its arguments
    # (the job's id is added as ``job_id``); the backend's id of the current attempt.
    task_path = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict)
    task_result_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    worker = models.CharField(max_length=200, blank=True)  # host:pid of the current attempt
    heartbeat = models.DateTimeField(null=True, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # the user saw the finished job

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="job_user_created"),
            models.Index(fields=["status", "heartbeat"], name="job_status_heartbeat"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("jobs:job_detail", args=[self.pk])

    def get_kind_display(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def has_result(self) -> bool:
        return self.status == Status.SUCCEEDED and self.result_size is not None


class JobFile(ChoiceLabels, models.Model):
    """A job's uploaded input (kept until it has run) or its result (kept until it expires),
    in the database so that a worker on another machine reads and writes it."""

    INPUT, RESULT = "input", "result"
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=10, choices=[(INPUT, _("input")), (RESULT, _("result"))])
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "role"], name="jobfile_one_per_role")]

    def __str__(self):
        return gettext("%(role)s of job %(job)s") % {"role": self.role, "job": self.job_id}


class ScheduleState(models.Model):
    """When a declared schedule (concord.core.capabilities.Schedule) next runs. A worker
    enqueues a run by moving ``next_run`` forward with a compare-and-set update: of several
    workers, one wins each run."""

    task = models.CharField(max_length=200, unique=True)
    every = models.PositiveIntegerField()
    next_run = models.DateTimeField()
    last_run = models.DateTimeField(null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return self.task
