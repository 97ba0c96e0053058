"""The webhook pages: managers of an organisation list, create, edit, pause, resume, delete
their organisation's webhooks, rotate a secret, send a test ping, and read the delivery
log. Anyone else finds nothing (404), platform administrators included."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core.context import Actor
from concord.core.models import Organisation
from concord.core.visibility import RESTRICTED, VisibleLabels

from . import services
from .access import access_webhook, managed_orgs, record_labels, shown_record, webhooks_for
from .events import event_models
from .forms import WebhookForm
from .models import Attempt


def _orgs(user):
    return Organisation.objects.filter(pk__in=managed_orgs(user)).order_by("name")


@login_required
def webhook_list(request):
    hooks = webhooks_for(request.user).select_related("organisation", "owner")
    return render(
        request,
        "webhooks/list.html",
        {"rows": list(hooks), "may_add": bool(managed_orgs(request.user))},
    )


def _apply_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def webhook_add(request):
    orgs = _orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied(_("Only an organisation's managers may add webhooks."))
    form = WebhookForm(
        request.POST or None,
        user=request.user,
        organisations=orgs,
        initial={"organisation": orgs.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            hook, secret = services.create_webhook(
                actor=Actor.from_request(request), **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("Webhook created. Copy the secret now: it is not shown again.")
            )
            return _detail(request, hook, secret=secret)
    status = 400 if request.method == "POST" else 200
    return render(request, "webhooks/form.html", {"form": form, "webhook": None}, status=status)


def _detail(request, hook, secret=None):
    labels = VisibleLabels(request.user)
    recent = list(hook.deliveries.all()[:10])
    return render(
        request,
        "webhooks/detail.html",
        {
            "webhook": hook,
            "secret": secret,
            "types": [_type_label(t) for t in hook.record_types],
            "operation": labels.get(type(hook).operation.field.related_model, hook.operation_id),
            "rows": _rows(recent, labels),
        },
    )


def _type_label(label: str) -> str:
    model = event_models().get(label)
    return f"{model._meta.verbose_name} ({label})" if model else label


@login_required
def webhook_detail(request, pk):
    return _detail(request, access_webhook(request.user, pk))


@login_required
def webhook_edit(request, pk):
    hook = access_webhook(request.user, pk)
    initial = {
        "name": hook.name,
        "url": hook.url,
        "record_types": hook.record_types,
        "actions": hook.actions,
        "country": hook.country_id,
        "operation": hook.operation_id,
        "space": hook.space_id,
    }
    form = WebhookForm(
        request.POST or None,
        user=request.user,
        initial=initial,
        editing=True,
        organisations=_orgs(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_webhook(hook, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect(hook.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "webhooks/form.html", {"form": form, "webhook": hook}, status=status)


def _post_action(request, pk, action, done: str):
    hook = access_webhook(request.user, pk)
    action(hook, actor=Actor.from_request(request))
    messages.success(request, done)
    return hook


@login_required
@require_POST
def webhook_pause(request, pk):
    hook = _post_action(request, pk, services.pause, _("Paused: nothing is sent until resumed."))
    return redirect(hook.get_absolute_url())


@login_required
@require_POST
def webhook_resume(request, pk):
    hook = _post_action(request, pk, services.resume, _("Resumed: waiting events are sent."))
    return redirect(hook.get_absolute_url())


@login_required
@require_POST
def webhook_delete(request, pk):
    hook = access_webhook(request.user, pk)
    services.delete_webhook(hook, actor=Actor.from_request(request))
    messages.success(
        request, _("Deleted webhook %(name)s and its delivery log.") % {"name": repr(hook.name)}
    )
    return redirect("webhooks:webhook_list")


@login_required
@require_POST
def webhook_rotate(request, pk):
    hook = access_webhook(request.user, pk)
    hook, secret = services.rotate_secret(hook, actor=Actor.from_request(request))
    messages.success(
        request,
        _(
            "New secret made; the old one no longer signs. Copy the secret now: it is not "
            "shown again."
        ),
    )
    return _detail(request, hook, secret=secret)


@login_required
@require_POST
def webhook_ping(request, pk):
    hook = _post_action(request, pk, services.ping, _("Test ping queued: see the delivery log."))
    url_name = "webhooks:webhook_deliveries"
    return redirect(url_name, pk=hook.pk)


def _rows(deliveries, labels: VisibleLabels):
    """Each delivery as the reader may see it: the record's label where they may see it,
    "(restricted)" otherwise (a skipped delivery is about a record nobody was sent)."""
    rows = []
    tries = {}
    for a in Attempt.objects.filter(delivery__in=[d.pk for d in deliveries]):
        tries.setdefault(a.delivery_id, []).append(a)
    record_labels(labels, deliveries)
    for d in deliveries:
        model = event_models().get(d.model)
        record = shown_record(labels, d)
        if d.is_ping:
            what = _("Test ping")
        elif record is not None:
            what = record
        else:
            what = _(RESTRICTED)
        rows.append({"d": d, "what": what, "model": model, "tries": tries.get(d.pk, [])})
    return rows


@login_required
def webhook_deliveries(request, pk):
    hook = access_webhook(request.user, pk)
    qs = hook.deliveries.all()
    state = request.GET.get("state")
    if state:
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = _rows(list(page.object_list), VisibleLabels(request.user))
    return render(
        request,
        "webhooks/deliveries.html",
        {"webhook": hook, "page": page, "rows": rows, "state": state or ""},
    )
