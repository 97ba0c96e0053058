"""Expert profiles and their rows; re-screening on a new tie."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, services
from concord.core.context import Actor
from concord.core.models import Organisation

from .. import loaders
from ..analysis import screening as coi
from ..models import (
    BOOKING,
    Candidate,
    CandidateState,
    Deployment,
    Expert,
    Language,
    RequestState,
    Skill,
    Tie,
    Unavailability,
)
from .common import _record

# --- experts ---------------------------------------------------------------------------


def _rows_error(name):
    return lambda i, messages: {
        name: _("Entry %(row)s: %(errors)s") % {"row": i, "errors": " ".join(messages)}
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
                expert, actor, Skill, "expert", skills, error=_rows_error("expertise")
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
    for c in open_.select_related("request", "expert"):
        if c.request.state != RequestState.OPEN and c.request_id not in live:
            continue
        if rescreen_candidate(c, actor=actor):
            changed.append(c)
    return changed


def rescreen_candidate(c: Candidate, *, actor: Actor) -> bool:
    """Screen one candidate again (a tie declared, the request's parties changed); a graver
    grade than before drops the waiver it had (it waived something else), and holds an
    alerted expert. Whether the grade or the findings changed."""
    result = loaders.screen(c.expert, c.request, actor.user)
    if result.grade == c.grade and [f.as_json() for f in result.findings] == c.findings:
        return False
    before = {"grade": c.grade, "waived_by": c.waived_by_id}
    graver = coi.SEVERITY[result.grade] > coi.SEVERITY[c.grade]
    c.grade = result.grade
    c.findings = [f.as_json() for f in result.findings]
    c.screened_at = timezone.now()
    if graver:
        c.waived_by, c.waiver, c.waived_at = None, "", None
        if c.state == CandidateState.ALERTED and c.blocked:
            c.state = CandidateState.HELD
    elif c.state == CandidateState.HELD and not c.blocked:  # nothing left to waive: alert
        from .alerts import _enqueue_alerts

        c.state, c.alerted_at = CandidateState.ALERTED, timezone.now()
        transaction.on_commit(lambda: _enqueue_alerts([c.pk]))
    c.save()
    _record(
        actor,
        "update",
        c,
        audit.diff(before, {"grade": c.grade, "waived_by": c.waived_by_id}),
        c.request,
    )
    return True
