"""Where an observation and a lesson may go from where they are, and why not.

An observation: submitted → verified → analysed (into a lesson); rejected with a reason, or
archived, from any state but the last two. A lesson: identified → action in progress (when
one of its remedial actions starts) → learned (validated by someone other than its
proposer, once every action is done or dropped and one at least is done); rejected with a
reason or archived from identified or action in progress."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

SUBMITTED, VERIFIED, ANALYSED, ARCHIVED, REJECTED = (
    "submitted",
    "verified",
    "analysed",
    "archived",
    "rejected",
)
IDENTIFIED, ACTING, LEARNED = "identified", "action_in_progress", "learned"
PLANNED, IN_PROGRESS, DONE, DROPPED = "planned", "in_progress", "done", "dropped"

# The steps a person takes on an observation (analysed is reached by identifying a lesson).
OBSERVATION_STEPS = {
    SUBMITTED: (VERIFIED, REJECTED, ARCHIVED),
    VERIFIED: (REJECTED, ARCHIVED),
    ANALYSED: (ARCHIVED,),
}
# The steps a person takes on a lesson (action in progress follows its actions; learned is
# reached by validation).
LESSON_STEPS = {
    IDENTIFIED: (REJECTED, ARCHIVED),
    ACTING: (REJECTED, ARCHIVED),
    LEARNED: (ARCHIVED,),
}
NEEDS_REASON = {REJECTED, ARCHIVED}


def step_problem(steps: dict, state: str, to: str, reason: str) -> str | None:
    """Why ``state`` → ``to`` may not be taken, or None."""
    if to not in steps.get(state, ()):
        return _("This step cannot be taken from the record's present state.")
    if to in NEEDS_REASON and not reason.strip():
        return _("Give the reason in words.")
    return None


def analysable_problem(states: list[str]) -> str | None:
    """Why these observations may not be analysed into a lesson, or None."""
    if not states:
        return _("A lesson rests on one observation at least.")
    if any(s != VERIFIED for s in states):
        return _("Only verified observations can be analysed into a lesson.")
    return None


@dataclass(frozen=True)
class Validation:
    lesson_state: str
    proposer_id: int | None
    validator_id: int
    action_statuses: tuple[str, ...]


def validation_problem(v: Validation) -> str | None:
    """Why the lesson may not become a lesson learned, or None."""
    if v.lesson_state not in (IDENTIFIED, ACTING):
        return _("Only a lesson identified or in action can be validated.")
    if v.proposer_id is not None and v.proposer_id == v.validator_id:
        return _("Someone other than the lesson's proposer must validate it.")
    if not any(s == DONE for s in v.action_statuses):
        return _("A lesson is learned once a remedial action is done: none is yet.")
    if any(s in (PLANNED, IN_PROGRESS) for s in v.action_statuses):
        return _("Every remedial action must be done or dropped before the lesson is validated.")
    return None


def lesson_state_after_actions(state: str, statuses: list[str]) -> str:
    """A lesson identified moves to action in progress once an action starts or is done."""
    if state == IDENTIFIED and any(s in (IN_PROGRESS, DONE) for s in statuses):
        return ACTING
    return state
