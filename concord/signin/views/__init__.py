"""The sign-in pages: the account page, the code step, enrolment, recovery codes, sessions,
and an organisation's requirement of two-factor sign-in."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from concord.core.access import VIEW, access
from concord.core.context import Actor
from concord.core.models import Organisation, User

from .. import flow, services
from ..forms import CodeForm, EnrolForm, PolicyForm
from ..models import (
    OrganisationPolicy,
    UserSession,
    authenticator,
    enrolled,
    is_manager_of,
    recovery_codes_left,
    requirement_reasons,
)
from ..sessions import clear_pending, mark_verified, pending

ENROL_KEY = "signin_enrol_key"


def _safe_next(request, url: str | None, default: str = "/") -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the account page --------------------------------------------------------------------------


@login_required
def account(request):
    user = request.user
    services.prune_sessions(user)
    sessions = list(UserSession.objects.filter(user=user))
    return render(
        request,
        "signin/account.html",
        {
            "device": authenticator(user),
            "reasons": requirement_reasons(user),
            "codes_left": recovery_codes_left(user),
            "sessions": sessions,
            "current_key": request.session.session_key,
            "others": sum(s.session_key != request.session.session_key for s in sessions),
        },
    )


@require_POST
def language(request):
    """The language switch (footer, account page): stored on the account when signed in, and
    in the language cookie, which is all an anonymous visitor has. Back to ``next`` or to the
    page it was on (its Referer, same-origin): the form does not echo the page's address, so
    that a page refused to its reader does not name itself."""
    chosen = request.POST.get("language", "")
    back = request.POST.get("next") or request.headers.get("Referer")
    if chosen not in {"", *dict(settings.LANGUAGES)}:
        messages.error(request, _("Choose one of the languages offered."))
        return redirect(_safe_next(request, back))
    if request.user.is_authenticated:
        services.set_language(request.user, actor=Actor.from_request(request), language=chosen)
    response = redirect(_safe_next(request, back))
    if chosen:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


# --- the second step of signing in -----------------------------------------------------------


def code(request):
    """The one-time code after the password. Reachable only between the two steps."""
    if request.user.is_authenticated:
        return redirect("web:home")
    data = pending(request)
    user = User.objects.filter(pk=(data or {}).get("user"), is_active=True).first()
    if data is None or user is None:
        clear_pending(request)
        messages.info(request, _("Sign in with your password first."))
        return redirect("web:login")
    if flow.locked(request, user):
        clear_pending(request)
        return render(request, "web/locked_out.html", status=429)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor(
            user=user, interface="web", request_id=getattr(request, "concord_request_id", "")
        )
        device = services.verify_code(user, form.cleaned_data["code"], actor=actor)
        if device is not None:
            flow.complete(request, user, device, data["backend"])
            if not hasattr(device, "bin_key"):
                left = recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code: %(left)s left. "
                        "Make new ones on your account page if few are left.",
                        "You signed in with a recovery code: %(left)s left. "
                        "Make new ones on your account page if few are left.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(_safe_next(request, data.get("next")))
        flow.count_failure(request, user)
        if getattr(request, "axes_locked_out", False):
            clear_pending(request)
        form.add_error(
            "code",
            _(
                "That code is not right, or was used already. Check that your phone's clock is "
                "right; a recovery code works once."
            ),
        )
    return render(
        request,
        "signin/code.html",
        {"form": form, "username": user.get_username()},
        status=400 if form.errors else 200,
    )


# --- enrolment -------------------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


@login_required
def enrol(request):
    user = request.user
    if enrolled(user):
        return redirect("signin:account")
    key = request.session.get(ENROL_KEY) or services.new_key()
    request.session[ENROL_KEY] = key
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.enrol(
                user, actor=Actor.from_request(request), key=key, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            request.session.pop(ENROL_KEY, None)
            user.otp_device = device
            from django_otp import login as otp_login

            otp_login(request, device)
            mark_verified(request.session)
            return render(
                request,
                "signin/recovery_codes.html",
                {"codes": codes, "next": _safe_next(request, request.GET.get("next"), "")},
            )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    sample = TOTPDevice(user=user, key=key)
    return render(
        request,
        "signin/enrol.html",
        {
            "form": form,
            "qr": _qr_svg(sample.config_url),
            "typed_key": services.key_for_people(key),
            "reasons": requirement_reasons(user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def recovery_codes(request):
    """New recovery codes (POST), shown once; the old ones stop working."""
    if request.method != "POST":
        return render(
            request,
            "signin/recovery_codes.html",
            {"codes": None, "left": recovery_codes_left(request.user)},
        )
    try:
        codes = services.regenerate_recovery_codes(request.user, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("signin:account")
    return render(request, "signin/recovery_codes.html", {"codes": codes, "next": ""})


@login_required
def disable(request):
    form = CodeForm(request.POST or None)
    reasons = requirement_reasons(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.disable(
                request.user, actor=Actor.from_request(request), code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            request.session.pop("signin_verified", None)
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("signin:account")
    return render(
        request,
        "signin/disable.html",
        {"form": form, "reasons": reasons, "enrolled": enrolled(request.user)},
        status=400 if form.errors else 200,
    )


# --- sessions ----------------------------------------------------------------------------------


@login_required
def session_delete(request, pk):
    row = UserSession.objects.filter(user=request.user, pk=pk).first()
    if row is None:
        raise Http404(_("No such session of yours."))
    current = row.session_key == request.session.session_key
    if request.method == "POST":
        services.end_session(row, actor=Actor.from_request(request))
        if current:
            return redirect("web:login")
        messages.success(request, _("Signed out: %(session)s.") % {"session": row})
        return redirect("signin:account")
    return render(request, "signin/session_delete.html", {"row": row, "current": current})


@login_required
@require_POST
def end_others(request):
    n = services.end_sessions(
        request.user,
        actor=Actor.from_request(request),
        keep_session_key=request.session.session_key,
    )
    messages.success(
        request,
        ngettext(
            "Signed out everywhere else (%(n)s session).",
            "Signed out everywhere else (%(n)s sessions).",
            n,
        )
        % {"n": n},
    )
    return redirect("signin:account")


# --- an organisation's requirement ---------------------------------------------------------


def organisation_twofactor(request, pk):
    org = access(Organisation, request.user, pk, VIEW)
    policy = OrganisationPolicy.objects.filter(organisation=org).first()
    required = bool(policy and policy.require_two_factor)
    manager = is_manager_of(request.user, org)
    form = PolicyForm(request.POST or None, initial={"require_two_factor": required})
    if request.method == "POST":
        if not manager:
            raise PermissionDenied(
                _("Only this organisation's managers may change its sign-in rules.")
            )
        if form.is_valid():
            services.set_organisation_policy(
                org,
                actor=Actor.from_request(request),
                require_two_factor=form.cleaned_data["require_two_factor"],
            )
            messages.success(request, _("Saved."))
            url_name = "signin:organisation_twofactor"
            return redirect(url_name, pk=org.pk)
    return render(
        request,
        "signin/organisation.html",
        {"org": org, "required": required, "manager": manager, "form": form},
    )


def organisation_section(org, labels, user):
    """On an organisation's page: whether its members must use two-factor sign-in."""
    if not (user and user.is_authenticated):
        return []
    required = OrganisationPolicy.objects.filter(organisation=org, require_two_factor=True).exists()
    manager = is_manager_of(user, org)
    if required:
        text = _("Required of every member (change)") if manager else _("Required of every member")
    elif manager:
        text = _("Not required by this organisation (change)")
    else:
        text = _("Not required by this organisation")
    url_name = "signin:organisation_twofactor"
    url = reverse(url_name, kwargs={"pk": org.pk})
    return [(_("Two-factor sign-in"), [(text, url)])]
