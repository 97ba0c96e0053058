"""Screening an expert for conflicts of interest against a request's process, its parties and
its stakeholders, graded after the IBA Guidelines on Conflicts of Interest in International
Arbitration (2024): a non-waivable red bars the expert; a waivable red needs a named
manager's written waiver; an orange is disclosed to the requester; green is noted.

The rules (each finding carries its reason in words):

- a current job, office, membership or financial interest with a party: non-waivable red;
- current advice to a party, or a declared family tie to one: waivable red;
- a current job or financial interest with a stakeholder (a donor with a stake): waivable red;
- the nationality of a state party: waivable red; of the country a non-state party is based
  in: orange;
- a previous deployment in the same process at the request of a party other than this
  request's requester (the other side): waivable red;
- any other current tie to a party or a stakeholder, or a tie that ended within three
  years of the request's start: orange; older ties: green.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .facts import ExpertFacts, Party, RequestFacts  # noqa: F401
from .words import gettext_once as _

NON_WAIVABLE, WAIVABLE, ORANGE, GREEN = "red", "waivable_red", "orange", "green"
SEVERITY = {NON_WAIVABLE: 3, WAIVABLE: 2, ORANGE: 1, GREEN: 0}
LOOKBACK_YEARS = 3

BARRING = frozenset({"employment", "membership", "financial"})


@dataclass(frozen=True)
class Finding:
    grade: str
    reason: str

    def as_json(self) -> dict:
        return {"grade": self.grade, "reason": self.reason}


@dataclass(frozen=True)
class Screening:
    grade: str
    findings: tuple[Finding, ...]

    @property
    def barred(self) -> bool:
        return self.grade == NON_WAIVABLE

    @property
    def needs_waiver(self) -> bool:
        return self.grade == WAIVABLE


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _tie_findings(expert: ExpertFacts, who: dict[int, Party], day: dt.date, party: bool):
    since = _years_before(day, LOOKBACK_YEARS)
    for tie in expert.ties:
        other = who.get(tie.organisation)
        if other is None:
            continue
        words = {"organisation": other.name, "kind": tie.kind}
        role = _("a party to this process") if party else _("a stakeholder in this process")
        words["role"] = role
        if tie.current_on(day):
            if party and tie.kind in BARRING:
                grade, reason = (
                    NON_WAIVABLE,
                    _(
                        "Currently works for, holds office with or has an interest in "
                        "%(organisation)s, %(role)s."
                    ),
                )
            elif party and tie.kind in ("advisory", "family"):
                grade, reason = (
                    WAIVABLE,
                    (
                        _("Currently advises %(organisation)s, %(role)s.")
                        if tie.kind == "advisory"
                        else _("Declared a family tie to %(organisation)s, %(role)s.")
                    ),
                )
            elif not party and tie.kind in ("employment", "financial"):
                grade, reason = (
                    WAIVABLE,
                    _("Currently employed by or financially tied to %(organisation)s, %(role)s."),
                )
            else:
                grade, reason = ORANGE, _("Has a current tie to %(organisation)s, %(role)s.")
        elif tie.end is not None and tie.end >= since:
            words["end"] = tie.end.isoformat()
            grade, reason = (
                ORANGE,
                _("Had a tie to %(organisation)s, %(role)s, until %(end)s (within three years)."),
            )
        else:
            words["end"] = tie.end.isoformat() if tie.end else "?"
            grade, reason = (
                GREEN,
                _(
                    "Had a tie to %(organisation)s, %(role)s, that ended more than three years "
                    "before (%(end)s)."
                ),
            )
        yield Finding(grade, reason % words)


def screen(expert: ExpertFacts, request: RequestFacts) -> Screening:
    """The findings for one expert and one request, most severe first."""
    day = request.start
    parties = {p.id: p for p in request.parties}
    stakeholders = {p.id: p for p in request.stakeholders if p.id not in parties}
    findings = [
        *_tie_findings(expert, parties, day, party=True),
        *_tie_findings(expert, stakeholders, day, party=False),
    ]
    for p in request.parties:
        if p.country and p.country in expert.nationalities:
            if p.is_state:
                findings.append(
                    Finding(
                        WAIVABLE,
                        _("Is a national of %(country)s, a party to this process (%(party)s).")
                        % {"country": p.country, "party": p.name},
                    )
                )
            else:
                findings.append(
                    Finding(
                        ORANGE,
                        _("Shares the nationality (%(country)s) of %(party)s, a party.")
                        % {"country": p.country, "party": p.name},
                    )
                )
    for past in expert.past:
        if (
            past.process == request.process
            and past.requester != request.requester
            and past.requester in parties
        ):
            findings.append(
                Finding(
                    WAIVABLE,
                    _(
                        "Was deployed in this process at the request of %(party)s, another "
                        "side, until %(end)s."
                    )
                    % {"party": past.requester_name, "end": past.end.isoformat()},
                )
            )
    findings.sort(key=lambda f: -SEVERITY[f.grade])
    grade = findings[0].grade if findings else GREEN
    return Screening(grade, tuple(findings))
