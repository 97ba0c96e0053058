"""What a worker does with a user-visible job: claim it, report its progress with a
heartbeat, and finish it exactly once; and what any worker does for the jobs whose worker
died (the recovery).

A job's attempt is its fencing token: the worker that claimed attempt *n* may write the job
only while it is still running attempt *n*. Recovery moves a job whose heartbeat went silent
to attempt *n + 1* (or fails it, after the last attempt), so a worker that was only slow
finds its job taken and writes nothing. An import commits its rows and the job's success in
one transaction, after checking the token under a row lock: a worker killed before that
commit leaves no row written, and one that lost its job rolls back.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import threading

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.context import Actor
from concord.core.models import Classification

from .models import Job, JobFile, Status

log = logging.getLogger("concord.jobs")


class JobLost(Exception):
    """The job was cancelled, or given to another worker, while this one ran it."""


def worker_ident() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _system(job: Job, action: str, changes: dict) -> None:
    audit.record(
        Actor.system("worker"), action, job, changes, classification=Classification.INTERNAL
    )


def _expiry():
    return timezone.now() + dt.timedelta(days=settings.CONCORD_JOBS_KEEP_DAYS)


def reason(exc: BaseException) -> str:
    """Why a job failed, in words its user can act on."""
    from concord.exchange.tabular import FileRejected

    if isinstance(exc, FileRejected):
        return exc.report(limit=50)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("You may no longer do this.")
    return _(
        "An unexpected error stopped the job (%(error)s); the operators' log has the details."
    ) % {"error": type(exc).__name__}


class Run:
    """One attempt at a job, as the task sees it: ``progress``, ``input``, ``succeed``."""

    def __init__(self, job: Job):
        self.job = job
        self.attempt = job.attempts
        self.finished = False
        self._state = (job.done, job.total, job.message)
        self._lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- for the task ------------------------------------------------------------------------
    @property
    def user(self):
        return self.job.user

    def progress(self, done: int | None = None, total: int | None = None, message=None):
        """Note how far the job is (written by the heartbeat, every few seconds); raises
        JobLost when the job was cancelled or taken over meanwhile."""
        old_done, old_total, old_message = self._state
        self._state = (
            old_done if done is None else done,
            old_total if total is None else total,
            old_message if message is None else message[:300],
        )
        if self._lost:
            raise JobLost(f"job {self.job.pk} attempt {self.attempt}")  # untranslated: internal

    def input(self) -> bytes:
        row = JobFile.objects.filter(job_id=self.job.pk, role=JobFile.INPUT).first()
        if row is None:
            raise ValidationError(_("The job's input file is no longer kept; start it again."))
        return bytes(row.data)

    def fence(self) -> None:
        """Inside the caller's transaction: lock the job and check that this attempt still
        owns it (else JobLost, and the caller's transaction rolls back)."""
        current = (
            Job.objects.select_for_update().filter(pk=self.job.pk).values("status", "attempts")
        ).first()
        if (
            not current
            or current["status"] != Status.RUNNING
            or current["attempts"] != self.attempt
        ):
            raise JobLost(f"job {self.job.pk} attempt {self.attempt}")  # untranslated: internal

    def succeed(self, *, data: bytes | None = None, name="", content_type="", message=""):
        """Finish the job, with its result file if any: in one transaction with whatever the
        caller's transaction wrote (an import's rows), after the fence."""
        done, total, _message = self._state
        with transaction.atomic():
            self.fence()
            fields = dict(
                status=Status.SUCCEEDED,
                finished_at=timezone.now(),
                expires_at=_expiry(),
                done=total if total is not None else done,
                total=total,
                message=(message or _("Done."))[:300],
                heartbeat=timezone.now(),
            )
            JobFile.objects.filter(job_id=self.job.pk).delete()
            if data is not None:
                JobFile.objects.create(job_id=self.job.pk, role=JobFile.RESULT, data=data)
                fields.update(result_name=name, result_type=content_type, result_size=len(data))
            Job.objects.filter(pk=self.job.pk).update(**fields)
            _system(self.job, "update", {"status": [Status.RUNNING, Status.SUCCEEDED]})
        self.finished = True

    # -- for the runner ----------------------------------------------------------------------
    def fail(self, why: str) -> None:
        with transaction.atomic():
            n = Job.objects.filter(
                pk=self.job.pk, status=Status.RUNNING, attempts=self.attempt
            ).update(
                status=Status.FAILED,
                error=why,
                message=_("Failed."),
                finished_at=timezone.now(),
                expires_at=_expiry(),
            )
            if n:
                _system(self.job, "update", {"status": [Status.RUNNING, Status.FAILED]})
        self.finished = True

    def _flush(self) -> None:
        done, total, message = self._state
        n = Job.objects.filter(pk=self.job.pk, status=Status.RUNNING, attempts=self.attempt).update(
            heartbeat=timezone.now(), done=done, total=total, message=message
        )
        if n == 0 and Job.objects.filter(pk=self.job.pk).exists():
            self._lost = True  # cancelled, or recovered by another worker

    def _beat(self) -> None:
        interval = settings.CONCORD_JOBS_HEARTBEAT_SECONDS
        try:
            while not self._stop.wait(interval):
                try:
                    self._flush()
                except DatabaseError:  # locked (SQLite, during a long write): next time
                    log.debug("job %s: heartbeat skipped", self.job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        if settings.CONCORD_JOBS_HEARTBEAT_SECONDS > 0:
            self._thread = threading.Thread(
                target=self._beat, name=f"job-{self.job.pk}-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return False


def claim(job_id: int) -> Run | None:
    """Start the job's next attempt, if it is still queued (not cancelled, not taken)."""
    now = timezone.now()
    with transaction.atomic():
        n = Job.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat=now,
            worker=worker_ident(),
            message=_("Started."),
        )
        if not n:
            return None
        job = Job.objects.select_related("user").get(pk=job_id)
    run = Run(job)
    if not job.user.is_active:
        run.fail(_("Your account was deactivated before the job ran."))
        return None
    return run


def job_task(func):
    """Makes ``func(run, **kwargs)`` the body of a user-visible job: decorate it with
    ``django_tasks.task()`` on top. The task is enqueued by concord.jobs.services.start with
    the job's id; it claims the job, beats, fails it with a reason on an error, and
    succeeds it if the body did not."""

    @functools.wraps(func)
    def wrapper(job_id: int, **kwargs):
        from .services import LANGUAGE

        kwargs.pop(LANGUAGE, None)
        # The job speaks its user's language: its messages, its errors, its result's labels.
        with translation.override(_language(job_id)):
            return _run(func, job_id, kwargs)

    return wrapper


def _language(job_id: int) -> str:
    from .services import language_of

    job = Job.objects.select_related("user").filter(pk=job_id).first()
    return language_of(job) if job else settings.LANGUAGE_CODE


def _run(func, job_id: int, kwargs: dict):
    run = claim(job_id)
    if run is None:
        return None
    with run:
        try:
            value = func(run, **kwargs)
        except JobLost:
            log.warning("job %s: lost (cancelled or taken over); nothing kept", job_id)
            return None
        except (ValidationError, PermissionDenied) as exc:
            run.fail(reason(exc))
            return None
        except Exception as exc:
            from concord.exchange.tabular import FileRejected

            run.fail(reason(exc))
            if isinstance(exc, FileRejected):
                return None
            raise
        if not run.finished:
            run.succeed()
    return value


# -- recovery -----------------------------------------------------------------------------------
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_here(job: Job) -> bool:
    """Ran by a process of this machine that no longer exists."""
    host, _sep, pid = job.worker.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not _alive(int(pid))


def recover(*, startup: bool = False) -> list[int]:
    """Jobs whose worker died: running with a heartbeat older than the stale limit (and, at
    a worker's start-up, those a dead process of this machine was running). Each goes to its
    next attempt, or fails with the reason after the last one. Of several workers, one
    recovers each job (a compare-and-set on its attempt and heartbeat)."""
    limit = timezone.now() - dt.timedelta(seconds=settings.CONCORD_JOBS_STALE_SECONDS)
    running = Job.objects.filter(status=Status.RUNNING)
    candidates = list(running.filter(heartbeat__lt=limit))
    if startup:
        seen = {j.pk for j in candidates}
        candidates += [j for j in running.exclude(pk__in=seen) if _dead_here(j)]
    return [job.pk for job in candidates if _recover(job)]


def _recover(job: Job) -> bool:
    from .services import enqueue, language_of

    names = {
        "worker": job.worker or "unknown",
        "attempt": job.attempts,
        "attempts": job.max_attempts,
    }
    last = job.attempts >= job.max_attempts

    def stopped():
        return (
            _("The worker running it stopped (%(worker)s, attempt %(attempt)s of %(attempts)s).")
            % names
        )

    with translation.override(None):  # for the operators (the log, the task's row): English
        why = stopped()
    with translation.override(language_of(job)):  # for the job's user: their language
        said = stopped()
        told = (
            _("Failed: %(why)s") % {"why": said} if last else _("Retrying: %(why)s") % {"why": said}
        )
    with transaction.atomic():
        n = Job.objects.filter(
            pk=job.pk, status=Status.RUNNING, attempts=job.attempts, heartbeat=job.heartbeat
        ).update(
            status=Status.FAILED if last else Status.QUEUED,
            error=said if last else "",
            message=told[:300],
            finished_at=timezone.now() if last else None,
            expires_at=_expiry() if last else None,
            worker="",
        )
        if not n:
            return False
        _abandon(job.task_result_id, why)
        new = Status.FAILED if last else Status.QUEUED
        _system(job, "update", {"status": [Status.RUNNING, new]})
        if not last:
            job.refresh_from_db()
            enqueue(job)
    log.warning("job %s: %s %s", job.pk, why, "Failed." if last else "Retrying.")
    return True


def _abandon(result_id: str, why: str) -> None:
    """The database backend's row of the dead attempt: failed, not running for ever."""
    if not result_id or "django_tasks_db" not in settings.INSTALLED_APPS:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=result_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="concord.jobs.runner.JobLost",
        traceback=why,
    )
