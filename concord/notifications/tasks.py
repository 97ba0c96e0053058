"""The notifications capability's jobs (``django_tasks``), run by the worker on the
schedules declared in capability.py."""

from __future__ import annotations

from django_tasks import task


@task()
def fan_out_task() -> int:
    """Notifications from the audit entries the ``recorded`` signal did not reach."""
    from .services import fan_out

    return fan_out()


@task()
def send_digests_task() -> int:
    """Every e-mail digest that is due (immediate ones within a minute)."""
    from .services import send_digests

    return len(send_digests())
