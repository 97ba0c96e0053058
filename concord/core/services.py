"""Every write to core records: one function per use case, one transaction, audited.

Views, the API, the CLI and importers call these; none of them saves a model directly.
After a write, the record must still be editable by the acting user, or the whole
transaction rolls back (so nobody can create a record they could not then see or edit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import audit, search
from .access import DELETE, REFUSED, platform_registry_entry
from .context import Actor
from .models import (
    Affiliation,
    ApiToken,
    Classification,
    FeedSecret,
    Membership,
    Organisation,
    OrganisationName,
    Person,
    Role,
    ScopedModel,
    Space,
    User,
    colleagues,
    named_user_choices,
)
from .models.registry import normalise_name
from .models.security import NAMED_USERS_RULE, USER_LINK_RULE


def _require_user(actor: Actor) -> None:
    if actor.is_system:
        return
    if actor.user is None or not actor.user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))


def _check_named_users(instance: ScopedModel, m2m: dict, actor: Actor) -> None:
    """Named people are those the form offers (``named_user_choices``), and whoever the
    record names already. One message whoever is refused, so that it tells nothing about who
    exists or what their clearance is. The system may name anyone cleared."""
    users = m2m.get("named_users")
    if users is None:
        return
    before = set(instance.named_users.values_list("pk", flat=True)) if instance.pk else set()
    new = {getattr(u, "pk", u) for u in users} - before
    if not new:
        return
    if actor.is_system:
        allowed = User.objects.filter(clearance=Classification.STRICTLY_CONFIDENTIAL)
    else:
        allowed = named_user_choices(actor.user)
    if len(set(allowed.filter(pk__in=new).values_list("pk", flat=True))) != len(new):
        raise ValidationError({"named_users": str(NAMED_USERS_RULE)})


def _check_user_links(instance: ScopedModel, actor: Actor, current) -> None:
    """A record's links to a user (an assessment's approver) name the acting user's
    colleagues (``colleagues``), or keep whom they named before."""
    if actor.is_system:
        return
    for f in instance._meta.concrete_fields:
        if not f.is_relation or f.related_model is not User or f.name == "created_by":
            continue
        value = getattr(instance, f.attname)
        if value is None or (current is not None and getattr(current, f.attname) == value):
            continue
        if not colleagues(actor.user).filter(pk=value).exists():
            raise ValidationError({f.name: str(USER_LINK_RULE)})


def index_for_search(records: list) -> int:
    """Records written in bulk (an import), made findable by the header's search at once
    (``save`` does it for one record)."""
    return search.index_many(records)


def index_organisation_names(org: Organisation, actor: Actor, creating: bool) -> None:
    OrganisationName.objects.filter(organisation=org).delete()
    keys = sorted({normalise_name(n) for n in org.names()} - {""})
    OrganisationName.objects.bulk_create([OrganisationName(organisation=org, key=k) for k in keys])
    search.index(org)  # a merge writes its aliases without core.services.save


# --- links the editor cannot see are neither shown nor removed ---------------------------------


def _hidden_ids(target, ids, user) -> set:
    """Which of ``ids`` (records of ``target``) ``user`` may not see. Public reference data
    (countries) hides nothing; spaces are those of the user's organisations; named people
    are those the user may name (the same people the forms offer)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return set()
    if issubclass(target, ScopedModel):
        seen = target.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    elif target is Space:
        seen = Space.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    elif target is User:
        seen = named_user_choices(user).filter(pk__in=ids).values_list("pk", flat=True)
    else:
        return set()
    return ids - set(seen)


def keep_hidden_links(instance: ScopedModel, current: ScopedModel, m2m: dict, actor: Actor):
    """Put back what an editor's change would remove without their having seen it: links of
    many-to-many fields to records the editor may not see (added to what was submitted), and
    a foreign key to a hidden record left empty (an editor can replace such a link with one
    they may see, never clear it blindly). The same for every interface: forms and the API
    show only what the editor may see, and a save sends back only that."""
    if actor.is_system:
        return
    user = actor.user
    for f in type(instance)._meta.many_to_many:
        if f.name not in m2m:
            continue
        before = set(getattr(current, f.name).values_list("pk", flat=True))
        hidden = _hidden_ids(f.related_model, before, user)
        if hidden:
            submitted = {getattr(v, "pk", v) for v in m2m[f.name]}
            m2m[f.name] = sorted(submitted | hidden)
    for f in type(instance)._meta.concrete_fields:
        if not (f.is_relation and f.many_to_one) or f.name in ScopedModel.SECURITY_FIELDS:
            continue
        if f.related_model is User:
            continue  # a link to a user (an approver) is always shown, so never cleared blindly
        old = getattr(current, f.attname)
        if old is not None and getattr(instance, f.attname) is None:
            if _hidden_ids(f.related_model, [old], user):
                setattr(instance, f.attname, old)


def hidden_to(actor: Actor, target, ids) -> set:
    """The ids of ``target`` records the acting user may not see (none for the system):
    for children callbacks that replace a record's child rows but must keep those resting on
    records the editor cannot see."""
    if actor.is_system:
        return set()
    return _hidden_ids(target, ids, actor.user)


# Rules a capability attaches to its models (declared as ``hooks`` in its capability.py, and
# installed here by the registry), run whichever interface saves the record:
# BEFORE_SAVE(instance) before validation, AFTER_SAVE(instance, actor, creating) after the
# write, in the same transaction (so a rule that fails undoes the write);
# BEFORE_DELETE(instance, actor) before a deletion.
BEFORE_SAVE: dict[type, Callable] = {}
AFTER_SAVE: dict[type, Callable] = {}
BEFORE_DELETE: dict[type, Callable] = {}


def _platform_registry_entry(org, actor: Actor) -> bool:
    """A platform administrator edits an organisation's registry entry (not its records) when
    the organisation owns its entry and the administrator may see it: the organisations taking
    part in the platform. Any other record stays with its owner's members."""
    return platform_registry_entry(actor.user, org) and (
        Organisation.objects.visible_to(actor.user).filter(pk=org.pk).exists()
    )


def _keep_security(instance, current, m2m: dict) -> None:
    """An administrator edits an organisation's description, never its owner, classification,
    releasability or releases (that would decide who reads it)."""
    changed = []
    for name in ScopedModel.SECURITY_FIELDS:
        field = type(current)._meta.get_field(name)
        if not field.many_to_many:
            if getattr(instance, field.attname) != getattr(current, field.attname):
                changed.append(name)
        elif name in m2m:
            now = set(getattr(current, name).values_list("pk", flat=True))
            if {getattr(v, "pk", v) for v in m2m[name]} != now:
                changed.append(name)
    if changed:
        raise PermissionDenied(
            _(
                "An administrator edits an organisation's description, not its owner or who may "
                "read it (%(fields)s): ask its managers."
            )
            % {"fields": ", ".join(changed)}
        )


@transaction.atomic
def save(
    instance: ScopedModel,
    *,
    actor: Actor,
    m2m: dict[str, Iterable] | None = None,
    children: Callable[[ScopedModel, Actor], None] | None = None,
) -> ScopedModel:
    """Create or update a scoped record, its many-to-many fields and (optionally) children.

    ``children(instance, actor)`` replaces child rows (affiliations, a mandate…); like this
    function it keeps what the editor may not see (:func:`hidden_to`)."""
    _require_user(actor)
    model = type(instance)
    m2m = dict(m2m or {})
    creating = instance._state.adding or instance.pk is None
    before = None
    if not creating:
        try:
            current = model.objects.get(pk=instance.pk)
        except model.DoesNotExist as exc:
            raise ValidationError(_("This record no longer exists.")) from exc
        if not actor.is_system and not (
            model.objects.editable_by(actor.user).filter(pk=instance.pk).exists()
        ):
            if not _platform_registry_entry(current, actor):
                raise PermissionDenied(_("You may not edit this record."))
            _keep_security(instance, current, m2m)
        before = audit.snapshot(current)
        keep_hidden_links(instance, current, m2m, actor)
    else:
        instance.created_by = actor.user if not actor.is_system else None
        instance.created_at = timezone.now()
    instance.updated_at = timezone.now()
    before_hook = BEFORE_SAVE.get(model)
    if before_hook:
        before_hook(instance)
    # The first organisations own their own records (there is nobody else to own them yet);
    # so does an organisation a platform administrator adds to the platform.
    self_owned = (
        creating
        and (actor.is_system or actor.user.is_superuser)
        and isinstance(instance, Organisation)
        and (instance.owner_id is None)
    )
    instance.full_clean(exclude=["created_by", "owner"] if self_owned else ["created_by"])
    _check_named_users(instance, m2m, actor)
    _check_user_links(instance, actor, None if creating else current)
    if self_owned:
        # Foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED on SQLite and
        # PostgreSQL), so the row may point at itself once it has an id.
        instance.owner_id = 0
        instance.save()
        instance.owner_id = instance.pk
        type(instance).objects.filter(pk=instance.pk).update(owner_id=instance.pk)
    else:
        instance.save()
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    if children is not None:
        children(instance, actor)
    hook = AFTER_SAVE.get(model)
    if hook:
        hook(instance, actor, creating)
    search.index(instance)
    after = audit.snapshot(instance)
    changes = audit.diff(before, after)
    if creating or changes:  # an update that changes nothing leaves no entry
        audit.record(
            actor,
            "create" if creating else "update",
            instance,
            changes,
            scope=(audit.state_of(before), audit.state_of(after)),
        )
    if not actor.is_system and not (
        model.objects.editable_by(actor.user).filter(pk=instance.pk).exists()
        or _platform_registry_entry(instance, actor)
    ):
        raise PermissionDenied(
            _(
                "After this change you could no longer edit the record (check the owner, "
                "classification and named people); nothing was saved."
            )
        )
    return instance


@transaction.atomic
def delete(instance: ScopedModel, *, actor: Actor) -> None:
    _require_user(actor)
    model = type(instance)
    if not actor.is_system and not (
        model.objects.deletable_by(actor.user).filter(pk=instance.pk).exists()
    ):
        raise PermissionDenied(str(REFUSED[DELETE]))
    hook = BEFORE_DELETE.get(model)
    if hook:
        hook(instance, actor)
    before = audit.snapshot(instance)
    pk, owner_id, classification = instance.pk, instance.owner_id, instance.classification
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        n = len(exc.protected_objects if hasattr(exc, "protected_objects") else [])
        raise ValidationError(
            ngettext(
                "%(record)s is still referenced by %(count)s other record; remove that link first.",
                "%(record)s is still referenced by %(count)s other records; "
                "remove those links first.",
                n,
            )
            % {"record": instance, "count": n}
        ) from exc
    instance.pk = pk
    search.forget(instance)
    audit.record(
        actor,
        "delete",
        instance,
        audit.diff(before, None),
        object_id=pk,
        owner_id=owner_id,
        classification=classification,
        scope=(audit.state_of(before), None),
    )


def replace_children(
    parent,
    actor: Actor,
    model: type[models.Model],
    link: str,
    rows: Iterable[dict],
    *,
    error: Callable[[int, list[str]], dict],
    keep_hidden: tuple[str, type] | None = None,
) -> None:
    """The one way child rows are replaced (affiliations, authorisations, contributions, a
    mandate…), inside a ``children`` callback: ``parent``'s rows of ``model`` (linked by the
    field ``link``) become ``rows``, each validated (``error(row number, messages)`` says
    where a bad one is). Rows resting on records the editor may not see
    (``keep_hidden=(field, model)``) are kept: they were neither shown nor sent."""
    existing = model.objects.filter(**{link: parent})
    if keep_hidden is not None:
        field, target = keep_hidden
        ids = set(existing.values_list(f"{field}_id", flat=True))
        existing = existing.exclude(**{f"{field}_id__in": hidden_to(actor, target, ids)})
    existing.delete()
    objs = []
    for i, row in enumerate(rows, start=1):
        obj = model(**{link: parent}, **row)
        try:
            obj.full_clean(exclude=[link])
        except ValidationError as exc:
            raise ValidationError(error(i, exc.messages)) from None
        objs.append(obj)
    model.objects.bulk_create(objs)


def set_affiliations(rows: list[dict]) -> Callable[[Person, Actor], None]:
    """A ``children`` callback replacing a person's affiliations with ``rows``; affiliations
    to organisations the editor may not see are kept (they were neither shown nor sent)."""
    rows = list(rows)

    def apply(person: Person, actor: Actor) -> None:
        replace_children(
            person,
            actor,
            Affiliation,
            "person",
            rows,
            error=lambda i, messages: {f"affiliations[{i}]": messages},
            keep_hidden=("organisation", Organisation),
        )

    return apply


def resolve_organisation(name: str, user=None, *, actor: Actor | None = None):
    """Find the one visible organisation called ``name`` (by name, acronym or alias)."""
    key = normalise_name(name)
    if not key:
        return None
    qs = Organisation.objects.filter(
        pk__in=OrganisationName.objects.filter(key=key).values("organisation_id")
    )
    if actor is None or not actor.is_system:
        qs = qs.visible_to(user)
    matches = list(qs[:2])
    if len(matches) > 1:
        msg = _("%(name)r matches more than one organisation; use its id.") % {"name": name}
        raise ValidationError(msg)
    return matches[0] if matches else None


# --- accounts, memberships, spaces, tokens (platform administration) --------------------------


def _require_admin(actor: Actor) -> None:
    if actor.is_system:
        return
    if not (actor.user and actor.user.is_authenticated and actor.user.is_superuser):
        raise PermissionDenied(_("Only a platform administrator may do this."))


@transaction.atomic
def create_user(
    *,
    actor: Actor,
    username: str,
    password: str,
    email: str = "",
    clearance: int = Classification.INTERNAL,
    is_admin: bool = False,
    memberships: Iterable[tuple[Organisation, str]] = (),
    check_password: bool = True,
) -> User:
    _require_admin(actor)
    if User.objects.filter(username=username).exists():
        msg = _("A user called %(name)r already exists.") % {"name": username}
        raise ValidationError({"username": msg})
    user = User(username=username, email=email, clearance=clearance, is_superuser=is_admin)
    user.is_staff = False
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(actor, "create", user, audit.diff(None, audit.snapshot(user)), owner_id=None)
    for org, role in memberships:
        set_membership(actor=actor, user=user, organisation=org, role=role)
    return user


@transaction.atomic
def set_membership(
    *, actor: Actor, user: User, organisation: Organisation, role: str
) -> Membership:
    _require_admin(actor)
    return write_membership(actor=actor, user=user, organisation=organisation, role=role)


def write_membership(
    *, actor: Actor, user: User, organisation: Organisation, role: str
) -> Membership:
    """Add or change a membership, audited. The caller has checked the actor's right (a
    platform administrator: :func:`set_membership`; an organisation's manager:
    concord.administration.services)."""
    if role not in Role.values:
        roles = ", ".join(Role.values)
        raise ValidationError({"role": _("Role must be one of %(roles)s.") % {"roles": roles}})
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    before = None if created else {"role": membership.role}
    membership.role = role
    membership.save()
    audit.record(
        actor,
        "create" if created else "update",
        membership,
        audit.diff(before, {"user": user.pk, "organisation": organisation.pk, "role": role}),
        owner_id=organisation.pk,
        classification=Classification.INTERNAL,
    )
    user.forget_principal()
    return membership


@transaction.atomic
def create_space(
    *, actor: Actor, name: str, description: str = "", organisations: Iterable = ()
) -> Space:
    _require_admin(actor)
    space = Space(name=name, description=description)
    space.full_clean()
    space.save()
    space.organisations.set(list(organisations))
    audit.record(
        actor,
        "create",
        space,
        audit.diff(None, audit.snapshot(space)),
        classification=Classification.INTERNAL,
    )
    return space


@transaction.atomic
def set_space_members(
    *, actor: Actor, space: Space, add: Iterable = (), remove: Iterable = ()
) -> Space:
    """Add organisations to a space and remove others; one audit entry with before/after."""
    _require_admin(actor)
    before = sorted(space.organisations.values_list("pk", flat=True))
    space.organisations.add(*list(add))
    space.organisations.remove(*list(remove))
    after = sorted(space.organisations.values_list("pk", flat=True))
    if before != after:
        audit.record(
            actor,
            "update",
            space,
            {"organisations": [before, after]},
            classification=Classification.INTERNAL,
        )
    return space


@transaction.atomic
def create_token(*, actor: Actor, name: str, read_only: bool = True, expires_at=None):
    """Returns (token, key). The key is shown once; only its hash is kept."""
    _require_user(actor)
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name, e.g. the system that uses it.")})
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=actor.user,
        name=name.strip(),
        prefix=key[:12],
        key_hash=ApiToken.hash_key(key),
        read_only=read_only,
        expires_at=expires_at,
    )
    _audit_created(token, actor)
    return token, key


def _audit_created(credential, actor: Actor) -> None:
    """An API token or a feed secret was made: its fields (never the key or its hash)."""
    audit.record(
        actor,
        "create",
        credential,
        audit.diff(None, audit.snapshot(credential)),
        classification=Classification.INTERNAL,
    )


def _revoke(credential, actor: Actor) -> None:
    """Revoke an API token or a feed secret now, audited (a revoked one stays revoked)."""
    if credential.revoked_at is not None:
        return
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    audit.record(
        actor,
        "update",
        credential,
        {"revoked_at": [None, credential.revoked_at.isoformat()]},
        classification=Classification.INTERNAL,
    )


@transaction.atomic
def revoke_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    _require_user(actor)
    if not actor.is_system and token.user_id != actor.user.pk and not actor.user.is_superuser:
        raise PermissionDenied(_("You may revoke only your own tokens."))
    _revoke(token, actor)
    return token


@transaction.atomic
def create_feed_secret(*, actor: Actor):
    """Returns (secret, key): a new calendar-feed secret for the acting user, revoking the one
    they had (rotation). The key is shown once; only its hash is kept."""
    _require_user(actor)
    if actor.user is None:
        raise PermissionDenied(_("A calendar feed belongs to a user."))
    revoke_feed_secret(actor=actor)
    key = FeedSecret.new_key()
    secret = FeedSecret.objects.create(
        user=actor.user, prefix=key[:12], key_hash=FeedSecret.hash_key(key)
    )
    _audit_created(secret, actor)
    return secret, key


@transaction.atomic
def revoke_feed_secret(*, actor: Actor) -> FeedSecret | None:
    """Revoke the acting user's calendar-feed secret; returns it (None if they had none)."""
    _require_user(actor)
    if actor.user is None:
        return None
    secret = (
        FeedSecret.objects.select_for_update()
        .filter(user=actor.user, revoked_at__isnull=True)
        .first()
    )
    if secret is not None:
        _revoke(secret, actor)
    return secret


def model_label(model: type[models.Model]) -> str:
    return model._meta.label_lower
