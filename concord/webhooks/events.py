"""Which changes a webhook hears: record types, actions, and its filters (combined with AND).

The record types are the scoped models of every installed capability (read from the
registry and the app registry, never listed by hand). A record relates to:

- **countries** through its links to a country or an area (an assignment's country, an
  operation's host countries and areas, a unit's country), and through the operations and
  other records it links to (a report through its obligations to the reporting operation;
  a tranche through its commitment to the recipient operation); not through who acts (an
  operation's lead state) nor through organisations and people;
- **operations** by being one, or by linking to one, directly or through the records it
  links to (up to three links away);
- **spaces** by being released to them (releasability "named coordination spaces").

Links are followed only to records the webhook's owning user may see: a filter never
matches through something its owner could not see. A deleted record's links are read from
its audit entry (what it linked to just before).
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.utils.translation import gettext

from concord.core import capabilities
from concord.core.audit import SECURITY_FIELDS
from concord.core.models import Area, Country, ScopedModel, SecurityState

from .models import ACTIONS

DEPTH = 3
# Country links that say who acts rather than where: not a place of the record.
NOT_WHERE = {("operations.operation", "lead_state")}
NOT_FOLLOWED_APPS = {"core"}  # organisations and people: everything would relate to them
SKIPPED = set(SECURITY_FIELDS) | {"created_by"}


@cache
def event_models() -> dict[str, type]:
    """{label: model} of every scoped model of an installed capability, in registry order."""
    labels = [c.label for c in capabilities.all()]
    out = {}
    for label in labels:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if issubclass(model, ScopedModel):
                out[model._meta.label_lower] = model
    return out


def choices() -> list[tuple[str, str]]:
    """(label, "Capability title: record type") for every record type, for forms and the API."""
    titles = {c.label: c.title for c in capabilities.all()}
    return [
        (
            label,
            gettext("%(capability)s: %(type)s")
            % {
                "capability": titles.get(m._meta.app_label, m._meta.app_label),
                "type": m._meta.verbose_name,
            },
        )
        for label, m in event_models().items()
    ]


def _operation_model():
    try:
        return apps.get_model("operations", "Operation")
    except LookupError:
        return None


class Places:
    """The countries and operations a record relates to, as one user may see them."""

    def __init__(self, user):
        self.user = user
        self.operation = _operation_model()
        self._seen: dict = {}

    def of_record(self, model, pk) -> tuple[set, set]:
        obj = model.objects.visible_to(self.user).filter(pk=pk).first()
        if obj is None:
            return set(), set()
        return self._walk(model, self._live(obj), DEPTH, {(model, obj.pk)}, obj.pk)

    def of_values(self, model, values: dict, pk) -> tuple[set, set]:
        """From a snapshot's values (a deleted record, read from its audit entry)."""

        def get(f):
            value = values.get(f.name)
            if isinstance(value, list):
                return value
            return [] if value is None else [value]

        return self._walk(model, get, DEPTH, set(), pk)

    @staticmethod
    def _live(obj):
        def get(f):
            if f.many_to_many:
                return list(getattr(obj, f.name).values_list("pk", flat=True))
            return [getattr(obj, f.attname)]

        return get

    def _walk(self, model, get, depth, path, pk) -> tuple[set, set]:
        countries, operations = set(), set()
        if model is self.operation and pk is not None:
            operations.add(int(pk))
        label = model._meta.label_lower
        for f in model._meta.get_fields():
            if not (f.is_relation and f.concrete) or f.name in SKIPPED:
                continue
            if (label, f.name) in NOT_WHERE:
                continue
            target = f.related_model
            ids = [i for i in get(f) if i is not None]
            if not ids or target is None:
                continue
            if target is Country:
                countries |= set(ids)
            elif target is Area:
                areas = Area.objects.visible_to(self.user).filter(pk__in=ids)
                countries |= set(areas.values_list("country_id", flat=True))
            elif issubclass(target, ScopedModel) and target._meta.app_label not in (
                NOT_FOLLOWED_APPS
            ):
                c, o = self._follow(target, ids, depth - 1, path)
                countries |= c
                operations |= o
        return countries, operations

    def _follow(self, target, ids, depth, path) -> tuple[set, set]:
        countries, operations = set(), set()
        if target is self.operation:
            visible = set(
                target.objects.visible_to(self.user).filter(pk__in=ids).values_list("pk", flat=True)
            )
            operations |= visible
        if depth <= 0:
            return countries, operations
        for obj in target.objects.visible_to(self.user).filter(pk__in=ids):
            key = (target, obj.pk)
            if key in path:
                continue
            if key not in self._seen:
                self._seen[key] = self._walk(target, self._live(obj), depth, path | {key}, obj.pk)
            c, o = self._seen[key]
            countries |= c
            operations |= o
        return countries, operations


def entry_side(entry):
    """The security state a filter reads: after the change, or before it for a delete."""
    scope = entry.scope or {}
    return SecurityState.from_json(scope.get("before" if entry.action == "delete" else "after"))


def hears(webhook, entry) -> bool:
    """Whether ``webhook``'s record types and actions include ``entry`` (no filter yet)."""
    return (
        entry.action in ACTIONS
        and entry.action in webhook.actions
        and entry.model in webhook.record_types
        and entry.seq > webhook.since_seq
    )


def matches(webhook, entry, places: Places | None = None) -> bool:
    """Whether ``entry`` passes every filter of ``webhook`` (AND), as its owner may see."""
    if not hears(webhook, entry):
        return False
    if webhook.space_id is not None:
        state = entry_side(entry)
        if state is None or state.releasability != "spaces":
            return False
        if webhook.space_id not in state.spaces:
            return False
    if webhook.country_id is None and webhook.operation_id is None:
        return True
    model = event_models().get(entry.model)
    if model is None:
        return False
    places = places or Places(webhook.owner)
    if entry.action == "delete":
        values = {k: v[0] for k, v in (entry.changes or {}).items() if isinstance(v, list)}
        countries, operations = places.of_values(model, values, entry.object_id)
    else:
        countries, operations = places.of_record(model, entry.object_id)
    if webhook.country_id is not None and webhook.country_id not in countries:
        return False
    return webhook.operation_id is None or webhook.operation_id in operations
