"""Accountability's background tasks: the daily reporting reminders (declared as a schedule
in capability.py; ``concord accountability notify`` sends them by hand)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone
from django_tasks import task

REMINDER_DAYS = 14


def reminder_messages(today, days: int) -> list[tuple[str, str, str, list[str]]]:
    """One e-mail per active user with an address: the reports overdue or due within
    ``days`` of the obligations their organisations own, as far as they may see them."""
    from concord.accountability import loaders
    from concord.accountability.models import ReportingObligation
    from concord.core.models import User
    from concord.core.visibility import VisibleLabels

    messages = []
    for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
        orgs = user.principal().orgs_with_role("viewer")
        mine = ReportingObligation.objects.filter(owner_id__in=orgs)
        overdue, upcoming = loaders.outstanding(loaders.dues(user, today, days, mine))
        if not overdue and not upcoming:
            continue
        labels = VisibleLabels(user)
        lines = [f"Reports for {user.get_username()} on {today}:", ""]
        for title, rows in (("Overdue", overdue), (f"Due in {days} days", upcoming)):
            if rows:
                lines.append(f"{title}:")
                lines += [
                    f"- {r.due.due}: {r.obligation.subject} "
                    f"({loaders.reporter_label(r.obligation, labels)} to "
                    f"{r.obligation.get_body_display()})"
                    for r in rows
                ]
                lines.append("")
        subject = f"Concord: {len(overdue)} reports overdue, {len(upcoming)} due soon"
        messages.append((subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [user.email]))
    return messages


@task()
def send_reporting_reminders(days: int = REMINDER_DAYS) -> int:
    """E-mail today's reminders; returns how many messages were sent."""
    messages = reminder_messages(timezone.localdate(), days)
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
