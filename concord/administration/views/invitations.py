"""Inviting someone (administrators and managers) and accepting an invitation (its link)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from concord.core.context import Actor

from .. import access, services
from ..forms import AcceptForm, InviteForm
from .common import to_form


@login_required
def invite(request):
    user = request.user
    if access.is_platform_admin(user):
        from concord.core.models import Organisation

        organisations = Organisation.objects.visible_to(user).order_by("name")
    else:
        organisations = access.managed_organisations(user).order_by("name")
        if not organisations.exists():
            raise PermissionDenied(_("Only an organisation's managers invite people to it."))
    initial = {}
    wanted = request.GET.get("organisation", "")
    if wanted.isdigit():
        initial["organisation"] = wanted
    form = InviteForm(request.POST or None, user=user, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        accept = "administration:invitation_accept"
        link = request.build_absolute_uri(reverse(accept, args=["KEY"]))
        try:
            invitation, _key = services.invite(
                actor=Actor.from_request(request),
                link=link.replace("KEY", "{key}"),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s; it is valid until %(date)s and works once.")
                % {"email": invitation.email, "date": f"{invitation.expires_at:%Y-%m-%d}"},
            )
            target = reverse("administration:members")
            if access.is_platform_admin(user):
                return redirect("administration:index")
            return redirect(f"{target}?organisation={invitation.organisation_id}")
    status = 400 if request.method == "POST" else 200
    return render(request, "administration/invite.html", {"form": form}, status=status)


def invitation_accept(request, key):
    """The invitation link: create an account (or, signed in with the invited address, join
    with this one). An unusable link says why, and nothing is created."""
    try:
        invitation = services.invitation_for(key)
    except services.InvitationUnusable as exc:
        return render(
            request, "administration/accept.html", {"problem": exc.messages[0]}, status=410
        )
    signed_in = request.user.is_authenticated
    form = None if signed_in else AcceptForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if signed_in:
                account = services.accept_invitation(key, user=request.user)
            elif form.is_valid():
                account = services.accept_invitation(
                    key,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
            else:
                account = None
        except ValidationError as exc:
            account = None
            if form is not None:
                to_form(form, _rename(exc))
            else:
                messages.error(request, " ".join(exc.messages))
        if account is not None:
            messages.success(
                request,
                _("Welcome: you are now a member of %(organisation)s.")
                % {"organisation": invitation.organisation},
            )
            return redirect("web:home" if signed_in else "web:login")
        status = 400
    return render(
        request,
        "administration/accept.html",
        {"invitation": invitation, "form": form, "signed_in": signed_in},
        status=status,
    )


def _rename(exc: ValidationError) -> ValidationError:
    """The service names the password field ``password``; the form has two."""
    if hasattr(exc, "error_dict") and "password" in exc.error_dict:
        d = dict(exc.message_dict)
        d["password1"] = d.pop("password")
        return ValidationError(d)
    return exc
