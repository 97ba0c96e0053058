"""The audit trail: append-only, hash-chained.

Each entry carries the security of its record on both sides of the change (``scope``: the
owner, classification, releasability, shares and named people before and after), so the
trail itself is filtered like the records it describes: an entry is shown only to those who
could see the record before *and* after the change (docs/audit.md).
"""

from __future__ import annotations

import hashlib
import json

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from .security import Classification


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user) -> AuditQuerySet:
        """Entries of records the user's organisations own on both sides of the change,
        within the user's clearance on both sides (so, by the owner's reach, records the
        user could see before and after it; strictly confidential ones never appear here).

        Entries about records owned by others are shown through the record's History tab,
        which first checks the record itself (see ``concord.core.history``).
        """
        if user is None or not user.is_authenticated:
            return self.none()
        p = user.principal()
        orgs, ceiling = sorted(p.org_ids), min(p.clearance, Classification.CONFIDENTIAL)
        return self.filter(
            Q(owner_id__in=orgs)
            & Q(classification__lte=ceiling)
            & (Q(prior_owner_id__isnull=True) | Q(prior_owner_id__in=orgs))
            & (Q(prior_classification__isnull=True) | Q(prior_classification__lte=ceiling))
        )


class AuditEntry(models.Model):
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    interface = models.CharField(max_length=16)
    request_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=16)
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    owner_id = models.BigIntegerField(null=True, blank=True)
    classification = models.PositiveSmallIntegerField(default=Classification.PUBLIC)
    changes = models.JSONField(default=dict)
    # The record's security before and after the change ({"before": state or null, "after":
    # state or null}, see SecurityState.as_json), null for entries about accounts and spaces.
    scope = models.JSONField(null=True, blank=True)
    prior_owner_id = models.BigIntegerField(null=True, blank=True)
    prior_classification = models.PositiveSmallIntegerField(null=True, blank=True)
    # 1: written before entries carried their scope (the scope was derived from the trail
    # afterwards and is checked by ``verify``); 2: the scope is part of the hashed content.
    format = models.PositiveSmallIntegerField(default=2)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["model", "object_id"])]
        verbose_name = gettext_lazy("audit entry")
        verbose_name_plural = gettext_lazy("audit entries")

    def __str__(self) -> str:
        return gettext("#%(seq)s %(action)s %(model)s:%(id)s by %(actor)s") % {
            "seq": self.seq,
            "action": self.action,
            "model": self.model,
            "id": self.object_id,
            "actor": self.actor_label,
        }

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries are append-only.")

    def payload(self) -> dict:
        data = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "interface": self.interface,
            "request_id": self.request_id,
            "action": self.action,
            "model": self.model,
            "object_id": str(self.object_id),
            "object_repr": self.object_repr,
            "owner_id": self.owner_id,
            "classification": self.classification,
            "changes": self.changes,
            "prev_hash": self.prev_hash,
        }
        if self.format >= 2:
            data.update(
                format=self.format,
                scope=self.scope,
                prior_owner_id=self.prior_owner_id,
                prior_classification=self.prior_classification,
            )
        return data

    def compute_hash(self) -> str:
        blob = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


class AuditHead(models.Model):
    """A single row: the last sequence number and hash. Locking it serialises appends, and it
    lets verification notice entries removed from the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return gettext("audit head #%(seq)s") % {"seq": self.seq}
