"""Navigation by capability. Later capabilities register their entries here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    section: str
    label: str
    url_name: str
    signed_in_only: bool = False


NAVIGATION: list[NavEntry] = [
    NavEntry("Registry", "Organisations", "web:organisation_list"),
    NavEntry("Registry", "People", "web:person_list"),
    NavEntry("Registry", "Areas", "web:area_list"),
    NavEntry("Registry", "Countries", "web:country_list"),
    NavEntry("Platform", "Spaces", "web:space_list", signed_in_only=True),
    NavEntry("Platform", "Audit trail", "web:audit_list", signed_in_only=True),
    NavEntry("Platform", "API tokens", "web:token_list", signed_in_only=True),
]


def register(entry: NavEntry) -> None:
    NAVIGATION.append(entry)


def context(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    sections: dict[str, list[NavEntry]] = {}
    for entry in NAVIGATION:
        if entry.signed_in_only and not signed_in:
            continue
        sections.setdefault(entry.section, []).append(entry)
    return {"nav_sections": sections}
