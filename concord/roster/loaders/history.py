"""The requests' clocks, the roster's reports and the log of what happened to a request."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..analysis import clock
from ..models import (
    Candidate,
    ClockStep,
    Deployment,
    DeploymentState,
    Expert,
    ExpertRequest,
    LanguageNeed,
    Mode,
    Requirement,
    Step,
)
from .ranking import matchable, person_names


def steps_of(request: ExpertRequest) -> dict[str, dt.datetime]:
    """When the request reached each step; received when it says it was (a request saved
    around ``save_request``, by an import of an older version, still has its start)."""
    steps = dict(ClockStep.objects.filter(request=request).values_list("step", "at"))
    steps.setdefault(Step.RECEIVED, request.received_at)
    return steps


def skipped(request: ExpertRequest) -> tuple[str, ...]:
    return (Step.TRAVEL,) if request.mode == Mode.REMOTE else ()


def clock_of(request: ExpertRequest, now=None) -> clock.Clock:
    """The request's clock; a closed or cancelled one stopped when it was closed."""
    stopped = request.closed_at if request.state in ("closed", "cancelled") else None
    return clock.clock(
        steps_of(request), stopped or now or timezone.now(), skipped(request), stopped=stopped
    )


def step_labels() -> dict[str, str]:
    return {k: str(v) for k, v in Step.choices}


def requirement_rows(request: ExpertRequest) -> list[Requirement]:
    return list(request.requirements.select_related("area"))


def language_rows(request: ExpertRequest) -> list[LanguageNeed]:
    return list(request.languages.all())


def _required(model, code: str, requests) -> dict[int, list[str]]:
    """Each request's required expertise areas or languages (``model``), by request id."""
    found = defaultdict(list)
    for rid, value in model.objects.filter(request__in=requests, required=True).values_list(
        "request_id", code
    ):
        found[rid].append(value)
    return found


def report_rows(user, year: int | None = None):
    """The rows of the roster's reports, from what the reader may see."""
    from ..analysis import reports
    from ..models import RequestState

    requests = ExpertRequest.objects.visible_to(user)
    deployments = (
        Deployment.objects.visible_to(user)
        .filter(expert__in=Expert.objects.visible_to(user).values("pk"))
        .filter(state__in=[DeploymentState.DEPLOYED, DeploymentState.ENDED])
    )
    if year:
        deployments = deployments.filter(start__year=year)
        requests = requests.filter(received_at__year=year)
    areas = _required(Requirement, "area__code", requests.values("pk"))
    dep_areas = _required(Requirement, "area__code", deployments.values("request_id"))
    drows = [
        reports.DeploymentRow(start.year, tuple(dep_areas[rid]), gender)
        for start, rid, gender in deployments.values_list("start", "request_id", "expert__gender")
    ]
    langs = _required(LanguageNeed, "code", requests.values("pk"))
    steps = defaultdict(dict)
    for rid, step, at in ClockStep.objects.filter(request__in=requests.values("pk")).values_list(
        "request_id", "step", "at"
    ):
        steps[rid][step] = at
    rrows = []
    for r in requests:
        matched = -1
        if r.state == RequestState.OPEN:
            matched = matchable(r, user).count()
        rrows.append(
            reports.RequestRow(
                steps[r.pk],
                r.state == RequestState.FILLED,
                r.state == RequestState.CLOSED,
                tuple(areas[r.pk]),
                tuple(langs[r.pk]),
                matched,
            )
        )
    visible_candidates = Candidate.objects.filter(
        request__in=requests.values("pk"), expert__in=Expert.objects.visible_to(user).values("pk")
    )
    answers = [
        s == "available" or s in ("shortlisted", "nominated")
        for s in visible_candidates.exclude(answered_at=None).values_list("state", flat=True)
    ]
    shortlisted = list(
        visible_candidates.filter(state__in=["shortlisted", "nominated"]).values_list(
            "expert__gender", flat=True
        )
    )
    return drows, rrows, answers, shortlisted


@dataclass(frozen=True)
class LogLine:
    at: dt.datetime
    who: str
    what: str


def workflow_log(request: ExpertRequest, user, limit: int = 80) -> list[LogLine]:
    """What happened to the request's candidates and clock, newest first, as the audit trail
    has it: the entries the reader could see on both sides (the request's security), about
    the candidates whose expert the reader may see."""
    from concord.core.history import entry_visible
    from concord.core.models import AuditEntry

    from ..access import visible_candidates
    from ..models import CandidateState, Grade

    if user is None or not user.is_authenticated:
        return []
    candidates = {c.pk: c for c in visible_candidates(request, user)}
    names = person_names(user, [c.expert for c in candidates.values()])
    steps = dict(ClockStep.objects.filter(request=request).values_list("pk", "step"))
    states, grades, labels = dict(CandidateState.choices), dict(Grade.choices), step_labels()
    entries = AuditEntry.objects.filter(
        Q(model="roster.candidate", object_id__in=[str(pk) for pk in candidates])
        | Q(model="roster.clockstep", object_id__in=[str(pk) for pk in steps])
    ).order_by("-seq")
    principal = user.principal()
    out = []
    for e in entries[: limit * 2]:
        if not entry_visible(e, principal):
            continue
        changes = e.changes or {}
        if e.model == "roster.clockstep":
            what = _("Step recorded: %(step)s") % {
                "step": labels.get(steps.get(int(e.object_id)), "?")
            }
        else:
            c = candidates[int(e.object_id)]
            parts = []
            if "state" in changes:
                before, after = changes["state"]
                parts.append(
                    f"{states.get(before, '—') if before else '—'} → {states.get(after, after)}"
                )
            if "grade" in changes:
                parts.append(str(grades.get(changes["grade"][1], changes["grade"][1])))
            if "waiver" in changes:
                parts.append(_("waiver: %(text)s") % {"text": changes["waiver"][1]})
            if "alert" in changes:
                parts.append(_("a new link sent"))
            what = f"{names[c.expert_id]}: " + "; ".join(parts or ["—"])
        out.append(LogLine(e.at, e.actor_label, what))
        if len(out) >= limit:
            break
    return out
