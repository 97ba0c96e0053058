"""The catalogue of modular support: modules institutions offer coalitions and regional
operations, requests for them and their answers, and what the catalogue finds (ad hoc
coalitions with no accountability module in force, modules never taken up)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from concord.core.access import VIEW, access, may
from concord.core.context import Actor
from concord.core.importers import iso
from concord.core.models import Organisation, Role
from concord.core.sources import format_sources
from concord.core.visibility import VisibleLabels
from concord.operations.models import Operation
from concord.web.generic import Column, Config, report_refusal

from .. import loaders, services
from ..filters import SupportModuleFilter, SupportRequestFilter
from ..forms import AnswerForm, SupportModuleForm, SupportRequestForm
from ..models import RequestState, SupportModule, SupportRequest


def _kind(m: SupportModule) -> str:
    return _("Accountability mechanism") if m.is_accountability else _("Expertise")


MODULES = Config(
    model=SupportModule,
    name="support-modules",
    singular=gettext_lazy("support module"),
    plural=gettext_lazy("support modules"),
    filterset=SupportModuleFilter,
    form=SupportModuleForm,
    default_sort="title",
    columns=[
        Column(gettext_lazy("Module"), lambda m, L: m.title, "title", link=True),
        Column(gettext_lazy("Area"), lambda m, L: m.get_area_display(), "area"),
        Column(gettext_lazy("Kind"), lambda m, L: _kind(m)),
        Column(gettext_lazy("Offered by"), lambda m, L: L.label(Organisation, m.owner_id)),
        Column(gettext_lazy("Lead time (days)"), lambda m, L: m.lead_time_days or "—"),
    ],
    detail_fields=lambda m, L: [
        (_("Area"), m.get_area_display()),
        (_("Kind"), _kind(m)),
        (_("What is offered"), m.description),
        (_("Conditions"), m.conditions or "—"),
        (_("Capacity"), m.capacity or "—"),
        (_("Lead time (days)"), m.lead_time_days or "—"),
        (_("Contact point"), m.contact),
        (_("Offered from"), iso(m.available_from)),
        (_("Offered until"), iso(m.available_until)),
        (_("Sources"), format_sources(m.sources)),
    ],
    extra_detail=lambda m, L, user: [
        (
            _("Requests"),
            [
                (
                    f"{L.label(Operation, r.operation_id)} · {r.get_state_display()}",
                    r.get_absolute_url(),
                )
                for r in SupportRequest.objects.visible_to(user).filter(module=m)
            ]
            or [(_("None you may see."), "")],
        )
    ],
    url_name="supportmodule",
)


def _request_context(r: SupportRequest, user, request):
    answering = (
        user.is_authenticated
        and r.state == RequestState.REQUESTED
        and r.module.owner_id in user.principal().orgs_with_role(Role.EDITOR)
    )
    form = None
    if answering:
        form = AnswerForm()
        form.fields["alternative"].queryset = (
            SupportModule.objects.visible_to(user)
            .filter(owner_id=r.module.owner_id)
            .exclude(pk=r.module_id)
        )
    return {
        "answer_form": form,
        "answer_url": reverse("learning:supportrequest_answer", kwargs={"pk": r.pk}),
        "may_withdraw": r.state in (RequestState.REQUESTED, RequestState.ALTERNATIVE)
        and may(user, r),
        "withdraw_url": reverse("learning:supportrequest_withdraw", kwargs={"pk": r.pk}),
    }


REQUESTS = Config(
    model=SupportRequest,
    name="support-requests",
    singular=gettext_lazy("support request"),
    plural=gettext_lazy("support requests"),
    filterset=SupportRequestFilter,
    form=SupportRequestForm,
    default_sort="-wanted_from",
    select_related=("module", "operation"),
    columns=[
        Column(gettext_lazy("Module"), lambda r, L: L.label(SupportModule, r.module_id), link=True),
        Column(gettext_lazy("Operation"), lambda r, L: L.label(Operation, r.operation_id)),
        Column(gettext_lazy("What is needed"), lambda r, L: r.need[:120]),
        Column(gettext_lazy("Wanted from"), lambda r, L: iso(r.wanted_from), "wanted_from"),
        Column(gettext_lazy("State"), lambda r, L: r.get_state_display(), "state"),
    ],
    detail_fields=lambda r, L: [
        (_("Module"), L.label(SupportModule, r.module_id)),
        (_("Operation"), L.label(Operation, r.operation_id)),
        (_("What is needed"), r.need),
        (_("Wanted from"), iso(r.wanted_from)),
        (_("Wanted until"), iso(r.wanted_until)),
        (_("State"), r.get_state_display()),
        (_("Answer"), r.answer or "—"),
        *(
            [(_("Alternative proposed"), L.label(SupportModule, r.alternative_id))]
            if r.alternative_id
            else []
        ),
        (_("Answered on"), iso(r.answered_on)),
    ],
    title=lambda r, L: (
        _("%(module)s for %(operation)s")
        % {
            "module": L.label(SupportModule, r.module_id),
            "operation": L.label(Operation, r.operation_id),
        }
    ),
    extra_context=_request_context,
    detail_template="learning/support_request.html",
    url_name="supportrequest",
)


@require_POST
def answer(request, pk):
    r = access(SupportRequest, request.user, pk, VIEW)
    form = AnswerForm(request.POST)
    form.fields["alternative"].queryset = SupportModule.objects.visible_to(request.user)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect(r.get_absolute_url())
    try:
        services.answer_request(
            r,
            form.cleaned_data["decision"],
            form.cleaned_data["answer"],
            alternative=form.cleaned_data["alternative"],
            actor=Actor.from_request(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Answered."))
    return redirect(r.get_absolute_url())


@require_POST
def withdraw(request, pk):
    r = access(SupportRequest, request.user, pk, VIEW)
    try:
        services.withdraw_request(
            r, request.POST.get("reason", ""), actor=Actor.from_request(request)
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect(r.get_absolute_url())


def findings(request):
    """What the catalogue finds, for what the reader may see."""
    today = timezone.localdate()
    labels = VisibleLabels(request.user)
    return render(
        request,
        "learning/support_findings.html",
        {
            "title": _("Support: what is missing, what is unused"),
            "uncovered": loaders.coalitions_without_accountability(request.user, today),
            "unused": [
                (m, labels.label(Organisation, m.owner_id))
                for m in loaders.unused_modules(request.user, today)
            ],
            "today": today,
        },
    )


def _lines(op: Operation, user) -> list[tuple[str, str]]:
    today = timezone.localdate()
    rows = [
        (
            _("%(module)s (%(kind)s), from %(start)s")
            % {"module": r.module.title, "kind": _kind(r.module), "start": iso(r.wanted_from)},
            r.get_absolute_url(),
        )
        for r in loaders.modules_in_force(op, user, today)
    ]
    if op.framework == "ad_hoc" and op in loaders.coalitions_without_accountability(user, today):
        rows.append(
            (
                _("No accountability module is in force for this coalition."),
                reverse("learning:supportmodule_list") + "?area=compliance_monitoring",
            )
        )
    return rows


def support_section(op: Operation, labels, user):
    """On the operation page: the support modules in force, and the requests."""
    rows = _lines(op, user)
    pending = SupportRequest.objects.visible_to(user).filter(
        operation=op,
        state=RequestState.REQUESTED,
        module__in=SupportModule.objects.visible_to(user),
    )
    rows += [
        (_("Requested: %(module)s") % {"module": r.module.title}, r.get_absolute_url())
        for r in pending.select_related("module")
    ]
    rows.append(
        (
            _("Ask for a module of the catalogue"),
            reverse("learning:supportrequest_add") + f"?operation={op.key or op.pk}",
        )
    )
    return [(_("Modular support"), rows)]


def accountability_support(op: Operation, labels, user):
    """In the operation's accountability web: the accountability modules in force."""
    rows = _lines(op, user)
    return [(_("Accountability modules from the support catalogue"), rows)] if rows else []
