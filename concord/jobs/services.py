"""Every write to a job the user sees: start one, cancel it, try it again, note that its
owner opened it, and delete the expired ones. (What the worker writes while a job runs is in
concord.jobs.runner.)

A capability starts a user-visible job with :func:`start`, naming a task: a function
decorated with ``django_tasks.task`` over :func:`concord.jobs.runner.job_task`::

    @task()
    @job_task
    def export_records(run, *, kind, fmt):
        run.progress(done=0, total=n, message="Exporting")
        ...
        run.succeed(data=body, name="concord-x.csv", content_type="text/csv")

    job = start(user, "export", "Export of 12,000 tasks", export_records, kind=…, fmt=…)
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.context import Actor
from concord.core.models import Classification

from .models import Job, JobFile, Status

# The key of a job's arguments that holds its language (not passed to the task).
LANGUAGE = "_language"


def language_of(job: Job) -> str:
    """The language a job speaks in: its user's when it was started (their account's, for
    a job started before languages were recorded)."""
    return (
        (job.arguments or {}).get(LANGUAGE)
        or getattr(job.user, "language", "")
        or settings.LANGUAGE_CODE
    )


def _record(actor: Actor, action: str, job: Job, changes: dict) -> None:
    audit.record(actor, action, job, changes, classification=Classification.INTERNAL)


def task_of(job: Job):
    """The django_tasks Task a job runs (its dotted path, checked to be a task)."""
    from django_tasks.base import Task

    task = import_string(job.task_path)
    if not isinstance(task, Task):
        raise ValidationError(
            {"task_path": f"{job.task_path} is not a task"}  # untranslated: a programming error
        )
    return task


def enqueue(job: Job) -> None:
    """Put the job's task in the queue. With the database backend the queue row is written in
    the caller's transaction (a job and its queue entry exist together or not at all); with
    another backend (Redis), once the transaction has committed, so that no worker looks for a
    job that is not there yet."""
    from django_tasks_db.backend import DatabaseBackend

    task = task_of(job)

    def push():
        result = task.enqueue(job_id=job.pk, **job.arguments)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
        job.task_result_id = str(result.id)

    if isinstance(task.get_backend(), DatabaseBackend):
        push()
    else:
        transaction.on_commit(push)


def start(
    user,
    kind: str,
    title: str,
    task,
    /,
    *,
    actor: Actor | None = None,
    input_data: bytes | None = None,
    total: int | None = None,
    **kwargs,
) -> Job:
    """A job for ``user`` running ``task(job_id=…, **kwargs)`` in the background; its page
    shows its progress and result. ``input_data`` (bytes, such as an uploaded file) is kept
    with the job until it has run (``run.input()``); ``total``, if known, is how many rows
    (or steps) it has; ``kwargs`` must be plain JSON."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to run a job."))
    if not title.strip():
        raise ValidationError({"title": _("Give the job a title.")})
    actor = actor or Actor(user=user, interface="system")
    with transaction.atomic():
        job = Job.objects.create(
            user=user,
            kind=kind,
            title=title.strip()[:300],
            task_path=task.module_path,
            # The language the job writes its messages and its result in: its user's now.
            arguments={LANGUAGE: translation.get_language() or settings.LANGUAGE_CODE, **kwargs},
            max_attempts=settings.CONCORD_JOBS_MAX_ATTEMPTS,
            total=total,
            message=_("Waiting for a worker."),
        )
        if input_data is not None:
            JobFile.objects.create(job=job, role=JobFile.INPUT, data=input_data)
        _record(actor, "create", job, {"kind": [None, kind], "title": [None, job.title]})
        enqueue(job)
    return job


def cancel(job: Job, *, actor: Actor) -> Job:
    """Stop a queued or running job: a queued one never starts; a running one stops at its
    next progress report, and whatever it was writing is rolled back."""
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.finished:
            done = {
                Status.SUCCEEDED: _("This job has already succeeded."),
                Status.FAILED: _("This job has already failed."),
                Status.CANCELLED: _("This job has already been cancelled."),
            }
            raise ValidationError({"status": done[current.status]})
        Job.objects.filter(pk=job.pk).update(
            status=Status.CANCELLED,
            finished_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(days=settings.CONCORD_JOBS_KEEP_DAYS),
            message=_("Cancelled."),
        )
        _record(actor, "update", job, {"status": [current.status, Status.CANCELLED]})
    job.refresh_from_db()
    return job


def retry(job: Job, *, actor: Actor) -> Job:
    """Run a failed or cancelled job again (a fresh set of attempts)."""
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.status not in (Status.FAILED, Status.CANCELLED):
            raise ValidationError(
                {
                    "status": _(
                        "Only a failed or cancelled job can be retried; this one is %(status)s."
                    )
                    % {"status": str(current.get_status_display()).lower()}
                }
            )
        if (
            current.kind == "import"
            and not JobFile.objects.filter(job=current, role=JobFile.INPUT).exists()
        ):
            raise ValidationError(
                {"status": _("The imported file is no longer kept; import it again.")}
            )
        Job.objects.filter(pk=job.pk).update(
            status=Status.QUEUED,
            attempts=0,
            done=0,
            error="",
            message=_("Waiting for a worker."),
            started_at=None,
            finished_at=None,
            expires_at=None,
            opened_at=None,
            heartbeat=None,
            worker="",
        )
        current.refresh_from_db()
        _record(actor, "update", current, {"status": [job.status, Status.QUEUED]})
        enqueue(current)
    return current


def opened(job: Job) -> None:
    """The owner has seen the finished job: the header stops announcing it. (Not audited: a
    read, noted so as not to announce it again.)"""
    if job.finished and job.opened_at is None:
        job.opened_at = timezone.now()
        Job.objects.filter(pk=job.pk, opened_at=None).update(opened_at=job.opened_at)


def expire(now=None) -> int:
    """Delete the jobs (and their files) whose results have expired; returns how many."""
    now = now or timezone.now()
    actor = Actor.system("jobs-expiry")
    count = 0
    for job in Job.objects.filter(expires_at__lt=now).order_by("pk")[:1000]:
        with transaction.atomic():
            _record(actor, "delete", job, {"status": [job.status, None]})
            job.delete()
        count += 1
    return count
