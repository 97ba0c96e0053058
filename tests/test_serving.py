"""The production server's settings (concord.serving): garbage collection frozen after
start-up and after a worker's 1st, 10th and 100th request, and nowhere else."""

from __future__ import annotations

from types import SimpleNamespace

from concord import serving


def test_workers_freeze_long_lived_objects_after_warming_up(monkeypatch):
    frozen = []
    worker = SimpleNamespace()
    monkeypatch.setattr(serving.gc, "freeze", lambda: frozen.append(worker.concord_requests))
    monkeypatch.setattr(serving.gc, "collect", lambda: 0)
    serving.post_worker_init(worker)
    for _ in range(250):
        serving.post_request(worker, None, {}, None)
    assert frozen == [0, 1, 10, 100]
    assert worker.concord_requests == 250


def test_serve_runs_gunicorn_with_these_settings_and_a_worker_stopped_with_it(monkeypatch):
    import subprocess
    import sys

    from django.core.management import call_command

    from concord.core.management.commands import serve

    seen = {}
    started = []

    def fake_worker():
        # A real child process standing in for `concord worker`: serve must stop it.
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        started.append(child)
        return child

    monkeypatch.setattr(serve, "start_worker", fake_worker)
    monkeypatch.setattr(
        serve.Command, "run_gunicorn", lambda self, argv: seen.setdefault("argv", argv)
    )
    call_command("serve", "--no-migrate", "--bind", "127.0.0.1:9")
    argv = seen["argv"]
    assert argv[argv.index("--config") + 1] == "python:concord.serving"
    assert len(started) == 1 and started[0].poll() is not None  # stopped with serve

    seen.clear()
    call_command("serve", "--no-migrate", "--bind", "127.0.0.1:9", "--no-worker")
    assert seen["argv"] and len(started) == 1  # no second worker
