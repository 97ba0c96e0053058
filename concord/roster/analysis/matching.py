"""Matching experts to one request, explained: a fit out of 100 in parts, each in words
(expertise by level, languages, regional experience, availability over the whole period,
past appraisals, tier); who is not matched and why; a shortlist that keeps a gender balance
where the roster allows, and says when it cannot; and, when nobody meets the requirements,
which requirement to relax."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from . import screening as coi
from .facts import ExpertFacts, RequestFacts
from .words import gettext_once as _
from .words import once
from .words import text as lazy_text

WEIGHTS = {
    "expertise": 45,
    "languages": 20,
    "region": 15,
    "availability": 10,
    "appraisals": 5,
    "tier": 5,
}
TIER_SHARE = {"standby_team": 1.0, "roster": 0.8, "institution_staff": 0.6, "partner_roster": 0.5}
NO_APPRAISAL = 0.6  # an expert never appraised is neither rewarded nor punished much
MIN_FREE = 0.5  # free for less than half the period: not matched
LEVEL_WORDS = {
    1: gettext_lazy("working knowledge"),
    2: gettext_lazy("advanced"),
    3: gettext_lazy("lead expert"),
}
CEFR = {1: "A1", 2: "A2", 3: "B1", 4: "B2", 5: "C1", 6: "C2"}


@dataclass(frozen=True)
class Part:
    key: str
    points: float
    out_of: int
    words: str

    def as_json(self) -> dict:
        return {
            "part": self.key,
            "points": round(self.points, 1),
            "out_of": self.out_of,
            "words": self.words,
        }


@dataclass
class Match:
    expert: ExpertFacts
    score: float = 0.0
    parts: list[Part] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # why not matched, in words
    screening: coi.Screening | None = None
    recent: int = 0  # deployments in the year before the request: fair shares

    @property
    def eligible(self) -> bool:
        return not self.excluded

    def as_json(self) -> dict:
        return {
            "expert": self.expert.id,
            "name": self.expert.name,
            "score": round(self.score, 1),
            "parts": [p.as_json() for p in self.parts],
            "excluded": list(self.excluded),
            "screening": self.screening.grade if self.screening else None,
            "findings": [f.as_json() for f in self.screening.findings] if self.screening else [],
            "recent_deployments": self.recent,
        }


def credit(skills: dict[str, int], area: str, parents: dict[str, str]) -> tuple[int, str]:
    """The expert's level for ``area`` and the skill it rests on: their own in the area; or
    one level down, a sub-area's (it covers part of its area) or their area's (an area's
    expert knows its sub-areas less surely)."""
    best, via = skills.get(area, 0), area
    for code, level in skills.items():
        if parents.get(code) == area and level - 1 > best:
            best, via = level - 1, code
    parent = parents.get(area)
    if parent and skills.get(parent, 0) - 1 > best:
        best, via = skills[parent] - 1, parent
    return best, via


def level_in(skills: dict[str, int], area: str, parents: dict[str, str]) -> int:
    return credit(skills, area, parents)[0]


def _expertise(expert, request, parents, names) -> tuple[Part, list[str]]:
    missing, weighted, total, words = [], 0.0, 0.0, []
    for wanted, weight in ((request.required, 2.0), (request.desirable, 1.0)):
        for area, level in wanted.items():
            has, via = credit(expert.skills, area, parents)
            label = names.get(area, area)
            if weight == 2.0 and has < level:
                missing.append(
                    _("%(area)s at %(level)s or above (has %(has)s)")
                    % {
                        "area": label,
                        "level": lazy_text(LEVEL_WORDS[level]),
                        "has": lazy_text(LEVEL_WORDS[has]) if has else _("none"),
                    }
                )
            value = has / 3 if has >= level else has / (2 * level)
            weighted += weight * value
            total += weight
            if has and via == area:
                words.append(f"{label}: {lazy_text(LEVEL_WORDS[has])}")
            elif has:
                words.append(
                    _("%(skill)s: %(level)s (counts as %(has)s for %(area)s)")
                    % {
                        "skill": names.get(via, via),
                        "level": lazy_text(LEVEL_WORDS[expert.skills[via]]),
                        "has": lazy_text(LEVEL_WORDS[has]),
                        "area": label,
                    }
                )
    share = weighted / total if total else 1.0
    text = "; ".join(words) if words else _("no expertise asked")
    return Part("expertise", WEIGHTS["expertise"] * share, WEIGHTS["expertise"], text), missing


def _languages(expert, request, language_names) -> Part:
    weighted, total, words = 0.0, 0.0, []
    for wanted, weight in ((request.languages, 2.0), (request.desirable_languages, 1.0)):
        for code, level in wanted.items():
            has = expert.languages.get(code, 0)
            name = language_names.get(code, code)
            total += weight
            if has >= level:
                weighted += weight
                words.append(_("%(code)s %(has)s") % {"code": name, "has": CEFR[has]})
            elif has:
                weighted += weight * has / level / 2
                words.append(
                    _("%(code)s only %(has)s (asked %(level)s)")
                    % {"code": name, "has": CEFR[has], "level": CEFR[level]}
                )
            else:
                words.append(_("no %(code)s") % {"code": name})
    share = weighted / total if total else 1.0
    text = ", ".join(words) if words else _("no language asked")
    return Part("languages", WEIGHTS["languages"] * share, WEIGHTS["languages"], text)


def _region(expert, request) -> Part:
    here = sorted(expert.countries & request.countries)
    if here:
        return Part(
            "region",
            WEIGHTS["region"],
            WEIGHTS["region"],
            _("has worked in %(countries)s") % {"countries": ", ".join(here)},
        )
    near = sorted(expert.subregions & request.subregions)
    if near:
        return Part(
            "region",
            WEIGHTS["region"] * 0.5,
            WEIGHTS["region"],
            _("has worked in the region (%(region)s)") % {"region": ", ".join(near)},
        )
    return Part("region", 0, WEIGHTS["region"], _("no experience in the country or region"))


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def _availability(expert, request) -> tuple[Part, list[str]]:
    problems, busy = [], set()
    for b in expert.bookings:
        if not request.overlaps(b.start, b.end) or b.request == request.id:
            continue
        if b.deployment:
            problems.append(
                _("already deployed from %(start)s to %(end)s (%(what)s)")
                % {"start": b.start, "end": b.end, "what": b.what}
            )
            continue
        lo, hi = max(b.start, request.start), min(b.end, request.end)
        busy.update(lo + dt.timedelta(days=i) for i in range(_days(lo, hi)))
    period = _days(request.start, request.end)
    free = 1 - len(busy) / period
    if problems:
        free = 0.0
    elif free < MIN_FREE:
        problems.append(
            _("unavailable for %(days)s of the %(period)s days")
            % {"days": len(busy), "period": period}
        )
    if busy and not problems:
        text = _("free %(free)s of %(period)s days") % {
            "free": period - len(busy),
            "period": period,
        }
    elif problems:
        text = problems[0]
    else:
        text = _("free over the whole period")
    return Part(
        "availability", WEIGHTS["availability"] * free, WEIGHTS["availability"], text
    ), problems


def _appraisals(expert) -> Part:
    ratings = expert.ratings
    if not ratings:
        return Part(
            "appraisals",
            WEIGHTS["appraisals"] * NO_APPRAISAL,
            WEIGHTS["appraisals"],
            _("no appraisal yet"),
        )
    mean = sum(ratings) / len(ratings)
    return Part(
        "appraisals",
        WEIGHTS["appraisals"] * mean / 5,
        WEIGHTS["appraisals"],
        _("appraised %(mean).1f of 5 over %(n)s deployments") % {"mean": mean, "n": len(ratings)},
    )


def _tier(expert, tier_names) -> Part:
    share = TIER_SHARE.get(expert.tier, 0.5)
    return Part(
        "tier",
        WEIGHTS["tier"] * share,
        WEIGHTS["tier"],
        lazy_text(tier_names.get(expert.tier, expert.tier)),
    )


def recent_deployments(expert: ExpertFacts, day: dt.date) -> int:
    """The deployments, ended or live, with a day in the year before ``day``: one rule for
    both (an ended one counted by its end and a live one by its start missed a long
    deployment still running, and counted an ended one that began after ``day``)."""
    since = day - dt.timedelta(days=365)
    return sum(1 for p in expert.past if p.end >= since and (p.start or p.end) <= day) + sum(
        1 for b in expert.bookings if b.deployment and b.end >= since and b.start <= day
    )


def match(
    expert: ExpertFacts,
    request: RequestFacts,
    *,
    parents: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
    tier_names: dict[str, str] | None = None,
    language_names: dict[str, str] | None = None,
) -> Match:
    """One expert against one request: the fit in parts, and why they are not matched."""
    result = Match(expert)
    part, missing = _expertise(expert, request, parents or {}, names or {})
    result.parts.append(part)
    if missing:
        result.excluded.append(_("lacks %(what)s") % {"what": "; ".join(missing)})
    result.parts.append(_languages(expert, request, language_names or {}))
    result.parts.append(_region(expert, request))
    part, busy = _availability(expert, request)
    result.parts.append(part)
    result.excluded.extend(busy)
    result.parts.append(_appraisals(expert))
    result.parts.append(_tier(expert, tier_names or {}))
    if expert.clearance < request.clearance:
        result.excluded.append(_("not cleared for this request's classification"))
    result.screening = coi.screen(expert, request)
    if result.screening.barred:
        result.excluded.append(
            _("conflict of interest: %(reason)s") % {"reason": result.screening.findings[0].reason}
        )
    result.score = sum(p.points for p in result.parts)
    result.recent = recent_deployments(expert, request.start)
    return result


def order_key(m: Match):
    """Best fit first; between equally fit experts (within a point), the one deployed less in
    the past year first (fair shares), then the lower id (stable)."""
    return (-round(m.score), m.recent, -m.score, m.expert.id)


def rank(experts: Iterable[ExpertFacts], request: RequestFacts, **words) -> list[Match]:
    """Every expert against the request, matched ones first in order (``order_key``)."""
    with once():  # the same few messages for every expert: each translated once
        matches = [match(e, request, **words) for e in experts]
    return sorted(matches, key=lambda m: (not m.eligible, *order_key(m)))


@dataclass
class Shortlist:
    chosen: list[Match]
    notes: list[str]


def _gender_gaps(chosen: list[Match]) -> list[str]:
    present = {m.expert.gender for m in chosen}
    return [g for g in ("woman", "man") if g not in present]


GENDER_WORDS = {"woman": gettext_lazy("a woman"), "man": gettext_lazy("a man")}
NO_ONE = {
    "woman": gettext_lazy("No woman on the roster meets this request: the shortlist has none."),
    "man": gettext_lazy("No man on the roster meets this request: the shortlist has none."),
}


def shortlist(ranked: list[Match], request: RequestFacts) -> Shortlist:
    """The best ``shortlist_size`` matched experts, not barred; under the gender rule (at
    least one woman and one man on a shortlist of two or more), the lowest-ranked of the
    other gender gives way to the best of the missing one, where the roster has one."""
    pool = [m for m in ranked if m.eligible]
    size = request.shortlist_size
    chosen, notes = pool[:size], []
    if request.gender_rule != "policy" or size < 2 or not chosen:
        return Shortlist(chosen, notes)
    for gap in _gender_gaps(chosen):
        rest = [m for m in pool[size:] if m.expert.gender == gap]
        if not rest:
            notes.append(str(NO_ONE[gap]))
            continue
        counts: dict[str, int] = {}
        for m in chosen:
            counts[m.expert.gender] = counts.get(m.expert.gender, 0) + 1
        # the lowest-ranked whose gender the shortlist would still hold without them
        out = next(
            (
                m
                for m in reversed(chosen)
                if counts[m.expert.gender] > 1 or m.expert.gender not in GENDER_WORDS
            ),
            None,
        )
        if out is None:
            notes.append(_("The shortlist is too short to balance."))
            continue
        chosen.remove(out)
        chosen.append(rest[0])
        chosen.sort(key=order_key)
        notes.append(
            _(
                "%(in)s (fit %(fit_in)s) takes the place of %(out)s (fit %(fit_out)s) so "
                "the shortlist holds %(who)s."
            )
            % {
                "in": rest[0].expert.name,
                "fit_in": round(rest[0].score),
                "out": out.expert.name,
                "fit_out": round(out.score),
                "who": str(GENDER_WORDS[gap]),
            }
        )
    return Shortlist(chosen, notes)


@dataclass(frozen=True)
class Relaxation:
    words: str
    would_match: int


def relaxations(
    experts: list[ExpertFacts], request: RequestFacts, *, parents=None, names=None, limit=3
) -> list[Relaxation]:
    """When nobody meets the request: which single requirement, relaxed, would bring the
    most matched experts (a required area one level down, or made desirable; the period
    moved after the bookings is left to people)."""
    import dataclasses

    options = []
    for area, level in request.required.items():
        label = (names or {}).get(area, area)
        required = dict(request.required)
        if level > 1:
            required[area] = level - 1
            options.append(
                (
                    _("ask for %(area)s at %(level)s instead of %(was)s")
                    % {
                        "area": label,
                        "level": lazy_text(LEVEL_WORDS[level - 1]),
                        "was": lazy_text(LEVEL_WORDS[level]),
                    },
                    dataclasses.replace(request, required=required),
                )
            )
        required = {a: v for a, v in request.required.items() if a != area}
        options.append(
            (
                _("make %(area)s desirable rather than required") % {"area": label},
                dataclasses.replace(
                    request, required=required, desirable={**request.desirable, area: level}
                ),
            )
        )
    if request.clearance:
        options.append((_("lower the clearance needed"), dataclasses.replace(request, clearance=0)))
    found = []
    with once():
        for words, relaxed in options:
            n = sum(1 for e in experts if match(e, relaxed, parents=parents, names=names).eligible)
            if n:
                found.append(Relaxation(words, n))
    found.sort(key=lambda r: -r.would_match)
    return found[:limit]
