"""Words in the interface's languages needed for many rows at once: country names from
reference packages (pycountry), and the labels of a choice field."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

LANGUAGES = ("en", "fr")


def current_language() -> str:
    """The active interface language, without its region ("fr" for "fr-ca")."""
    from django.utils.translation import get_language

    return (get_language() or "en").split("-")[0]


@lru_cache(maxsize=8)
def _catalogue(domain: str, language: str):
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


@lru_cache(maxsize=4096)
def country_name(alpha3: str, english: str, language: str) -> str:
    """A country's name in ``language`` ("fr": "Allemagne"), from pycountry's ISO 3166
    translations; ``english`` (the registry's name) when pycountry has none."""
    if language == "en":
        return english
    current = pycountry.countries.get(alpha_3=alpha3)
    if current is not None:
        return _catalogue("iso3166-1", language).gettext(current.name)
    former = pycountry.historic_countries.get(alpha_3=alpha3)
    if former is not None:
        return _catalogue("iso3166-3", language).gettext(former.name)
    return english


def choice_labels(field) -> dict:
    """A choice field's labels by value, worded in the active language ("un_pko": "UN
    peacekeeping operation"), once per field and language: Django's ``get_FOO_display``
    rebuilt the field's whole list of choices, translating every label, for each call."""
    from django.utils.translation import get_language

    return _choice_labels(field, get_language())


@lru_cache(maxsize=1024)
def _choice_labels(field, language: str) -> dict:
    # ``language`` is the active one (the key of what is remembered, not a choice of it)
    return {value: str(label) for value, label in field.flatchoices}
