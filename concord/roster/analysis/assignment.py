"""Assigning experts to several simultaneous requests at once, to maximise the total fit,
subject to: each expert at most once in overlapping periods; conflict-of-interest exclusions
(barred, or a waivable red not waived), clearance and availability (from matching); the
languages each request requires covered by its team; at least one woman and one man on a
team of two or more under the gender rule; fair shares (half a point less per deployment in
the past year, so nobody goes again while an equally fit colleague waits).

The solver: when no side constraint applies (every request overlaps every other, no
language to cover, no team to balance) it is the pure assignment problem, solved exactly by
``scipy.optimize.linear_sum_assignment``; otherwise a mixed-integer programme solved by
HiGHS through ``scipy.optimize.milp`` (both in SciPy, one well-kept dependency; OR-Tools
would bring a second solver for nothing these sizes need). Language coverage and gender
balance are soft (a request without a speaker still gets its expert, and the gap is said),
so a burst of requests always gets an answer. Each choice is explained, with the constraint
that bound it; ``greedy`` is the first-come baseline the docs compare against."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from .facts import RequestFacts
from .matching import Match, order_key

FILL = 100.0  # every filled place is worth more than any difference of fit
FAIR = 0.5  # points less per deployment in the past year
LANGUAGE_GAP = 30.0  # what a required language left uncovered costs
GENDER_GAP = 20.0  # what a team without a woman or without a man costs (rule: policy)
CANDIDATES = 40  # per request: the best matched, plus speakers and each gender (below)
PER_NEED = 8


@dataclass(frozen=True)
class Choice:
    request: int
    expert: int
    name: str
    score: float
    constraint: str  # best_fit · overlap · language · gender · fair_share · waiver
    words: str

    def as_json(self) -> dict:
        return {
            "request": self.request,
            "expert": self.expert,
            "name": self.name,
            "score": round(self.score, 1),
            "constraint": self.constraint,
            "why": self.words,
        }


@dataclass
class Plan:
    method: str
    choices: list[Choice] = field(default_factory=list)
    unfilled: dict[int, int] = field(default_factory=dict)  # request → places left
    gaps: list[tuple[int, str]] = field(default_factory=list)  # (request, words)

    @property
    def total_fit(self) -> float:
        return sum(c.score for c in self.choices)

    def as_json(self) -> dict:
        return {
            "method": self.method,
            "total_fit": round(self.total_fit, 1),
            "choices": [c.as_json() for c in self.choices],
            "unfilled": {str(r): n for r, n in sorted(self.unfilled.items())},
            "gaps": [{"request": r, "words": w} for r, w in self.gaps],
        }


def usable(m: Match, request: RequestFacts, waived: set) -> bool:
    if not m.eligible:
        return False
    return not (
        m.screening and m.screening.needs_waiver and (m.expert.id, request.id) not in waived
    )


def _candidates(request: RequestFacts, ranked: list[Match], waived: set) -> list[Match]:
    pool = sorted((m for m in ranked if usable(m, request, waived)), key=order_key)
    keep = {m.expert.id: m for m in pool[:CANDIDATES]}
    for code, level in request.languages.items():
        for m in [m for m in pool if m.expert.languages.get(code, 0) >= level][:PER_NEED]:
            keep.setdefault(m.expert.id, m)
    for gender in ("woman", "man"):
        for m in [m for m in pool if m.expert.gender == gender][:PER_NEED]:
            keep.setdefault(m.expert.id, m)
    return sorted(keep.values(), key=order_key)


def _weight(m: Match) -> float:
    return FILL + m.score - FAIR * m.recent


def _gendered(r: RequestFacts) -> bool:
    return r.gender_rule == "policy" and r.team_size >= 2


def _pure(requests: list[RequestFacts]) -> bool:
    for i, a in enumerate(requests):
        if a.languages or _gendered(a):
            return False
        if any(not a.overlaps(b.start, b.end) for b in requests[i + 1 :]):
            return False
    return True


def assign(
    requests: list[RequestFacts], ranked: dict[int, list[Match]], waived=frozenset()
) -> Plan:
    """The best total fit for ``requests`` (``ranked``: each request's matches, from
    ``matching.rank``; ``waived``: (expert, request) pairs whose waivable red was waived)."""
    waived = set(waived)
    pools = {r.id: _candidates(r, ranked.get(r.id, []), waived) for r in requests}
    if _pure(requests):
        picked = _solve_pure(requests, pools)
        method = "linear_sum_assignment"
    else:
        picked = _solve_milp(requests, pools)
        method = "milp (HiGHS)"
    return _explain(method, requests, pools, picked)


def _solve_pure(requests, pools) -> dict[int, list[Match]]:
    from scipy.optimize import linear_sum_assignment

    experts = sorted({m.expert.id for pool in pools.values() for m in pool})
    if not experts:
        return {r.id: [] for r in requests}
    index = {e: i for i, e in enumerate(experts)}
    columns = [(r, k) for r in requests for k in range(r.team_size)]
    weights = np.zeros((len(experts), len(columns)))
    by_pair = {}
    for j, (r, _k) in enumerate(columns):
        for m in pools[r.id]:
            weights[index[m.expert.id], j] = _weight(m)
            by_pair[(m.expert.id, r.id)] = m
    rows, cols = linear_sum_assignment(weights, maximize=True)
    picked: dict[int, list[Match]] = {r.id: [] for r in requests}
    for i, j in zip(rows, cols, strict=True):
        if weights[i, j] > 0:
            r = columns[j][0]
            picked[r.id].append(by_pair[(experts[i], r.id)])
    return picked


def _rows(requests, variables, slacks) -> tuple[list[dict], list, list]:
    """The constraints, one dict (variable → coefficient) per row, with its bounds."""
    n = len(variables)
    rows, lower, upper = [], [], []
    # team size per request
    for r in requests:
        rows.append({i: 1 for i, (rr, _m) in enumerate(variables) if rr is r})
        lower.append(0)
        upper.append(r.team_size)
    # each expert once at any moment: the requests alive at each request's start form a clique
    by_expert = defaultdict(list)
    for i, (r, m) in enumerate(variables):
        by_expert[m.expert.id].append((i, r))
    for pairs in by_expert.values():
        if len(pairs) < 2:
            continue
        for _i, r in pairs:
            alive = [j for j, rr in pairs if rr.start <= r.start <= rr.end]
            if len(alive) > 1:
                rows.append({j: 1 for j in alive})
                lower.append(0)
                upper.append(1)
    # soft needs: members + slack ≥ 1
    for k, (_ri, _penalty, members) in enumerate(slacks):
        row = {i: 1 for i in members}
        row[n + k] = 1
        rows.append(row)
        lower.append(1)
        upper.append(np.inf)
    return rows, lower, upper


def _slacks(requests, variables) -> list:
    """The soft needs: (request index, penalty, the variables that meet it)."""
    slacks = []
    for ri, r in enumerate(requests):
        for code, level in r.languages.items():
            members = [
                i
                for i, (rr, m) in enumerate(variables)
                if rr is r and m.expert.languages.get(code, 0) >= level
            ]
            slacks.append((ri, LANGUAGE_GAP, members))
        if _gendered(r):
            for gender in ("woman", "man"):
                members = [
                    i
                    for i, (rr, m) in enumerate(variables)
                    if rr is r and m.expert.gender == gender
                ]
                slacks.append((ri, GENDER_GAP, members))
    return slacks


def _solve_milp(requests, pools) -> dict[int, list[Match]]:
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_array

    variables = [(r, m) for r in requests for m in pools[r.id]]
    n = len(variables)
    if n == 0:
        return {r.id: [] for r in requests}
    slacks = _slacks(requests, variables)
    size = n + len(slacks)
    cost = np.zeros(size)
    for i, (_r, m) in enumerate(variables):
        cost[i] = -_weight(m)
    for k, (_ri, penalty, _members) in enumerate(slacks):
        cost[n + k] = penalty
    rows, lower, upper = _rows(requests, variables, slacks)
    matrix = lil_array((len(rows), size))
    for a, row in enumerate(rows):
        for j, v in row.items():
            matrix[a, j] = v
    integrality = np.concatenate([np.ones(n), np.zeros(len(slacks))])
    result = milp(
        cost,
        constraints=LinearConstraint(matrix.tocsr(), lower, upper),
        integrality=integrality,
        bounds=Bounds(0, 1),
        options={"time_limit": 30},
    )
    picked: dict[int, list[Match]] = {r.id: [] for r in requests}
    if result.x is None:  # pragma: no cover - HiGHS always finds x = 0 feasible
        return picked
    for i, (r, m) in enumerate(variables):
        if result.x[i] > 0.5:
            picked[r.id].append(m)
    return picked


def greedy(
    requests: list[RequestFacts], ranked: dict[int, list[Match]], waived=frozenset()
) -> Plan:
    """First come, first served: each request in the order received takes its best matched
    experts not already taken for an overlapping period (the baseline)."""
    waived = set(waived)
    taken: dict[int, list[RequestFacts]] = defaultdict(list)
    picked: dict[int, list[Match]] = {}
    pools = {}
    for r in sorted(requests, key=lambda r: (r.received is None, r.received, r.id)):
        pools[r.id] = _candidates(r, ranked.get(r.id, []), waived)
        picked[r.id] = []
        for m in pools[r.id]:
            if len(picked[r.id]) >= r.team_size:
                break
            if any(o.overlaps(r.start, r.end) for o in taken[m.expert.id]):
                continue
            picked[r.id].append(m)
            taken[m.expert.id].append(r)
    return _explain("greedy", requests, pools, picked)


def _explain(method, requests, pools, picked) -> Plan:
    plan = Plan(method)
    where = {m.expert.id: r for r in requests for m in picked[r.id]}
    for r in requests:
        team = picked[r.id]
        ids = {m.expert.id for m in team}
        for m in sorted(team, key=order_key):
            constraint, words = _why(r, m, team, pools[r.id], ids, where)
            plan.choices.append(
                Choice(r.id, m.expert.id, m.expert.name, m.score, constraint, words)
            )
        if len(team) < r.team_size:
            plan.unfilled[r.id] = r.team_size - len(team)
            plan.gaps.append(
                (
                    r.id,
                    _("%(n)s of %(wanted)s places unfilled: no other matched expert is free.")
                    % {"n": r.team_size - len(team), "wanted": r.team_size},
                )
            )
        for code, level in r.languages.items():
            if not any(m.expert.languages.get(code, 0) >= level for m in team):
                plan.gaps.append(
                    (r.id, _("No one on the team works in %(code)s.") % {"code": code})
                )
        if _gendered(r) and len(team) >= 2:
            genders = {m.expert.gender for m in team}
            if not {"woman", "man"} <= genders:
                plan.gaps.append((r.id, _("The team is not gender-balanced.")))
    return plan


def _why(r, m, team, pool, ids, where) -> tuple[str, str]:
    fit = round(m.score)
    better = [o for o in pool if o.score > m.score + 0.5 and o.expert.id not in ids]
    if not better:
        return "best_fit", _("Best fit for this request (%(fit)s).") % {"fit": fit}
    rival = better[0]
    words = {"rival": rival.expert.name, "rival_fit": round(rival.score), "fit": fit}
    other = where.get(rival.expert.id)
    if other is not None and other.id != r.id:
        words["other"] = other.title
        return "overlap", _(
            "Fit %(fit)s. %(rival)s (fit %(rival_fit)s) is assigned to “%(other)s” at the same "
            "time: each expert once in overlapping periods."
        ) % words
    for code, level in r.languages.items():
        speaks = [o for o in team if o.expert.languages.get(code, 0) >= level]
        if speaks == [m] and rival.expert.languages.get(code, 0) < level:
            words["code"] = code
            return "language", _(
                "Fit %(fit)s, chosen to cover %(code)s: %(rival)s (fit %(rival_fit)s) does not "
                "work in it."
            ) % words
    if _gendered(r):
        same = [o for o in team if o.expert.gender == m.expert.gender]
        if same == [m] and rival.expert.gender != m.expert.gender:
            return "gender", _(
                "Fit %(fit)s, chosen for the team's gender balance over %(rival)s "
                "(fit %(rival_fit)s)."
            ) % words
    if rival.recent > m.recent:
        words["n"] = rival.recent
        return "fair_share", _(
            "Fit %(fit)s; %(rival)s (fit %(rival_fit)s) was deployed %(n)s times in the past "
            "year: fair shares."
        ) % words
    return "total_fit", _(
        "Fit %(fit)s; %(rival)s (fit %(rival_fit)s) left free makes the total fit higher."
    ) % words
