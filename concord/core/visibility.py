"""Showing related records without leaking them.

A visible record may point at one the reader may not see (a confidential parent
organisation, an owner whose own record is internal, a coordination space the reader is not
in). Labels for such links are loaded in one query per model through the enforcement point
and shown as "restricted" otherwise (spaces the reader is not in are left out).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from django.utils.translation import gettext, gettext_noop

# A link the reader may not see: this marker in data (the API's history), its translation
# where it is shown (``gettext(RESTRICTED)``, as ``VisibleLabels.label`` does).
RESTRICTED = gettext_noop("(restricted)")


def _scoped(model) -> bool:
    from .models import ScopedModel

    return isinstance(model, type) and issubclass(model, ScopedModel)


@cache
def _scoped_links(model) -> tuple[tuple[str, type], ...]:
    """A model's foreign keys to scoped records, as (attribute, linked model): found once
    per model, not for each record of a page or an export."""
    return tuple(
        (f.attname, f.related_model)
        for f in model._meta.concrete_fields
        if f.is_relation and _scoped(f.related_model)
    )


def _labelled(model) -> bool:
    """Records shown through the enforcement point: scoped records, and coordination spaces
    (``Space.objects.visible_to``: the spaces of the reader's organisations, or all of them
    for a platform administrator)."""
    from .models import Space

    return _scoped(model) or model is Space


class VisibleLabels:
    def __init__(self, user):
        self.user = user
        self._cache: dict[type, dict[int, object]] = defaultdict(dict)

    def load(self, model, ids) -> None:
        cached = self._cache[model]
        wanted = {i for i in ids if i is not None and i not in cached}
        if not wanted:
            return
        found = {o.pk: o for o in model.objects.visible_to(self.user).filter(pk__in=wanted)}
        for i in wanted:
            self._cache[model][i] = found.get(i)

    def trim(self, limit: int = 50_000) -> None:
        """Forget everything once more than ``limit`` links are held, so that a stream of a
        million rows holds at most one batch's worth, whatever the number of linked records
        (a later batch loads again what it needs, in the same one query per model)."""
        if sum(len(c) for c in self._cache.values()) > limit:
            self._cache.clear()

    def get(self, model, pk):
        if pk is None:
            return None
        if pk not in self._cache[model]:
            self.load(model, [pk])
        return self._cache[model][pk]

    def preload(self, objs) -> None:
        """Load every link of a page of records in one query per linked model: foreign keys
        to scoped records, and prefetched relations (shared organisations, and children such
        as affiliations through their own foreign keys)."""
        wanted: dict[type, set] = defaultdict(set)

        def links_of(obj):
            for attname, model in _scoped_links(type(obj)):
                wanted[model].add(getattr(obj, attname))

        for obj in objs:
            links_of(obj)
            for related in getattr(obj, "_prefetched_objects_cache", {}).values():
                for item in related:
                    if _labelled(type(item)):
                        wanted[type(item)].add(item.pk)
                    else:
                        links_of(item)
        for model, ids in wanted.items():
            self.load(model, ids)

    def label(self, model, pk) -> str:
        if pk is None:
            return ""
        obj = self.get(model, pk)
        return str(obj) if obj is not None else gettext(RESTRICTED)
