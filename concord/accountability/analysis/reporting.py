"""Pure accountability analysis: due dates from a reporting schedule, which report meets
which due date, and the "thin accountability" finding. No database, no dates from the clock:
callers pass ``today``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.numbers import whole_number

MULTILATERAL = frozenset({"security_council", "au_psc", "eu_psc", "other_multilateral"})
MMDD = re.compile(r"^(\d{2})-(\d{2})$")
MAX_DUES = 5000  # a schedule of one report a day for 13 years; enough for any real cycle


def _month_day(value: str) -> tuple[int, int] | None:
    m = MMDD.match(value.strip()) if isinstance(value, str) else None
    if not m:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    try:
        dt.date(2000, month, day)  # a leap year: 02-29 is allowed
    except ValueError:
        return None
    return month, day


def schedule_problem(every_days, fixed_dates) -> str | None:
    """Why a schedule is unusable, or None."""
    fixed = fixed_dates or []
    if not isinstance(fixed, list):
        return _("Fixed dates must be a list of MM-DD.")
    if bool(every_days) == bool(fixed):
        return _("Give either a number of days between reports or fixed dates (MM-DD), not both.")
    bad = [v for v in fixed if _month_day(v) is None]
    if bad:
        return _("Not a date as MM-DD: %(values)s.") % {"values": ", ".join(map(str, bad))}
    return None


MAX_LOOK_AHEAD = 3660


def look_ahead(value: str) -> int:
    """Days to look ahead, as typed (form, API, CLI); ValueError saying what is wrong."""
    days = whole_number(value, 0, MAX_LOOK_AHEAD)
    if days is None:
        raise ValueError(f"a whole number of days from 0 to {MAX_LOOK_AHEAD}, not {value!r}")
    return days


@dataclass(frozen=True)
class Schedule:
    id: int
    first_due: dt.date
    every_days: int | None = None
    fixed_dates: tuple[str, ...] = ()
    until: dt.date | None = None
    grace_days: int = 0


def _on(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February in a common year
        return dt.date(year, month, day - 1)


def plus(day: dt.date, days: int) -> dt.date:
    """``day`` + ``days``, stopping at the last day a date can hold (a schedule stored before
    ranges were checked, or typed far ahead, must not take a page down)."""
    if days >= (dt.date.max - day).days:
        return dt.date.max
    return day + dt.timedelta(days=days)


def due_dates(s: Schedule, up_to: dt.date) -> list[dt.date]:
    """Every due date from the first up to ``up_to`` (and ``until``), in order."""
    last = min(up_to, s.until) if s.until else up_to
    out: list[dt.date] = []
    if s.every_days:
        day = s.first_due
        while day <= last and len(out) < MAX_DUES:
            out.append(day)
            if day == dt.date.max:
                break
            day = plus(day, s.every_days)
        return out
    pairs = sorted(p for p in (_month_day(v) for v in s.fixed_dates) if p)
    year = s.first_due.year
    while year <= last.year and len(out) < MAX_DUES:
        for month, day in pairs:
            d = _on(year, month, day)
            if s.first_due <= d <= last:
                out.append(d)
        year += 1
    return out


@dataclass(frozen=True)
class Filed:
    """A report as the analysis sees it: when it went in, and whether it still counts."""

    id: int
    submitted: dt.date
    returned: bool = False


@dataclass(frozen=True)
class Due:
    obligation: int
    due: dt.date
    state: str  # met · late · overdue · due (upcoming, or within its grace days)
    report: int | None = None
    submitted: dt.date | None = None

    def days_late(self, today: dt.date, grace: int = 0) -> int:
        """Days past the due date (and its grace): at submission, or today if none yet."""
        end = self.submitted or today
        return max(0, (end - self.due).days - grace)


def cycles(s: Schedule, reports: list[Filed], today: dt.date, horizon: int = 30) -> list[Due]:
    """Each due date up to ``today + horizon`` with its state. Reports are taken in the order
    they were submitted: each due date takes the first report not yet used that went in
    after the previous due date (a returned report counts for nothing until it is filed
    again); on time if by the due date plus the grace days, else late."""
    dues = due_dates(s, plus(today, horizon))
    queue = sorted((r for r in reports if not r.returned), key=lambda r: (r.submitted, r.id))
    out: list[Due] = []
    i, previous = 0, None
    for d in dues:
        while i < len(queue) and previous is not None and queue[i].submitted <= previous:
            i += 1  # went in before this cycle opened and was not needed by the last one
        if i < len(queue):
            r = queue[i]
            i += 1
            state = "met" if r.submitted <= plus(d, s.grace_days) else "late"
            out.append(Due(s.id, d, state, r.id, r.submitted))
        else:
            out.append(Due(s.id, d, "overdue" if today > plus(d, s.grace_days) else "due"))
        previous = d
    return out


@dataclass(frozen=True)
class Line:
    operation: int
    body: str
    mechanism: str
    start: dt.date | None = None
    end: dt.date | None = None

    def holds_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


THIN_REASONS = {
    "multilateral": gettext_lazy("no line to a multilateral body"),
    "population": gettext_lazy("no channel for the local population"),
    "human_rights": gettext_lazy("no human-rights oversight"),
}


# An authorisation by a multilateral body (operations.AuthorisationKind) ties the operation to
# that body: its line of accountability, from the authorisation's date.
AUTHORISED_BY = {
    "unsc": "security_council",
    "au_psc": "au_psc",
    "eu_council": "eu_psc",
    "unga": "other_multilateral",
    "regional": "other_multilateral",
}


def authorisation_lines(operation: int, authorisations: list[tuple[str, dt.date | None]]):
    """The lines to multilateral bodies that an operation's authorisations (kind, date) are:
    an authorised coalition is not without a line to a multilateral body."""
    return [
        Line(operation, AUTHORISED_BY[kind], "authorisation", start=date)
        for kind, date in authorisations
        if kind in AUTHORISED_BY
    ]


def thin_accountability(lines: list[Line], on: dt.date) -> tuple[str, ...]:
    """What an operation's web lacks on a day (keys of THIN_REASONS); empty: not thin."""
    held = [line for line in lines if line.holds_on(on)]
    missing = []
    if not any(line.body in MULTILATERAL for line in held):
        missing.append("multilateral")
    if not any(line.body == "local_population" for line in held):
        missing.append("population")
    if not any(line.mechanism == "human_rights_monitoring" for line in held):
        missing.append("human_rights")
    return tuple(missing)


def month_weeks(year: int, month: int) -> list[list[dt.date | None]]:
    """The weeks of a month, Monday first; days outside the month are None."""
    import calendar

    return [
        [d if d.month == month else None for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


# --- units: chain of command, lineage, commanders ---------------------------------------------


def chain(unit: int, parent_of: dict[int, int | None]) -> list[int]:
    """The units above ``unit``, nearest first (stops at a unit it cannot see or a loop)."""
    out, node = [], parent_of.get(unit)
    while node is not None and node not in out and node != unit:
        out.append(node)
        node = parent_of.get(node)
    return out


def lineage(unit: int, successor_of: dict[int, int | None]) -> tuple[list[int], list[int]]:
    """(what it came from, oldest first; what it became, nearest first)."""
    after = chain(unit, successor_of)
    predecessors_of: dict[int, list[int]] = {}
    for u, s in successor_of.items():
        if s is not None:
            predecessors_of.setdefault(s, []).append(u)
    levels, frontier, seen = [], [unit], {unit}
    while frontier:
        frontier = sorted(
            {p for u in frontier for p in predecessors_of.get(u, ()) if p not in seen}
        )
        seen.update(frontier)
        if frontier:
            levels.append(frontier)
    return [u for level in reversed(levels) for u in level], after


@dataclass(frozen=True)
class Command:
    id: int
    start: dt.date | None
    end: dt.date | None


def commanders_on(commands: list[Command], day: dt.date) -> list[int]:
    """The commands in force on ``day`` (more than one: the record overlaps; show both)."""
    return [
        c.id
        for c in commands
        if (c.start is None or c.start <= day) and (c.end is None or day <= c.end)
    ]
