"""The reporting reminders, run by the worker as the daily schedule accountability declares."""

from __future__ import annotations

import pytest

from .test_jobs import work


@pytest.mark.django_db
def test_the_reporting_reminders_run_as_a_scheduled_task(demo, settings):
    from django.core import mail

    from concord.accountability.tasks import send_reporting_reminders
    from concord.core.models import User

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    User.objects.filter(username="dpo.viewer").update(email="viewer@example.org")
    result = send_reporting_reminders.enqueue()
    work()
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value == 1
    (message,) = mail.outbox
    assert message.to == ["viewer@example.org"] and "overdue" in message.subject
