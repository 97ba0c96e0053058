"""The jobs' tasks (django_tasks): a large export, a large import, and the hourly deletion
of expired results."""

from __future__ import annotations

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from concord.core.context import Actor

from . import services
from .bulk import export_body, plural_name
from .runner import job_task


@task()
@job_task
def export_records(run, *, list_url: str, query: str, fmt: str):
    data, name, content_type, count = export_body(run, list_url=list_url, query=query, fmt=fmt)
    message = ngettext("Exported %(n)s row.", "Exported %(n)s rows.", count) % {
        "n": number_format(count, force_grouping=True)
    }
    run.succeed(data=data, name=name, content_type=content_type, message=message)


@task()
@job_task
def import_records(run, *, kind: str, filename: str, request_id: str = ""):
    from concord.core.importers import import_file

    data = run.input()
    actor = Actor(user=run.user, interface="import", request_id=request_id)
    run.progress(
        0, run.job.total, _("Checking and saving the rows of %(file)s.") % {"file": filename}
    )
    done = 0

    def saved_one(n):
        nonlocal done
        done += n
        run.progress(done)

    # The rows and the job's success commit together, or not at all.
    with transaction.atomic():
        saved = import_file(kind, data, filename, actor=actor, progress=saved_one)
        run.progress(len(saved), len(saved))
        run.succeed(
            message=_("Imported %(n)s %(kind)s from %(file)s.")
            % {
                "n": number_format(len(saved), force_grouping=True),
                "kind": plural_name(kind),
                "file": filename,
            }
        )


@task()
def expire_jobs() -> int:
    """Delete the jobs whose results have expired (CONCORD_JOBS_KEEP_DAYS)."""
    return services.expire()
