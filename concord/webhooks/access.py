"""Who may see and manage webhooks: the managers of the organisation a webhook belongs to.

Other members of the organisation do not see them (a webhook's address and filters say
where the organisation's information goes, and its delivery log is about records as its
owner saw them); platform administrators gain no right here either. A webhook someone may
not manage looks absent (404), like a wrong id.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from concord.core.models import Role
from concord.core.numbers import record_id

from .models import Delivery, Webhook


def managed_orgs(user) -> list[int]:
    if user is None or not user.is_authenticated:
        return []
    return user.principal().orgs_with_role(Role.MANAGER)


def webhooks_for(user):
    return Webhook.objects.filter(organisation_id__in=managed_orgs(user))


def deliveries_for(user):
    return Delivery.objects.filter(webhook__organisation_id__in=managed_orgs(user))


def access_webhook(user, pk) -> Webhook:
    pk = record_id(pk)
    obj = webhooks_for(user).filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise Http404(_("No webhook with that id, or you may not manage it."))
    return obj


def access_delivery(user, pk) -> Delivery:
    pk = record_id(pk)
    obj = deliveries_for(user).filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise Http404(_("No delivery with that id, or you may not see it."))
    return obj


def record_labels(labels, deliveries) -> None:
    """Load, in one query per record type, the records a page of deliveries is about, as
    the reader may see them (``labels``: a VisibleLabels of the reader)."""
    from .events import event_models

    wanted: dict = {}
    for d in deliveries:
        model = event_models().get(d.model)
        if model is not None and str(d.object_id).isdigit():
            wanted.setdefault(model, []).append(int(d.object_id))
    for model, ids in wanted.items():
        labels.load(model, ids)


def shown_record(labels, delivery):
    """The record a delivery is about if the reader may see it, else None."""
    from .events import event_models

    model = event_models().get(delivery.model)
    if model is None or not str(delivery.object_id).isdigit():
        return None
    return labels.get(model, int(delivery.object_id))
