"""Pages: the notifications list, what I follow, the follow button's action, and the
e-mail digest setting. Every record shown is read through the enforcement point when the
page is made (``concord.notifications.access``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from concord.core.context import Actor
from concord.core.numbers import record_id

from . import access, services
from .forms import DigestForm
from .models import Follow, Notification, Preference

PAGE = 50


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@login_required
def notification_list(request):
    unread_only = request.GET.get("show") != "all"
    qs = Notification.objects.all()
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    before = record_id(request.GET.get("before"))
    items, more = access.visible_page(request.user, qs, PAGE, after=before)
    return render(
        request,
        "notifications/list.html",
        {
            "items": items,
            "more": more,
            "next_before": items[-1].notification.entry_id if items and more else None,
            "unread_only": unread_only,
            "following": Follow.objects.filter(user=request.user).exists(),
        },
    )


@login_required
@require_POST
def notification_read(request):
    actor = Actor.from_request(request)
    try:
        if request.POST.get("all"):
            n = services.mark_all_read(actor=actor)
        else:
            n = services.mark_read(request.POST.getlist("id"), actor=actor)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("notifications:notification_list")
    if not request.headers.get("HX-Request"):
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked read.", "%(count)s notifications marked read.", n
            )
            % {"count": n},
        )
    return redirect(_next(request, "/notifications/"))


@login_required
def following(request):
    rows = access.visible_follows(request.user, Follow.objects.filter(user=request.user))
    groups: dict[str, list] = {"operation": [], "country": [], "space": [], "record": []}
    for f, t in rows:
        groups[t.kind].append((f, t))
    titles = {
        "operation": _("Operations"),
        "country": _("Countries"),
        "space": _("Coordination spaces"),
        "record": _("Records"),
    }
    return render(
        request,
        "notifications/following.html",
        {"groups": [(titles[k], v) for k, v in groups.items()], "count": len(rows)},
    )


def _button(request, model: str, object_id: str, status: int = 200):
    from .templatetags.notifications_tags import button_context

    ctx = button_context(request.user, model, object_id, request.POST.get("next", ""))
    return render(request, "notifications/follow_button.html", ctx, status=status)


@login_required
@require_POST
def follow(request):
    """Follow (or, with ``unfollow``, stop following) what ``model`` and ``object_id`` name.
    Answers htmx with the new button, a plain form with a redirect."""
    model, object_id = request.POST.get("model", ""), request.POST.get("object_id", "")
    actor = Actor.from_request(request)
    try:
        if request.POST.get("unfollow"):
            existing = Follow.objects.filter(
                user=request.user, model=model, object_id=object_id
            ).first()
            if existing is not None:
                services.unfollow(existing, actor=actor)
            done = _("You no longer follow it.")
        else:
            services.follow(model, object_id, actor=actor)
            done = _("You follow it now: its changes will appear in your notifications.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_next(request, "/following/"))
    except (Http404, PermissionDenied):
        raise Http404(_("Nothing to follow with that id, or you may not see it.")) from None
    if request.headers.get("HX-Request"):
        return _button(request, model, object_id)
    messages.success(request, done)
    return redirect(_next(request, "/following/"))


@login_required
def digest_settings(request):
    pref = Preference.objects.filter(user=request.user).first()
    current = pref.frequency if pref else "none"
    if request.method == "POST":
        form = DigestForm(request.POST)
        if form.is_valid():
            try:
                services.set_frequency(
                    form.cleaned_data["frequency"], actor=Actor.from_request(request)
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your e-mail digest is saved."))
                return redirect("notifications:digest_settings")
        status = 400
    else:
        form, status = DigestForm(initial={"frequency": current}), 200
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "current": current, "email": request.user.email},
        status=status,
    )
