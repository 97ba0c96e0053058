"""Merging duplicate organisations, and undoing a merge from its audit entry.

3W imports create organisations by name and real files spell one NGO several ways. A merge
moves every reference to the duplicate (every foreign key and many-to-many link to
``core.Organisation`` in every installed capability, found from the models, not listed by
hand) onto the organisation kept, adds the duplicate's names to its aliases and deletes the
duplicate. Two audit entries say so: one on the duplicate, holding everything needed to undo
the merge (its fields, its links, which rows were moved), shown only to those who may see
the duplicate; one on the organisation kept, shown only to those who may see both.

A duplicate with members is refused: merging it would give its members the other
organisation's access. Remove or move its members first.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concord.core import audit, search
from concord.core import services as core
from concord.core.context import Actor
from concord.core.models import (
    AuditEntry,
    Membership,
    Organisation,
    OrganisationName,
    SecurityState,
    sees,
)

from . import access

MERGE, UNDO = "merge", "unmerge"
# Rows rebuilt from the organisations' names, not moved.
DERIVED = {OrganisationName}
# The duplicate's own releases (its many-to-many fields): kept in the undo, not moved.
M2M_FIELDS = tuple(f.name for f in Organisation._meta.many_to_many)


def _own_link_fields() -> set:
    """The columns of Organisation's own many-to-many tables that point at the organisation
    holding the links (its shares): those rows go with the duplicate, they are not moved."""
    return {(f.remote_field.through, f.m2m_field_name()) for f in Organisation._meta.many_to_many}


def _references():
    """(model, field) for every foreign key to Organisation, auto-created link tables too."""
    own = _own_link_fields()
    for model in apps.get_models(include_auto_created=True):
        if model in DERIVED:
            continue
        for field in model._meta.concrete_fields:
            if not (isinstance(field, models.ForeignKey) and field.related_model is Organisation):
                continue
            if (model, field.name) not in own:
                yield model, field


def _other_column(model, field):
    """In a link table, the column that is not ``field``."""
    return next(
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f is not field
    )


def _jsonable(snapshot: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in snapshot.items()}


def _fields_from(data: dict) -> dict:
    by_attname = {f.attname: f for f in Organisation._meta.concrete_fields}
    return {k: by_attname[k].to_python(v) for k, v in data.items() if k in by_attname}


def _require(actor: Actor, *orgs: Organisation) -> None:
    if not (actor.is_system or access.is_platform_admin(actor.user)):
        raise PermissionDenied(_("Only a platform administrator may merge organisations."))
    if actor.is_system:
        return
    visible = set(
        Organisation.objects.visible_to(actor.user)
        .filter(pk__in=[o.pk for o in orgs])
        .values_list("pk", flat=True)
    )
    if len(visible) != len({o.pk for o in orgs}):
        raise PermissionDenied(_("You may merge only organisations you can see."))
    if Membership.objects.filter(user=actor.user, organisation__in=[o.pk for o in orgs]).exists():
        # What the duplicate owns would become readable to the administrator's organisation.
        raise PermissionDenied(
            _("You are a member of one of these organisations: ask another administrator.")
        )


def merged_into(pk: int) -> AuditEntry | None:
    """The merge that removed organisation ``pk``, if it was merged and not restored since."""
    entry = (
        AuditEntry.objects.filter(model="core.organisation", object_id=str(pk))
        .filter(action__in=(MERGE, UNDO))
        .order_by("-seq")
        .first()
    )
    if entry is None or entry.action != MERGE or "into" not in entry.changes:
        return None
    return entry


def preview(duplicate: Organisation) -> dict[str, int]:
    """How many rows point at ``duplicate``, by model (for the confirmation page)."""
    counts = {}
    for model, field in _references():
        rows = model._base_manager.filter(**{field.attname: duplicate.pk})
        if model is Organisation and field.name == "owner":
            rows = rows.exclude(pk=duplicate.pk)  # its own entry goes with it
        n = rows.count()
        if n:
            counts[_label(model, field)] = n
    return counts


def _label(model, field) -> str:
    """ "people (owner)", "people (shared organisations)": what points at the duplicate."""
    holder = model._meta.auto_created
    if holder:  # a link table: the records holding the many-to-many field
        m2m = next(f for f in holder._meta.many_to_many if f.remote_field.through is model)
        return f"{holder._meta.verbose_name_plural} ({m2m.verbose_name})"
    return f"{model._meta.verbose_name_plural} ({field.verbose_name})"


@transaction.atomic
def merge(*, actor: Actor, duplicate: Organisation, into: Organisation) -> Organisation:
    """Merge ``duplicate`` into ``into``; returns ``into``. Audited and reversible
    (:func:`undo`)."""
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("An organisation cannot be merged into itself.")})
    _require(actor, duplicate, into)
    locked = {
        o.pk: o
        for o in Organisation.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk])
    }
    if len(locked) != 2:
        raise ValidationError({"into": _("One of the organisations no longer exists.")})
    duplicate, into = locked[duplicate.pk], locked[into.pk]
    if Membership.objects.filter(organisation=duplicate).exists():
        n = Membership.objects.filter(organisation=duplicate).count()
        raise ValidationError(
            {
                "duplicate": ngettext(
                    "%(duplicate)s has %(n)d member: merging would give them %(into)s's "
                    "access. Remove its members first (or invite them to %(into)s).",
                    "%(duplicate)s has %(n)d members: merging would give them %(into)s's "
                    "access. Remove its members first (or invite them to %(into)s).",
                    n,
                )
                % {"duplicate": duplicate, "n": n, "into": into}
            }
        )
    parent_cleared = into.parent_id == duplicate.pk
    if parent_cleared:  # it would become its own parent
        Organisation.objects.filter(pk=into.pk).update(parent=None)
    snapshot = _jsonable(
        {f.attname: f.value_from_object(duplicate) for f in Organisation._meta.concrete_fields}
    )
    links = {
        name: sorted(getattr(duplicate, name).values_list("pk", flat=True)) for name in M2M_FIELDS
    }
    dup_state = audit.current_state(duplicate)
    moved, dropped = _move(duplicate.pk, into.pk)
    aliases_before = list(into.aliases or [])
    into.aliases = _aliases(into, duplicate)
    # The duplicate's own entry holds the undo; shown to those who may see the duplicate.
    audit.record(
        actor,
        MERGE,
        duplicate,
        {
            "into": [None, into.pk],
            "fields": [snapshot, None],
            "links": [links, None],
            "moved": [moved, None],
            "dropped": [dropped, None],
            "aliases_added": [None, [a for a in into.aliases if a not in aliases_before]],
            "parent_cleared": [None, parent_cleared],
        },
        scope=(dup_state, dup_state),
    )
    # Delete without the hooks of core.services.delete: everything pointing at it has moved.
    Organisation.objects.filter(pk=duplicate.pk).delete()
    search.forget(duplicate)  # its names are found under the one kept now (its aliases)
    _set_aliases(into, into.aliases, actor)
    audit.record(
        actor,
        MERGE,
        into,
        {"merged": [None, str(duplicate)], "aliases": [aliases_before, into.aliases]},
        scope=(dup_state, audit.current_state(into)),
    )
    return into


def _set_aliases(org: Organisation, aliases: list[str], actor: Actor) -> None:
    """Write the aliases and re-index the names imports match (the merge's own entry
    records the change)."""
    org.aliases = aliases
    Organisation.objects.filter(pk=org.pk).update(aliases=aliases)
    core.index_organisation_names(org, actor, False)


def _aliases(into: Organisation, duplicate: Organisation) -> list[str]:
    names = list(into.aliases or [])
    have = {n.casefold() for n in into.names()}
    for name in duplicate.names():
        if name and name.casefold() not in have:
            names.append(name)
            have.add(name.casefold())
    return names


def _move(old: int, new: int) -> tuple[dict, dict]:
    """Point every reference at ``old`` to ``new``: {"app.model.field": [pks]} moved, and the
    link-table rows dropped because the record already linked ``new``."""
    moved, dropped = {}, {}
    for model, field in _references():
        rows = model._base_manager.filter(**{field.attname: old})
        if model is Organisation and field.name == "owner":
            rows = rows.exclude(pk=old)  # the duplicate's own entry goes with it
        if model._meta.auto_created:
            other = _other_column(model, field)
            taken = model._base_manager.filter(**{field.attname: new}).values(other.attname)
            clash = rows.filter(**{f"{other.attname}__in": taken})
            if clash.exists():
                dropped[f"{model._meta.label_lower}.{field.name}"] = sorted(
                    clash.values_list(other.attname, flat=True)
                )
                clash.delete()
        pks = sorted(rows.values_list("pk", flat=True))
        if not pks:
            continue
        try:
            with transaction.atomic():
                model._base_manager.filter(pk__in=pks).update(**{field.attname: new})
        except IntegrityError as exc:
            raise ValidationError(
                _(
                    "Both organisations have a %(record)s that can exist only once per "
                    "organisation; remove one first."
                )
                % {"record": model._meta.verbose_name}
            ) from exc
        moved[f"{model._meta.label_lower}.{field.name}"] = pks
    return moved, dropped


@transaction.atomic
def undo(*, actor: Actor, entry: AuditEntry) -> Organisation:
    """Restore the organisation a merge removed, with its links, and move back what moved."""
    if not (actor.is_system or access.is_platform_admin(actor.user)):
        raise PermissionDenied(_("Only a platform administrator may undo a merge."))
    entry = AuditEntry.objects.filter(pk=entry.pk).first()
    pk = int(entry.object_id) if entry else None
    if entry is None or entry.action != MERGE or "into" not in entry.changes:
        raise ValidationError(_("This audit entry is not the merge of an organisation."))
    if merged_into(pk) is None or merged_into(pk).seq != entry.seq:
        raise ValidationError(_("This merge has been undone already."))
    if Organisation.objects.filter(pk=pk).exists():
        raise ValidationError(_("An organisation with the merged one's id exists."))
    into_pk = entry.changes["into"][1]
    into = Organisation.objects.select_for_update().filter(pk=into_pk).first()
    if into is None:
        raise ValidationError(_("The organisation it was merged into no longer exists."))
    restored = Organisation(**_fields_from(entry.changes["fields"][0]))
    restored.save(force_insert=True)
    for name, pks in entry.changes["links"][0].items():
        getattr(restored, name).set(pks)
    for key, pks in entry.changes["moved"][0].items():
        model, field = _field(key)
        model._base_manager.filter(pk__in=pks).update(**{field.attname: pk})
    for key, others in entry.changes["dropped"][0].items():
        model, field = _field(key)
        other = _other_column(model, field)
        model._base_manager.bulk_create(
            [model(**{field.attname: pk, other.attname: o}) for o in others]
        )
    if entry.changes.get("parent_cleared", [None, False])[1]:
        Organisation.objects.filter(pk=into.pk).update(parent=pk)
    added = set(entry.changes["aliases_added"][1] or [])
    _set_aliases(into, [a for a in into.aliases or [] if a not in added], actor)
    core.index_organisation_names(restored, actor, True)
    state = audit.current_state(restored)
    audit.record(actor, UNDO, restored, {"merge": [entry.seq, None]}, scope=(state, state))
    audit.record(
        actor,
        UNDO,
        into,
        {"split_off": [None, str(restored)]},
        scope=(state, audit.current_state(into)),
    )
    return restored


def _field(key: str):
    app_model, _sep, field = key.rpartition(".")
    model = apps.get_model(app_model)
    return model, model._meta.get_field(field)


def shown_name(entry: AuditEntry, user) -> str:
    """The merged organisation's name as ``user`` may see it (its security at the merge)."""
    state = SecurityState.from_json((entry.scope or {}).get("before"))
    if user is not None and state is not None and sees(user.principal(), state):
        return entry.object_repr
    return _("(restricted)")


def merges(limit: int = 50) -> list[AuditEntry]:
    """The most recent merges still in force (for the administrators' page; show their
    names with :func:`shown_name`)."""
    seen, found = set(), []
    for entry in AuditEntry.objects.filter(
        model="core.organisation", action__in=(MERGE, UNDO)
    ).order_by("-seq")[: limit * 4]:
        if entry.object_id in seen:
            continue
        seen.add(entry.object_id)
        if entry.action == MERGE and "into" in entry.changes:
            found.append(entry)
    return found[:limit]
