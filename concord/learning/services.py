"""Every write of the learning capability: one function per use case, through
``concord.core.services`` (audited, permissions re-checked), states by ``analysis.states``."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import audit, services
from concord.core.access import may
from concord.core.context import Actor
from concord.core.models import Classification, Organisation, Releasability, Role, User

from .analysis import similarity, states
from .models import (
    Decision,
    Disposition,
    KnowledgeManager,
    Lesson,
    LessonBody,
    LessonState,
    Observation,
    ObservationState,
    RemedialAction,
    RequestState,
    SupportModule,
    SupportRequest,
    Term,
)


def _require_person(actor: Actor) -> User:
    if actor.is_system or actor.user is None:
        raise PermissionDenied(_("This needs a person signed in."))
    return actor.user


def _scenario_at(operations, user, day: dt.date | None) -> str:
    """The scenario of the first operation on ``day``, as ``user`` may see the world; blank
    when unknown (no operation or no date, or the operation not active then)."""
    from concord.operations.loaders import classification_of

    if not operations or day is None or user is None:
        return ""
    first = min(operations, key=lambda o: (o.start, o.pk))
    result, _history = classification_of(first, user, day)
    return result.scenario or ""


@transaction.atomic
def submit_observation(
    observation: Observation,
    *,
    actor: Actor,
    m2m: dict | None = None,
    sealed: bool = False,
    same_as: Observation | None = None,
) -> Observation:
    """Record a new observation. ``sealed``: nobody reading it will see who submitted it; the
    identity is kept encrypted for ``break_seal``. ``same_as``: an earlier observation its
    submitter found alike, proposed as the same (merged by nobody until a person decides)."""
    if observation.pk is not None:
        raise ValidationError(_("This observation was already submitted."))
    if same_as is not None:
        if actor.user is None or not (
            Observation.objects.visible_to(actor.user).filter(pk=same_as.pk).exists()
        ):
            raise ValidationError({"same_as": _("No such observation.")})
        observation.same_as = same_as
    observation.scenario = _scenario_at(
        list((m2m or {}).get("operations") or []), actor.user, observation.period_start
    )
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


CONTEXT = ("operations", "countries", "tasks")


def _context_of(observations: list[Observation], m2m: dict | None) -> tuple[dict, str]:
    """Where a lesson was learned: what was given, else what its observations name; and the
    scenario most of them were in."""
    m2m = dict(m2m or {})
    for name in CONTEXT:
        if not m2m.get(name):
            seen: dict = {}
            for o in observations:
                for r in getattr(o, name).all():
                    seen.setdefault(r.pk, r)
            m2m[name] = list(seen.values())
    scenarios = Counter(o.scenario for o in observations if o.scenario)
    scenario = sorted(scenarios.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if scenarios else ""
    return m2m, scenario


@transaction.atomic
def identify_lesson(
    lesson: Lesson,
    body: LessonBody,
    observations: list[Observation],
    *,
    actor: Actor,
    m2m: dict | None = None,
) -> Lesson:
    """Analyse verified observations into a lesson identified, with its body; the
    observations become analysed (each must be one the analyst may edit). Where it was
    learned (operations, countries, tasks) is what ``m2m`` gives, else what the observations
    name."""
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
    m2m, lesson.scenario = _context_of(locked, m2m)
    lesson = services.save(lesson, actor=actor, m2m=m2m)
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


def index_terms(record, actor: Actor | None = None, creating: bool = False) -> None:
    """Keep the terms of an observation (all its words) or of a lesson (its title and
    abstract: never its body, scoped apart) for finding records alike (a save hook)."""
    if isinstance(record, Observation):
        words = similarity.terms(
            record.title, record.what_happened, record.discussion, record.recommendation
        )
        key = "observation"
    else:
        words = similarity.terms(record.title, record.abstract)
        key = "lesson"
    Term.objects.filter(**{key: record}).delete()
    Term.objects.bulk_create([Term(term=t[:60], **{key: record}) for t in words])


def index_all(batch: int = 2000) -> dict[str, int]:
    """Rebuild every term (after a bulk load that bypassed the services)."""
    counts = {}
    for model, key, fields in (
        (Observation, "observation", ("title", "what_happened", "discussion", "recommendation")),
        (Lesson, "lesson", ("title", "abstract")),
    ):
        Term.objects.filter(**{f"{key}__isnull": False}).delete()
        rows, n = [], 0
        for values in model.objects.values_list("pk", *fields).iterator(chunk_size=batch):
            pk, texts = values[0], values[1:]
            rows += [Term(term=t[:60], **{f"{key}_id": pk}) for t in similarity.terms(*texts)]
            n += 1
            if len(rows) >= batch * 10:
                Term.objects.bulk_create(rows)
                rows = []
        Term.objects.bulk_create(rows)
        counts[key] = n
    return counts


@transaction.atomic
def dispose(
    operation,
    lesson: Lesson,
    decision: str,
    note: str,
    *,
    actor: Actor,
    owner: Organisation | None = None,
    on: dt.date | None = None,
) -> Disposition:
    """A planner records (or changes) what their organisation did with a lesson surfaced for
    an operation: one disposition per operation, lesson and organisation. The organisation
    is ``owner``, else the operation's owner when the planner edits for it, else the one
    organisation they edit for."""
    user = _require_person(actor)
    editing = user.principal().orgs_with_role(Role.EDITOR)
    if owner is None:
        if operation.owner_id in editing:
            owner = Organisation.objects.get(pk=operation.owner_id)
        elif len(editing) == 1:
            owner = Organisation.objects.get(pk=next(iter(editing)))
        else:
            raise ValidationError(
                {"owner": _("Say for which of your organisations this disposition is.")}
            )
    current = Disposition.objects.filter(owner=owner, operation=operation, lesson=lesson).first()
    record = current or Disposition(owner=owner, operation=operation, lesson=lesson)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose applied, not applicable or deferred.")})
    record.decision = decision
    record.note = note.strip()
    record.decided_on = on or timezone.localdate()
    return services.save(record, actor=actor)


# --- the catalogue of modular support ----------------------------------------------------


def share_with_offerer(request: SupportRequest, actor: Actor, creating: bool) -> None:
    """A support request is always readable by the institution that offers the module (a
    save hook, whichever interface writes it): shared with it by name, at least."""
    offerer = request.module.owner_id
    if offerer == request.owner_id:
        return  # asking oneself: nobody else needs to read it
    if request.releasability in (Releasability.OWNER, Releasability.SPACES):
        request.releasability = Releasability.ORGANISATIONS
        SupportRequest.objects.filter(pk=request.pk).update(releasability=request.releasability)
    if not request.shared_organisations.filter(pk=offerer).exists():
        request.shared_organisations.add(offerer)


@transaction.atomic
def answer_request(
    request: SupportRequest,
    decision: str,
    answer: str = "",
    *,
    actor: Actor,
    alternative: SupportModule | None = None,
    on: dt.date | None = None,
) -> SupportRequest:
    """The offering institution accepts a request, declines it (saying why) or proposes
    another of its modules (saying why). Only its editors answer, once; the request stays
    its requester's record, and the history names who answered."""
    user = _require_person(actor)
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if not SupportRequest.objects.visible_to(user).filter(pk=request.pk).exists():
        raise PermissionDenied(_("You may not see this request."))
    if request.module.owner_id not in user.principal().orgs_with_role(Role.EDITOR):
        raise PermissionDenied(_("Only an editor of the offering institution answers a request."))
    if request.state != RequestState.REQUESTED:
        raise ValidationError({"state": _("This request was already answered or withdrawn.")})
    if decision not in (RequestState.ACCEPTED, RequestState.DECLINED, RequestState.ALTERNATIVE):
        raise ValidationError({"decision": _("Accept, decline or propose an alternative.")})
    if decision != RequestState.ACCEPTED and not answer.strip():
        raise ValidationError({"answer": _("Say why, in words.")})
    if decision == RequestState.ALTERNATIVE:
        if (
            alternative is None
            or alternative.pk == request.module_id
            or alternative.owner_id != request.module.owner_id
        ):
            raise ValidationError(
                {"alternative": _("Propose another module of the same institution.")}
            )
    else:
        alternative = None
    request.state = decision
    request.answer = answer.strip()
    request.alternative = alternative
    request.answered_by = user
    request.answered_on = on or timezone.localdate()
    # the rule, not the requester's rights, lets the offerer write the answer
    services.save(request, actor=Actor.system("learning"))
    audit.record(actor, "answer", request, {"answer": [None, f"{decision}: {request.answer}"]})
    return request


@transaction.atomic
def withdraw_request(request: SupportRequest, reason: str, *, actor: Actor) -> SupportRequest:
    """The requester withdraws a request not yet accepted."""
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if request.state not in (RequestState.REQUESTED, RequestState.ALTERNATIVE):
        raise ValidationError({"state": _("Only a request not yet accepted can be withdrawn.")})
    request.state = RequestState.WITHDRAWN
    request.answer = reason.strip() or request.answer
    return services.save(request, actor=actor)
