"""Deployments: nomination, consent, arrival with space access, end with a report for learning."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, grants, services
from concord.core.context import Actor
from concord.core.models import Classification, SpaceGrant

from .. import loaders
from ..models import (
    BOOKING,
    Candidate,
    CandidateState,
    Deployment,
    DeploymentState,
    RequestState,
    Step,
)
from .common import _editor, _person, _record
from .requests import _auto_step

# --- deployments ---------------------------------------------------------------------------


def check_booking(deployment: Deployment) -> None:
    """Before any save of a live deployment: the expert is not booked elsewhere in its
    period, and no conflict of interest bars them from its request (a deployment made
    through the page or the API, not from a screened candidate, is screened here)."""
    if deployment.state not in BOOKING or not deployment.start or not deployment.end:
        return
    _check_screening(deployment)
    clash = (
        Deployment.objects.filter(
            expert_id=deployment.expert_id,
            state__in=BOOKING,
            start__lte=deployment.end,
            end__gte=deployment.start,
        )
        .exclude(pk=deployment.pk)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "start": _(
                    "This expert is already booked from %(start)s to %(end)s (deployment "
                    "%(number)s, %(state)s): the periods overlap."
                )
                % {
                    "start": clash.start,
                    "end": clash.end,
                    "number": clash.pk,
                    "state": clash.get_state_display(),
                }
            }
        )


def _check_screening(deployment: Deployment) -> None:
    if deployment.candidate_id is not None or deployment.pk is not None:
        return  # nominated from a screened candidate, or already made
    if deployment.request_id is None or deployment.expert_id is None:
        return  # the model's own checks say what is missing
    request, expert = deployment.request, deployment.expert
    result = loaders.screen(expert, request, None)  # names only what anyone may see
    waived = Candidate.objects.filter(
        request=request, expert=expert, waived_by__isnull=False
    ).exists()
    if result.barred or (result.needs_waiver and not waived):
        raise ValidationError(
            {
                "expert": _(
                    "A conflict of interest stands in the way (%(grade)s: %(reason)s): alert "
                    "and nominate through the request's page, where a waivable one can be "
                    "waived."
                )
                % {"grade": result.grade, "reason": result.findings[0].reason}
            }
        )


@transaction.atomic
def nominate(candidate: Candidate, *, actor: Actor, mode: str | None = None) -> Deployment:
    """Propose a shortlisted expert for the request: a deployment in the proposed state,
    strictly confidential to whom may see the expert, linked to the alert it fills."""
    user = _person(actor)
    request = candidate.request
    _editor(request, actor)
    if candidate.blocked:
        raise ValidationError(_("This expert's conflict of interest bars them or awaits a waiver."))
    if candidate.state not in (CandidateState.SHORTLISTED, CandidateState.AVAILABLE):
        raise ValidationError(_("Only an expert who answered available can be nominated."))
    expert = candidate.expert
    deployment = Deployment(
        owner_id=request.owner_id,
        classification=Classification.STRICTLY_CONFIDENTIAL,
        request=request,
        expert=expert,
        assignment=(request.description or request.title)[:300],
        mode=mode or ("remote" if request.mode == "remote" else "in_person"),
        start=request.start,
        end=request.end,
    )
    deployment.candidate = candidate
    named = {user.pk, *expert.named_users.values_list("pk", flat=True)}
    saved = services.save(deployment, actor=actor, m2m={"named_users": sorted(named)})
    _record(
        actor, "update", candidate, {"state": [candidate.state, CandidateState.NOMINATED]}, request
    )
    candidate.state = CandidateState.NOMINATED
    candidate.save(update_fields=["state"])
    _auto_step(request, Step.NOMINATION, actor)
    return saved


def _transition(deployment: Deployment, allowed: tuple, to: str, actor: Actor) -> Deployment:
    _editor(deployment, actor)
    if deployment.state not in allowed:
        raise ValidationError(
            {
                "state": _("A deployment %(state)s cannot become %(to)s.")
                % {
                    "state": deployment.get_state_display().lower(),
                    "to": str(DeploymentState(to).label).lower(),
                }
            }
        )
    deployment.state = to
    return services.save(deployment, actor=actor)


@transaction.atomic
def consent(deployment: Deployment, *, actor: Actor) -> Deployment:
    """Record the requester's consent to the nominated expert."""
    saved = _transition(deployment, (DeploymentState.PROPOSED,), DeploymentState.CONSENTED, actor)
    request = saved.request
    if not request.deployments.filter(state=DeploymentState.PROPOSED).exists():
        _auto_step(request, Step.CONSENT, actor)
    return saved


def _grant(deployment: Deployment, actor: Actor) -> None:
    request, expert = deployment.request, deployment.expert
    if request.space_id is None or expert.user_id is None:
        return
    tz = timezone.get_current_timezone()
    starts = max(timezone.now(), dt.datetime.combine(deployment.start, dt.time.min, tz))
    ends = dt.datetime.combine(deployment.end + dt.timedelta(days=1), dt.time.min, tz)
    if ends <= starts:
        return
    grants.grant_space(
        actor=actor,
        user=expert.user,
        space=request.space,
        starts_at=starts,
        ends_at=ends,
        reason=_("Deployment %(number)s") % {"number": deployment.pk},
        subject=deployment,
    )
    Deployment.objects.filter(pk=deployment.pk).update(space_granted=True)
    deployment.space_granted = True


@transaction.atomic
def deploy(deployment: Deployment, *, actor: Actor) -> Deployment:
    """The expert has arrived (or started remotely): the clock stops; their account joins
    the request's space until the deployment's end."""
    saved = _transition(deployment, (DeploymentState.CONSENTED,), DeploymentState.DEPLOYED, actor)
    _grant(saved, actor)
    request = saved.request
    _auto_step(request, Step.ARRIVAL, actor)
    deployed = request.deployments.filter(
        state__in=[DeploymentState.DEPLOYED, DeploymentState.ENDED]
    ).count()
    if deployed >= request.team_size and request.state == RequestState.OPEN:
        request.state = RequestState.FILLED
        request.save(update_fields=["state"])
        _record(
            actor, "update", request, {"state": [RequestState.OPEN, RequestState.FILLED]}, request
        )
    return saved


def _revoke(deployment: Deployment, actor: Actor, reason: str) -> None:
    expert = deployment.expert
    if (
        not deployment.space_granted
        or expert.user_id is None
        or deployment.request.space_id is None
    ):
        return
    label = _("Deployment %(number)s") % {"number": deployment.pk}
    held = SpaceGrant.objects.filter(
        user_id=expert.user_id, space_id=deployment.request.space_id, reason=label
    )
    grants.end_space_grants(actor=actor, grants=held, reason=reason, subject=deployment)
    Deployment.objects.filter(pk=deployment.pk).update(space_granted=False)
    deployment.space_granted = False


@transaction.atomic
def end(
    deployment: Deployment,
    *,
    actor: Actor,
    report: str,
    rating: int | None = None,
    appraisal: str = "",
    classification: int = Classification.CONFIDENTIAL,
) -> Deployment:
    """End a deployment: the space access ends, the end-of-assignment report becomes an
    observation in learning (its context: the request's operation, countries and period),
    and the appraisal is kept for later matching."""
    from concord.learning.models import Observation, SourceKind
    from concord.learning.services import submit_observation

    user = _person(actor)
    if not report.strip():
        raise ValidationError({"report": _("Write the end-of-assignment report.")})
    if rating is not None and not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    request = deployment.request
    if deployment.end > timezone.localdate():  # ended early: the record says when
        deployment.end = max(deployment.start, timezone.localdate())
    observation = submit_observation(
        Observation(
            owner_id=deployment.owner_id,
            classification=min(classification, Classification.CONFIDENTIAL, user.clearance),
            title=(_("End-of-assignment report: %(title)s") % {"title": request.title})[:300],
            what_happened=report.strip(),
            source_kind=SourceKind.END_OF_ASSIGNMENT,
            period_start=deployment.start,
            period_end=deployment.end,
        ),
        actor=actor,
        m2m={
            "operations": [request.operation] if request.operation_id else [],
            "countries": list(request.countries.all()),
        },
    )
    deployment.report = report.strip()
    deployment.observation = observation
    deployment.rating = int(rating) if rating is not None else None
    deployment.appraisal = appraisal.strip()
    deployment.appraised_by = user if rating is not None or appraisal.strip() else None
    saved = _transition(deployment, (DeploymentState.DEPLOYED,), DeploymentState.ENDED, actor)
    _revoke(saved, actor, _("The deployment ended."))
    return saved


@transaction.atomic
def cancel(deployment: Deployment, reason: str, *, actor: Actor) -> Deployment:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    saved = _transition(
        deployment,
        (DeploymentState.PROPOSED, DeploymentState.CONSENTED, DeploymentState.DEPLOYED),
        DeploymentState.CANCELLED,
        actor,
    )
    _revoke(saved, actor, reason.strip())
    audit.record(actor, "update", saved, {"reason": [None, reason.strip()]})
    return saved


def end_lapsed(now=None) -> int:
    """Deployments past their end: their space access already stopped (the grant's own
    time); remove the grants, audited (the worker runs this every hour)."""
    return grants.expire_space_grants(now)
