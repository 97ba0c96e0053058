"""Writing and verifying the hash-chained audit trail.

The trail is also Concord's stream of events: whatever reacts to changes (notifications,
webhooks) reads entries in ``seq`` order from a cursor of its own, so that nothing is missed
or told twice after a crash. :data:`recorded` tells them, once the writing transaction has
committed, that entries up to ``last_seq`` exist (a hint to look now, never the only way).
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass

from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from .context import Actor
from .models import AuditEntry, AuditHead, SecurityState

EXCLUDED_FIELDS = {"password", "last_login", "key_hash", "created_at", "updated_at"}
# Sent after the commit of a transaction that appended entries: ``last_seq`` (keyword).
recorded = Signal()


def _tell(last_seq: int) -> None:
    transaction.on_commit(lambda: recorded.send(sender=AuditEntry, last_seq=last_seq))


SECURITY_FIELDS = {
    "owner": "owner",
    "classification": "classification",
    "releasability": "releasability",
    "shared_organisations": "organisations",
    "shared_spaces": "spaces",
    "named_users": "named",
}


def is_scoped(model) -> bool:
    """A record with an owner, a classification and a releasability (a ``ScopedModel``,
    or its historical twin inside a migration)."""
    names = {f.name for f in model._meta.get_fields()}
    return {"owner", "classification", "releasability", "named_users"} <= names


def state_of(snap: dict | None) -> SecurityState | None:
    """The security state in a snapshot (``snapshot()``), or None for no record."""
    if snap is None:
        return None
    return SecurityState.from_json(
        {SECURITY_FIELDS[k]: v for k, v in snap.items() if k in SECURITY_FIELDS}
    )


def current_state(obj: models.Model) -> SecurityState | None:
    """A scoped record's security as stored now (None for other records)."""
    if not is_scoped(type(obj)) or obj.pk is None:
        return None
    model = type(obj)
    row = (
        model.objects.filter(pk=obj.pk)
        .values("owner_id", "classification", "releasability")
        .first()
    )
    if row is None:
        return None
    lists = {}
    for name in ("shared_organisations", "shared_spaces", "named_users"):
        f = model._meta.get_field(name)
        through, src = f.remote_field.through, f"{f.m2m_field_name()}_id"
        lists[name] = through.objects.filter(**{src: obj.pk}).values_list(
            f"{f.m2m_reverse_field_name()}_id", flat=True
        )
    return SecurityState(
        row["owner_id"],
        row["classification"],
        row["releasability"],
        frozenset(lists["shared_organisations"]),
        frozenset(lists["shared_spaces"]),
        frozenset(lists["named_users"]),
    )


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

            digest = pseudonym(value, obj, label="value") if value else ""  # untranslated: a key
            value = f"(sensitive {digest})" if value else ""  # untranslated: hashed
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


def _sides(action, obj, scope, subject):
    """(before, after) security states for an entry about ``obj``."""
    if scope is not None:
        return scope
    if subject is not None:  # a part of a scoped record (a decision of a case): its security
        state = current_state(subject)
        return state, state
    state = current_state(obj)
    if state is None:
        return None
    return (None, state) if action == "create" else (state, state)


def _apply_scope(entry: AuditEntry, sides) -> None:
    if sides is None:
        entry.scope = None
        return
    before, after = sides
    entry.scope = {
        "before": before.as_json() if before else None,
        "after": after.as_json() if after else None,
    }
    if before is not None:
        entry.prior_owner_id, entry.prior_classification = before.owner, before.classification


def record(
    actor: Actor,
    action: str,
    obj: models.Model,
    changes: dict,
    *,
    object_id=None,
    owner_id=None,
    classification=None,
    scope: tuple[SecurityState | None, SecurityState | None] | None = None,
    subject: models.Model | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction.

    ``scope``: the record's security (before, after) the change; by default read from the
    record as it is now (a scoped record), or from ``subject``, the scoped record that
    ``obj`` belongs to (a tranche's decision, a case's step). The entry is shown only to
    those who may see both sides."""
    sides = _sides(action, obj, scope, subject)
    if sides is not None and owner_id is None:
        side = sides[1] or sides[0]
        owner_id, classification = side.owner, side.classification
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
    _apply_scope(entry, sides)
    entry.hash = entry.compute_hash()
    entry.save()
    head.seq, head.hash = entry.seq, entry.hash
    head.save(update_fields=["seq", "hash"])
    _tell(entry.seq)
    return entry


@dataclass
class Problem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" if self.seq is not None else "chain"
        return f"{where}: {self.message}"


class LegacyScopes:
    """The scope of entries written before entries carried one (format 1), derived from the
    trail itself: a record's security after its creation is in the creation's ``changes``,
    and each later entry's ``changes`` says which of it changed. Where the trail does not
    start with the record's creation, a side is taken as owner-only at the classification the
    entry recorded (no wider than the audit page already showed it). The migration that
    added scopes and ``verify`` run the same derivation, so an edited scope is detected.

    ``scoped(label)``: whether the model with that label is a scoped record."""

    def __init__(self, scoped):
        self.scoped = scoped
        self.states: dict[tuple[str, str], SecurityState] = {}

    def derive(self, entry) -> tuple[dict | None, int | None, int | None]:
        """(scope, prior owner id, prior classification) of a format-1 entry; call in order."""
        if not self.scoped(entry.model):
            return None, None, None
        key = (entry.model, str(entry.object_id))
        known = self.states.get(key)
        fallback = SecurityState(entry.owner_id, entry.classification or 0, "owner")
        before = None if entry.action == "create" else (known or fallback)
        after = None
        if entry.action != "delete":
            data = (before or fallback).as_json()
            for field, pair in (entry.changes or {}).items():
                if field in SECURITY_FIELDS and isinstance(pair, list) and len(pair) == 2:
                    data[SECURITY_FIELDS[field]] = pair[1]
            after = SecurityState.from_json(data)
            self.states[key] = after
        else:
            self.states.pop(key, None)
        scope = {
            "before": before.as_json() if before else None,
            "after": after.as_json() if after else None,
        }
        return (
            scope,
            before.owner if before else None,
            before.classification if before else None,
        )


def scoped_in(registry):
    """``scoped(label)`` for :class:`LegacyScopes` over an app registry: Django's (``verify``)
    or a migration's historical one, so both derive the same scopes."""
    cache: dict[str, bool] = {}

    def scoped(label: str) -> bool:
        if label not in cache:
            try:
                cache[label] = is_scoped(registry.get_model(label))
            except (LookupError, ValueError):
                cache[label] = False
        return cache[label]

    return scoped


def verify(progress=None) -> tuple[int, list[Problem]]:
    """Walk the chain; report edited, deleted, inserted or reordered entries by number, and
    format-1 entries whose scope no longer follows from the trail."""
    problems: list[Problem] = []
    expected_seq, prev_hash, count = 1, "0" * 64, 0
    from django.apps import apps

    legacy = LegacyScopes(scoped_in(apps))
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
                Problem(
                    entry.seq,
                    "does not link to the entry before it "  # untranslated: CLI
                    "(deleted or reordered)",
                )
            )
        if entry.compute_hash() != entry.hash:
            edited = "content was edited after it was written"  # untranslated: CLI
            problems.append(Problem(entry.seq, edited))
        if entry.format < 2:
            scope, owner, classification = legacy.derive(entry)
            if (scope, owner, classification) != (
                entry.scope,
                entry.prior_owner_id,
                entry.prior_classification,
            ):
                problems.append(
                    Problem(
                        entry.seq,
                        "who may see it (its scope) does not follow "  # untranslated: CLI
                        "from the trail: edited after it was derived",
                    )
                )
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and head.seq != expected_seq - 1:
        problems.append(
            Problem(
                None,
                f"the chain ends at #{expected_seq - 1} "  # untranslated: CLI
                f"but the head records #{head.seq}: entries at the end were deleted",
            )
        )
    elif head is not None and count and head.hash != prev_hash:
        mismatch = "the head's hash does not match the last entry"  # untranslated: CLI
        problems.append(Problem(head.seq, mismatch))
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
    scoped = is_scoped(type(objs[0]))
    for obj in objs:
        seq += 1
        snap = snapshot(obj, fresh=fresh) if scoped or action == "create" else None
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
            changes=diff(None, snap) if action == "create" else {},
            prev_hash=prev,
        )
        if scoped:
            state = state_of(snap)
            _apply_scope(entry, (None, state) if action == "create" else (state, state))
        entry.hash = entry.compute_hash()
        prev = entry.hash
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])
    _tell(seq)
    return len(entries)
