"""Following, unfollowing, reading and the digest preference: one transaction each, in the
audit trail (entries about a person's own follows carry no scope: shown to nobody else)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.context import Actor
from concord.core.models import Classification, User
from concord.core.numbers import record_id

from .. import access
from ..models import Follow, Frequency, Notification, Preference


def _person(actor: Actor):
    if actor.user is None or not actor.user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    return actor.user


def _account(user):
    """The user's own row (a request's user is a lazy wrapper the audit trail cannot name)."""
    return User.objects.get(pk=user.pk)


def _record(actor: Actor, action: str, obj, changes: dict, object_id=None) -> None:
    audit.record(
        actor, action, obj, changes, object_id=object_id, classification=Classification.INTERNAL
    )


@transaction.atomic
def follow(model: str, object_id, *, actor: Actor) -> Follow:
    """``actor``'s user follows a record, a country or a space they may see (following it
    again changes nothing)."""
    user = _person(actor)
    t = access.target(user, model, object_id)
    existing = Follow.objects.filter(user=user, model=t.model, object_id=t.object_id).first()
    if existing is not None:
        return existing
    f = Follow.objects.create(user=user, model=t.model, object_id=t.object_id)
    _record(actor, "create", f, audit.diff(None, audit.snapshot(f)))
    return f


@transaction.atomic
def unfollow(f: Follow, *, actor: Actor) -> None:
    user = _person(actor)
    if f.user_id != user.pk:
        raise PermissionDenied(_("You may stop following only what you follow."))
    before = audit.snapshot(f)
    pk = f.pk
    f.delete()
    _record(actor, "delete", f, audit.diff(before, None), object_id=pk)


@transaction.atomic
def mark_read(ids, *, actor: Actor) -> int:
    """Mark ``actor``'s notifications ``ids`` read (others' ids are ignored, as absent)."""
    user = _person(actor)
    keys = [record_id(i) for i in ids]
    if None in keys:
        raise ValidationError({"ids": _("Give notification ids (whole numbers).")})
    n = Notification.objects.filter(user=user, pk__in=keys, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if n:
        _record(actor, "update", _account(user), {"notifications_read": [None, n]})
    return n


@transaction.atomic
def mark_all_read(*, actor: Actor) -> int:
    user = _person(actor)
    n = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    if n:
        _record(actor, "update", _account(user), {"notifications_read": [None, n]})
    return n


@transaction.atomic
def set_frequency(frequency: str, *, actor: Actor, user=None) -> Preference:
    """Set the e-mail digest of ``actor``'s user (or, for the system, of ``user``)."""
    if actor.is_system and user is not None:
        person = user
    else:
        person = _person(actor)
    if frequency not in Frequency.values:
        raise ValidationError(
            {
                "frequency": _("Choose one of %(choices)s (not %(value)s).")
                % {"choices": ", ".join(Frequency.values), "value": repr(frequency)}
            }
        )
    if frequency != Frequency.NONE and not person.email:
        raise ValidationError(
            {"frequency": _("Your account has no e-mail address to send a digest to.")}
        )
    pref, _created = Preference.objects.select_for_update().get_or_create(user=person)
    before = pref.frequency
    if before != frequency:
        pref.frequency = frequency
        pref.save(update_fields=["frequency"])
        _record(actor, "update", pref, {"frequency": [before, frequency]})
    return pref
