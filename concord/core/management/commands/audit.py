from django.core.management.base import CommandError

from concord.core.audit import verify
from concord.core.management.base import ConcordCommand
from concord.core.models import AuditHead


class Command(ConcordCommand):
    help = "Audit trail tools. 'verify' walks the hash chain and names any tampered entry."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, action, **o):
        head = AuditHead.objects.filter(id=1).first()
        bar = self.progress(head.seq if head else 0, "verifying")
        count, problems = verify(progress=bar.update)
        bar.close()
        if problems:
            lines = "\n".join(f"  {p}" for p in problems)
            raise CommandError(
                f"Audit chain BROKEN: {len(problems)} problem(s) in {count} entries:\n{lines}"
            )
        last = head.hash if head else "-"
        self.stdout.write(
            f"Audit chain intact: {count} entries; head #{head.seq if head else 0} {last}"
        )
