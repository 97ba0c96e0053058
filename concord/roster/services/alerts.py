"""Alerts with one-use signed links, answers, waivers (four eyes), the shortlist."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.context import Actor
from concord.core.models import Role

from .. import loaders
from ..analysis import matching
from ..analysis import screening as coi
from ..models import (
    Candidate,
    CandidateState,
    ExpertRequest,
    RequestState,
    Step,
    language_name,
)
from .common import ALERT_DAYS, ALERT_SALT, _editor, _person, _record
from .requests import _auto_step, _stand_down

# --- alerts ----------------------------------------------------------------------------------


def _alert_text(request: ExpertRequest) -> str:
    """What an alert says: expertise, languages, mode, dates. Never the process, the
    parties, the requester or the place beyond the country."""
    areas = ", ".join(r.area.name for r in loaders.requirement_rows(request))
    langs = ", ".join(
        f"{language_name(n.code)} ≥ {n.get_level_display()}" for n in loaders.language_rows(request)
    )
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
def alert(
    request: ExpertRequest, *, actor: Actor, size: int | None = None, send: bool = True
) -> list[Candidate]:
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
    pool = [m for m in ranking.matches if m.eligible and m.expert.id not in already]
    # the alerted keep the gender rule too, so the shortlist made from them can
    fresh = matching.shortlist(
        pool, dataclasses.replace(ranking.request, shortlist_size=size)
    ).chosen
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
    ids = [c.pk for c in made if c.state == CandidateState.ALERTED]
    if ids and send:  # (the demo's alerts were sent before it was loaded: no e-mail)
        transaction.on_commit(lambda: _enqueue_alerts(ids))
    return made


def _enqueue_alerts(ids: list[int]) -> None:
    from ..tasks import send_alerts

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
