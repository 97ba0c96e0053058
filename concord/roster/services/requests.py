"""Requests and their 72-hour clock."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import services
from concord.core.context import Actor

from .. import loaders
from ..analysis import clock
from ..models import (
    BOOKING,
    Candidate,
    CandidateState,
    ClockStep,
    ExpertRequest,
    LanguageNeed,
    RequestState,
    Requirement,
    Step,
)
from .common import _editor, _record
from .experts import _rows_error, rescreen_candidate

# --- requests and their clock ------------------------------------------------------------


def request_rows(*, requirements: list[dict] | None = None, languages: list[dict] | None = None):
    """The children callback replacing a request's needs (those given)."""

    if requirements is not None and not any(r.get("required", True) for r in requirements):
        raise ValidationError({"expertise": _("Ask for at least one required expertise.")})

    def children(request, actor):
        if requirements is not None:
            services.replace_children(
                request, actor, Requirement, "request", requirements, error=_rows_error("expertise")
            )
        if languages is not None:
            services.replace_children(
                request, actor, LanguageNeed, "request", languages, error=_rows_error("languages")
            )

    return children


@transaction.atomic
def save_request(
    request: ExpertRequest, *, actor: Actor, m2m: dict | None = None, **rows
) -> ExpertRequest:
    """Create or update a request and (those given) its needs (``request_rows``); a new one
    starts its clock at ``received_at`` (now when not given), kept in whole seconds as its
    form shows it, so that saving the form unchanged changes nothing."""
    creating = request.pk is None
    if creating and request.received_at is None:
        request.received_at = timezone.now()
    if request.received_at is not None:
        request.received_at = request.received_at.replace(microsecond=0)
    saved = services.save(request, actor=actor, m2m=m2m, children=request_rows(**rows))
    if creating:
        _step(saved, Step.RECEIVED, saved.received_at, actor)
    elif {"parties", "stakeholders"} & set(m2m or {}):
        # the parties changed: whoever is waiting on the request is screened again
        for c in saved.candidates.exclude(
            state__in=[CandidateState.STOOD_DOWN, CandidateState.NOT_AVAILABLE]
        ).select_related("expert", "request"):
            rescreen_candidate(c, actor=actor)
    else:
        ClockStep.objects.filter(request=saved, step=Step.RECEIVED).exclude(
            at=saved.received_at
        ).update(at=saved.received_at)
    return saved


def _step(request: ExpertRequest, step: str, at, actor: Actor) -> ClockStep | None:
    if ClockStep.objects.filter(request=request, step=step).exists():
        return None
    row = ClockStep.objects.create(
        request=request, step=step, at=at, by=None if actor.is_system else actor.user
    )
    _record(actor, "create", row, {"step": [None, step], "at": [None, at.isoformat()]}, request)
    return row


@transaction.atomic
def record_step(request: ExpertRequest, step: str, *, actor: Actor, at=None) -> ClockStep:
    """Record that the request reached ``step`` of its clock (now, or ``at``): in order,
    never before the step before it."""
    _editor(request, actor)
    at = at or timezone.now()
    problem = clock.step_problem(
        loaders.steps_of(request), step, at, loaders.skipped(request), loaders.step_labels()
    )
    if problem:
        raise ValidationError({"step": problem})
    return _step(request, step, at, actor)


def _auto_step(request, step, actor) -> None:
    """A step the roster reaches by doing it (alerts sent, the shortlist made, the expert
    deployed): recorded now, with the steps before it not yet recorded (they were reached
    by then: a shortlist is made from the responses in)."""
    now = timezone.now()
    reached = loaders.steps_of(request)
    skipped = loaders.skipped(request)
    for before in clock.STEPS[: clock.STEPS.index(step) + 1]:
        if before in reached or before in skipped:
            continue
        _step(request, before, max(now, *reached.values()) if reached else now, actor)
        reached[before] = now


@transaction.atomic
def close_request(
    request: ExpertRequest, state: str, reason: str, *, actor: Actor
) -> ExpertRequest:
    """Close a request unfilled, or cancel it (with a reason); stands down who is waiting."""
    _editor(request, actor)
    if state not in (RequestState.CLOSED, RequestState.CANCELLED):
        raise ValidationError({"state": _("Choose: close unfilled, or cancel.")})
    if request.state != RequestState.OPEN:
        raise ValidationError({"state": _("Only an open request can be closed.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    live = request.deployments.filter(state__in=BOOKING)
    if live.exists():
        raise ValidationError(
            {
                "state": _(
                    "Deployment %(numbers)s still books an expert for this request: cancel "
                    "or end it first."
                )
                % {"numbers": ", ".join(str(pk) for pk in live.values_list("pk", flat=True))}
            }
        )
    before = request.state
    request.state = state
    request.closed_at = timezone.now()
    request.save(update_fields=["state", "closed_at"])
    _record(
        actor,
        "update",
        request,
        {"state": [before, state], "reason": [None, reason.strip()]},
        request,
    )
    for c in request.candidates.exclude(
        state__in=[CandidateState.STOOD_DOWN, CandidateState.NOT_AVAILABLE]
    ):
        _stand_down(c, actor)
    return request


def _stand_down(candidate: Candidate, actor: Actor) -> None:
    before = candidate.state
    candidate.state = CandidateState.STOOD_DOWN
    candidate.stood_down_at = timezone.now()
    candidate.alert_key = ""
    candidate.save(update_fields=["state", "stood_down_at", "alert_key"])
    _record(actor, "update", candidate, {"state": [before, candidate.state]}, candidate.request)
