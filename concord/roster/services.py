"""Every write of the roster: one function per use case, through ``concord.core.services``
(audited, permissions re-checked). Candidates and clock steps are parts of their request:
their writes are audited on it."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, services
from concord.core.access import may
from concord.core.context import Actor
from concord.core.models import Classification, Organisation, Role, SpaceGrant

from . import loaders
from .analysis import clock, matching
from .analysis import screening as coi
from .models import (
    BOOKING,
    Candidate,
    CandidateState,
    ClockStep,
    Deployment,
    DeploymentState,
    Expert,
    ExpertRequest,
    Language,
    LanguageNeed,
    RequestState,
    Requirement,
    Skill,
    Step,
    Tie,
    Unavailability,
)

ALERT_SALT = "concord.roster.alert"  # untranslated: a signing salt
ALERT_DAYS = 7
STOOD_DOWN_SHOWN = dt.timedelta(days=14)


def _person(actor: Actor):
    if actor.is_system or actor.user is None:
        raise PermissionDenied(_("This needs a person signed in."))
    return actor.user


def _editor(record, actor: Actor) -> None:
    if not actor.is_system and not may(actor.user, record):
        raise PermissionDenied(_("You may not change this record."))


def _record(actor, action, obj, changes, request) -> None:
    audit.record(actor, action, obj, changes, subject=request)


# --- experts ---------------------------------------------------------------------------


def _rows_error(name):
    return lambda i, messages: {
        name: _("Row %(row)s: %(errors)s") % {"row": i, "errors": " ".join(messages)}
    }


def _tie_key(t: Tie) -> tuple:
    return (t.kind, t.organisation_id, t.start, t.end)


def expert_rows(
    *,
    skills: list[dict] | None = None,
    languages: list[dict] | None = None,
    ties: list[dict] | None = None,
    unavailable: list[dict] | None = None,
):
    """The children callback replacing an expert's rows (those given). A tie not declared
    before re-screens the expert's open candidacies and live deployments (a continuing duty
    to disclose)."""
    today = timezone.localdate()

    def children(expert, actor):
        before = {_tie_key(t) for t in Tie.objects.filter(expert=expert)}
        if skills is not None:
            services.replace_children(
                expert, actor, Skill, "expert", skills, error=_rows_error("skills")
            )
        if languages is not None:
            services.replace_children(
                expert, actor, Language, "expert", languages, error=_rows_error("languages")
            )
        if ties is not None:
            services.replace_children(
                expert,
                actor,
                Tie,
                "expert",
                [{"declared_on": today, **t} for t in ties],
                error=_rows_error("ties"),
                keep_hidden=("organisation", Organisation),
            )
        if unavailable is not None:
            services.replace_children(
                expert,
                actor,
                Unavailability,
                "expert",
                unavailable,
                error=_rows_error("unavailable"),
            )
        if {_tie_key(t) for t in Tie.objects.filter(expert=expert)} - before:
            rescreen(expert, actor=actor)

    return children


@transaction.atomic
def save_expert(expert: Expert, *, actor: Actor, m2m: dict | None = None, **rows) -> Expert:
    """Create or update an expert profile and (those given) its rows (``expert_rows``)."""
    return services.save(expert, actor=actor, m2m=m2m, children=expert_rows(**rows))


@transaction.atomic
def create_expert(
    expert: Expert, name: str, *, actor: Actor, m2m: dict | None = None, **rows
) -> Expert:
    """A new expert and the person of the registry they are (same owner and classification,
    named to the same people)."""
    from concord.core.models import Person

    if not name.strip():
        raise ValidationError({"name": _("Give the expert's name.")})
    person_m2m = {
        k: v
        for k, v in (m2m or {}).items()
        if k in ("named_users", "shared_organisations", "shared_spaces")
    }
    expert.person = services.save(
        Person(
            owner_id=expert.owner_id,
            name=name.strip(),
            classification=expert.classification,
            releasability=expert.releasability,
        ),
        actor=actor,
        m2m=person_m2m,
    )
    return save_expert(expert, actor=actor, m2m=m2m, **rows)


def rescreen(expert: Expert, *, actor: Actor) -> list[Candidate]:
    """Screen the expert again on every open request they are a candidate for; a graver
    grade than before drops the waiver it had (it waived something else). Returns the
    candidacies whose grade changed."""
    changed = []
    open_ = (
        Candidate.objects.filter(expert=expert)
        .exclude(request__state__in=[RequestState.CLOSED, RequestState.CANCELLED])
        .exclude(state__in=[CandidateState.STOOD_DOWN, CandidateState.NOT_AVAILABLE])
    )
    live = set(
        Deployment.objects.filter(expert=expert, state__in=BOOKING).values_list(
            "request_id", flat=True
        )
    )
    for c in open_.select_related("request"):
        if c.request.state != RequestState.OPEN and c.request_id not in live:
            continue
        result = loaders.screen(expert, c.request, actor.user)
        if result.grade == c.grade and [f.as_json() for f in result.findings] == c.findings:
            continue
        before = {"grade": c.grade, "findings": c.findings, "waived_by": c.waived_by_id}
        graver = coi.SEVERITY[result.grade] > coi.SEVERITY[c.grade]
        c.grade = result.grade
        c.findings = [f.as_json() for f in result.findings]
        c.screened_at = timezone.now()
        if graver:
            c.waived_by, c.waiver, c.waived_at = None, "", None
            if c.state == CandidateState.ALERTED and c.blocked:
                c.state = CandidateState.HELD
        c.save()
        _record(
            actor,
            "update",
            c,
            audit.diff(
                before, {"grade": c.grade, "findings": c.findings, "waived_by": c.waived_by_id}
            ),
            c.request,
        )
        changed.append(c)
    return changed


# --- requests and their clock ------------------------------------------------------------


def request_rows(*, requirements: list[dict] | None = None, languages: list[dict] | None = None):
    """The children callback replacing a request's needs (those given)."""

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
    starts its clock at ``received_at`` (now when not given)."""
    creating = request.pk is None
    if creating and request.received_at is None:
        request.received_at = timezone.now()
    saved = services.save(request, actor=actor, m2m=m2m, children=request_rows(**rows))
    if creating:
        _step(saved, Step.RECEIVED, saved.received_at, actor)
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
        raise ValidationError({"state": _("A request is closed or cancelled.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why.")})
    before = request.state
    request.state = state
    request.save(update_fields=["state"])
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


# --- alerts ----------------------------------------------------------------------------------


def _alert_text(request: ExpertRequest) -> str:
    """What an alert says: expertise, languages, mode, dates. Never the process, the
    parties, the requester or the place beyond the country."""
    areas = ", ".join(r.area.name for r in loaders.requirement_rows(request))
    langs = ", ".join(f"{n.code} ≥ {n.get_level_display()}" for n in loaders.language_rows(request))
    return _(
        "Expertise: %(areas)s. Languages: %(languages)s. %(mode)s, from %(start)s for "
        "%(days)s days."
    ) % {
        "areas": areas or "—",
        "languages": langs or "—",
        "mode": request.get_mode_display(),
        "start": request.start.isoformat(),
        "days": request.duration_days,
    }


@transaction.atomic
def alert(request: ExpertRequest, *, actor: Actor, size: int | None = None) -> list[Candidate]:
    """Screen and alert the best matched experts not yet alerted (``size``: how many; twice
    the shortlist by default). A waivable red is held until a manager waives it; a
    non-waivable red is never alerted. Sends the e-mails (background job)."""
    user = _person(actor)
    _editor(request, actor)
    if request.state != RequestState.OPEN:
        raise ValidationError(_("This request is not open."))
    ranking = loaders.rank(request, user)
    already = set(request.candidates.values_list("expert_id", flat=True))
    size = size or 2 * request.shortlist_size
    fresh = [m for m in ranking.matches if m.eligible and m.expert.id not in already][:size]
    if not fresh:
        raise ValidationError(_("No matched expert is left to alert for this request."))
    text, now = _alert_text(request), timezone.now()
    made = []
    rank0 = request.candidates.count()
    for i, m in enumerate(fresh, start=1):
        held = m.screening.needs_waiver
        c = Candidate.objects.create(
            request=request,
            expert_id=m.expert.id,
            rank=rank0 + i,
            score=round(m.score, 2),
            parts=[p.as_json() for p in m.parts],
            grade=m.screening.grade,
            findings=[f.as_json() for f in m.screening.findings],
            screened_at=now,
            proposed_by=user,
            state=CandidateState.HELD if held else CandidateState.ALERTED,
            alert_text=text,
            alerted_at=None if held else now,
        )
        _record(
            actor,
            "create",
            c,
            {"expert": [None, c.expert_id], "state": [None, c.state], "grade": [None, c.grade]},
            request,
        )
        made.append(c)
    _auto_step(request, Step.ALERT_SENT, actor)
    send = [c.pk for c in made if c.state == CandidateState.ALERTED]
    if send:
        transaction.on_commit(lambda: _enqueue_alerts(send))
    return made


def _enqueue_alerts(ids: list[int]) -> None:
    from .tasks import send_alerts

    send_alerts.enqueue(candidate_ids=ids)


@transaction.atomic
def resend_alert(candidate: Candidate, *, actor: Actor) -> Candidate:
    """Send an alerted expert a new link (the old one stops working when it is made)."""
    _editor(candidate.request, actor)
    if candidate.state != CandidateState.ALERTED or candidate.request.state != RequestState.OPEN:
        raise ValidationError(
            _("Only an expert waiting to answer an open request gets a new link.")
        )
    _record(actor, "update", candidate, {"alert": [None, "resent"]}, candidate.request)
    transaction.on_commit(lambda: _enqueue_alerts([candidate.pk]))
    return candidate


def alert_token(candidate: Candidate) -> str:
    """A fresh one-use link key for ``candidate`` (the previous one stops working): signed
    (tampering shows), dated (it expires after ALERT_DAYS) and kept only as a hash."""
    key = secrets.token_urlsafe(24)
    candidate.alert_key = hashlib.sha256(key.encode()).hexdigest()
    candidate.save(update_fields=["alert_key"])
    return signing.dumps({"c": candidate.pk, "k": key}, salt=ALERT_SALT, compress=True)


def alert_link(token: str) -> str:
    from django.urls import reverse

    base = (settings.CONCORD_SITE_URL or "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("roster:alert_answer", kwargs={"token": token})


def candidate_for_token(token: str) -> Candidate:
    """The candidate a link was sent to, or a ValidationError saying what is wrong with it
    (tampered, expired, used) and nothing about the request."""
    try:
        data = signing.loads(token, salt=ALERT_SALT, max_age=dt.timedelta(days=ALERT_DAYS))
    except signing.SignatureExpired as exc:
        raise ValidationError(
            _("This link has expired. Ask the roster team for a new one.")
        ) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This link is not valid: check it was copied whole.")) from exc
    candidate = Candidate.objects.filter(pk=data.get("c")).select_related("request").first()
    digest = hashlib.sha256(str(data.get("k")).encode()).hexdigest()
    if (
        candidate is None
        or not candidate.alert_key
        or not secrets.compare_digest(candidate.alert_key, digest)
    ):
        raise ValidationError(_("This link was already used, or replaced by a newer one."))
    if candidate.state != CandidateState.ALERTED or candidate.request.state != RequestState.OPEN:
        raise ValidationError(_("This alert is no longer open: nothing to answer."))
    return candidate


@transaction.atomic
def answer(token: str, available: bool) -> Candidate:
    """The expert's answer through the link (no account needed); the link then stops working."""
    candidate = candidate_for_token(token)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    before = candidate.state
    candidate.state = CandidateState.AVAILABLE if available else CandidateState.NOT_AVAILABLE
    candidate.answered_at = timezone.now()
    candidate.alert_key = ""
    candidate.save(update_fields=["state", "answered_at", "alert_key"])
    actor = Actor.system("alert-link")
    request = candidate.request
    _record(actor, "update", candidate, {"state": [before, candidate.state]}, request)
    waiting = request.candidates.filter(state=CandidateState.ALERTED).exists()
    enough = (
        request.candidates.filter(state=CandidateState.AVAILABLE).count() >= request.shortlist_size
    )
    if not waiting or enough:
        _auto_step(request, Step.RESPONSES, actor)
    return candidate


@transaction.atomic
def waive(candidate: Candidate, reason: str, *, actor: Actor) -> Candidate:
    """A named manager of the request's owner waives a waivable red in writing; never the
    person who proposed the expert (four eyes). The expert is then alerted."""
    user = _person(actor)
    request = candidate.request
    if request.owner_id not in user.principal().orgs_with_role(Role.MANAGER):
        raise PermissionDenied(
            _("Only a manager of %(owner)s may waive a conflict of interest.")
            % {"owner": request.owner}
        )
    if candidate.grade != coi.WAIVABLE:
        raise ValidationError({"waiver": _("Only a waivable red can be waived.")})
    if candidate.waived_by_id:
        raise ValidationError({"waiver": _("This conflict was already waived.")})
    if candidate.proposed_by_id == user.pk:
        raise ValidationError(
            {"waiver": _("You proposed this expert: another manager must waive (four eyes).")}
        )
    if not reason.strip():
        raise ValidationError({"waiver": _("Write the waiver: why the conflict is acceptable.")})
    candidate.waived_by, candidate.waiver, candidate.waived_at = (
        user,
        reason.strip(),
        timezone.now(),
    )
    before = candidate.state
    if candidate.state == CandidateState.HELD:
        candidate.state = CandidateState.ALERTED
        candidate.alerted_at = timezone.now()
        transaction.on_commit(lambda: _enqueue_alerts([candidate.pk]))
    candidate.save()
    _record(
        actor,
        "update",
        candidate,
        {
            "waived_by": [None, user.pk],
            "waiver": ["", candidate.waiver],
            "state": [before, candidate.state],
        },
        request,
    )
    return candidate


def _stand_down(candidate: Candidate, actor: Actor) -> None:
    before = candidate.state
    candidate.state = CandidateState.STOOD_DOWN
    candidate.stood_down_at = timezone.now()
    candidate.alert_key = ""
    candidate.save(update_fields=["state", "stood_down_at", "alert_key"])
    _record(actor, "update", candidate, {"state": [before, candidate.state]}, candidate.request)


@transaction.atomic
def stand_down(candidate: Candidate, *, actor: Actor) -> Candidate:
    """Tell an alerted or shortlisted expert they are not needed (shown 14 days, then
    archived with the request's history)."""
    _editor(candidate.request, actor)
    if candidate.state in (CandidateState.STOOD_DOWN, CandidateState.NOMINATED):
        raise ValidationError(_("This expert cannot be stood down now."))
    _stand_down(candidate, actor)
    return candidate


@transaction.atomic
def make_shortlist(request: ExpertRequest, *, actor: Actor) -> matching.Shortlist:
    """The shortlist among those who said they are available, best fit first, under the
    request's gender rule (its notes say what it changed or could not)."""
    user = _person(actor)
    _editor(request, actor)
    available = {
        c.expert_id: c
        for c in request.candidates.filter(
            state__in=[CandidateState.AVAILABLE, CandidateState.SHORTLISTED]
        )
    }
    if not available:
        raise ValidationError(_("Nobody has answered available yet."))
    ranking = loaders.rank(request, user)
    pool = [
        m
        for m in ranking.matches
        if m.expert.id in available and not available[m.expert.id].blocked
    ]
    result = matching.shortlist(pool, ranking.request)
    chosen = {m.expert.id for m in result.chosen}
    for eid, c in available.items():
        state = CandidateState.SHORTLISTED if eid in chosen else CandidateState.AVAILABLE
        if c.state != state:
            _record(actor, "update", c, {"state": [c.state, state]}, request)
            c.state = state
            c.save(update_fields=["state"])
    _auto_step(request, Step.SHORTLIST, actor)
    return result


# --- deployments ---------------------------------------------------------------------------


def check_booking(deployment: Deployment) -> None:
    """Before any save of a deployment: the expert is not booked elsewhere in its period."""
    if deployment.state not in BOOKING or not deployment.start or not deployment.end:
        return
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
    services.grant_space(
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
    grants = SpaceGrant.objects.filter(
        user_id=expert.user_id, space_id=deployment.request.space_id, reason=label
    )
    services.end_space_grants(actor=actor, grants=grants, reason=reason, subject=deployment)
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
    observation = submit_observation(
        Observation(
            owner_id=deployment.owner_id,
            classification=min(classification, Classification.CONFIDENTIAL, user.clearance),
            title=(_("End-of-assignment report: %(title)s") % {"title": request.title})[:300],
            what_happened=report.strip(),
            source_kind=SourceKind.END_OF_ASSIGNMENT,
            period_start=deployment.start,
            period_end=min(deployment.end, timezone.localdate()),
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
    if deployment.end > timezone.localdate():
        deployment.end = max(deployment.start, timezone.localdate())
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
    time); remove the grants, audited (the worker runs this daily)."""
    return services.expire_space_grants(now)
