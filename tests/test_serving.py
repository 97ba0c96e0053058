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


def test_serve_runs_gunicorn_with_these_settings(monkeypatch):
    from django.core.management import call_command

    seen = {}
    monkeypatch.setattr("os.execv", lambda path, argv: seen.setdefault("argv", argv))
    call_command("serve", "--no-migrate", "--bind", "127.0.0.1:9")
    argv = seen["argv"]
    assert argv[argv.index("--config") + 1] == "python:concord.serving"
