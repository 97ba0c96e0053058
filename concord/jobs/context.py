"""The header's "Your export is ready": the signed-in user's jobs that finished with success
and that they have not opened yet (queried only on pages that show it)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .models import Job, Status

SHOWN = 10


def _ready(user) -> list[Job]:
    return list(
        Job.objects.filter(user=user, status=Status.SUCCEEDED, opened_at=None).only(
            "pk", "kind", "title"
        )[:SHOWN]
    )


def jobs(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"jobs_ready": SimpleLazyObject(lambda: _ready(user))}
