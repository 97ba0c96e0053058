"""Every write of the learning capability: one function per use case, through
``concord.core.services`` (audited, permissions re-checked), states by ``analysis.states``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, services
from concord.core.access import may
from concord.core.context import Actor
from concord.core.models import Classification, Organisation, Role, User

from .analysis import states
from .models import (
    KnowledgeManager,
    Lesson,
    LessonBody,
    LessonState,
    Observation,
    ObservationState,
    RemedialAction,
)


def _require_person(actor: Actor) -> User:
    if actor.is_system or actor.user is None:
        raise PermissionDenied(_("This needs a person signed in."))
    return actor.user


@transaction.atomic
def submit_observation(
    observation: Observation, *, actor: Actor, m2m: dict | None = None, sealed: bool = False
) -> Observation:
    """Record a new observation. ``sealed``: nobody reading it will see who submitted it; the
    identity is kept encrypted for ``break_seal``."""
    if observation.pk is not None:
        raise ValidationError(_("This observation was already submitted."))
    if not sealed:
        return services.save(observation, actor=actor, m2m=m2m)
    user = _require_person(actor)
    principal = user.principal()
    if observation.owner_id not in principal.orgs_with_role(Role.CONTRIBUTOR):
        raise PermissionDenied(_("You may not create records for this organisation."))
    if observation.classification > min(principal.clearance, Classification.CONFIDENTIAL):
        raise ValidationError(
            {
                "classification": _(
                    "A sealed observation is at most confidential and within your clearance: "
                    "a strictly confidential one would have to name its readers."
                )
            }
        )
    if (m2m or {}).get("named_users"):
        raise ValidationError({"named_users": _("A sealed observation names nobody.")})
    observation.sealed = True
    observation.sealed_identity = str(user.pk)
    saved = services.save(observation, actor=Actor.sealing(actor), m2m=m2m)
    if not Observation.objects.visible_to(user).filter(pk=saved.pk).exists():
        raise PermissionDenied(
            _("You could not see this observation once submitted; nothing was saved.")
        )
    return saved


def _step(record, steps: dict, to: str, reason: str, actor: Actor):
    if not actor.is_system and not may(actor.user, record):
        raise PermissionDenied(_("You may not change this record."))
    problem = states.step_problem(steps, record.state, to, reason)
    if problem:
        raise ValidationError({"state": problem})
    record.state = to
    record.state_reason = reason.strip()
    return services.save(record, actor=actor)


@transaction.atomic
def observation_step(observation: Observation, to: str, reason: str = "", *, actor: Actor):
    """Verify, reject (with a reason) or archive an observation."""
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    return _step(observation, states.OBSERVATION_STEPS, to, reason, actor)


@transaction.atomic
def identify_lesson(
    lesson: Lesson, body: LessonBody, observations: list[Observation], *, actor: Actor
) -> Lesson:
    """Analyse verified observations into a lesson identified, with its body; the
    observations become analysed (each must be one the analyst may edit)."""
    _require_person(actor)
    if lesson.pk is not None:
        raise ValidationError(_("This lesson is already identified."))
    ids = [o.pk for o in observations]
    locked = list(Observation.objects.select_for_update().filter(pk__in=ids))
    problem = states.analysable_problem([o.state for o in locked])
    if problem:
        raise ValidationError({"observations": problem})
    editable = set(
        Observation.objects.editable_by(actor.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if editable != set(ids):
        raise PermissionDenied(_("You may analyse only observations you may edit."))
    lesson.state = LessonState.IDENTIFIED
    lesson = services.save(lesson, actor=actor)
    body.lesson = lesson
    services.save(body, actor=actor)
    for o in locked:
        o.lesson = lesson
        o.state = ObservationState.ANALYSED
        services.save(o, actor=actor)
    return lesson


@transaction.atomic
def lesson_step(lesson: Lesson, to: str, reason: str = "", *, actor: Actor) -> Lesson:
    """Reject (with a reason) or archive a lesson."""
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    return _step(lesson, states.LESSON_STEPS, to, reason, actor)


def after_action(action: RemedialAction, actor: Actor, creating: bool) -> None:
    """An action started or done moves its lesson from identified to action in progress
    (whoever saved it, through whichever interface: a save hook). The rule moves it, so the
    step is the system's, whether or not the action's editor may edit the lesson."""
    lesson = Lesson.objects.select_for_update().get(pk=action.lesson_id)
    statuses = list(RemedialAction.objects.filter(lesson=lesson).values_list("status", flat=True))
    after = states.lesson_state_after_actions(lesson.state, statuses)
    if after != lesson.state:
        lesson.state = after
        services.save(lesson, actor=Actor.system("learning"))


@transaction.atomic
def validate_lesson(lesson: Lesson, *, actor: Actor, on: dt.date | None = None) -> Lesson:
    """Someone other than the proposer validates the lesson: it becomes a lesson learned."""
    user = _require_person(actor)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    problem = states.validation_problem(
        states.Validation(
            lesson_state=lesson.state,
            proposer_id=lesson.created_by_id,
            validator_id=user.pk,
            action_statuses=tuple(
                RemedialAction.objects.filter(lesson=lesson).values_list("status", flat=True)
            ),
        )
    )
    if problem:
        raise ValidationError({"state": problem})
    lesson.state = LessonState.LEARNED
    lesson.validated_by = user
    lesson.validated_on = on or timezone.localdate()
    return services.save(lesson, actor=actor)


def is_knowledge_manager(user, organisation_id: int) -> bool:
    return bool(
        user
        and user.is_authenticated
        and KnowledgeManager.objects.filter(user=user, organisation_id=organisation_id).exists()
    )


@transaction.atomic
def name_knowledge_manager(
    organisation: Organisation, user: User, *, actor: Actor, named: bool = True
) -> None:
    """A manager of ``organisation`` names (or un-names) one of its members as a knowledge
    manager: who may break the seal of its sealed observations."""
    me = _require_person(actor)
    if organisation.pk not in me.principal().orgs_with_role(Role.MANAGER):
        raise PermissionDenied(
            _("Only a manager of the organisation names its knowledge managers.")
        )
    if named and organisation.pk not in user.principal().roles:
        raise ValidationError({"user": _("A knowledge manager is a member of the organisation.")})
    existing = KnowledgeManager.objects.filter(organisation=organisation, user=user).first()
    if named and existing is None:
        KnowledgeManager.objects.create(organisation=organisation, user=user, named_by=me)
    elif not named and existing is not None:
        existing.delete()
    else:
        return
    audit.record(
        actor,
        "update",
        user,
        {"knowledge manager of": [None, organisation.pk] if named else [organisation.pk, None]},
        owner_id=organisation.pk,
        classification=Classification.INTERNAL,
    )


@transaction.atomic
def break_seal(observation: Observation, reason: str, *, actor: Actor) -> User | None:
    """Reveal who submitted a sealed observation, to a knowledge manager of its owner, for a
    written reason. The audit trail keeps who broke the seal and why (the record's history
    shows it), never the identity revealed."""
    user = _require_person(actor)
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if not Observation.objects.visible_to(user).filter(pk=observation.pk).exists():
        raise PermissionDenied(_("You may not see this observation."))
    if not observation.sealed:
        raise ValidationError(
            _("This observation is not sealed: its history names who submitted it.")
        )
    if not is_knowledge_manager(user, observation.owner_id):
        raise PermissionDenied(_("Only a knowledge manager named by the owner may break the seal."))
    if len(reason.strip()) < 10:
        raise ValidationError(
            {"reason": _("Write why the seal must be broken (ten characters at least).")}
        )
    audit.record(actor, "unseal", observation, {"seal broken, because": [None, reason.strip()]})
    return User.objects.filter(pk=int(observation.sealed_identity)).first()
