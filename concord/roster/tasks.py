"""The roster's background work: alert e-mails, and the hourly end of lapsed space access."""

from __future__ import annotations

from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Candidate, CandidateState
from .services.common import ALERT_DAYS


def alert_message(candidate: Candidate, link: str) -> tuple[str, str, None, list[str]]:
    subject = _("Concord roster: are you available?")
    body = _(
        "You are on a roster we keep, and a request may suit you.\n\n%(text)s\n\n"
        "Answer available or not available (the link works once, for %(days)s days; it "
        "needs no account):\n%(link)s\n"
    ) % {"text": candidate.alert_text, "link": link, "days": ALERT_DAYS}
    return subject, body, None, [candidate.expert.email]


@task()
def send_alerts(candidate_ids: list[int]) -> int:
    """E-mail each alerted candidate a fresh one-use link (the key exists only in the
    e-mail: the task's arguments carry ids). Returns how many were sent."""
    from .services import alert_link, alert_token

    messages = []
    with transaction.atomic():
        for c in Candidate.objects.filter(
            pk__in=candidate_ids, state=CandidateState.ALERTED
        ).select_related("expert"):
            if not c.expert.email:
                continue
            messages.append(alert_message(c, alert_link(alert_token(c))))
    send_mass_mail(messages, fail_silently=False)
    return len(messages)


@task()
def end_lapsed_access() -> int:
    from .services import end_lapsed

    return end_lapsed()
