"""Writes to conditional funding: proposing and deciding releases and waivers.

Four eyes: whoever approves a decision is not whoever proposed it (checked here and by a
database constraint). A release is approved only if the tranche is releasable at that moment,
evaluated inside the same transaction with the tranche row locked, and a database
constraint keeps any tranche from being released twice, whatever the interface or the race.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from concord.core import audit
from concord.core.context import Actor

from .. import shown
from ..analysis import funding as rules
from ..models import Condition, DecisionKind, DecisionStatus, Tranche, TrancheDecision


def _check_editor(tranche: Tranche, actor: Actor) -> None:
    if actor.is_system:
        raise PermissionDenied("Releases and waivers are decided by people, not by the system.")
    if not Tranche.objects.editable_by(actor.user).filter(pk=tranche.pk).exists():
        raise PermissionDenied("You may not decide on this tranche.")


def _audit(actor: Actor, action: str, d: TrancheDecision, changes: dict) -> None:
    audit.record(actor, action, d, changes, subject=d.tranche)


@transaction.atomic
def propose(
    tranche: Tranche,
    kind: str,
    rationale: str,
    *,
    actor: Actor,
    condition: Condition | None = None,
) -> TrancheDecision:
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
    _check_editor(tranche, actor)
    errors = {}
    if kind not in DecisionKind.values:
        errors["kind"] = f"{kind!r} is not a decision (release or waiver)."
    if not (rationale or "").strip():
        errors["rationale"] = "Every decision needs a written rationale."
    if kind == DecisionKind.WAIVER:
        if condition is None or condition.tranche_id != tranche.pk:
            errors["condition"] = "Name the condition of this tranche to waive."
    elif condition is not None:
        errors["condition"] = "A release concerns the whole tranche, not one condition."
    decided = tranche.decisions.filter(kind=kind, condition=condition)
    if kind == DecisionKind.RELEASE and decided.filter(status=DecisionStatus.APPROVED).exists():
        errors["kind"] = "This tranche has already been released; nothing is released twice."
    if decided.filter(status=DecisionStatus.PROPOSED).exists():
        errors.setdefault("kind", "The same decision is already proposed and awaits approval.")
    if errors:
        raise ValidationError(errors)
    d = TrancheDecision.objects.create(
        tranche=tranche,
        kind=kind,
        condition=condition,
        rationale=rationale.strip(),
        proposed_by=actor.user,
        proposed_at=timezone.now(),
    )
    _audit(actor, "create", d, audit.diff(None, audit.snapshot(d)))
    return d


@transaction.atomic
def decide(
    decision: TrancheDecision, approve: bool, note: str = "", *, actor: Actor, on=None
) -> TrancheDecision:
    """Approve or reject a proposed release or waiver (by someone other than the proposer)."""
    from ..facts import evaluate_tranches

    d = TrancheDecision.objects.select_related("tranche").get(pk=decision.pk)
    tranche = Tranche.objects.select_for_update().get(pk=d.tranche_id)
    _check_editor(tranche, actor)
    if d.status != DecisionStatus.PROPOSED:
        raise ValidationError({"status": f"This decision is already {d.status}."})
    if d.proposed_by_id == actor.user.pk:
        raise ValidationError(
            {"decided_by": "Four eyes: the approver must be someone other than the proposer."}
        )
    if approve and not (note or d.rationale).strip():
        raise ValidationError({"decision_note": "Every decision needs a written rationale."})
    before = audit.snapshot(d)
    if approve and d.kind == DecisionKind.RELEASE:
        verdict = evaluate_tranches(Tranche.objects.filter(pk=tranche.pk), on)[tranche.pk]
        problem = rules.release_problem(verdict, d.proposed_by_id, actor.user.pk)
        if problem == "held":  # in the words the approver may see
            problem = shown.held_message(verdict, actor.user)
        if problem:
            raise ValidationError({"status": problem})
        # Templates and references, never another record's words: each reader of the
        # decision gets the evidence worded from what they may see (concord.accountability.shown).
        d.evidence = [shown.stored(v) for v in verdict.verdicts]
    d.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    d.decided_by = actor.user
    d.decided_at = timezone.now()
    d.decision_note = (note or "").strip()
    try:
        with transaction.atomic():
            d.save()
    except IntegrityError as exc:  # the constraint: released once, four eyes
        raise ValidationError(
            {"status": "This tranche has already been released; nothing is released twice."}
        ) from exc
    _audit(actor, "update", d, audit.diff(before, audit.snapshot(d)))
    return d
