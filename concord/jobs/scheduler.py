"""The schedules every capability declares (``Capability.schedules``): each is enqueued every
``every`` seconds, once however many workers run. A row per schedule holds its next run; a
worker enqueues a run only if its compare-and-set update moves that time forward, in the same
transaction as the queue entry (with the database backend): two workers never enqueue the
same run, and a crash between the two leaves neither."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from concord.core import capabilities

from .models import ScheduleState

log = logging.getLogger("concord.jobs")


def declared() -> list:
    """Every capability's schedules, in the registry's order."""
    return [s for c in capabilities.all() for s in c.schedules]


def state(schedule, now) -> ScheduleState:
    """The schedule's row; a new schedule first runs one period after it is first seen (a
    fresh installation does not send a day's reminders on its first start)."""
    row = ScheduleState.objects.filter(task=schedule.task).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return ScheduleState.objects.create(
                task=schedule.task,
                every=schedule.every,
                next_run=now + dt.timedelta(seconds=schedule.every),
            )
    except IntegrityError:  # another worker made it first
        return ScheduleState.objects.get(task=schedule.task)


def tick(now=None) -> list[str]:
    """Enqueue every schedule that is due; returns the tasks this worker enqueued."""
    now = now or timezone.now()
    enqueued = []
    for schedule in declared():
        row = state(schedule, now)
        if row.every != schedule.every:  # the declaration changed: the next run follows it
            ScheduleState.objects.filter(pk=row.pk).update(every=schedule.every)
        if row.next_run > now:
            continue
        if claim_run(row, now, schedule):
            enqueued.append(schedule.task)
    return enqueued


def claim_run(row: ScheduleState, now, schedule=None) -> bool:
    """Enqueue the run ``row`` (as this worker read it) stands for, if no other worker has:
    the compare-and-set on ``next_run`` and the queue entry commit together."""
    every = schedule.every if schedule else row.every
    with transaction.atomic():
        won = ScheduleState.objects.filter(pk=row.pk, next_run=row.next_run).update(
            next_run=now + dt.timedelta(seconds=every), last_run=now
        )
        if not won:
            return False  # another worker enqueued this run
        result = import_string(row.task).enqueue()
        ScheduleState.objects.filter(pk=row.pk).update(last_result_id=str(result.id))
    log.info("schedule %s: enqueued %s", row.task, result.id)
    return True
