"""Faults, each against a real receiver on 127.0.0.1: a URL outside the allow-list (and a
name that resolves inside), one that times out, one that answers 500, one that redirects;
retries with backoff, the pause after consecutive failures, the owner told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from concord.core.context import Actor
from concord.core.models import AuditEntry, Membership
from concord.webhooks import allowlist, dispatch
from concord.webhooks import services as hooks
from concord.webhooks.models import Attempt, Delivery, DeliveryState, Webhook

from .conftest import operation, subscribe
from .receiver import Receiver


def _due_now():
    Delivery.objects.filter(state=DeliveryState.PENDING).update(next_attempt_at=timezone.now())


def test_a_url_outside_the_allow_list_is_refused_naming_the_field(hw, settings):
    with pytest.raises(ValidationError) as err:
        subscribe(hw, "http://10.0.0.5/hook")
    assert "url" in err.value.message_dict
    assert "not among the destinations" in err.value.message_dict["url"][0]
    settings.CONCORD_WEBHOOK_ALLOWED_HOSTS = []
    with pytest.raises(ValidationError) as err:
        subscribe(hw, "http://127.0.0.1:9/hook")
    assert "turned off" in err.value.message_dict["url"][0]
    assert (
        not Webhook.objects.exists()
        and not AuditEntry.objects.filter(model="webhooks.webhook").exists()
    )


def test_allow_list_names_and_ranges(settings):
    r = allowlist.rules("hooks.example.org, .partner.org, 203.0.113.0/24")
    assert allowlist.name_allowed("hooks.example.org", r)
    assert allowlist.name_allowed("a.partner.org", r)
    assert not allowlist.name_allowed("partner.org", r)
    assert not allowlist.name_allowed("evil-hooks.example.org", r)
    settings.CONCORD_WEBHOOK_ALLOWED_HOSTS = "hooks.example.org,203.0.113.0/24"
    allowlist.check_url("https://hooks.example.org/x")
    allowlist.check_url("http://203.0.113.9:8080/x")
    for bad in (
        "http://198.51.100.1/",
        "ftp://hooks.example.org/",
        "http://u:p@hooks.example.org/",
    ):
        with pytest.raises(ValidationError):
            allowlist.check_url(bad)


def test_a_name_that_resolves_to_an_internal_address_is_refused_at_delivery(hw, settings, receiver):
    """DNS rebinding: 'localhost' is allowed by name, but resolves to 127.0.0.1, which no
    range allows: the delivery is refused and nothing reaches the receiver."""
    settings.CONCORD_WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    port = receiver.server.server_address[1]
    hook, _ = subscribe(hw, f"http://localhost:{port}/hook")
    operation(hw, "Event")
    dispatch.run()
    assert receiver.requests == []
    attempt = Attempt.objects.get()
    assert "resolves to 127.0.0.1, an address outside the allow-list" in attempt.error
    # A listed range makes the same name deliverable (to the address that was checked).
    settings.CONCORD_WEBHOOK_ALLOWED_HOSTS = ["localhost", "127.0.0.0/8"]
    _due_now()
    dispatch.run()
    assert len(receiver.requests) == 1
    # An allow-list narrowed after subscribing still holds at delivery.
    settings.CONCORD_WEBHOOK_ALLOWED_HOSTS = ["example.org"]
    operation(hw, "Another")
    dispatch.run()
    assert len(receiver.requests) == 1
    assert "not on the allow-list" in Attempt.objects.order_by("-pk").first().error


def test_a_receiver_that_times_out_is_retried_with_backoff(hw):
    with Receiver(mode="slow", delay=1.5) as slow:
        hook, _ = subscribe(hw, slow.url)
        operation(hw, "Slow")
        before = timezone.now()
        dispatch.run()
        d = Delivery.objects.get(webhook=hook)
        assert d.state == DeliveryState.PENDING and d.attempts == 1
        assert "timed out after 0.5 s" in d.tries.get().error
        wait = (d.next_attempt_at - before).total_seconds()
        assert 59 <= wait <= 62  # 1 minute
        dispatch.run()  # not due yet: nothing tried
        assert Delivery.objects.get(pk=d.pk).attempts == 1
        _due_now()
        before = timezone.now()
        dispatch.run()
        d.refresh_from_db()
        assert d.attempts == 2 and 119 <= (d.next_attempt_at - before).total_seconds() <= 122


def test_a_receiver_that_answers_500_fails_after_the_last_attempt(hw, settings):
    settings.CONCORD_WEBHOOK_MAX_ATTEMPTS = 3
    with Receiver(mode="error") as failing:
        hook, _ = subscribe(hw, failing.url)
        operation(hw, "Failing")
        for _ in range(3):
            _due_now()
            dispatch.run()
        d = Delivery.objects.get(webhook=hook)
        assert d.state == DeliveryState.FAILED and d.attempts == 3 and d.status_code == 500
        assert [a.status_code for a in d.tries.all()] == [500, 500, 500]
        assert d.note.startswith("failed after 3 attempt(s): HTTP 500")
        assert len(failing.requests) == 3
        assert len({r["headers"]["Idempotency-Key"] for r in failing.requests}) == 1


def test_a_redirect_is_a_failure_and_is_not_followed(hw):
    with Receiver(mode="redirect") as redirecting:
        hook, _ = subscribe(hw, redirecting.url)
        operation(hw, "Redirected")
        dispatch.run()
        d = Delivery.objects.get(webhook=hook)
        assert d.state == DeliveryState.PENDING and d.status_code == 302
        assert d.tries.get().error == "redirect not followed (a 3xx is a failure)"
        assert len(redirecting.requests) == 1


def test_consecutive_failures_pause_the_webhook_and_tell_its_owner(
    hw, settings, django_capture_on_commit_callbacks
):
    settings.CONCORD_WEBHOOK_PAUSE_AFTER = 3
    with Receiver(mode="error") as r:
        hook, _ = subscribe(hw, r.url)
        for i in range(3):
            operation(hw, f"Event {i}")
        with django_capture_on_commit_callbacks(execute=True):  # the e-mail goes on commit
            dispatch.run()
        hook.refresh_from_db()
        assert not hook.active and hook.failures == 3
        assert "3 consecutive failed attempts" in hook.paused_reason
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mgr@example.org"]
        assert "paused" in mail.outbox[0].subject
        entry = AuditEntry.objects.filter(model="webhooks.webhook", action="update").last()
        assert entry.actor_label == "system:webhooks"
        assert entry.changes["active"] == [True, False]
        # While paused, events wait; nothing is sent even when due.
        operation(hw, "While paused")
        _due_now()
        dispatch.run()
        assert len(r.requests) == 3
        # Resumed (the receiver fixed): what waited is sent, the count starts again.
        r.mode = "ok"
        hooks.resume(hook, actor=Actor(user=hw.manager, interface="web"))
        dispatch.run()
        hook.refresh_from_db()
        assert hook.active and hook.failures == 0
        assert Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == 4


def test_an_owner_who_may_no_longer_manage_gets_nothing_and_the_webhook_pauses(hw, receiver):
    hook, _ = subscribe(hw, receiver.url)
    Membership.objects.filter(user=hw.manager).update(role="viewer")
    operation(hw, "After the demotion")
    dispatch.run()
    assert receiver.requests == []
    hook.refresh_from_db()
    assert not hook.active and "may no longer manage" in hook.paused_reason
    d = Delivery.objects.get(webhook=hook)
    assert d.state == DeliveryState.SKIPPED


def test_a_ping_is_sent_even_to_a_paused_webhook(hw, receiver, django_capture_on_commit_callbacks):
    hook, secret = subscribe(hw, receiver.url)
    actor = Actor(user=hw.manager, interface="web")
    hooks.pause(hook, actor=actor)
    with django_capture_on_commit_callbacks(execute=True):
        ping = hooks.ping(hook, actor=actor)
    ping.refresh_from_db()
    assert ping.state == DeliveryState.DELIVERED and ping.status_code == 200
    assert receiver.bodies()[0]["type"] == "ping"


def test_a_crashed_sender_is_taken_again_later(hw, receiver):
    hook, _ = subscribe(hw, receiver.url)
    hook.active = False
    hook.save()
    operation(hw, "Crash")
    dispatch.fan_out()
    Webhook.objects.update(active=True)
    claimed = dispatch.claim(10)
    assert len(claimed) == 1 and dispatch.claim(10) == []  # held by the crashed worker
    Delivery.objects.update(claimed_at=timezone.now() - dt.timedelta(minutes=5))
    dispatch.run()
    assert Delivery.objects.get().state == DeliveryState.DELIVERED
    assert len(receiver.requests) == 1


def test_the_webhook_keeps_the_platforms_language_and_its_owner_is_told_in_theirs(
    hw, receiver, django_capture_on_commit_callbacks
):
    """A dispatch started by a request in French still writes its notes in the platform's
    language; the e-mail to the owner is in the owner's language."""
    from django.utils import translation

    hook, _ = subscribe(hw, receiver.url)
    hw.manager.language = "fr"
    hw.manager.save(update_fields=["language"])
    Membership.objects.filter(user=hw.manager).update(role="viewer")
    operation(hw, "After the demotion")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        dispatch.run()
    hook.refresh_from_db()
    assert hook.paused_reason.startswith("its owning user may no longer manage")
    assert Delivery.objects.get(webhook=hook).note.startswith("skipped: its owner")
    (message,) = mail.outbox
    assert message.subject == "Concord\u00a0: webhook 'Receiver' suspendu"
    assert "son utilisateur propriétaire ne peut plus gérer les webhooks" in message.body
