"""Webhooks: an organisation's subscriptions to changes, and the log of what was sent.

A :class:`Webhook` belongs to an organisation and to its owning user (the manager who
created it, or last changed where it sends): what it sends is what that user may see when a
delivery is made. Events are the audit trail's entries (``concord.core.audit``), read in
``seq`` order from the dispatcher's :class:`Cursor`; each match becomes one
:class:`Delivery` (one per webhook and entry: the idempotency key), tried by
:class:`Attempt`\\ s.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from concord.core.crypto import EncryptedTextField

ACTIONS = ("create", "update", "delete")
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A URL subscribed to events: record types × actions, narrowed by filters (AND)."""

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="webhooks"
    )
    owner = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        related_name="webhooks",
        help_text="Deliveries carry what this user may see when they are sent.",
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500, verbose_name="URL")
    record_types = models.JSONField(
        default=list, help_text="Model labels (``labour.assignment``) whose changes it hears."
    )
    actions = models.JSONField(default=list, help_text="Any of create, update, delete.")
    country = models.ForeignKey(
        "core.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    space = models.ForeignKey(
        "core.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    secret = EncryptedTextField()
    secret_hint = models.CharField(max_length=16, blank=True)
    active = models.BooleanField(default=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    failures = models.PositiveIntegerField(
        default=0, help_text="Consecutive failed deliveries (a success resets it)."
    )
    since_seq = models.BigIntegerField(
        default=0, help_text="It hears of audit entries after this one (its creation)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "name", "pk"]
        indexes = [models.Index(fields=["active"])]

    def __str__(self) -> str:
        return f"Webhook {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("webhooks:webhook_detail", kwargs={"pk": self.pk})

    @property
    def state(self) -> str:
        return "active" if self.active else "paused"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Delivery(models.Model):
    """One event (an audit entry) for one webhook, or a test ping (no entry)."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    seq = models.BigIntegerField(null=True, blank=True, help_text="The audit entry; null: a ping.")
    key = models.CharField(max_length=64, unique=True, help_text="The idempotency key.")
    model = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=16, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, help_text="The sending worker's token.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "seq"], name="one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"Delivery {self.key}"

    @staticmethod
    def key_for(webhook_id: int, seq: int) -> str:
        return f"evt_{webhook_id}_{seq}"

    @property
    def is_ping(self) -> bool:
        return self.seq is None


class Attempt(models.Model):
    """One try at sending a delivery: what came back, how long it took, what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery_id", "pk"]

    def __str__(self) -> str:
        return f"Attempt {self.pk} of delivery {self.delivery_id}"


class Cursor(models.Model):
    """A single row: the last audit entry the dispatcher has fanned out."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"webhooks cursor #{self.seq}"
