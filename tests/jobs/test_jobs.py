"""Background jobs: large exports and imports become jobs of their user, run by the real
database backend's worker; schedules; recovery of jobs whose worker died."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concord.core.context import Actor
from concord.core.models import Classification, Organisation, Role
from concord.jobs import runner, scheduler, services
from concord.jobs.models import Job, JobFile, ScheduleState, Status

from ..conftest import make_org, make_user


@pytest.fixture
def setup(db, settings):
    settings.CONCORD_JOBS_ROWS_THRESHOLD = 5
    org = make_org("JOB")
    user = make_user("jobber", org, Role.EDITOR, Classification.CONFIDENTIAL)
    for i in range(8):
        make_org(f"O{i}", name=f"Organisation {i}", owner=org)
    return org, user


def work():
    """Run every queued task with the real worker (in this process), then return. The
    worker closes its connection between tasks (``close_old_connections``), which inside a
    test's transaction would close the test's own (PostgreSQL): that step alone is left
    out here; tests/jobs/test_worker_crash.py runs the worker whole, as processes."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("worker", "--batch", "--no-startup-delay", "--nice", "0", "--verbosity", "0")


def test_a_large_export_becomes_a_job_with_the_same_file(setup, client, settings):
    org, user = setup
    client.force_login(user)
    url = "/organisations/?export=csv&sort=-name&kind=other"
    response = client.get(url)
    job = Job.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Status.QUEUED and job.kind == "export"
    assert DBTaskResult.objects.filter(id=job.task_result_id, status="READY").exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Queued" in page and 'hx-trigger="every 2s"' in page

    work()
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED and job.attempts == 1 and job.result_name
    settings.CONCORD_JOBS_ROWS_THRESHOLD = 10_000
    inline = b"".join(client.get(url).streaming_content)
    header = client.get("/").content.decode()
    assert "Your export is ready" in header
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200 and download.content == inline
    assert download["Content-Disposition"] == 'attachment; filename="concord-organisations.csv"'
    assert inline.count(b"\n") == 1 + 9  # the header and the nine "other" organisations
    assert "Your export is ready" not in client.get("/").content.decode()  # opened
    assert 'hx-trigger="every 2s"' not in client.get(f"/jobs/{job.pk}/").content.decode()


def test_the_export_reads_with_the_users_visibility_when_it_runs(setup, client):
    org, user = setup
    client.force_login(user)
    client.get("/organisations/?export=json")
    hidden = Organisation.objects.get(acronym="O3")
    hidden.classification = Classification.STRICTLY_CONFIDENTIAL  # above the user's clearance
    hidden.releasability = "owner"
    from concord.core import services as core_services

    core_services.save(hidden, actor=Actor.system("test"))
    work()
    job = Job.objects.get(user=user)
    body = bytes(JobFile.objects.get(job=job, role=JobFile.RESULT).data).decode()
    assert "Organisation 2" in body and "Organisation 3" not in body


def test_a_job_is_seen_by_its_user_only_not_by_a_platform_administrator(setup, client):
    org, user = setup
    client.force_login(user)
    client.get("/organisations/?export=csv")
    work()
    job = Job.objects.get(user=user)
    for other in (make_user("admin", None, admin=True), make_user("colleague", org, Role.EDITOR)):
        client.force_login(other)
        for path in ("", "progress/", "download/"):
            assert client.get(f"/jobs/{job.pk}/{path}").status_code == 404, (other, path)
        assert client.get(f"/api/v1/jobs/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/api/v1/jobs/jobs/{job.pk}/download/").status_code == 404
        assert client.post(f"/api/v1/jobs/jobs/{job.pk}/cancel/").status_code == 404
        assert client.get("/api/v1/jobs/jobs/").json()["count"] == 0
        assert "Export of" not in client.get("/jobs/").content.decode()
    client.logout()
    assert client.get(f"/jobs/{job.pk}/").status_code == 302  # to the sign-in page
    assert client.get("/api/v1/jobs/jobs/").status_code in (401, 403)


def test_the_api_lists_shows_and_downloads_own_jobs(setup, client):
    org, user = setup
    client.force_login(user)
    client.get("/organisations/?export=xlsx")
    work()
    listing = client.get("/api/v1/jobs/jobs/").json()
    assert listing["count"] == 1
    (item,) = listing["results"]
    assert item["status"] == "succeeded" and item["percent"] == 100
    assert item["download"].endswith(f"/api/v1/jobs/jobs/{item['id']}/download/")
    data = client.get(item["download"]).content
    assert data[:2] == b"PK"  # an XLSX workbook
    refused = client.post(f"/api/v1/jobs/jobs/{item['id']}/cancel/")
    assert refused.status_code == 400 and "already succeeded" in refused.content.decode()


def _csv(n: int, bad_row: int | None = None) -> bytes:
    rows = ["name,kind,owner"]
    rows += [f"Imported {i},{'planet' if i == bad_row else 'local'},JOB" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


def test_a_large_import_becomes_a_job_and_commits_at_once(setup, client):
    org, user = setup
    client.force_login(user)
    upload = SimpleUploadedFile("big.csv", _csv(12))
    response = client.post("/organisations/import/", {"file": upload})
    job = Job.objects.get(user=user, kind="import")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.total == 12 and not Organisation.objects.filter(name__startswith="Imported")
    work()
    job.refresh_from_db()
    assert job.status == Status.SUCCEEDED, job.error
    assert Organisation.objects.filter(name__startswith="Imported").count() == 12
    assert not JobFile.objects.filter(job=job).exists()  # the upload is not kept
    assert "Your import is ready" in client.get("/").content.decode()


def test_a_small_import_still_runs_at_once(setup, client):
    org, user = setup
    client.force_login(user)
    client.post("/organisations/import/", {"file": SimpleUploadedFile("s.csv", _csv(3))})
    assert not Job.objects.exists()
    assert Organisation.objects.filter(name__startswith="Imported").count() == 3


def test_an_import_job_with_a_bad_row_fails_with_its_reason_and_writes_nothing(setup, client):
    org, user = setup
    client.force_login(user)
    client.post("/organisations/import/", {"file": SimpleUploadedFile("b.csv", _csv(12, 7))})
    work()
    job = Job.objects.get(user=user)
    assert job.status == Status.FAILED and job.attempts == 1
    assert "row 9" in job.error and "kind" in job.error and "planet" in job.error
    assert not Organisation.objects.filter(name__startswith="Imported").exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "planet" in page and "Try again" in page
    # Tried again, it fails again for the same reason (the file is kept for that).
    client.post(f"/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    assert job.status == Status.QUEUED
    work()
    job.refresh_from_db()
    assert job.status == Status.FAILED and "planet" in job.error


def test_cancelled_before_it_runs_a_job_never_runs(setup, client):
    org, user = setup
    client.force_login(user)
    client.post("/organisations/import/", {"file": SimpleUploadedFile("c.csv", _csv(12))})
    job = Job.objects.get(user=user)
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 302
    work()
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.attempts == 0
    assert not Organisation.objects.filter(name__startswith="Imported").exists()


def test_a_job_cancelled_while_it_runs_keeps_nothing(setup):
    org, user = setup
    from concord.jobs.tasks import import_records

    job = services.start(
        user,
        "import",
        "Import",
        import_records,
        input_data=_csv(12),
        kind="organisations",
        filename="r.csv",
    )
    run = runner.claim(job.pk)
    services.cancel(job, actor=Actor(user=user, interface="web"))
    with pytest.raises(runner.JobLost):
        run.succeed(message="too late")
    job.refresh_from_db()
    assert job.status == Status.CANCELLED


def _running(user, *, attempts=1, age=600, worker="elsewhere:1"):
    from concord.jobs.tasks import export_records

    job = services.start(
        user, "export", "Stuck", export_records, list_url="/organisations/", query="", fmt="csv"
    )
    Job.objects.filter(pk=job.pk).update(
        status=Status.RUNNING,
        attempts=attempts,
        worker=worker,
        heartbeat=timezone.now() - dt.timedelta(seconds=age),
    )
    DBTaskResult.objects.filter(id=job.task_result_id).update(status="RUNNING")
    job.refresh_from_db()
    return job


def test_a_job_whose_heartbeat_stopped_is_retried_then_failed_with_its_reason(setup):
    org, user = setup
    fresh = _running(user, age=1)
    stale = _running(user, attempts=1)
    assert runner.recover() == [stale.pk]  # the fresh one's worker is alive
    stale.refresh_from_db()
    assert stale.status == Status.QUEUED and "Retrying" in stale.message
    old = DBTaskResult.objects.get(id=fresh.task_result_id)
    assert old.status == "RUNNING"
    assert DBTaskResult.objects.filter(id=stale.task_result_id, status="READY").exists()
    work()
    stale.refresh_from_db()
    assert stale.status == Status.SUCCEEDED and stale.attempts == 2

    last = _running(user, attempts=3)
    assert runner.recover() == [last.pk]
    last.refresh_from_db()
    assert last.status == Status.FAILED
    assert "worker running it stopped" in last.error and "attempt 3 of 3" in last.error
    assert DBTaskResult.objects.get(id=last.task_result_id).status == "FAILED"
    assert runner.recover() == []  # once


def test_at_start_up_a_worker_recovers_jobs_of_a_dead_process_on_its_machine(setup):
    import socket
    import subprocess
    import sys

    org, user = setup
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    here = _running(user, age=1, worker=f"{socket.gethostname()}:{gone.pid}")
    alive = _running(user, age=1, worker=runner.worker_ident())
    assert runner.recover() == []
    assert runner.recover(startup=True) == [here.pk]
    alive.refresh_from_db()
    assert alive.status == Status.RUNNING


def test_each_schedule_run_is_enqueued_once_across_workers(db):
    declared = {s.task: s.every for s in scheduler.declared()}
    assert declared["concord.accountability.tasks.send_reporting_reminders"] == 86400
    assert declared["concord.jobs.tasks.expire_jobs"] == 3600
    now = timezone.now()
    assert scheduler.tick(now) == []  # first seen: the first run is one period later
    assert ScheduleState.objects.count() == len(declared)
    later = now + dt.timedelta(days=1, seconds=1)
    # Two workers read the schedule at the same moment: one compare-and-set wins.
    stale_rows = list(ScheduleState.objects.all())
    first = scheduler.tick(later)
    assert sorted(first) == sorted(declared)
    for row in stale_rows:
        assert not scheduler.claim_run(row, later)
    assert scheduler.tick(later) == []
    assert DBTaskResult.objects.filter(task_path__in=list(declared)).count() == len(declared)


def test_expired_jobs_are_deleted_with_their_files(setup):
    org, user = setup
    job = _running(user)
    Job.objects.filter(pk=job.pk).update(
        status=Status.SUCCEEDED, expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    keep = _running(user)
    assert services.expire() == 1
    assert not Job.objects.filter(pk=job.pk).exists() and Job.objects.filter(pk=keep.pk).exists()


def test_cli_lists_shows_saves_retries_and_cancels(setup, client, tmp_path):
    org, user = setup
    client.force_login(user)
    client.get("/organisations/?export=csv")
    client.post("/organisations/import/", {"file": SimpleUploadedFile("b.csv", _csv(9, 2))})
    work()
    export, imp = Job.objects.get(kind="export"), Job.objects.get(kind="import")
    out = io.StringIO()
    call_command("jobs", "list", "--as", "jobber", stdout=out)
    assert "succeeded" in out.getvalue() and "failed" in out.getvalue()
    target = tmp_path / "x.csv"
    call_command("jobs", "show", str(export.pk), "-o", str(target), "--as", "jobber", stdout=out)
    assert target.read_bytes().startswith(b"id,name")
    call_command("jobs", "retry", str(imp.pk), "--as", "jobber", stdout=out)
    call_command("jobs", "cancel", str(imp.pk), "--as", "jobber", stdout=out)
    imp.refresh_from_db()
    assert imp.status == Status.CANCELLED
    with pytest.raises(CommandError, match="already succeeded"):
        call_command("jobs", "cancel", str(export.pk), "--as", "jobber", stdout=out)
    make_user("nosy", org, Role.EDITOR)
    with pytest.raises(CommandError, match="no job"):
        call_command("jobs", "show", str(export.pk), "--as", "nosy", stdout=out)
    with pytest.raises(CommandError, match="not a job number"):
        call_command("jobs", "show", "x", "--as", "jobber", stdout=out)
    out = io.StringIO()
    call_command("jobs", "schedules", stdout=out)
    assert "send_reporting_reminders" in out.getvalue()


def test_a_deactivated_users_queued_job_fails_without_running(setup, client):
    org, user = setup
    client.force_login(user)
    client.get("/organisations/?export=csv")
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    work()
    job = Job.objects.get(user=user)
    assert job.status == Status.FAILED and "deactivated" in job.error
    assert not JobFile.objects.filter(job=job, role=JobFile.RESULT).exists()
