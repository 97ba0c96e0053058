"""``concord jobs list|show|retry|cancel|schedules``: the acting user's background jobs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.http import Http404

from concord.core.management.base import ConcordCommand
from concord.jobs import services
from concord.jobs.access import access_job, own_jobs
from concord.jobs.models import JobFile, Status


def _job_id(value: str) -> int:
    if not value.isdigit():
        raise CommandError(f"job: {value!r} is not a job number.")
    return int(value)


class Command(ConcordCommand):
    help = "Your background jobs: list, show (and save the result), retry, cancel; schedules."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ls = sub.add_parser("list", help="Your jobs, newest first.")
        ls.add_argument("--status", choices=Status.values)
        self.add_as_argument(ls)
        show = sub.add_parser("show", help="One job; -o FILE saves its result.")
        show.add_argument("job")
        show.add_argument("-o", "--output", help="Write the result to this file.")
        self.add_as_argument(show)
        for name, text in (
            ("retry", "Run a failed or cancelled job again."),
            ("cancel", "Stop a queued or running job."),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("job")
            self.add_as_argument(p)
        sub.add_parser("schedules", help="The declared schedules and when each runs next.")

    def handle(self, action, **o):
        if action == "schedules":
            return self.schedules()
        actor = self.actor(o["as_user"])
        if action == "list":
            jobs = own_jobs(actor.user)
            if o["status"]:
                jobs = jobs.filter(status=o["status"])
            for job in jobs[:200]:
                progress = f"{job.done}/{job.total}" if job.total else str(job.done)
                self.stdout.write(
                    f"{job.pk:>6}  {job.status:9} {progress:>15}  "
                    f"{job.created_at:%Y-%m-%d %H:%M}  {job.title}"
                )
            return
        try:
            job = access_job(actor.user, _job_id(o["job"]))
        except Http404:
            raise CommandError(f"job: no job {o['job']} of yours.") from None
        if action == "show":
            return self.show(job, o.get("output"))
        try:
            job = getattr(services, action)(job, actor=actor)
        except ValidationError as exc:
            raise CommandError(f"job {job.pk}: {' '.join(exc.messages)}") from None
        self.stdout.write(f"Job {job.pk}: {job.status}.")

    def show(self, job, output):
        lines = [
            f"Job {job.pk}: {job.title}",
            f"  kind      {job.kind}",
            f"  status    {job.status}  ({job.message})",
            f"  progress  {job.done}" + (f" of {job.total}" if job.total else ""),
            f"  attempts  {job.attempts} of {job.max_attempts}",
            f"  queued    {job.created_at:%Y-%m-%d %H:%M:%S}",
        ]
        if job.error:
            lines.append(f"  error     {job.error}")
        if job.has_result:
            lines.append(f"  result    {job.result_name} ({job.result_size} bytes)")
        self.stdout.write("\n".join(lines))
        if output:
            row = JobFile.objects.filter(job=job, role=JobFile.RESULT).first()
            if not job.has_result or row is None:
                raise CommandError(f"-o: job {job.pk} has no result to save.")
            with open(output, "wb") as fh:
                fh.write(bytes(row.data))
            services.opened(job)
            self.stdout.write(f"Wrote {output}.")

    def schedules(self):
        from concord.jobs.models import ScheduleState
        from concord.jobs.scheduler import declared

        states = {s.task: s for s in ScheduleState.objects.all()}
        for schedule in declared():
            state = states.get(schedule.task)
            when = f"{state.next_run:%Y-%m-%d %H:%M} UTC" if state else "at the first worker start"
            self.stdout.write(f"every {schedule.every:>6} s  next {when}  {schedule.task}")
