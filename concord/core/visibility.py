"""Showing related records without leaking them.

A visible record may point at one the reader may not see (a confidential parent
organisation, an owner whose own record is internal). Labels for such links are loaded in
one query per model through the enforcement point and shown as "restricted" otherwise.
"""

from __future__ import annotations

from collections import defaultdict

RESTRICTED = "(restricted)"


class VisibleLabels:
    def __init__(self, user):
        self.user = user
        self._cache: dict[type, dict[int, object]] = defaultdict(dict)

    def load(self, model, ids) -> None:
        wanted = {i for i in ids if i is not None} - set(self._cache[model])
        if not wanted:
            return
        found = {o.pk: o for o in model.objects.visible_to(self.user).filter(pk__in=wanted)}
        for i in wanted:
            self._cache[model][i] = found.get(i)

    def get(self, model, pk):
        if pk is None:
            return None
        if pk not in self._cache[model]:
            self.load(model, [pk])
        return self._cache[model][pk]

    def label(self, model, pk) -> str:
        if pk is None:
            return ""
        obj = self.get(model, pk)
        return str(obj) if obj is not None else RESTRICTED
