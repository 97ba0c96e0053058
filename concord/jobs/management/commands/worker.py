"""``concord worker``: runs the background jobs (django-tasks' database worker), the
capabilities' schedules, and the recovery of jobs whose worker died."""

from __future__ import annotations

import logging
import os
import threading

from django.core.management.base import CommandError
from django.db import connection
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from concord.jobs import runner, scheduler

log = logging.getLogger("concord.jobs")


def maintain() -> None:
    """One round: enqueue the schedules that are due, recover the jobs whose worker died."""
    scheduler.tick()
    runner.recover()


def _loop(stop: threading.Event, every: float) -> None:
    try:
        while not stop.wait(every):
            try:
                maintain()
            except Exception:  # noqa: BLE001  (logged; the next round tries again)
                log.exception("worker maintenance failed")
    finally:
        connection.close()


class Command(DBWorkerCommand):
    help = (
        "Run background jobs from the queue in the database, enqueue the capabilities' "
        "schedules, and retry (or fail) the jobs whose worker died. Run one or several; "
        "`concord serve` starts one."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedules",
            action="store_true",
            help="Neither enqueue schedules nor recover lost jobs (another worker does).",
        )
        parser.add_argument(
            "--no-run",
            action="store_true",
            help="Only the schedules and the recovery (when another backend's workers run "
            "the jobs, e.g. RQ's).",
        )
        parser.add_argument(
            "--nice",
            type=int,
            default=10,
            help="Run at this lower CPU priority than the web server (default 10; 0: same).",
        )
        parser.add_argument(
            "--maintenance-every",
            type=float,
            default=5.0,
            help="Seconds between two rounds of schedules and recovery (default 5).",
        )

    def handle(self, **o):
        self.configure_logging(o["verbosity"])
        if o["nice"] > 0 and hasattr(os, "nice"):
            os.nice(o["nice"])  # pages first: a job waits, a person should not
        backend = task_backends["default"]
        if o["no_run"] or not isinstance(backend, DatabaseBackend):
            if not o["no_run"]:
                self.stdout.write(
                    f"The tasks go to {type(backend).__name__}: run its workers for the jobs; "
                    "this one runs the schedules and the recovery."
                )
            return self._maintain_only(o)
        if not o["no_schedules"]:
            lost = runner.recover(startup=True)
            if lost:
                self.stdout.write(f"Recovered {len(lost)} job(s) whose worker had stopped.")
            maintain()
            if not o["batch"]:
                threading.Thread(
                    target=_loop,
                    args=(threading.Event(), o["maintenance_every"]),
                    name="concord-worker-maintenance",
                    daemon=True,
                ).start()
        super().handle(**{k: v for k, v in o.items() if k not in _OURS})

    def _maintain_only(self, o):
        if o["batch"]:
            runner.recover(startup=True)
            maintain()
            return
        if o["no_schedules"]:
            raise CommandError("--no-run with --no-schedules leaves nothing to do.")
        runner.recover(startup=True)
        stop = threading.Event()
        try:
            while True:
                maintain()
                if stop.wait(o["maintenance_every"]):
                    break
        except KeyboardInterrupt:
            return


_OURS = ("no_schedules", "no_run", "maintenance_every", "nice")
