"""The signed-in user's jobs: the list, a job's page (its progress polled every 2 s while
it runs), its result, and cancel / retry."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core.context import Actor

from . import services
from .access import access_job, own_jobs
from .models import JobFile

PAGE = 100


@login_required
def job_list(request):
    jobs = own_jobs(request.user).defer("arguments")[:PAGE]
    threshold = number_format(settings.CONCORD_JOBS_ROWS_THRESHOLD, force_grouping=True)
    return render(
        request,
        "jobs/job_list.html",
        {
            "jobs": jobs,
            "page_cap": PAGE,
            "threshold": threshold,
            "keep_days": settings.CONCORD_JOBS_KEEP_DAYS,
        },
    )


def _seen(job):
    if job.finished:
        services.opened(job)


@login_required
def job_detail(request, pk):
    job = access_job(request.user, pk)
    _seen(job)
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
def job_progress(request, pk):
    """The progress part of a job's page (htmx swaps it in every 2 s while the job runs)."""
    job = access_job(request.user, pk)
    _seen(job)
    return render(request, "jobs/_progress.html", {"job": job})


@login_required
def job_download(request, pk):
    job = access_job(request.user, pk)
    row = JobFile.objects.filter(job=job, role=JobFile.RESULT).first() if job.has_result else None
    if row is None:
        raise Http404(_("This job has no result to download (yet, or any more)."))
    services.opened(job)
    response = HttpResponse(
        bytes(row.data), content_type=job.result_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f'attachment; filename="{job.result_name or "result"}"'
    return response


def _act(request, pk, action, done):
    job = access_job(request.user, pk)
    try:
        action(job, actor=Actor.from_request(request))
        messages.success(request, done())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(job.get_absolute_url())


@login_required
@require_POST
def job_cancel(request, pk):
    return _act(request, pk, services.cancel, lambda: _("Cancelled."))


@login_required
@require_POST
def job_retry(request, pk):
    return _act(request, pk, services.retry, lambda: _("Queued again."))
