"""A job is its user's alone: anybody else (a platform administrator included) finds none."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from .models import Job


def own_jobs(user):
    if user is None or not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(user=user)


def access_job(user, pk) -> Job:
    job = own_jobs(user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such job of yours."))
    return job
