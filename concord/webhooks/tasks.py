"""The webhooks' jobs (django-tasks): ``dispatch`` fans out new audit entries and sends
what is due (started after every audited write, and every minute by the schedule);
``deliver`` sends one delivery now (a test ping)."""

from __future__ import annotations

from django_tasks import task

from . import dispatch as dispatching


@task()
def dispatch() -> dict:
    return dispatching.run()


@task()
def deliver(delivery_id: int) -> int:
    return dispatching.send_due(limit=1, only=delivery_id)
