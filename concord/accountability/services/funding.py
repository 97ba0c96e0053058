"""Writes to conditional funding: proposing and deciding releases and waivers.

Segregation of duties: the donor's money is moved by the donor's people. Releases and
waivers are proposed and approved by editors of the donor (or of the manager of the
instrument the money comes through), never by the recipient's staff, whoever owns the
records; the recipient sees why a tranche is held but cannot move it. Four eyes: whoever
approves a decision is not whoever proposed it (checked here and by a database constraint).
A release is approved only if the tranche is releasable at that moment, evaluated inside
the same transaction with the tranche row locked, and a database constraint keeps any
tranche from being released twice, whatever the interface or the race.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from concord.core import audit
from concord.core.context import Actor
from concord.core.models import Role

from ..access import shown
from ..analysis import funding as rules
from ..models import (
    Commitment,
    Condition,
    DecisionKind,
    DecisionStatus,
    Tranche,
    TrancheDecision,
)


def donor_side(commitment: Commitment) -> set[int]:
    """The organisations whose people decide on a commitment's money: the donor and the
    manager of the instrument it comes through."""
    sides = {commitment.donor_id}
    if commitment.instrument_id and commitment.instrument.manager_id:
        sides.add(commitment.instrument.manager_id)
    return sides


def runs(operation) -> set[int]:
    """The organisations that run an operation: its framework organisation and its lead."""
    return {operation.framework_organisation_id, operation.lead_organisation_id} - {None}


def recipient_side(commitment: Commitment) -> set[int]:
    """The organisations that receive the money (the recipient organisation, or the
    organisations that run the recipient operation), unless they are also the donor's side."""
    sides = {commitment.recipient_organisation_id}
    if commitment.recipient_operation_id:
        sides |= runs(commitment.recipient_operation)
    return {o for o in sides if o is not None} - donor_side(commitment)


DONOR_ONLY = gettext_lazy(
    "The donor's money is moved by the donor's people: only an editor of the donor (or of "
    "the manager of its instrument) may propose or approve a release or a waiver, or change "
    "the conditions of its tranches."
)
RECIPIENT_BARRED = gettext_lazy(
    "You work for the recipient of this money: its release and its conditions are decided "
    "by the donor's people. You can see why a tranche is held, not move it."
)


def may_decide(commitment: Commitment, user) -> bool:
    """May this person decide on the commitment's money (whatever owns the records)?"""
    return donor_problem(commitment, user) is None


def donor_problem(commitment: Commitment, user) -> str | None:
    """Why this person may not decide on the commitment's money, or None."""
    if user is None or not user.is_authenticated:
        return gettext("Sign in first.")
    p = user.principal()
    if set(p.roles) & recipient_side(commitment):
        return str(RECIPIENT_BARRED)
    if not set(p.orgs_with_role(Role.EDITOR)) & donor_side(commitment):
        return str(DONOR_ONLY)  # names no organisation: the reader may not see it
    return None


def _check_editor(tranche: Tranche, actor: Actor) -> None:
    if actor.is_system:
        raise PermissionDenied(
            gettext("Releases and waivers are decided by people, not by the system.")
        )
    if not Tranche.objects.visible_to(actor.user).filter(pk=tranche.pk).exists():
        raise PermissionDenied(gettext("You may not decide on this tranche."))
    problem = donor_problem(commitment_of(tranche), actor.user)
    if problem:
        raise PermissionDenied(problem)


def _with_sides():
    """Commitments with what ``donor_side`` and ``recipient_side`` read, for the rules only
    (the reader may not see them)."""
    return Commitment.objects.select_related("donor", "instrument", "recipient_operation")


def commitment_of(tranche: Tranche) -> Commitment:
    """The tranche's commitment, read for the rule only (the reader may not see it)."""
    return _with_sides().get(pk=tranche.commitment_id)


def _substance(obj) -> dict:
    """What a funding record says (links as ids), without who may see it."""
    return {f: getattr(obj, type(obj)._meta.get_field(f).attname) for f in type(obj).FIELDS}


def _commitments(obj, stored) -> list[Commitment]:
    """The commitments whose money a write to ``obj`` moves, before and after it."""
    if isinstance(obj, Commitment):
        ids = {obj.pk, getattr(stored, "pk", None)}
        out = list(_with_sides().filter(pk__in=ids - {None}))
        return out + ([stored] if stored is not None else [])  # the donor before the change
    if isinstance(obj, Tranche):
        ids = {obj.commitment_id, getattr(stored, "commitment_id", None)}
    else:  # a condition
        tranches = {obj.tranche_id, getattr(stored, "tranche_id", None)} - {None}
        ids = set(Tranche.objects.filter(pk__in=tranches).values_list("commitment_id", flat=True))
    return list(_with_sides().filter(pk__in=ids - {None}))


def check_money_write(obj, actor: Actor, creating: bool = True) -> None:
    """Commitments, their tranches and the tranches' conditions (what they demand, and
    whether a custom one is satisfied) are written by the donor's people, whoever owns the
    records: a recipient can neither make itself the donor nor ease a condition. The system
    seeds them. Saving one unchanged, or changing only who may see it, is its owner's
    business."""
    if actor.is_system:
        return
    stored = getattr(obj, "_stored", None)
    if not creating and stored is not None and _substance(stored) == _substance(obj):
        return
    for commitment in _commitments(obj, stored):
        problem = donor_problem(commitment, actor.user)
        if problem:
            raise PermissionDenied(problem)


def keep_stored(obj) -> None:
    model = type(obj)
    stored = _with_sides() if model is Commitment else model.objects.all()
    obj._stored = stored.filter(pk=obj.pk).first() if obj.pk else None


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
        errors["kind"] = gettext("%(kind)r is not a decision (release or waiver).") % {"kind": kind}
    if not (rationale or "").strip():
        errors["rationale"] = gettext("Every decision needs a written rationale.")
    if kind == DecisionKind.WAIVER:
        if condition is None or condition.tranche_id != tranche.pk:
            errors["condition"] = gettext("Name the condition of this tranche to waive.")
    elif condition is not None:
        errors["condition"] = gettext("A release concerns the whole tranche, not one condition.")
    decided = tranche.decisions.filter(kind=kind, condition=condition)
    if kind == DecisionKind.RELEASE and decided.filter(status=DecisionStatus.APPROVED).exists():
        errors["kind"] = gettext(
            "This tranche has already been released; nothing is released twice."
        )
    if decided.filter(status=DecisionStatus.PROPOSED).exists():
        errors.setdefault(
            "kind", gettext("The same decision is already proposed and awaits approval.")
        )
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
    from ..loaders import evaluate_tranches

    d = TrancheDecision.objects.select_related("tranche").get(pk=decision.pk)
    tranche = Tranche.objects.select_for_update().get(pk=d.tranche_id)
    _check_editor(tranche, actor)
    if d.status != DecisionStatus.PROPOSED:
        raise ValidationError(
            {"status": gettext("This decision is already %(status)s.") % {"status": d.status}}
        )
    if d.proposed_by_id == actor.user.pk:
        raise ValidationError(
            {
                "decided_by": gettext(
                    "Four eyes: the approver must be someone other than the proposer."
                )
            }
        )
    if approve and not (note or d.rationale).strip():
        raise ValidationError(
            {"decision_note": gettext("Every decision needs a written rationale.")}
        )
    before = audit.snapshot(d)
    if approve and d.kind == DecisionKind.RELEASE:
        verdict = evaluate_tranches(Tranche.objects.filter(pk=tranche.pk), on)[tranche.pk]
        problem = rules.release_problem(verdict, d.proposed_by_id, actor.user.pk)
        if problem == "held":  # in the words the approver may see
            problem = shown.held_message(verdict, actor.user)
        if problem:
            raise ValidationError({"status": problem})
        # Templates and references, never another record's words: each reader of the
        # decision gets the evidence worded from what they may see (accountability.access.shown).
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
            {
                "status": gettext(
                    "This tranche has already been released; nothing is released twice."
                )
            }
        ) from exc
    _audit(actor, "update", d, audit.diff(before, audit.snapshot(d)))
    return d
