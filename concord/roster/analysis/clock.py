"""The 72-hour clock: from the request received to the expert's arrival (or remote start),
each step timestamped; the elapsed time against the promise, and where a request is stuck."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

STEPS = (
    "received",
    "alert_sent",
    "responses",
    "shortlist",
    "nomination",
    "consent",
    "contracting",
    "travel",
    "arrival",
)
PROMISE = dt.timedelta(hours=72)


@dataclass(frozen=True)
class StepTime:
    step: str
    at: dt.datetime | None
    took: dt.timedelta | None  # since the step before it was reached


@dataclass(frozen=True)
class Clock:
    steps: tuple[StepTime, ...]
    elapsed: dt.timedelta
    done: bool
    stuck_at: str | None  # the first step not reached
    waiting: dt.timedelta | None  # since the last step reached
    stopped: bool = False  # closed unfilled or cancelled: the clock no longer runs

    @property
    def late(self) -> bool:
        return self.elapsed > PROMISE

    @property
    def left(self) -> dt.timedelta:
        return PROMISE - self.elapsed

    def words(self, labels: dict | None = None) -> str:
        hours = self.elapsed.total_seconds() / 3600
        if self.stopped:
            return _("Closed after %(hours).0f hours, at “%(step)s”.") % {
                "hours": hours,
                "step": (labels or {}).get(self.stuck_at, self.stuck_at),
            }
        if self.done:
            key = _("Arrived in %(hours).0f hours: %(verdict)s.")
            verdict = _("within the 72-hour promise") if not self.late else _("late")
            return key % {"hours": hours, "verdict": verdict}
        waited = (self.waiting or dt.timedelta()).total_seconds() / 3600
        text = _("%(hours).0f of 72 hours gone; waiting %(waited).0f hours for “%(step)s”.") % {
            "hours": hours,
            "waited": waited,
            "step": (labels or {}).get(self.stuck_at, self.stuck_at),
        }
        if self.late:
            text += " " + _("The promise is broken.")
        return text


def clock(reached: dict[str, dt.datetime], now: dt.datetime, skipped=(), stopped=None) -> Clock:
    """The clock of one request: ``reached`` maps steps to when they were reached (the steps
    of STEPS; ``skipped``: steps that do not apply, travel for a remote start; ``stopped``:
    when the request was closed unfilled, ``now`` then being that moment)."""
    start = reached.get("received")
    if start is None:
        raise ValueError("a request's clock starts when it is received")
    rows, previous, stuck, last = [], start, None, start
    for step in STEPS:
        at = reached.get(step)
        if step in skipped and at is None:
            continue
        took = (at - previous) if (at is not None and previous is not None) else None
        rows.append(StepTime(step, at, took))
        if at is not None:
            previous = at
            last = max(last, at)
        elif stuck is None:
            stuck = step
    done = reached.get("arrival") is not None
    end = reached["arrival"] if done else now
    return Clock(
        tuple(rows),
        elapsed=end - start,
        done=done,
        stuck_at=stuck if not done else None,
        waiting=(now - last) if not done else None,
        stopped=stopped is not None and not done,
    )


def step_problem(
    reached: dict[str, dt.datetime], step: str, at: dt.datetime, skipped=(), labels=None
) -> str:
    """Why ``step`` cannot be recorded at ``at``, or "": the steps go in order (those before
    it reached, or skipped), never before the step before."""
    if step not in STEPS:
        return _("No such step: %(step)s.") % {"step": step}
    if step in reached:
        return _("This step was already recorded.")
    index = STEPS.index(step)
    for before in reversed(STEPS[:index]):
        if before in skipped and before not in reached:
            continue
        if before not in reached:
            return _("Record “%(before)s” first.") % {"before": (labels or {}).get(before, before)}
        if at < reached[before]:
            return _("This step cannot come before “%(before)s” (%(at)s).") % {
                "before": (labels or {}).get(before, before),
                "at": f"{reached[before]:%Y-%m-%d %H:%M}",
            }
        break
    return ""
