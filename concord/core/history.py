"""An object's History tab: its audit entries, shown only to those who may see the object."""

from __future__ import annotations

from .models import AuditEntry


def history_for(obj, user):
    """Entries for a record the caller already reached through ``visible_to``.

    Entries written while the record was classified above the reader's clearance stay hidden:
    the record may have been downgraded since, but what it said then was not released.
    """
    if user is None or not user.is_authenticated:
        return AuditEntry.objects.none()
    ceiling = user.clearance
    return AuditEntry.objects.filter(
        model=obj._meta.label_lower, object_id=str(obj.pk), classification__lte=ceiling
    ).order_by("-seq")
