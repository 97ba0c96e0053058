import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command

from concord.core.management.base import ConcordCommand


def _die_with_parent() -> None:  # pragma: no cover  (runs in the child, before exec)
    """Linux: the worker gets SIGTERM if serve itself is killed (even with -9)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start_worker() -> subprocess.Popen:
    """``concord worker`` as a child process (its output goes where serve's goes)."""
    return subprocess.Popen(
        [sys.executable, "-m", "concord.cli", "worker", "--no-reload"],
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
    )


def stop(child: subprocess.Popen | None, timeout: float = 10) -> None:
    if child is None or child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


class Command(ConcordCommand):
    help = (
        "Serve Concord with gunicorn (production server), or Django's server with --dev; "
        "a background worker (`concord worker`) runs alongside unless --no-worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("CONCORD_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("CONCORD_WORKERS", "3"))
        )
        parser.add_argument("--dev", action="store_true", help="Auto-reloading development server.")
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Start no background worker (run `concord worker` yourself, elsewhere).",
        )

    def handle(self, **o):
        if not o["no_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write(f"Concord on http://{o['bind']}/  (data in {settings.DATA_DIR})")
        self.stdout.flush()
        # Django's auto-reloader runs this command again in a child (RUN_MAIN): the worker
        # started by the parent serves both.
        reloaded = os.environ.get("RUN_MAIN") == "true"
        worker = None if o["no_worker"] or reloaded else start_worker()
        try:
            if o["dev"]:
                call_command("runserver", o["bind"])
                return
            self.run_gunicorn(self.gunicorn_argv(o))
        finally:
            stop(worker)

    def gunicorn_argv(self, o) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "concord.wsgi:application",
            "--bind",
            o["bind"],
            "--workers",
            str(o["workers"]),
            "--config",
            "python:concord.serving",  # garbage collection tuned for Django workers
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]

    def run_gunicorn(self, argv: list[str]) -> int:
        """gunicorn as a child; a SIGTERM or SIGINT to serve reaches it (and then the worker
        is stopped too)."""
        server = subprocess.Popen(argv)

        def forward(signum, frame):
            server.send_signal(signum)

        previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            return server.wait()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
            stop(server)
