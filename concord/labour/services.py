"""Writes to the division of labour: through the core ``save`` (checked, audited), or for a
whole 3W file through ``import_assignments`` (one transaction, one audit entry per batch)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from concord.core import audit, services
from concord.core.context import Actor
from concord.core.models import Organisation, OrganisationName
from concord.core.models.registry import normalise_name
from concord.operations.models import Operation

from .models import Assignment, FindingReview, ImportBatch, MandatedTask


def set_mandate(rows: Iterable[dict]):
    """A children callback replacing an operation's mandated tasks with ``rows``."""
    rows = list(rows)

    def apply(op: Operation) -> None:
        MandatedTask.objects.filter(operation=op).delete()
        objs = []
        for i, row in enumerate(rows, start=1):
            obj = MandatedTask(operation=op, **row)
            try:
                obj.full_clean(exclude=["operation"])
            except ValidationError as exc:
                raise ValidationError(
                    {"mandate": [f"task {i}: {m}" for m in exc.messages]}
                ) from None
            objs.append(obj)
        MandatedTask.objects.bulk_create(objs)

    return apply


def save_mandate(op: Operation, rows: Iterable[dict], *, actor: Actor) -> Operation:
    """Replace the operation's mandate: an update of the operation, so it needs the right to
    edit the operation, and the History tab shows what changed."""
    op = Operation.objects.get(pk=op.pk)
    return services.save(op, actor=actor, children=set_mandate(rows))


def review_finding(key: str, status: str, note: str, *, actor: Actor, owner) -> FindingReview:
    """Acknowledge or resolve a finding (a new review each time: the trail shows them all)."""
    review = FindingReview(key=key, status=status, note=(note or "").strip(), owner=owner)
    return services.save(review, actor=actor)


def _bulk_create(objs: list, *, actor: Actor) -> None:
    """Validate and create records in bulk, one audit entry each (for imports)."""
    if not objs:
        return
    now = timezone.now()
    user = None if actor.is_system else actor.user
    for obj in objs:
        obj.created_by, obj.created_at, obj.updated_at = user, now, now
        for f in obj._meta.concrete_fields:  # ids of parents created just before
            if (
                f.is_relation
                and getattr(obj, f.attname) is None
                and f.name in obj._state.fields_cache
            ):
                setattr(obj, f.name, obj._state.fields_cache[f.name])
        try:
            obj.full_clean(exclude=["created_by"], validate_unique=False)
        except ValidationError as exc:
            raise ValidationError(f"{obj}: {'; '.join(exc.messages)}") from None
    type(objs[0]).objects.bulk_create(objs, batch_size=1000)
    if isinstance(objs[0], Organisation):
        OrganisationName.objects.bulk_create(
            [
                OrganisationName(organisation=o, key=k)
                for o in objs
                for k in sorted({normalise_name(n) for n in o.names()} - {""})
            ],
            batch_size=2000,
        )
    audit.record_bulk(actor, "create", objs, fresh=True)


@transaction.atomic
def import_assignments(
    batch: ImportBatch,
    assignments: list[Assignment],
    *,
    actor: Actor,
    organisations: list = (),
    areas: list = (),
) -> ImportBatch:
    """Write a checked 3W file: the organisations and areas it had to create (each audited),
    the batch, and its assignments in bulk, with one audit entry for the batch recording how
    many rows it wrote and the file's hash. Every assignment points at its batch."""
    if not actor.is_system:
        allowed = actor.user.principal().orgs_with_role("contributor")
        if batch.owner_id not in allowed:
            raise PermissionDenied("You may not create records for that organisation.")
    _bulk_create(list(organisations), actor=actor)
    for level in (1, 2, 3):
        _bulk_create([a for a in areas if a.level == level], actor=actor)
    batch.created = len(assignments)
    services.save(batch, actor=actor)
    now = timezone.now()
    user = None if actor.is_system else actor.user
    for a in assignments:
        a.batch = batch
        a.created_by, a.created_at, a.updated_at = user, now, now
        a.organisation = a.organisation  # (its id, if it was created above)
        a.area = a.area
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    audit.record(
        actor,
        "import",
        batch,
        {"assignments": [0, len(assignments)], "sha256": [None, batch.sha256]},
    )
    return batch
