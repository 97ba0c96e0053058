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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.crypto import EncryptedTextField
from concord.core.models.labels import ChoiceLabels

ACTIONS = ("create", "update", "delete")
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """A URL subscribed to events: record types × actions, narrowed by filters (AND)."""

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        related_name="webhooks",
        verbose_name=_("organisation"),
    )
    owner = models.ForeignKey(
        "core.User",
        on_delete=models.PROTECT,
        related_name="webhooks",
        verbose_name=_("owner"),
        help_text=_("Deliveries carry what this user may see when they are sent."),
    )
    name = models.CharField(max_length=100, verbose_name=_("name"))
    url = models.URLField(max_length=500, verbose_name=_("URL"))
    record_types = models.JSONField(
        default=list,
        verbose_name=_("record types"),
        help_text=_("Model labels (``labour.assignment``) whose changes it hears."),
    )
    actions = models.JSONField(
        default=list, verbose_name=_("actions"), help_text=_("Any of create, update, delete.")
    )
    country = models.ForeignKey(
        "core.Country",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("country"),
    )
    operation = models.ForeignKey(
        "operations.Operation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("operation"),
    )
    space = models.ForeignKey(
        "core.Space",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("space"),
    )
    secret = EncryptedTextField(verbose_name=_("secret"))
    secret_hint = models.CharField(max_length=16, blank=True, verbose_name=_("secret hint"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    paused_reason = models.CharField(max_length=300, blank=True, verbose_name=_("paused reason"))
    failures = models.PositiveIntegerField(
        default=0,
        verbose_name=_("failures"),
        help_text=_("Consecutive failed deliveries (a success resets it)."),
    )
    since_seq = models.BigIntegerField(
        default=0,
        verbose_name=_("since seq"),
        help_text=_("It hears of audit entries after this one (its creation)."),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["organisation_id", "name", "pk"]
        indexes = [models.Index(fields=["active"])]

    def __str__(self) -> str:
        return gettext("Webhook %(name)s") % {"name": self.name}

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        url_name = "webhooks:webhook_detail"
        return reverse(url_name, kwargs={"pk": self.pk})

    @property
    def state(self) -> str:
        return "active" if self.active else "paused"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Delivery(ChoiceLabels, models.Model):
    """One event (an audit entry) for one webhook, or a test ping (no entry)."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    seq = models.BigIntegerField(
        null=True, blank=True, help_text=_("The audit entry; null: a ping.")
    )
    key = models.CharField(max_length=64, unique=True, help_text=_("The idempotency key."))
    model = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=16, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, help_text=_("The sending worker's token."))
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "seq"], name="one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return gettext("Delivery %(key)s") % {"key": self.key}

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
        return gettext("Attempt %(attempt)s of delivery %(delivery)s") % {
            "attempt": self.pk,
            "delivery": self.delivery_id,
        }


class Cursor(models.Model):
    """A single row: the last audit entry the dispatcher has fanned out."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"webhooks cursor #{self.seq}"  # untranslated: an internal row, never shown
