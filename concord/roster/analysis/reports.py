"""The roster's reports, from plain rows: deployments per year and per expertise, time to
deploy by step, acceptance rate, gender balance, and the demand the roster could not meet."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from .clock import STEPS


@dataclass(frozen=True)
class DeploymentRow:
    year: int
    areas: tuple[str, ...]  # the expertise the request asked for
    gender: str


@dataclass(frozen=True)
class RequestRow:
    steps: dict[str, dt.datetime]
    filled: bool
    closed_unfilled: bool
    required_areas: tuple[str, ...]
    required_languages: tuple[str, ...]
    matched: int  # experts who met the requirements when last ranked (-1: unknown)


def per_year(rows: list[DeploymentRow]) -> list[tuple[int, int]]:
    return sorted(Counter(r.year for r in rows).items())


def per_expertise(rows: list[DeploymentRow]) -> list[tuple[str, int]]:
    counts = Counter(a for r in rows for a in r.areas)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def step_hours(requests: list[RequestRow]) -> list[tuple[str, float | None, int]]:
    """For each step after the first: the median hours it took from the step before it that
    was reached, over the requests that reached it, and how many did."""
    out = []
    for i, step in enumerate(STEPS[1:], start=1):
        hours = []
        for r in requests:
            if step not in r.steps:
                continue
            before = next((r.steps[s] for s in reversed(STEPS[:i]) if s in r.steps), None)
            if before is not None:
                hours.append((r.steps[step] - before).total_seconds() / 3600)
        out.append((step, round(statistics.median(hours), 1) if hours else None, len(hours)))
    return out


def time_to_deploy(requests: list[RequestRow]) -> tuple[float | None, int, int]:
    """Median hours from received to arrival, how many arrived, how many within 72 hours."""
    hours = [
        (r.steps["arrival"] - r.steps["received"]).total_seconds() / 3600
        for r in requests
        if "arrival" in r.steps and "received" in r.steps
    ]
    if not hours:
        return None, 0, 0
    return round(statistics.median(hours), 1), len(hours), sum(1 for h in hours if h <= 72)


def acceptance(answers: list[bool]) -> tuple[float | None, int]:
    """The share of answered alerts answered available, and how many were answered."""
    if not answers:
        return None, 0
    return round(sum(answers) / len(answers), 3), len(answers)


def gender_balance(genders: list[str]) -> list[tuple[str, int]]:
    return sorted(Counter(genders).items(), key=lambda kv: (-kv[1], kv[0]))


def unmet(requests: list[RequestRow]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The expertise and the languages most often asked by requests the roster could not
    meet (closed unfilled, or nobody matched)."""
    missed = [r for r in requests if r.closed_unfilled or r.matched == 0]
    areas = Counter(a for r in missed for a in r.required_areas)
    langs = Counter(code for r in missed for code in r.required_languages)
    order = lambda kv: (-kv[1], kv[0])  # noqa: E731
    return sorted(areas.items(), key=order), sorted(langs.items(), key=order)
