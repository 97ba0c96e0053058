"""The header's menus: every capability's ``navigation`` entries, from the registry."""

from __future__ import annotations

from concord.core import capabilities
from concord.core.capabilities import NavEntry


def context(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    sections: dict[str, list[NavEntry]] = {}
    for entry in capabilities.navigation():
        if entry.signed_in_only and not signed_in:
            continue
        if entry.when and not (signed_in and capabilities.resolve(entry.when)(user)):
            continue
        sections.setdefault(entry.section, []).append(entry)
    return {"nav_sections": sections}
