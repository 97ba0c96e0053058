"""Learning pages: observations (with their steps and, for a knowledge manager, breaking
the seal), lessons (abstract, and the body where the reader may see it), remedial actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from concord.core.access import may
from concord.core.context import Actor
from concord.core.importers import iso
from concord.core.models import Area, Organisation
from concord.core.sources import format_sources
from concord.labour.models import Task
from concord.operations.models import Operation
from concord.web.generic import Column, Config, report_refusal

from .. import loaders, services
from ..access import access_lesson, access_observation, visible_body
from ..analysis import states
from ..filters import (
    DispositionFilter,
    LessonBodyFilter,
    LessonFilter,
    ObservationFilter,
    RemedialActionFilter,
)
from ..forms import (
    BreakSealForm,
    DispositionForm,
    LessonBodyForm,
    LessonForm,
    ObservationForm,
    RemedialActionForm,
    StepForm,
)
from ..models import (
    Disposition,
    Lesson,
    LessonBody,
    LessonState,
    Observation,
    ObservationState,
    RemedialAction,
)


def _labels(model, ids, L) -> str:
    return ", ".join(L.label(model, pk) for pk in ids) or "—"


def _ids(obj, name: str) -> list[int]:
    return [o.pk for o in getattr(obj, name).all()]


def _submitted_by(o: Observation) -> str:
    return _("Sealed: not shown to anyone") if o.sealed else _("Named in the history")


def _observation_fields(o: Observation, L):
    return [
        (_("State"), o.get_state_display()),
        *([(_("Reason"), o.state_reason)] if o.state_reason else []),
        (_("Source"), o.get_source_kind_display()),
        (_("Phase"), o.get_phase_display()),
        (_("Operations"), _labels(Operation, _ids(o, "operations"), L)),
        (_("Countries"), ", ".join(c.local_name for c in o.countries.all()) or "—"),
        (_("Areas"), _labels(Area, _ids(o, "areas"), L)),
        (_("Tasks"), _labels(Task, _ids(o, "tasks"), L)),
        (_("From"), iso(o.period_start)),
        (_("To"), iso(o.period_end)),
        (_("Scenario"), o.get_scenario_display()),
        (_("What happened"), o.what_happened),
        (_("Discussion"), o.discussion),
        (_("Recommendation"), o.recommendation),
        (_("Evidence"), format_sources(o.sources)),
        (_("Lesson"), L.label(Lesson, o.lesson_id) if o.lesson_id else "—"),
        *(
            [(_("Proposed as the same as"), L.label(Observation, o.same_as_id))]
            if o.same_as_id
            else []
        ),
        (_("Submitted by"), _submitted_by(o)),
    ]


def _step_form(steps: dict, state: str, labels) -> StepForm | None:
    allowed = steps.get(state, ())
    if not allowed:
        return None
    form = StepForm()
    form.fields["to"].choices = [(s, labels(s).label) for s in allowed]
    return form


def _merge_into(o: Observation, user, can: bool) -> dict:
    """The observation ``o`` was proposed as the same as, when its editor may archive ``o``
    as that one's duplicate (one click, a reason that names it); and the observations the
    reader may see that were proposed as the same as ``o``."""
    same_by, original = loaders.alike_proposals(o, user)
    found: dict = {"same_by": same_by}
    if can and original and states.ARCHIVED in states.OBSERVATION_STEPS.get(o.state, ()):
        found["merge_into"] = original
        found["merge_reason"] = _(
            "The same as “%(title)s” (observation %(id)s): archived as its duplicate."
        ) % {"title": original.title, "id": original.pk}
    return found


def _observation_context(o: Observation, user, request):
    can = may(user, o)
    return {
        **_merge_into(o, user, can),
        "step_form": _step_form(states.OBSERVATION_STEPS, o.state, ObservationState)
        if can
        else None,
        "step_url": reverse("learning:observation_step", kwargs={"pk": o.pk}),
        # ids of their own: the step form beside it has a "reason" too
        "seal_form": BreakSealForm(auto_id="seal_%s")
        if o.sealed and services.is_knowledge_manager(user, o.owner_id)
        else None,
        "seal_url": reverse("learning:observation_unseal", kwargs={"pk": o.pk}),
    }


def _submit(form, actor, m2m, children):
    return services.submit_observation(
        form.instance,
        actor=actor,
        m2m=m2m,
        sealed=form.cleaned_data.get("sealed", False),
        same_as=form.same_as_record(),
    )


OBSERVATIONS = Config(
    model=Observation,
    name="observations",
    singular=gettext_lazy("observation"),
    plural=gettext_lazy("observations"),
    filterset=ObservationFilter,
    form=ObservationForm,
    default_sort="title",
    prefetch_related=("operations", "countries"),
    columns=[
        Column(gettext_lazy("Observation"), lambda o, L: o.title, "title", link=True),
        Column(gettext_lazy("Source"), lambda o, L: o.get_source_kind_display(), "source_kind"),
        Column(gettext_lazy("Phase"), lambda o, L: o.get_phase_display(), "phase"),
        Column(
            gettext_lazy("Operations"),
            lambda o, L: _labels(Operation, [x.pk for x in o.operations.all()], L),
        ),
        Column(gettext_lazy("From"), lambda o, L: iso(o.period_start), "period_start"),
        Column(gettext_lazy("State"), lambda o, L: o.get_state_display(), "state"),
    ],
    detail_fields=_observation_fields,
    extra_context=_observation_context,
    detail_template="learning/observation.html",
    create=_submit,
)


def _lesson_fields(lesson: Lesson, L):
    rows = [
        (_("State"), lesson.get_state_display()),
        *([(_("Reason"), lesson.state_reason)] if lesson.state_reason else []),
        (_("Theme"), lesson.get_theme_display()),
        (_("Phase"), lesson.get_phase_display()),
        (_("Abstract"), lesson.abstract),
        (_("Identified on"), iso(lesson.identified_on)),
        (_("Sources"), format_sources(lesson.sources)),
        (_("Operations"), _labels(Operation, _ids(lesson, "operations"), L)),
        (_("Countries"), ", ".join(c.local_name for c in lesson.countries.all()) or "—"),
        (_("Tasks"), _labels(Task, _ids(lesson, "tasks"), L)),
        (_("Scenario"), lesson.get_scenario_display() or "—"),
    ]
    if lesson.validated_on:
        rows.append((_("Validated on"), iso(lesson.validated_on)))
    return rows


def _lesson_sections(lesson: Lesson, L, user):
    body = visible_body(lesson, user)
    if body is None:
        body_rows = [(_("The body of this lesson is not released to you."), "")]
    else:
        body_rows = [
            (_("Analysis: %(text)s") % {"text": body.analysis}, body.get_absolute_url())
            if body.analysis
            else None,
            (_("Conclusion: %(text)s") % {"text": body.conclusion}, body.get_absolute_url()),
            (
                _("Recommendation: %(text)s") % {"text": body.recommendation},
                body.get_absolute_url(),
            ),
        ]
        body_rows = [r for r in body_rows if r]
    observations = [
        (o.title, o.get_absolute_url())
        for o in Observation.objects.visible_to(user).filter(lesson=lesson)
    ]
    actions = [
        (
            _("%(what)s · %(body)s · due %(due)s · %(status)s")
            % {
                "what": a.what,
                "body": L.label(Organisation, a.action_body_id),
                "due": iso(a.due) or "—",
                "status": a.get_status_display(),
            },
            a.get_absolute_url(),
        )
        for a in RemedialAction.objects.visible_to(user).filter(lesson=lesson)
    ]
    guidance = [(g.title, g.url) for g in lesson.guidance.all()]
    cluster = loaders.cluster_of(user, lesson.pk)
    report = reverse("learning:recurrence")
    if cluster is None or cluster.recurrence < 2:
        recurrence = [(_("No lesson you may see says the same thing."), report)]
    else:
        recurrence = [
            (
                ngettext(
                    "Learned %(n)s times (%(years)s; %(institutions)s): not learned yet?",
                    "Learned %(n)s times (%(years)s; %(institutions)s): not learned yet?",
                    cluster.recurrence,
                )
                % {
                    "n": cluster.recurrence,
                    "years": ", ".join(str(y) for y in cluster.years) or "—",
                    "institutions": ", ".join(cluster.institutions) or "—",
                },
                report,
            ),
            *[
                (L.label(Lesson, item.id), reverse("learning:lesson_detail", args=[item.id]))
                for item in cluster.items
                if item.id != lesson.pk
            ],
        ]
    return [
        (_("Said before"), recurrence),
        (_("Body"), body_rows),
        (_("Observations it rests on"), observations or [(_("None you may see."), "")]),
        (_("Remedial actions"), actions or [(_("None yet."), "")]),
        (_("Guidance it changed"), guidance or [(_("None recorded."), "")]),
    ]


def _lesson_context(lesson: Lesson, user, request):
    can = may(user, lesson)
    return {
        "step_form": _step_form(states.LESSON_STEPS, lesson.state, LessonState) if can else None,
        "step_url": reverse("learning:lesson_step", kwargs={"pk": lesson.pk}),
        "may_validate": user.is_authenticated
        and lesson.state in (LessonState.IDENTIFIED, LessonState.ACTING)
        and can,
        "validate_url": reverse("learning:lesson_validate", kwargs={"pk": lesson.pk}),
        "add_action_url": reverse("learning:remedialaction_add") + f"?lesson={lesson.pk}"
        if can
        else "",
    }


@transaction.atomic  # the lesson, its body and its guidance, or nothing
def _identify(form, actor, m2m, children):
    lesson = services.identify_lesson(
        form.instance, form.body(), list(form.cleaned_data["observations"]), actor=actor, m2m=m2m
    )
    if children is not None:
        children(lesson, actor)
    return lesson


LESSONS = Config(
    model=Lesson,
    name="lessons",
    singular=gettext_lazy("lesson"),
    plural=gettext_lazy("lessons"),
    filterset=LessonFilter,
    form=LessonForm,
    default_sort="title",
    prefetch_related=("operations", "countries", "tasks"),
    columns=[
        Column(gettext_lazy("Lesson"), lambda x, L: x.title, "title", link=True),
        Column(gettext_lazy("Theme"), lambda x, L: x.get_theme_display(), "theme"),
        Column(gettext_lazy("Phase"), lambda x, L: x.get_phase_display(), "phase"),
        Column(gettext_lazy("State"), lambda x, L: x.get_state_display(), "state"),
    ],
    detail_fields=_lesson_fields,
    extra_detail=_lesson_sections,
    extra_context=_lesson_context,
    detail_template="learning/lesson.html",
    children=lambda form: form.children(),
    create=_identify,
)

BODIES = Config(
    model=LessonBody,
    name="lesson-bodies",
    singular=gettext_lazy("lesson body"),
    plural=gettext_lazy("lesson bodies"),
    filterset=LessonBodyFilter,
    form=LessonBodyForm,
    default_sort="lesson",
    columns=[
        Column(gettext_lazy("Lesson"), lambda b, L: L.label(Lesson, b.lesson_id), link=True),
        Column(gettext_lazy("Conclusion"), lambda b, L: b.conclusion[:120]),
    ],
    detail_fields=lambda b, L: [
        (_("Lesson"), L.label(Lesson, b.lesson_id)),
        (_("Analysis"), b.analysis),
        (_("Conclusion"), b.conclusion),
        (_("Recommendation"), b.recommendation),
    ],
    title=lambda b, L: (
        _("Body of the lesson “%(lesson)s”") % {"lesson": L.label(Lesson, b.lesson_id)}
    ),
    url_name="lessonbody",
)

ACTIONS = Config(
    model=RemedialAction,
    name="remedial-actions",
    singular=gettext_lazy("remedial action"),
    plural=gettext_lazy("remedial actions"),
    filterset=RemedialActionFilter,
    form=RemedialActionForm,
    default_sort="due",
    columns=[
        Column(gettext_lazy("What must change"), lambda a, L: a.what[:120], "what", link=True),
        Column(gettext_lazy("Lesson"), lambda a, L: L.label(Lesson, a.lesson_id)),
        Column(gettext_lazy("Action body"), lambda a, L: L.label(Organisation, a.action_body_id)),
        Column(gettext_lazy("Due"), lambda a, L: iso(a.due), "due"),
        Column(gettext_lazy("Status"), lambda a, L: a.get_status_display(), "status"),
    ],
    detail_fields=lambda a, L: [
        (_("Lesson"), L.label(Lesson, a.lesson_id)),
        (_("What must change"), a.what),
        (_("Action body"), L.label(Organisation, a.action_body_id)),
        (_("Due"), iso(a.due)),
        (_("Status"), a.get_status_display()),
        (_("Completed on"), iso(a.completed_on)),
        (_("Evidence of completion"), a.completion_evidence),
    ],
    url_name="remedialaction",
)


def _step(request, record, step):
    form = StepForm(request.POST)
    form.fields["to"].choices = [(v, v) for v in request.POST.getlist("to")[:1]]
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect(record.get_absolute_url())
    try:
        step(
            record,
            form.cleaned_data["to"],
            form.cleaned_data["reason"],
            actor=Actor.from_request(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect(record.get_absolute_url())


@require_POST
def observation_step(request, pk):
    return _step(request, access_observation(request.user, pk), services.observation_step)


@require_POST
def lesson_step(request, pk):
    return _step(request, access_lesson(request.user, pk), services.lesson_step)


@require_POST
def lesson_validate(request, pk):
    lesson = access_lesson(request.user, pk)
    try:
        services.validate_lesson(lesson, actor=Actor.from_request(request))
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("“%(lesson)s” is now a lesson learned.") % {"lesson": lesson})
    return redirect(lesson.get_absolute_url())


@never_cache
@require_POST
def observation_unseal(request, pk):
    """A knowledge manager breaks the seal: the identity is shown on this response only."""
    observation = access_observation(request.user, pk)
    form = BreakSealForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("reason", [])))
        return redirect(observation.get_absolute_url())
    try:
        who = services.break_seal(
            observation, form.cleaned_data["reason"], actor=Actor.from_request(request)
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
        return redirect(observation.get_absolute_url())
    return render(
        request,
        "learning/unsealed.html",
        {"object": observation, "who": who, "title": observation.title},
    )


@login_required
def knowledge_managers(request):
    """The knowledge managers of the organisations the reader manages, named and un-named
    here (a manager's page: who may break the seal of their organisation's observations)."""
    from concord.core.models import Role, User

    from ..models import KnowledgeManager

    managed = Organisation.objects.filter(
        pk__in=request.user.principal().orgs_with_role(Role.MANAGER)
    ).order_by("name")
    if request.method == "POST":
        org = managed.filter(pk=request.POST.get("organisation") or 0).first()
        user = User.objects.filter(username=request.POST.get("username", "").strip()).first()
        if org is None:
            messages.error(request, _("Choose an organisation you manage."))
        elif user is None:  # the same words as for someone else's member: no user list
            messages.error(request, _("A knowledge manager is a member of the organisation."))
        else:
            try:
                services.name_knowledge_manager(
                    org, user, actor=Actor.from_request(request), named="remove" not in request.POST
                )
            except (ValidationError, PermissionDenied) as exc:
                report_refusal(request, exc)
            else:
                messages.success(request, _("Saved."))
        return redirect("learning:knowledge_managers")
    rows = KnowledgeManager.objects.filter(organisation__in=managed).select_related(
        "organisation", "user", "named_by"
    )
    return render(
        request,
        "learning/knowledge_managers.html",
        {
            "title": _("Knowledge managers"),
            "managed": managed,
            "rows": rows.order_by("organisation__name", "user__username"),
        },
    )


DISPOSITIONS = Config(
    model=Disposition,
    name="lesson-dispositions",
    singular=gettext_lazy("disposition"),
    plural=gettext_lazy("dispositions"),
    filterset=DispositionFilter,
    form=DispositionForm,
    default_sort="operation",
    columns=[
        Column(gettext_lazy("Operation"), lambda d, L: L.label(Operation, d.operation_id)),
        Column(gettext_lazy("Lesson"), lambda d, L: L.label(Lesson, d.lesson_id), link=True),
        Column(gettext_lazy("Decision"), lambda d, L: d.get_decision_display(), "decision"),
        Column(gettext_lazy("Decided on"), lambda d, L: iso(d.decided_on), "decided_on"),
        Column(gettext_lazy("Note"), lambda d, L: d.note[:120]),
    ],
    detail_fields=lambda d, L: [
        (_("Operation"), L.label(Operation, d.operation_id)),
        (_("Lesson"), L.label(Lesson, d.lesson_id)),
        (_("Decision"), d.get_decision_display()),
        (_("Note"), d.note),
        (_("Decided on"), iso(d.decided_on)),
    ],
    title=lambda d, L: (
        _("%(decision)s for %(operation)s: %(lesson)s")
        % {
            "decision": d.get_decision_display(),
            "operation": L.label(Operation, d.operation_id),
            "lesson": L.label(Lesson, d.lesson_id),
        }
    ),
    url_name="disposition",
)
