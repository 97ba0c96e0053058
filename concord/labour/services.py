"""Writes to the division of labour: through the core ``save`` (checked, audited), or for a
whole 3W file through ``import_assignments`` (one transaction, one audit entry per batch)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import UniqueConstraint
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concord.core import audit, bulk, services
from concord.core.context import Actor
from concord.core.models import (
    Area,
    Classification,
    Organisation,
    OrganisationName,
    Releasability,
    ScopedModel,
)
from concord.core.models.registry import normalise_name
from concord.operations.models import Operation

from .models import Assignment, FindingReview, ImportBatch, MandatedTask, SectorMapping, Task


def set_mandate(rows: Iterable[dict]):
    """A children callback replacing an operation's mandated tasks with ``rows``, keeping
    those of tasks the editor may not see (neither shown nor sent)."""
    rows = list(rows)

    def apply(op: Operation, actor: Actor) -> None:
        services.replace_children(
            op,
            actor,
            MandatedTask,
            "operation",
            rows,
            error=lambda i, messages: {
                "mandate": [_("task %(n)s: %(message)s") % {"n": i, "message": m} for m in messages]
            },
            keep_hidden=("task", Task),
        )

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
    """Validate and create records in bulk, one audit entry each (for imports).

    Each record gets the model's own field and ``clean`` checks. Two checks that cost a
    query per record are done for the whole batch instead: a foreign key already holding
    a saved instance needs no lookup, and each unique constraint is checked with one query
    (and within the batch)."""
    if not objs:
        return
    model = type(objs[0])
    now = timezone.now()
    user = None if actor.is_system else actor.user
    relations = [f for f in model._meta.concrete_fields if f.is_relation]
    for obj in objs:
        obj.created_by, obj.created_at, obj.updated_at = user, now, now
        in_hand = ["created_by"]
        for f in relations:
            related = obj._state.fields_cache.get(f.name)
            if related is not None and related.pk is not None:
                setattr(obj, f.name, related)  # the id of a parent created just before
                in_hand.append(f.name)
        try:
            obj.full_clean(exclude=in_hand, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise ValidationError(f"{obj}: {'; '.join(exc.messages)}") from None
    _check_unique(model, objs)
    model.objects.bulk_create(objs, batch_size=1000)
    if isinstance(objs[0], Organisation):
        OrganisationName.objects.bulk_create(
            [
                OrganisationName(organisation=o, key=k)
                for o in objs
                for k in sorted({normalise_name(n) for n in o.names()} - {""})
            ],
            batch_size=2000,
        )
    services.index_for_search(objs)  # new organisations and areas are found at once
    audit.record_bulk(actor, "create", objs, fresh=True)


def _check_unique(model, objs: list) -> None:
    """Unique fields and single-field unique constraints, for a batch of new records: one
    query per field (by chunks), and duplicates within the batch, each named."""
    fields = [f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    conditions = {}
    for c in model._meta.constraints:
        if isinstance(c, UniqueConstraint) and len(c.fields) == 1 and not c.expressions:
            fields.append(c.fields[0])
            conditions[c.fields[0]] = c.condition
        elif isinstance(c, UniqueConstraint):  # anything richer: the model's own check
            for obj in objs:
                c.validate(model, obj)
    for name in fields:
        attname = model._meta.get_field(name).attname
        seen: dict = {}
        for obj in objs:
            value = getattr(obj, attname)
            if value in (None, ""):
                continue
            if value in seen:
                raise ValidationError(
                    _("%(record)s: %(field)s %(value)r appears twice in this import.")
                    % {"record": obj, "field": name, "value": value}
                )
            seen[value] = obj
        taken = model.objects.all()
        if conditions.get(name) is not None:
            taken = taken.filter(conditions[name])
        values = list(seen)
        for i in range(0, len(values), 500):
            clash = (
                taken.filter(**{f"{attname}__in": values[i : i + 500]})
                .values_list(attname, flat=True)
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    _("%(record)s: %(field)s %(value)r is already taken.")
                    % {"record": seen[clash], "field": name, "value": clash}
                )


@transaction.atomic
def import_assignments(
    batch: ImportBatch,
    assignments: list[Assignment],
    *,
    actor: Actor,
    organisations: list = (),
    areas: list = (),
    sector_choices: dict | None = None,
) -> ImportBatch:
    """Write a checked 3W file: the organisations and areas it had to create (each audited),
    the batch, and its assignments in bulk, with one audit entry for the batch recording how
    many rows it wrote and the file's hash. Every assignment points at its batch. The sectors
    mapped by hand (``sector_choices``: value -> task) are remembered for the owner's next
    file (``SectorMapping``, each audited)."""
    if not actor.is_system:
        allowed = actor.user.principal().orgs_with_role("contributor")
        if batch.owner_id not in allowed:
            raise PermissionDenied(_("You may not create records for that organisation."))
    _bulk_create(list(organisations), actor=actor)
    for level in (1, 2, 3):
        _bulk_create([a for a in areas if a.level == level], actor=actor)
    batch.created = len(assignments)
    batch.created_records = {
        "organisations": [o.pk for o in organisations],
        "areas": [a.pk for a in areas],
    }
    services.save(batch, actor=actor)
    now = timezone.now()
    user = None if actor.is_system else actor.user
    for a in assignments:
        a.batch = batch
        a.created_by, a.created_at, a.updated_at = user, now, now
        a.organisation = a.organisation  # (its id, if it was created above)
        a.area = a.area
    bulk.insert_new(Assignment, assignments)
    audit.record(
        actor,
        "import",
        batch,
        {"assignments": [0, len(assignments)], "sha256": [None, batch.sha256]},
    )
    remember_sectors(batch.owner, sector_choices or {}, actor=actor)
    return batch


ROLLBACK_KEEPS = (OrganisationName,)  # rows that go with a created organisation


@transaction.atomic
def rollback_import(batch: ImportBatch, *, actor: Actor) -> ImportBatch:
    """Undo a 3W import: its assignments, and the organisations and areas it created, are
    deleted (audited: one entry for the batch, one per organisation and area), and the batch
    is kept, marked rolled back. Refused, saying why, when an assignment of the import was
    edited since, or when a later record depends on what it created (an assignment entered by
    hand in a created district, a record shared with a created organisation…): nothing is
    then deleted. A manager of the organisation that owns the import may do it."""
    if not actor.is_system:
        if actor.user is None or not actor.user.is_authenticated:
            raise PermissionDenied(_("Sign in first."))
        if not ImportBatch.objects.deletable_by(actor.user).filter(pk=batch.pk).exists():
            raise PermissionDenied(
                _("Only a manager of the organisation that owns the import may roll it back.")
            )
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.rolled_back_at:
        raise ValidationError(
            {
                "batch": _("This import was rolled back on %(date)s.")
                % {"date": f"{batch.rolled_back_at:%Y-%m-%d}"}
            }
        )
    assignments = Assignment.objects.filter(batch=batch)
    edited = assignments.filter(updated_at__gt=models.F("created_at")).count()
    if edited:
        raise ValidationError(
            {
                "batch": ngettext(
                    "%(n)d assignment of this import was edited since it was imported: rolling "
                    "back would lose the edits. Delete them one by one, or undo the edits first.",
                    "%(n)d assignments of this import were edited since it was imported: rolling "
                    "back would lose the edits. Delete them one by one, or undo the edits first.",
                    edited,
                )
                % {"n": edited}
            }
        )
    created = batch.created_records or {}
    orgs = list(Organisation.objects.filter(pk__in=created.get("organisations", [])))
    areas = list(Area.objects.filter(pk__in=created.get("areas", [])))
    changed = [
        o for o in [*orgs, *areas] if o.updated_at and o.created_at and o.updated_at > o.created_at
    ]
    if changed:
        raise ValidationError(
            {
                "batch": ngettext(
                    "%(n)d of the organisations and areas this import created was edited since "
                    "(e.g. %(example)s): rolling back would delete the edits. Nothing was rolled "
                    "back.",
                    "%(n)d of the organisations and areas this import created were edited since "
                    "(e.g. %(example)s): rolling back would delete the edits. Nothing was rolled "
                    "back.",
                    len(changed),
                )
                % {"n": len(changed), "example": changed[0]}
            }
        )
    own = {
        Assignment: set(assignments.values_list("pk", flat=True)),
        Organisation: {o.pk for o in orgs},
        Area: {a.pk for a in areas},
    }
    blocking = _dependents(own, None if actor.is_system else actor.user)
    if blocking:
        raise ValidationError(
            {
                "batch": _(
                    "Later records depend on what this import created, so nothing was "
                    "rolled back: %(records)s. Remove those links first (their owners can)."
                )
                % {"records": "; ".join(f"{n} {what}" for what, n in sorted(blocking.items()))}
            }
        )
    snapshots = [(o, o.pk, audit.snapshot(o)) for o in [*orgs, *areas]]
    n = assignments.count()
    try:
        with transaction.atomic():
            assignments.delete()
            for area in sorted(areas, key=lambda a: -a.level):  # districts before provinces
                area.delete()
            for org in orgs:
                org.delete()
    except (ProtectedError, RestrictedError):  # a link made while we were checking
        raise ValidationError(
            {"batch": _("A record was just linked to what this import created: try again.")}
        ) from None
    for obj, pk, before in snapshots:
        obj.pk = pk  # (deleted: the entry names what was)
        audit.record(
            actor,
            "delete",
            obj,
            audit.diff(before, None),
            object_id=pk,
            owner_id=obj.owner_id,
            classification=obj.classification,
            scope=(audit.state_of(before), None),
        )
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = None if actor.is_system else actor.user
    batch.save(update_fields=["rolled_back_at", "rolled_back_by"])
    audit.record(
        actor,
        "rollback",
        batch,
        {
            "assignments": [n, 0],
            "organisations": [len(orgs), 0],
            "areas": [len(areas), 0],
        },
    )
    return batch


def _dependents(own: dict[type, set[int]], user) -> dict[str, int]:
    """Records outside ``own`` that point at an organisation or area in it: those the user may
    see by kind, the others counted together (their kind would tell about them)."""
    out: dict[str, int] = {}
    hidden = 0
    for model in (Organisation, Area):
        ids = own.get(model) or set()
        if not ids:
            continue
        # Every relation pointing here, those without a reverse name ("+") included; an M2M's
        # through table is met through its M2M field.
        for rel in model._meta.get_fields(include_hidden=True):
            if not (rel.is_relation and rel.auto_created and not rel.concrete):
                continue
            related = rel.related_model
            if related in ROLLBACK_KEEPS or related._meta.auto_created:
                continue
            qs = related._base_manager.filter(**{f"{rel.field.name}__in": ids})
            mine = own.get(related)
            if mine:
                qs = qs.exclude(pk__in=mine)
            pks = set(qs.values_list("pk", flat=True))
            if not pks:
                continue
            seen = _visible_pks(related, pks, user)
            hidden += len(pks) - len(seen)
            if seen:
                what = f"{related._meta.verbose_name_plural} ({rel.field.verbose_name})"
                out[what] = out.get(what, 0) + len(seen)
    if hidden:
        out[_("records you may not see")] = hidden
    return out


def _visible_pks(model, pks: set, user) -> set:
    """Which of these records the user may see: a scoped record through ``visible_to``; a
    child row (an affiliation, a membership…) through the scoped record it belongs to."""
    if user is None:  # the system
        return pks
    if issubclass(model, ScopedModel):
        return set(model.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))
    for f in model._meta.concrete_fields:
        parent = f.related_model if f.is_relation else None
        if (
            parent is not None
            and issubclass(parent, ScopedModel)
            and parent
            not in (
                Organisation,
                Area,
            )
        ):
            visible = parent.objects.visible_to(user)
            return set(
                model._base_manager.filter(pk__in=pks, **{f"{f.name}__in": visible}).values_list(
                    "pk", flat=True
                )
            )
    return set()  # nothing to tell who may see it: counted as unseen


def remember_sectors(owner, choices: dict, *, actor: Actor) -> None:
    """Keep each hand mapping of a 3W sector value for the owner's next file: a new mapping,
    or the owner's mapping of that value pointed at the newly chosen task."""
    for value, task in choices.items():
        key = normalise_name(value)
        mapping = SectorMapping.objects.filter(owner=owner, key=key).first() or SectorMapping(
            owner=owner,
            value=value,
            classification=Classification.INTERNAL,
            releasability=Releasability.OWNER,
        )
        if mapping.task_id == task.pk:
            continue
        if mapping.pk and not actor.is_system:
            if not SectorMapping.objects.editable_by(actor.user).filter(pk=mapping.pk).exists():
                continue  # someone else's mapping, kept as it is (they may change it)
        mapping.task = task
        services.save(mapping, actor=actor)
