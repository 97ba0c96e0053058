"""The jobs' tasks (django_tasks): a large export, a large import, and the hourly deletion
of expired results."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from concord.core.context import Actor

from . import services
from .bulk import export_body
from .runner import job_task


@task()
@job_task
def export_records(run, *, list_url: str, query: str, fmt: str):
    data, name, content_type, count = export_body(run, list_url=list_url, query=query, fmt=fmt)
    run.succeed(
        data=data, name=name, content_type=content_type, message=f"Exported {count:,} rows."
    )


@task()
@job_task
def import_records(run, *, kind: str, filename: str, request_id: str = ""):
    from concord.core.importers import import_file

    data = run.input()
    actor = Actor(user=run.user, interface="import", request_id=request_id)
    run.progress(0, run.job.total, f"Checking and saving the rows of {filename}.")
    done = 0

    def saved_one(n):
        nonlocal done
        done += n
        run.progress(done)

    # The rows and the job's success commit together, or not at all.
    with transaction.atomic():
        saved = import_file(kind, data, filename, actor=actor, progress=saved_one)
        run.progress(len(saved), len(saved))
        run.succeed(message=f"Imported {len(saved):,} {kind} from {filename}.")


@task()
def expire_jobs() -> int:
    """Delete the jobs whose results have expired (CONCORD_JOBS_KEEP_DAYS)."""
    return services.expire()
