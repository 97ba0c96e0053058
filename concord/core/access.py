"""Fetching one record for an action: the one way pages, the API and the CLI get a record by
its id. It goes through the enforcement point (``visible_to`` / ``editable_by``):

- a record the user may not see looks absent (``Http404``, which the API answers as 404 and
  the CLI as "no such record"), exactly like one that does not exist;
- a record the user may see but not change raises ``PermissionDenied`` (403).

Each capability's ``access`` module names its nouns (``access_operation(user, pk, action)``)
and keeps beside them its redaction rules: what part of a visible record a reader may still
not see.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .numbers import record_id

VIEW = "view"
CHANGE = "change"
DELETE = "delete"
ACTIONS = (VIEW, CHANGE, DELETE)


def access(model, user, pk, action: str = VIEW, *, queryset=None):
    """The record ``pk`` of ``model`` if ``user`` may do ``action`` to it (see above).
    ``queryset`` narrows or prefetches (it is still filtered by ``visible_to``)."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
    name = model._meta.verbose_name
    pk = record_id(pk)
    base = queryset if queryset is not None else model.objects.all()
    obj = base.visible_to(user).filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise Http404(_("No %(what)s with that id, or you may not see it.") % {"what": name})
    if action != VIEW and not may(user, obj, action):
        raise PermissionDenied(str(REFUSED[action]))
    return obj


REFUSED = {
    CHANGE: gettext_lazy("Your role does not allow editing this record."),
    DELETE: gettext_lazy("Only a manager of the owning organisation may delete this record."),
}


def may(user, obj, action: str = CHANGE) -> bool:
    """Whether ``user`` may change (or delete) ``obj``, a record they can see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if action == CHANGE and platform_registry_entry(user, obj):
        return True
    manager = type(obj).objects
    allowed = manager.deletable_by(user) if action == DELETE else manager.editable_by(user)
    return allowed.filter(pk=obj.pk).exists()


def platform_registry_entry(user, obj) -> bool:
    """A platform administrator may edit the registry entry of an organisation that owns its
    own entry (the organisations taking part in the platform, which administrators add),
    when they may see it; never any other record (administrators read nothing more)."""
    return (
        type(obj)._meta.label == "core.Organisation"
        and bool(getattr(user, "is_superuser", False))
        and obj.pk is not None
        and obj.owner_id == obj.pk
    )
