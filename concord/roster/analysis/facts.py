"""The plain data the roster's analysis reads (built by ``concord.roster.loaders`` from what a
reader may see; built by hand in tests and the benchmark)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TieFact:
    kind: str  # TieKind value
    organisation: int
    organisation_name: str
    start: dt.date | None = None
    end: dt.date | None = None  # None: current

    def current_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Booking:
    """A period the expert is not free: a live deployment or a declared unavailability."""

    start: dt.date
    end: dt.date
    what: str  # in words, for the reasons
    deployment: bool = False
    request: int | None = None


@dataclass(frozen=True)
class PastDeployment:
    process: str  # the process key (see process_key)
    requester: int
    requester_name: str
    end: dt.date
    rating: int | None = None
    start: dt.date | None = None


@dataclass(frozen=True)
class ExpertFacts:
    id: int
    name: str
    tier: str
    gender: str
    clearance: int
    skills: dict[str, int] = field(default_factory=dict)  # area code → level
    languages: dict[str, int] = field(default_factory=dict)  # ISO 639 → CEFR rank 1–6
    countries: frozenset[str] = frozenset()  # alpha-3
    subregions: frozenset[str] = frozenset()  # M49 sub-regions of those countries
    nationalities: frozenset[str] = frozenset()  # alpha-3
    ties: tuple[TieFact, ...] = ()
    bookings: tuple[Booking, ...] = ()
    past: tuple[PastDeployment, ...] = ()

    @property
    def ratings(self) -> list[int]:
        return [p.rating for p in self.past if p.rating]


@dataclass(frozen=True)
class Party:
    id: int
    name: str
    country: str | None = None  # alpha-3 of a state party, or where an armed group is based
    is_state: bool = False


@dataclass(frozen=True)
class RequestFacts:
    id: int
    title: str
    process: str  # the process key
    requester: int
    start: dt.date
    end: dt.date
    received: dt.datetime | None = None
    countries: frozenset[str] = frozenset()
    subregions: frozenset[str] = frozenset()
    parties: tuple[Party, ...] = ()
    stakeholders: tuple[Party, ...] = ()
    required: dict[str, int] = field(default_factory=dict)  # area code → level
    desirable: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)  # required: code → CEFR rank
    desirable_languages: dict[str, int] = field(default_factory=dict)
    team_size: int = 1
    shortlist_size: int = 3
    gender_rule: str = "policy"
    clearance: int = 0

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return start <= self.end and self.start <= end


def process_key(text: str) -> str:
    """The same words name the same process: case, accents and spacing aside."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.casefold().split())
