"""An organisation's members, as its managers see and manage them: invite colleagues,
change roles and clearances (never above their own), remove members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from concord.core.context import Actor
from concord.core.models import Membership, Role, User

from .. import access, services
from ..forms import InviteForm, MemberForm
from ..models import Invitation
from .common import refused


def _organisation(request):
    """The organisation asked for (``?organisation=``), among those the user manages."""
    managed = access.managed_organisations(request.user)
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    if wanted:
        org = managed.filter(pk=wanted).first() if str(wanted).isdigit() else None
        if org is None:
            raise Http404(_("You manage no such organisation."))
        return org, managed
    return managed.order_by("name").first(), managed


@login_required
def members(request):
    org, managed = _organisation(request)
    if org is None:
        raise PermissionDenied(_("You manage no organisation: this page is for managers."))
    if request.method == "POST":
        try:
            _act(request, org)
        except (ValidationError, PermissionDenied) as exc:
            refused(request, exc)
        return redirect(f"{reverse('administration:members')}?organisation={org.pk}")
    rows = [
        (
            m,
            MemberForm(
                initial={"role": m.role, "clearance": m.user.clearance},
                user=request.user,
                organisation=org,
                prefix=f"m{m.pk}",
            ),
        )
        for m in Membership.objects.filter(organisation=org)
        .select_related("user")
        .order_by("user__username")
    ]
    invitations = Invitation.objects.filter(organisation=org).select_related("invited_by")[:50]
    return render(
        request,
        "administration/members.html",
        {
            "organisation": org,
            "managed": managed.order_by("name") if managed.count() > 1 else None,
            "rows": rows,
            "invitations": invitations,
            "invite_form": InviteForm(
                user=request.user,
                organisations=managed.filter(pk=org.pk),
                initial={"organisation": org.pk},
            ),
        },
    )


@transaction.atomic  # a role and a clearance change together, or neither
def _act(request, org) -> None:
    actor = Actor.from_request(request)
    member = User.objects.filter(pk=request.POST.get("user") or 0).first()
    action = request.POST.get("action")
    if action == "revoke":
        invitation = Invitation.objects.filter(
            organisation=org, pk=request.POST.get("invitation") or 0
        ).first()
        if invitation is None:
            raise ValidationError(_("No such invitation."))
        services.revoke_invitation(actor=actor, invitation=invitation)
        messages.success(
            request, _("Withdrew the invitation of %(email)s.") % {"email": invitation.email}
        )
        return
    if member is None or not Membership.objects.filter(user=member, organisation=org).exists():
        raise ValidationError(_("Choose a member of this organisation."))
    if action == "remove":
        services.remove_member(actor=actor, user=member, organisation=org)
        messages.success(
            request,
            _("%(username)s is no longer a member of %(organisation)s.")
            % {"username": member.username, "organisation": org},
        )
        return
    if action != "change":
        raise ValidationError(_("Unknown action '%(action)s'.") % {"action": action})
    membership = Membership.objects.get(user=member, organisation=org)
    form = MemberForm(request.POST, user=request.user, organisation=org, prefix=f"m{membership.pk}")
    if not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    role, clearance = form.cleaned_data["role"], form.cleaned_data["clearance"]
    if role != membership.role:
        services.set_role(actor=actor, user=member, organisation=org, role=role)
    if clearance != member.clearance:
        services.set_clearance(actor=actor, user=member, clearance=clearance, organisation=org)
    messages.success(
        request,
        _("%(username)s: %(role)s, clearance set.")
        % {"username": member.username, "role": str(Role(role).label).lower()},
    )
