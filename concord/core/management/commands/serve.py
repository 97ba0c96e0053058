import os
import sys

from django.conf import settings
from django.core.management import call_command

from concord.core.management.base import ConcordCommand


class Command(ConcordCommand):
    help = "Serve Concord with gunicorn (production server), or Django's server with --dev."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("CONCORD_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("CONCORD_WORKERS", "3"))
        )
        parser.add_argument("--dev", action="store_true", help="Auto-reloading development server.")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, **o):
        if not o["no_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write(f"Concord on http://{o['bind']}/  (data in {settings.DATA_DIR})")
        self.stdout.flush()
        if o["dev"]:
            call_command("runserver", o["bind"])
            return
        argv = [
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
        os.execv(sys.executable, argv)
