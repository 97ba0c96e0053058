"""The words of the typology's explanations: dates, places, coordination levels and the
sentences of the relations, in the reader's language; and a date shifted safely (pure: only
Django's translation functions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _django_gettext


@lru_cache(maxsize=4096)
def _remembered(message: str, language: str | None) -> str:
    return _django_gettext(message)


def gettext(message: str) -> str:
    """Django's gettext, remembered per language: the typology words thousands of
    classifications with a few dozen sentences (bench/typology.py: Django's own lookup
    doubled the time of a classification)."""
    return _remembered(message, get_language())


if TYPE_CHECKING:
    from . import Op, Rel, World


def _shift(day: dt.date, by: dt.timedelta) -> dt.date:
    """``day`` moved by ``by``, stopping at the first or last day a date can hold (an end
    stored as 9999-12-31 must not take a page down)."""
    try:
        return day + by
    except OverflowError:
        return dt.date.max if by > dt.timedelta(0) else dt.date.min


def _fmt(day: dt.date | None) -> str:
    return day.isoformat() if day else gettext("an unrecorded date")


def _months(start: dt.date, end: dt.date) -> int:
    """Whole months completed between two dates."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(0, months - (1 if end.day < start.day else 0))


def _place(world: World, op: Op, other: Op | None = None, names: Mapping[str, str] = {}) -> str:
    countries = op.countries
    if other is not None:
        shared = [c for c in op.countries if c in set(other.countries)]
        countries = tuple(shared) or countries
    return ", ".join(names.get(c, c) for c in countries) or gettext("an unrecorded country")


_LEVELS = [
    ("none", gettext_lazy("none")),
    ("deconfliction", gettext_lazy("deconfliction")),
    ("liaison", gettext_lazy("liaison")),
    ("mechanism", gettext_lazy("coordination mechanism")),
    ("joint_planning", gettext_lazy("joint planning")),
    ("shared_governance", gettext_lazy("shared governance")),
]


def _rank(level: str) -> int:
    return [k for k, _ in _LEVELS].index(level) if level in dict(_LEVELS) else -1


def _verb(r: Rel, op_id: int) -> str:
    """How the operation stands to the other: "supports", "supported" (is supported by) or
    "alongside" (operates alongside)."""
    if r.kind == "supports":
        return "supports" if r.source == op_id else "supported"
    return "alongside"


def _integrated_reason(r: Rel, op_id: int) -> str:
    """The sentence for a fully integrated operation (placeholders: other, since, place)."""
    if r.kind == "integrated_into":
        if r.start:
            return gettext(
                "fully integrated: integrated into %(other)s since %(since)s in %(place)s"
            )
        return gettext("fully integrated: integrated into %(other)s in %(place)s")
    verb = _verb(r, op_id)
    if verb == "supports":
        if r.start:
            return gettext(
                "fully integrated: supports %(other)s under shared governance since %(since)s "
                "in %(place)s"
            )
        return gettext("fully integrated: supports %(other)s under shared governance in %(place)s")
    if verb == "supported":
        if r.start:
            return gettext(
                "fully integrated: is supported by %(other)s under shared governance since "
                "%(since)s in %(place)s"
            )
        return gettext(
            "fully integrated: is supported by %(other)s under shared governance in %(place)s"
        )
    if r.start:
        return gettext(
            "fully integrated: operates alongside %(other)s under shared governance since "
            "%(since)s in %(place)s"
        )
    return gettext(
        "fully integrated: operates alongside %(other)s under shared governance in %(place)s"
    )


def _parallel_reason(r: Rel, op_id: int) -> str:
    """The sentence for a parallel operation (placeholders: other, place, since, level)."""
    verb = _verb(r, op_id)
    if verb == "supports":
        return gettext(
            "parallel: supports %(other)s in %(place)s since %(since)s (coordination: %(level)s)"
        )
    if verb == "supported":
        return gettext(
            "parallel: is supported by %(other)s in %(place)s since %(since)s "
            "(coordination: %(level)s)"
        )
    return gettext(
        "parallel: operates alongside %(other)s in %(place)s since %(since)s "
        "(coordination: %(level)s)"
    )


def _framework_label(op: Op) -> str:
    return gettext("UN") if op.framework == "un" else op.organisation or gettext("regional")


def _inactive_reasons(day: dt.date) -> tuple[str, str]:
    """(not yet deployed, ended) on ``day``, worded once for many operations."""
    when = {"day": day.isoformat()}
    return (
        gettext("not active on %(day)s (not yet deployed)") % when,
        gettext("not active on %(day)s (ended)") % when,
    )
