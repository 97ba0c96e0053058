"""The roster's lists and record pages: experts, requests (with their clock, ranking and
candidates) and deployments."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.access import may
from concord.core.importers import iso
from concord.core.models import Organisation, Person, Role
from concord.web.generic import Column, Config

from .. import access, loaders, services
from ..filters import DeploymentFilter, ExpertFilter, RequestFilter
from ..forms import (
    STANDING,
    CloseForm,
    DeploymentForm,
    EndForm,
    ExpertForm,
    ReasonForm,
    RequestForm,
    StepForm,
    WaiverForm,
)
from ..models import (
    CandidateState,
    Deployment,
    DeploymentState,
    Expert,
    ExpertRequest,
    Grade,
    RequestState,
    language_name,
)


def _name(e: Expert, L) -> str:
    person = L.get(Person, e.person_id)
    return person.name if person else str(e)


def _languages(rows) -> str:
    return ", ".join(
        f"{language_name(r.code)} {r.get_level_display()}"
        + ("" if getattr(r, "required", True) else " " + _("(desirable)"))
        for r in rows
    )


def _skills(e: Expert) -> str:
    return "; ".join(f"{s.area.name} ({s.get_level_display().lower()})" for s in e.skills.all())


def _expert_sections(e: Expert, L, user):
    deployments = Deployment.objects.visible_to(user).filter(expert=e).select_related("request")
    rows = [
        (
            _("%(request)s · %(start)s–%(end)s · %(state)s%(rating)s")
            % {
                "request": L.label(ExpertRequest, d.request_id),
                "start": iso(d.start),
                "end": iso(d.end),
                "state": d.get_state_display(),
                "rating": f" · {d.rating}/5" if d.rating else "",
            },
            d.get_absolute_url(),
        )
        for d in deployments
    ]
    current = _("current")  # outside the f-string, where makemessages finds it
    ties = [
        (
            f"{t.get_kind_display()}: {L.label(Organisation, t.organisation_id)}"
            f" ({iso(t.start) or '…'} – {iso(t.end) or current})",
            "",
        )
        for t in e.ties.all()
    ]
    return [
        (
            _("Expertise and evidence"),
            [
                (f"{s.area.name}: {s.get_level_display()} — {s.evidence}", "")
                for s in e.skills.all()
            ],
        ),
        (_("Ties declared (screened for conflicts of interest)"), ties),
        (
            _("Unavailable"),
            [(f"{iso(u.start)} – {iso(u.end)} {u.reason}", "") for u in e.unavailable.all()],
        ),
        (_("Deployments"), rows),
    ]


def _create_expert(form, actor, m2m, children):
    return services.create_expert(
        form.instance, form.cleaned_data["name"], actor=actor, m2m=m2m, **form.rows()
    )


def _expert_children(form):
    rows = form.rows()
    name = form.cleaned_data.get("name")
    inner = services.expert_rows(**rows)

    def children(expert, actor):
        if name and expert.person.name != name and may(actor.user, expert.person):
            from concord.core import services as core

            person = expert.person
            person.name = name
            core.save(person, actor=actor)
        inner(expert, actor)

    return children


EXPERTS = Config(
    model=Expert,
    name="experts",
    singular=gettext_lazy("expert"),
    plural=gettext_lazy("experts"),
    filterset=ExpertFilter,
    form=ExpertForm,
    default_sort="pk",
    select_related=("person",),
    prefetch_related=("skills__area", "languages"),
    columns=[
        Column(gettext_lazy("Expert"), _name, "pk", link=True),
        Column(gettext_lazy("Profile"), lambda e, L: e.summary),
        Column(gettext_lazy("Tier"), lambda e, L: e.get_tier_display(), "tier"),
        Column(gettext_lazy("Expertise"), lambda e, L: _skills(e)),
        Column(gettext_lazy("Languages"), lambda e, L: _languages(e.languages.all())),
        Column(gettext_lazy("Gender"), lambda e, L: e.get_gender_display(), "gender"),
    ],
    detail_fields=lambda e, L: [
        (_("Person"), L.label(Person, e.person_id)),
        (_("Profile"), e.summary or "—"),
        (_("Tier"), e.get_tier_display()),
        (_("Gender"), e.get_gender_display()),
        (_("Languages"), _languages(e.languages.all()) or "—"),
        (_("Nationalities"), ", ".join(c.local_name for c in e.nationalities.all()) or "—"),
        (_("Countries of experience"), ", ".join(c.local_name for c in e.countries.all()) or "—"),
        (_("Security clearance"), e.get_security_clearance_display()),
        (_("E-mail for alerts"), e.email or "—"),
        (_("References"), e.references or "—"),
        (_("On the roster"), _("yes") if e.active else _("no")),
    ],
    title=_name,
    extra_detail=_expert_sections,
    children=_expert_children,
    create=_create_expert,
    url_name="expert",
)


# --- requests ------------------------------------------------------------------------------


def _manager(r: ExpertRequest, user) -> bool:
    return user.is_authenticated and r.owner_id in user.principal().orgs_with_role(Role.MANAGER)


def _request_context(r: ExpertRequest, user, request):
    editing = may(user, r)
    labels = loaders.step_labels()
    clock = loaders.clock_of(r)
    visible = list(access.visible_candidates(r, user).order_by("rank"))
    names = loaders.person_names(user, [c.expert for c in visible])
    screened = loaders.screenings(r, [c.expert for c in visible], user)
    shown = [
        c
        for c in visible
        if not (
            c.state == CandidateState.STOOD_DOWN
            and c.stood_down_at
            and timezone.now() - c.stood_down_at > services.STOOD_DOWN_SHOWN
        )
    ]
    ranking = loaders.rank(r, user) if editing and r.state == RequestState.OPEN else None
    taken = {c.expert_id: c.get_state_display() for c in visible}
    clock_rows = [
        (
            labels.get(s.step, s.step),
            s.at,
            round(s.took.total_seconds() / 3600, 1) if s.took is not None else None,
            "done" if s.at else ("stuck" if s.step == clock.stuck_at else ""),
        )
        for s in clock.steps
    ]
    grade_words = dict(Grade.choices)
    return {
        "clock": clock,
        "clock_rows": clock_rows,
        "grade_words": {k: str(v) for k, v in grade_words.items()},
        "clock_words": clock.words(labels),
        "step_labels": labels,
        "candidates": [(c, names[c.expert_id], screened[c.expert_id].findings) for c in shown],
        "hidden_candidates": r.candidates.count() - len(visible),
        "archived": len(visible) - len(shown),
        "ranking": ranking,
        "top": [m for m in ranking.matches if m.eligible][:10] if ranking else [],
        "excluded": [m for m in ranking.matches if not m.eligible][:10] if ranking else [],
        "taken": taken,
        "editing": editing and r.state == RequestState.OPEN,
        "manager": _manager(r, user),
        "step_form": StepForm(),
        "waiver_form": WaiverForm(),
        "close_form": CloseForm(),
        "standing": STANDING,
        "grades": Grade,
        "states": CandidateState,
        "deployments": Deployment.objects.visible_to(user).filter(request=r),
        "log": loaders.workflow_log(r, user),
        "action": lambda name: reverse(f"roster:expertrequest_{name}", kwargs={"pk": r.pk}),
        "alert_url": reverse("roster:expertrequest_alert", kwargs={"pk": r.pk}),
        "shortlist_url": reverse("roster:expertrequest_shortlist", kwargs={"pk": r.pk}),
        "step_url": reverse("roster:expertrequest_step", kwargs={"pk": r.pk}),
        "close_url": reverse("roster:expertrequest_close", kwargs={"pk": r.pk}),
    }


def _create_request(form, actor, m2m, children):
    return services.save_request(form.instance, actor=actor, m2m=m2m, **form.rows())


def _orgs(rel, L) -> str:
    return ", ".join(L.label(Organisation, o.pk) for o in rel.all()) or "—"


REQUESTS = Config(
    model=ExpertRequest,
    name="expert-requests",
    singular=gettext_lazy("request for experts"),
    plural=gettext_lazy("requests for experts"),
    filterset=RequestFilter,
    form=RequestForm,
    default_sort="-received_at",
    columns=[
        Column(gettext_lazy("Request"), lambda r, L: r.title, "title", link=True),
        Column(gettext_lazy("Requested by"), lambda r, L: L.label(Organisation, r.requester_id)),
        Column(
            gettext_lazy("Received"), lambda r, L: f"{r.received_at:%Y-%m-%d %H:%M}", "received_at"
        ),
        Column(gettext_lazy("Start"), lambda r, L: iso(r.start), "start"),
        Column(gettext_lazy("State"), lambda r, L: r.get_state_display(), "state"),
    ],
    detail_fields=lambda r, L: [
        (_("Requested by"), L.label(Organisation, r.requester_id)),
        (_("Process"), r.process),
        (_("Conflict parties"), _orgs(r.parties, L)),
        (_("Stakeholders"), _orgs(r.stakeholders, L)),
        (_("Countries"), ", ".join(c.local_name for c in r.countries.all()) or "—"),
        (_("What is needed"), r.description or "—"),
        (
            _("Expertise wanted"),
            "; ".join(
                f"{q.area.name} ≥ {q.get_level_display().lower()}"
                + ("" if q.required else " " + _("(desirable)"))
                for q in r.requirements.select_related("area")
            ),
        ),
        (_("Languages"), _languages(r.languages.all()) or "—"),
        (
            _("Remote or in person"),
            r.get_mode_display() + (f" · {r.location}" if r.location else ""),
        ),
        (_("Period"), f"{iso(r.start)} – {iso(r.end)} ({r.duration_days} d)"),
        (_("Experts wanted"), r.team_size),
        (_("Shortlist"), f"{r.shortlist_size} · {r.get_gender_rule_display()}"),
        (_("Clearance needed"), r.get_clearance_needed_display()),
        (_("State"), r.get_state_display()),
    ],
    title=lambda r, L: r.title,
    extra_context=_request_context,
    detail_template="roster/request.html",
    children=lambda form: services.request_rows(**form.rows()),
    create=_create_request,
    url_name="expertrequest",
)


# --- deployments ---------------------------------------------------------------------------


def _deployment_context(d: Deployment, user, request):
    editing = may(user, d)
    c = d.candidate
    visible_expert = Expert.objects.visible_to(user).filter(pk=d.expert_id).exists()
    visible_request = ExpertRequest.objects.visible_to(user).filter(pk=d.request_id).exists()
    seen = c is not None and access.visible_candidates(d.request, user).filter(pk=c.pk).exists()
    findings = loaders.screenings(d.request, [d.expert], user)[d.expert_id].findings if seen else ()
    return {
        "expert_url": reverse("roster:expert_detail", kwargs={"pk": d.expert_id})
        if visible_expert
        else "",
        "request_url": reverse("roster:expertrequest_detail", kwargs={"pk": d.request_id})
        if visible_request
        else "",
        "editing": editing,
        "end_form": EndForm(),
        "reason_form": ReasonForm(),
        "states": DeploymentState,
        "screening": c if seen else None,
        "findings": findings,
        "grades": Grade,
        "observation_url": (
            reverse("learning:observation_detail", kwargs={"pk": d.observation_id})
            if d.observation_id
            else ""
        ),
        "action": {
            name: reverse(f"roster:deployment_{name}", kwargs={"pk": d.pk})
            for name in ("consent", "deploy", "end", "cancel")
        },
    }


def _expert_name(d: Deployment, L) -> str:
    expert = L.get(Expert, d.expert_id)
    return _name(expert, L) if expert else _("(restricted)")


def _deployment_title(d: Deployment, L) -> str:
    expert = L.get(Expert, d.expert_id)
    return _("%(expert)s for %(request)s") % {
        "expert": _name(expert, L) if expert else _("(restricted)"),
        "request": L.label(ExpertRequest, d.request_id),
    }


DEPLOYMENTS = Config(
    model=Deployment,
    name="deployments",
    singular=gettext_lazy("deployment"),
    plural=gettext_lazy("deployments"),
    filterset=DeploymentFilter,
    form=DeploymentForm,
    default_sort="-start",
    columns=[
        Column(gettext_lazy("Deployment"), _deployment_title, "pk", link=True),
        Column(gettext_lazy("Assignment"), lambda d, L: d.assignment),
        Column(gettext_lazy("Start"), lambda d, L: iso(d.start), "start"),
        Column(gettext_lazy("End"), lambda d, L: iso(d.end), "end"),
        Column(gettext_lazy("Remote or in person"), lambda d, L: d.get_mode_display()),
        Column(gettext_lazy("State"), lambda d, L: d.get_state_display(), "state"),
    ],
    detail_fields=lambda d, L: [
        (_("Expert"), _expert_name(d, L)),
        (_("Request"), L.label(ExpertRequest, d.request_id)),
        (_("Assignment"), d.assignment),
        (_("Remote or in person"), d.get_mode_display()),
        (_("Period"), f"{iso(d.start)} – {iso(d.end)}"),
        (_("State"), d.get_state_display()),
        (
            _("Access to the request's space"),
            _("granted until the end") if d.space_granted else "—",
        ),
        (_("End-of-assignment report"), d.report or "—"),
        (_("Appraisal"), f"{d.rating}/5 · {d.appraisal}" if d.rating else (d.appraisal or "—")),
    ],
    title=_deployment_title,
    extra_context=_deployment_context,
    detail_template="roster/deployment.html",
    url_name="deployment",
)
