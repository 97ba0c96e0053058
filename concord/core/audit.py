"""Writing and verifying the hash-chained audit trail."""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from .context import Actor
from .models import AuditEntry, AuditHead

EXCLUDED_FIELDS = {"password", "last_login", "key_hash", "created_at", "updated_at"}


def _jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, *, fresh: bool = False) -> dict:
    """Field values as plain JSON, with relations as ids and many-to-many as sorted id lists
    (``fresh``: the object was just created in bulk, so its many-to-many lists are empty)."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in EXCLUDED_FIELDS or f.primary_key:
            continue
        value = f.value_from_object(obj)
        if getattr(f, "sensitive", False):  # never the plaintext: only that it changed
            from .crypto import pseudonym

            value = f"(sensitive {pseudonym(value, label='value')})" if value else ""
        data[f.name] = _jsonable(value)
    if fresh:
        data.update({f.name: [] for f in obj._meta.many_to_many})
    elif obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    extra = getattr(obj, "audit_extra", None)
    if callable(extra):
        data.update(extra())
    return data


def diff(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(
    actor: Actor,
    action: str,
    obj: models.Model,
    changes: dict,
    *,
    object_id=None,
    owner_id=None,
    classification=None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=timezone.now(),
        actor_id=getattr(actor.user, "pk", None),
        actor_label=actor.display,
        interface=actor.interface,
        request_id=actor.request_id,
        action=action,
        model=obj._meta.label_lower,
        object_id=str(object_id if object_id is not None else obj.pk),
        object_repr=str(obj)[:300],
        owner_id=owner_id if owner_id is not None else getattr(obj, "owner_id", None),
        classification=(
            classification if classification is not None else getattr(obj, "classification", 0) or 0
        ),
        changes=changes,
        prev_hash=head.hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


@dataclass
class Problem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" if self.seq is not None else "chain"
        return f"{where}: {self.message}"


def verify(progress=None) -> tuple[int, list[Problem]]:
    """Walk the chain; report edited, deleted, inserted or reordered entries by number."""
    problems: list[Problem] = []
    expected_seq, prev_hash, count = 1, "0" * 64, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if progress:
            progress(1)
        if entry.seq != expected_seq:
            missing = (
                f"#{expected_seq}"
                if entry.seq == expected_seq + 1
                else f"#{expected_seq}–#{entry.seq - 1}"
            )
            problems.append(Problem(expected_seq, f"missing (deleted?): {missing}"))
        if entry.prev_hash != prev_hash:
            problems.append(
                Problem(entry.seq, "does not link to the entry before it (deleted or reordered)")
            )
        if entry.compute_hash() != entry.hash:
            problems.append(Problem(entry.seq, "content was edited after it was written"))
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and head.seq != expected_seq - 1:
        problems.append(
            Problem(
                None,
                f"the chain ends at #{expected_seq - 1} but the head records #{head.seq}: "
                "entries at the end were deleted",
            )
        )
    elif head is not None and count and head.hash != prev_hash:
        problems.append(Problem(head.seq, "the head's hash does not match the last entry"))
    return count, problems


def record_bulk(actor: Actor, action: str, objs: list[models.Model], *, fresh: bool = False) -> int:
    """Append one entry per object in a single chained batch (for seeding and bulk loads).

    Must run inside the caller's transaction, after the objects have primary keys.
    ``fresh``: the objects were just bulk-created and have no many-to-many links yet.
    """
    if not objs:
        return 0
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    seq, prev = head.seq, head.hash
    now = timezone.now()
    entries = []
    for obj in objs:
        seq += 1
        entry = AuditEntry(
            seq=seq,
            at=now,
            actor_id=getattr(actor.user, "pk", None),
            actor_label=actor.display,
            interface=actor.interface,
            request_id=actor.request_id,
            action=action,
            model=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:300],
            owner_id=getattr(obj, "owner_id", None),
            classification=getattr(obj, "classification", 0) or 0,
            changes=diff(None, snapshot(obj, fresh=fresh)) if action == "create" else {},
            prev_hash=prev,
        )
        entry.hash = entry.compute_hash()
        prev = entry.hash
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])
    return len(entries)
