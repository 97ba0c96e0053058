"""Which lessons matter to an operation being planned, and why, in words.

A lesson is compared with the operation on what both say of their context: the country
(and, failing that, the region), the framework and the kind of operation (of the
operations the lesson was learned in), the tasks of the mandate, the scenario, the phase and
the organisations involved. Each match adds its weight and its reason; a lesson matching on
nothing is not listed. The inputs are only what the reader may see (the loader reads them
through the enforcement point), so a lesson the reader may not see is neither ranked nor
counted, and cannot change another's rank or its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WEIGHTS = {
    "country": 4.0,
    "region": 1.5,
    "framework": 1.0,
    "kind": 1.0,
    "task": 1.0,  # each task shared, at most three
    "scenario": 1.0,
    "phase": 2.0,
    "organisation": 1.0,  # each organisation shared, at most two
}
MAX_TASKS, MAX_ORGS = 3, 2
RELEVANT = 3.0  # a lesson at or above this score is relevant (the "not dispositioned" finding)


@dataclass(frozen=True)
class Context:
    """An operation's context, or a lesson's (the union of where it was learned). Names are
    in the reader's language: they make the reasons."""

    countries: dict[str, str] = field(default_factory=dict)  # alpha3 -> name
    regions: dict[str, str] = field(default_factory=dict)  # region code -> name
    frameworks: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    tasks: dict[int, str] = field(default_factory=dict)
    scenarios: dict[str, str] = field(default_factory=dict)
    phases: dict[str, str] = field(default_factory=dict)
    organisations: dict[int, str] = field(default_factory=dict)


def _names(mapping: dict, keys) -> str:
    return ", ".join(sorted(str(mapping[k]) for k in keys))


# The facets compared after the place: (field of Context, weight, how many matches count at
# most, the reason in words for the names matched, n of them).
FACETS = (
    (
        "frameworks",
        WEIGHTS["framework"],
        1,
        lambda n: _("from an operation of the same framework: %(names)s"),
    ),
    ("kinds", WEIGHTS["kind"], 1, lambda n: _("from an operation of the same kind: %(names)s")),
    (
        "tasks",
        WEIGHTS["task"],
        MAX_TASKS,
        lambda n: ngettext(
            "about a task of the mandate: %(names)s", "about tasks of the mandate: %(names)s", n
        ),
    ),
    ("scenarios", WEIGHTS["scenario"], 1, lambda n: _("in the same scenario: %(names)s")),
    (
        "phases",
        WEIGHTS["phase"],
        1,
        lambda n: _("about the phase the operation is in: %(names)s"),
    ),
    (
        "organisations",
        WEIGHTS["organisation"],
        MAX_ORGS,
        lambda n: ngettext(
            "involving the same organisation: %(names)s",
            "involving the same organisations: %(names)s",
            n,
        ),
    ),
)


def matches(operation: Context, lesson: Context) -> tuple[float, list[tuple[str, set]]]:
    """The lesson's score for the operation, and what it shares with it: (facet, keys)
    pairs, the place first (the country, or failing that the region)."""
    score, found = 0.0, []
    countries = operation.countries.keys() & lesson.countries.keys()
    if countries:
        score += WEIGHTS["country"]
        found.append(("countries", countries))
    else:
        regions = operation.regions.keys() & lesson.regions.keys()
        if regions:
            score += WEIGHTS["region"]
            found.append(("regions", regions))
    for name, weight, most, _words in FACETS:
        shared = getattr(operation, name).keys() & getattr(lesson, name).keys()
        if shared:
            score += weight * min(len(shared), most)
            found.append((name, shared))
    return score, found


PLACE = {
    "countries": lambda n: _("learned in the same country: %(names)s"),
    "regions": lambda n: _("learned in the same region: %(names)s"),
}
WORDS = {**PLACE, **{name: words for name, _w, _m, words in FACETS}}


def reasons(operation: Context, found: list[tuple[str, set]]) -> list[str]:
    """What ``matches`` found, in words (the operation's names for what is shared)."""
    return [
        WORDS[name](len(keys)) % {"names": _names(getattr(operation, name), keys)}
        for name, keys in found
    ]


@dataclass
class Ranked:
    """A lesson's rank; its reasons are put in words when read (most ranked lessons are
    never shown)."""

    lesson_id: int
    score: float
    operation: Context = field(repr=False)
    found: list[tuple[str, set]] = field(repr=False)

    @property
    def reasons(self) -> list[str]:
        return reasons(self.operation, self.found)


def rank(operation: Context, lessons: dict[int, Context], titles: dict[int, str]) -> list[Ranked]:
    """The lessons matching the operation on anything, best first (ties: by title, then id)."""
    out = []
    for lesson_id, ctx in lessons.items():
        score, found = matches(operation, ctx)
        if score > 0:
            out.append(Ranked(lesson_id, score, operation, found))
    out.sort(key=lambda r: (-r.score, titles.get(r.lesson_id, ""), r.lesson_id))
    return out


def phase_of(start, end, today, handover_dates) -> str:
    """The phase an operation is in on ``today``: handing over (a handover to or from it
    within six months either side), deploying (not started, or in its first year), drawing
    down (its end within the coming year), else "other"."""
    for d in handover_dates:
        if d and abs((d - today).days) <= 183:
            return "handover"
    if start > today or (today - start).days <= 365:
        return "deployment"
    if end and 0 <= (end - today).days <= 365:
        return "drawdown"
    return "other"
