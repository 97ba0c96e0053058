"""Accountability's background tasks: the daily reporting reminders (declared as a schedule
in capability.py; ``concord accountability notify`` sends them by hand)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

REMINDER_DAYS = 14


def reminder_messages(today, days: int) -> list[tuple[str, str, str, list[str]]]:
    """One e-mail per active user with an address: the reports overdue or due within
    ``days`` of the obligations their organisations own, as far as they may see them."""
    from concord.accountability import loaders
    from concord.accountability.models import ReportingObligation
    from concord.core.models import User

    messages = []
    for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
        orgs = user.principal().orgs_with_role("viewer")
        mine = ReportingObligation.objects.filter(owner_id__in=orgs)
        overdue, upcoming = loaders.outstanding(loaders.dues(user, today, days, mine))
        if not overdue and not upcoming:
            continue
        # In the recipient's language (their account's, else the platform's).
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, body = _reminder(user, today, days, overdue, upcoming)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    return messages


def _reminder(user, today, days: int, overdue, upcoming) -> tuple[str, str]:
    """One user's reminder: its subject and body."""
    from concord.accountability import loaders
    from concord.core.visibility import VisibleLabels

    labels = VisibleLabels(user)
    lines = [_("Reports for %(user)s on %(on)s:") % {"user": user.get_username(), "on": today}, ""]
    due_soon = ngettext("Due in %(n)s day:", "Due in %(n)s days:", days) % {"n": days}
    for title, rows in ((_("Overdue:"), overdue), (due_soon, upcoming)):
        if rows:
            lines.append(title)
            lines += [
                _("- %(due)s: %(subject)s (%(reporter)s to %(body)s)")
                % {
                    "due": r.due.due,
                    "subject": r.obligation.subject,
                    "reporter": loaders.reporter_label(r.obligation, labels),
                    "body": r.obligation.get_body_display(),
                }
                for r in rows
            ]
            lines.append("")
    # One sentence per number of reports overdue (the count of those due soon follows).
    subject = ngettext(
        "Concord: %(overdue)s report overdue, %(upcoming)s due soon",
        "Concord: %(overdue)s reports overdue, %(upcoming)s due soon",
        len(overdue),
    ) % {"overdue": len(overdue), "upcoming": len(upcoming)}
    return subject, "\n".join(lines)


@task()
def send_reporting_reminders(days: int = REMINDER_DAYS) -> int:
    """E-mail today's reminders; returns how many messages were sent."""
    messages = reminder_messages(timezone.localdate(), days)
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
