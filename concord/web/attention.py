"""The home page's "what needs my attention": every capability's attention providers
(``Capability.attention``), gathered and grouped. Each provider returns at most ``limit`` + 1
items, only from what the user may see; a group that got more than ``limit`` says "more
than N" rather than counting further, as lists do."""

from __future__ import annotations

from dataclasses import dataclass, field

from concord.core import capabilities
from concord.core.capabilities import Attention

LIMIT = 10


@dataclass
class Group:
    title: str
    items: list[Attention] = field(default_factory=list)
    more: bool = False

    @property
    def urgent(self) -> int:
        return sum(1 for i in self.items if i.urgent)


_PROVIDERS: list = []


def providers() -> list:
    """Every capability's providers, resolved on the first call."""
    if not _PROVIDERS:
        _PROVIDERS.extend(capabilities.resolve(p) for c in capabilities.all() for p in c.attention)
    return list(_PROVIDERS)


def gather(user, limit: int = LIMIT) -> list[Group]:
    """The groups for ``user``, in the order the providers are declared; within a group,
    in the provider's order (the most pressing first)."""
    if user is None or not user.is_authenticated:
        return []
    groups: dict[str, Group] = {}
    for provider in providers():
        items = list(provider(user, limit))
        by_group: dict[str, list[Attention]] = {}
        for item in items:
            by_group.setdefault(item.group, []).append(item)
        more = len(items) > limit
        for title, rows in by_group.items():
            g = groups.setdefault(title, Group(title))
            g.items.extend(rows)
            g.more = g.more or more
    for g in groups.values():
        g.more = g.more or len(g.items) > limit
        g.items = g.items[:limit]
    # groups holding something urgent first, otherwise in the providers' order
    return sorted(groups.values(), key=lambda g: g.urgent == 0)
