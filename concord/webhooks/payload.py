"""What a delivery says: only what the webhook's owning user may see when it is sent.

The record is read through its capability's API viewset (the registry's ``Route``), as a
``GET`` of its detail by that user: the same enforcement point, the same serializer and the
same redaction as ``/api/v1/…/<id>/``. A record the user may not see, or an entry the user
could not see on both sides of the change (the History tab's rule), sends nothing.
"""

from __future__ import annotations

import json
from functools import cache

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from concord.core import capabilities
from concord.core.history import entry_visible

from .events import event_models


class NotVisible(Exception):
    """The owning user may not see the record or the change (nothing is sent)."""


@cache
def route_for(label: str):
    """(capability label, Route, viewset class) serving the model ``label`` in the API."""
    model = event_models().get(label)
    for c in capabilities.all():
        for route in c.api:
            viewset = capabilities.resolve(route.viewset)
            if getattr(viewset, "model", None) is model and model is not None:
                return c.label, route, viewset
    return None


def _request(path: str, user):
    from django.test.client import RequestFactory
    from rest_framework.request import Request

    base = site_url()
    host = base.split("://", 1)[-1].split("/", 1)[0] or "localhost"
    secure = base.startswith("https://")
    django_request = RequestFactory().get(path, HTTP_HOST=host, secure=secure)
    django_request.user = user
    request = Request(django_request)
    request.user = user
    return request


def site_url() -> str:
    return (getattr(settings, "CONCORD_SITE_URL", "") or "").rstrip("/")


def representations(label: str, ids, user) -> dict[str, dict]:
    """{object id: the record as ``user`` would get it from the API's detail} for the ids of
    records of ``label`` that ``user`` may see (the others are absent). One query for the
    records and their links, the viewset's queryset, serializer and context for each."""
    found = route_for(label)
    if found is None:
        return {}
    capability, route, viewset_class = found
    name = f"api:{capability}:{route.basename}-detail"  # untranslated: a URL name
    ids = sorted({str(i) for i in ids})
    try:
        path = reverse(name, kwargs={"pk": ids[0]}) if ids else ""
    except NoReverseMatch:
        return {}
    view = viewset_class()
    view.request = _request(path, user)
    view.args, view.kwargs = (), {"pk": ids[0] if ids else ""}
    view.action, view.format_kwarg, view.headers = "retrieve", None, {}
    view.action_map = {"get": "retrieve"}
    objs = list(view.filter_queryset(view.get_queryset()).filter(pk__in=ids))
    labels = getattr(view, "labels", None)
    if labels is not None:
        labels.preload(objs)
    out = {}
    for obj in objs:
        view.kwargs = {"pk": str(obj.pk)}
        view.check_object_permissions(view.request, obj)
        data = view.get_serializer(obj).data
        out[str(obj.pk)] = {
            "data": data,
            "api": reverse(name, kwargs={"pk": obj.pk}),
            "web": data.get("url") or _web(obj),
        }
    return out


def representation(label: str, object_id: str, user) -> dict:
    """The record as ``user`` would get it from the API, or :class:`NotVisible`."""
    shown = representations(label, [object_id], user).get(str(object_id))
    if shown is None:
        raise NotVisible("not visible")  # untranslated: an internal signal, caught, never shown
    return shown


def _web(obj) -> str:
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""


def _absolute(path: str) -> str:
    return f"{site_url()}{path}" if path and path.startswith("/") else path


UNREAD = object()


def event_body(delivery, entry, user, shown=UNREAD) -> dict:
    """The payload of an event delivery, or :class:`NotVisible`. ``shown``: the record's
    representation for ``user`` when the caller read it already (None: not visible)."""
    if not entry_visible(entry, user.principal()):
        raise NotVisible("not visible")  # untranslated: an internal signal, never shown
    body = {
        "id": delivery.key,
        "type": f"{entry.model}.{entry.action}",
        "model": entry.model,
        "action": entry.action,
        "object_id": str(entry.object_id),
        "occurred_at": entry.at,
        "sent_at": timezone.now(),
        "webhook": delivery.webhook_id,
        "data": None,
        "urls": {},
    }
    if entry.action != "delete":
        if shown is UNREAD:
            shown = representations(entry.model, [entry.object_id], user).get(str(entry.object_id))
        if shown is None:
            raise NotVisible("not visible")  # untranslated: an internal signal, never shown
        body["data"] = shown["data"]
        body["urls"] = {"web": _absolute(shown["web"]), "api": _absolute(shown["api"])}
    return body


def ping_body(delivery) -> dict:
    return {
        "id": delivery.key,
        "type": "ping",
        "webhook": delivery.webhook_id,
        "sent_at": timezone.now(),
        "data": None,
        "urls": {},
    }


def encode(body: dict) -> bytes:
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
