"""Writes to due-diligence cases. The rules live here, not in the UI: a case changes state
only through :func:`decide` (checked against ``analysis.cases``), with a written rationale
kept as a :class:`CaseDecision` and in the audit trail; and two rules fire on their own,
whichever interface saved the record (declared as hooks in ``capability.py``):

* a risk assessment recorded moves a proposed (or decided) case to *assessed*;
* a credible allegation against a supported unit, or a unit it belongs to (or was called
  before), puts every case whose support flows *under review*.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from concord.core import services
from concord.core.context import Actor

from ..access import shown
from ..analysis import cases as rules
from ..models import (
    Allegation,
    CaseDecision,
    CaseState,
    RiskAssessment,
    SecurityUnit,
    SupportCase,
)


def assessments_of(case: SupportCase) -> list[rules.Assessment]:
    return [
        rules.Assessment(a.version, a.decision, a.assessed_on, a.expires_on)
        for a in RiskAssessment.objects.filter(case=case)
    ]


@transaction.atomic
def decide(
    case: SupportCase,
    to: str,
    rationale: str,
    *,
    actor: Actor,
    on: dt.date | None = None,
    automatic: bool = False,
    grounds: list | None = None,
) -> SupportCase:
    """Move ``case`` to state ``to`` on ``on`` (today by default), if the rules allow it.
    ``grounds``: the records behind an automatic step, as references (never their words:
    the case may be seen by people who may not see them)."""
    on = on or timezone.localdate()
    case = SupportCase.objects.select_for_update().get(pk=case.pk)
    if to not in CaseState.values:
        raise ValidationError(
            {"to_state": gettext("%(state)r is not a state of a case.") % {"state": to}}
        )
    # The steps read in the order of their dates: none is dated before the last one (a rule
    # that learns of an older event acts on the day of the last step).
    last = (
        CaseDecision.objects.filter(case=case).order_by("-on", "-pk").values_list("on", flat=True)
    ).first()
    if last is not None and on < last:
        if not automatic:
            raise ValidationError(
                {
                    "on": gettext(
                        "A decision cannot be dated before the case's last step (%(last)s)."
                    )
                    % {"last": last}
                }
            )
        on = last
    problem = rules.transition_problem(case.state, to, on, assessments_of(case), rationale)
    if problem:
        raise ValidationError({"to_state": problem})
    before = case.state
    case.state = to
    user = None if actor.is_system else actor.user

    def keep(c, actor):
        CaseDecision.objects.create(
            case=c,
            from_state=before,
            to_state=to,
            on=on,
            rationale=rationale.strip(),
            by=user,
            automatic=automatic,
            grounds=grounds or [],
        )

    return services.save(case, actor=actor, children=keep)


def after_assessment(assessment: RiskAssessment, actor: Actor, creating: bool) -> None:
    if not creating:
        return
    case = SupportCase.objects.get(pk=assessment.case_id)  # fresh: its state may have moved
    if case.state in {"proposed", "denied", "approved", "approved_with_conditions"}:
        decide(
            case,
            "assessed",
            gettext(shown.AUTOMATIC_ASSESSED),
            actor=Actor.system("hrddp"),
            on=assessment.assessed_on,
            automatic=True,
            grounds=shown.assessment_ground(assessment),
        )


def units_map() -> tuple[dict[int, int | None], dict[int, int | None]]:
    """Every unit's parent and successor: the rules need the whole tree, whoever may see it
    (this never leaves the service)."""
    parent_of, successor_of = {}, {}
    for pk, parent, successor in SecurityUnit.objects.values_list(
        "pk", "parent_id", "successor_id"
    ):
        parent_of[pk], successor_of[pk] = parent, successor
    return parent_of, successor_of


def _credible_open(a: Allegation) -> bool:
    return a.confidence in rules.CREDIBLE and a.resolved_on is None


def before_allegation(allegation: Allegation) -> None:
    stored = Allegation.objects.filter(pk=allegation.pk).first() if allegation.pk else None
    allegation._was_credible_open = stored is not None and _credible_open(stored)


def after_allegation(allegation: Allegation, actor: Actor, creating: bool) -> None:
    """Fires when an allegation becomes credible and open (recorded so, or upgraded), not
    on every later correction of its text."""
    if not _credible_open(allegation) or getattr(allegation, "_was_credible_open", False):
        return
    today = timezone.localdate()
    parent_of, successor_of = units_map()
    units = rules.UnitTree(parent_of, successor_of).affected_by(allegation.unit_id, successor_of)
    flowing = SupportCase.objects.filter(
        state__in=["active", "resumed"], unit_id__in=units
    ).select_for_update()
    for case in flowing:
        decide(
            case,
            "under_review",
            gettext(shown.AUTOMATIC_REVIEW),
            actor=Actor.system("hrddp"),
            # Recorded so: the review opens on the day it was recorded; upgraded: today.
            on=min(allegation.recorded, today) if creating else today,
            automatic=True,
            grounds=shown.allegation_ground(
                allegation, "unit" if allegation.unit_id == case.unit_id else "related"
            ),
        )


def before_assessment(assessment: RiskAssessment) -> None:
    """Number a new version; an existing one is never rewritten."""
    if assessment.pk is None:
        last = RiskAssessment.objects.filter(case_id=assessment.case_id).aggregate(
            m=Max("version")
        )["m"]
        assessment.version = (last or 0) + 1
        return
    stored = RiskAssessment.objects.get(pk=assessment.pk)
    kept = ("case_id", "version", "rating", "decision", "rationale", "assessed_on", "expires_on")
    if any(getattr(stored, f) != getattr(assessment, f) for f in kept):
        raise ValidationError(
            gettext(
                "An assessment is never rewritten: record a new version instead "
                "(only its descriptive text and sharing may be corrected)."
            )
        )
