import json

from django.core.management.base import CommandError

from concord.core.management.base import ConcordCommand


def _days(value: str) -> int:
    from concord.accountability.analysis import look_ahead

    try:
        return look_ahead(value)
    except ValueError as exc:
        raise CommandError(f"--days: give {exc}.") from None


class Command(ConcordCommand):
    help = (
        "Accountability: 'due' lists reports overdue and coming up; 'notify' e-mails each "
        "member of an owning organisation the reports overdue or due soon that they may see."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("due", help="Reports overdue and due within --days.")
        d.add_argument("--days", default="30", help="Look-ahead in days (default 30).")
        d.add_argument("--all", action="store_true", help="Include due dates already met.")
        d.add_argument("--format", choices=["table", "json"], default="table")
        self.add_as_argument(d, required=False)
        n = sub.add_parser("notify", help="E-mail each user the reports overdue or due soon.")
        n.add_argument("--days", default="14", help="Look-ahead in days (default 14).")
        n.add_argument("--dry-run", action="store_true", help="Print the messages; send none.")

    def handle(self, action, **o):
        from django.utils import timezone

        today = timezone.localdate()
        days = _days(o["days"])
        if action == "due":
            return self.due(o, today, days)
        return self.notify(o, today, days)

    def due(self, o, today, days):
        from concord.accountability.loaders import due_rows

        user = self.actor(o["as_user"]).user if o.get("as_user") else None
        rows = due_rows(user, today, days, include_met=o["all"])
        if o["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=1, default=str, ensure_ascii=False))
            return
        for r in rows:
            late = f"{r['days_late']} days late" if r["days_late"] else ""
            self.stdout.write(
                f"{r['due']}  {r['state']:8} {r['subject']} — {r['reporter']} to {r['to']}"
                f"{'  (' + late + ')' if late else ''}"
            )
        overdue = sum(1 for r in rows if r["state"] == "overdue")
        self.stdout.write(f"{overdue} overdue, {sum(r['state'] == 'due' for r in rows)} due.")

    def notify(self, o, today, days):
        from django.core.mail import send_mass_mail

        from concord.accountability.tasks import reminder_messages

        messages = reminder_messages(today, days)
        if o["dry_run"]:
            for subject, body, _, to in messages:
                self.stdout.write(f"To: {to[0]}\nSubject: {subject}\n\n{body}\n")
        else:
            send_mass_mail(messages, fail_silently=False)
        self.stdout.write(f"{len(messages)} messages {'prepared' if o['dry_run'] else 'sent'}.")
