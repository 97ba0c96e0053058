"""Follows, notifications and digest preferences.

A notification is a pointer: (user, audit entry). It stores no title and no content: what a
reader sees of it is worded when it is shown or sent, from the entry and from the record as
it is then, through the enforcement point (``concord.notifications.access``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.core.models import User
from concord.core.models.labels import ChoiceLabels

COUNTRY = "core.country"
SPACE = "core.space"


class Follow(models.Model):
    """A user follows a record (any scoped record with a page: an operation, a tranche…), a
    country or a coordination space: ``model`` is the label ("operations.operation",
    "core.country", "core.space"), ``object_id`` its id."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="follows")
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "model", "object_id"], name="uniq_follow")
        ]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.model}:{self.object_id}"  # untranslated: ids


class Notification(models.Model):
    """That audit entry ``entry`` concerns something ``user`` follows (``follow``: the follow
    that matched, for the words "you follow …"). Nothing else is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    entry = models.ForeignKey(
        "core.AuditEntry",
        to_field="seq",
        db_column="seq",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    follow = models.ForeignKey(
        Follow, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # When a digest claimed it (sent or, if the reader could not see it then, dropped): a
    # notification is claimed once, before the e-mail goes, so it is never e-mailed twice.
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-entry_id"]
        constraints = [models.UniqueConstraint(fields=["user", "entry"], name="uniq_notification")]
        indexes = [
            models.Index(fields=["user", "read_at", "entry"], name="notif_user_unread"),
            models.Index(fields=["user", "mailed_at"], name="notif_user_mailed"),
        ]

    def __str__(self) -> str:
        pk, user, seq = self.pk, self.user_id, self.entry_id
        return f"Notification {pk} for {user} (entry #{seq})"  # untranslated: ids, not for people


class Cursor(models.Model):
    """How far the fan-out has read the audit trail (one row, claimed with
    select_for_update, so two fan-outs never read the same entries at once)."""

    name = models.CharField(max_length=40, primary_key=True)
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at #{self.seq}"


class Frequency(models.TextChoices):
    NONE = "none", _("No e-mail")
    IMMEDIATE = "immediate", _("Immediately (within a minute)")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class Preference(ChoiceLabels, models.Model):
    """A user's e-mail digest: how often, and when the last one went."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="digest_preference")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.NONE)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"
