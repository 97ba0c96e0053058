"""The roster's actions from its pages: each parses, fetches through ``access``, calls one
service, and goes back to the page with what happened."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from concord.core.access import VIEW
from concord.core.context import Actor
from concord.web.generic import report_refusal

from .. import access, services
from ..forms import CloseForm, EndForm, ReasonForm, StepForm, WaiverForm


def _run(request, back, call, success):
    try:
        result = call(Actor.from_request(request))
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(back)


def _form_errors(request, form, back):
    messages.error(
        request,
        "; ".join(
            f"{form.fields[k].label if k in form.fields else k}: {' '.join(v)}"
            for k, v in form.errors.items()
        ),
    )
    return redirect(back)


def _no_email(made) -> list[str]:
    n = sum(1 for c in made if c.state == "alerted" and not c.expert.email)
    if not n:
        return []
    return [
        ngettext(
            "%(n)s has no e-mail address: no alert was sent to them.",
            "%(n)s have no e-mail address: no alert was sent to them.",
            n,
        )
        % {"n": n}
    ]


@require_POST
@login_required
def request_alert(request, pk):
    r = access.access_request(request.user, pk, VIEW)
    return _run(
        request,
        r.get_absolute_url(),
        lambda actor: services.alert(r, actor=actor),
        lambda made: " ".join(
            [
                ngettext(
                    "%(n)s expert screened and alerted (or held for a waiver).",
                    "%(n)s experts screened and alerted (or held for a waiver).",
                    len(made),
                )
                % {"n": len(made)},
                *_no_email(made),
            ]
        ),
    )


@require_POST
@login_required
def request_shortlist(request, pk):
    r = access.access_request(request.user, pk, VIEW)
    return _run(
        request,
        r.get_absolute_url(),
        lambda actor: services.make_shortlist(r, actor=actor),
        lambda result: " ".join([_("Shortlist made."), *result.notes]),
    )


@require_POST
@login_required
def request_step(request, pk):
    r = access.access_request(request.user, pk, VIEW)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, r.get_absolute_url())
    step, at = form.cleaned_data["step"], form.cleaned_data["at"]
    return _run(
        request,
        r.get_absolute_url(),
        lambda actor: services.record_step(r, step, actor=actor, at=at),
        _("Step recorded."),
    )


@require_POST
@login_required
def request_close(request, pk):
    r = access.access_request(request.user, pk, VIEW)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _form_errors(request, form, r.get_absolute_url())
    return _run(
        request,
        r.get_absolute_url(),
        lambda actor: services.close_request(
            r, form.cleaned_data["state"], form.cleaned_data["reason"], actor=actor
        ),
        _("The request is closed."),
    )


# The actions that take nothing but the record: the service, and what to say once done.
CANDIDATE_STEPS = {
    "stand-down": (services.stand_down, gettext_lazy("Stood down.")),
    "nominate": (
        services.nominate,
        gettext_lazy("Nominated: a proposed deployment waits for the requester's consent."),
    ),
    "resend": (
        services.resend_alert,
        gettext_lazy("A new link was sent; the old one no longer works."),
    ),
}
DEPLOYMENT_STEPS = {
    "consent": (services.consent, gettext_lazy("Consent recorded.")),
    "deploy": (services.deploy, gettext_lazy("Deployed: the clock stops.")),
}


@require_POST
@login_required
def candidate_action(request, pk, what):
    c = access.access_candidate(request.user, pk, VIEW)
    back = c.request.get_absolute_url()
    if what == "waive":
        form = WaiverForm(request.POST)
        if not form.is_valid():
            return _form_errors(request, form, back)
        return _run(
            request,
            back,
            lambda actor: services.waive(c, form.cleaned_data["waiver"], actor=actor),
            _("Waiver recorded; the expert is alerted."),
        )
    if what in CANDIDATE_STEPS:
        service, done = CANDIDATE_STEPS[what]
        return _run(request, back, lambda actor: service(c, actor=actor), str(done))
    raise PermissionDenied


@require_POST
@login_required
def deployment_action(request, pk, what):
    d = access.access_deployment(request.user, pk, VIEW)
    back = d.get_absolute_url()
    if what in DEPLOYMENT_STEPS:
        service, done = DEPLOYMENT_STEPS[what]
        return _run(request, back, lambda actor: service(d, actor=actor), str(done))
    if what == "end":
        form = EndForm(request.POST)
        if not form.is_valid():
            return _form_errors(request, form, back)
        data = form.cleaned_data
        return _run(
            request,
            back,
            lambda actor: services.end(
                d,
                actor=actor,
                report=data["report"],
                rating=data["rating"],
                appraisal=data["appraisal"],
            ),
            _("Ended: the report is an observation in learning."),
        )
    if what == "cancel":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return _form_errors(request, form, back)
        return _run(
            request,
            back,
            lambda actor: services.cancel(d, form.cleaned_data["reason"], actor=actor),
            _("Cancelled."),
        )
    raise PermissionDenied
