"""The platform administrators' pages: accounts, invitations, merges, spaces, API tokens.

They show accounts and organisations' names, never records: an administrator reads only
what their own memberships and clearance allow (the organisation pickers resolve among the
organisations they may see).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import services as core
from concord.core.context import Actor
from concord.core.models import ApiToken, AuditEntry, Membership, Organisation, Role, Space, User
from concord.core.visibility import VisibleLabels

from .. import merge, services
from ..forms import AccountForm, MemberForm, MergeForm, SpaceForm
from ..models import Invitation
from .common import admin_required, refused, to_form


@admin_required
def index(request):
    q = (request.GET.get("q") or "").strip()
    users = User.objects.annotate(n_orgs=Count("memberships")).order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(email__icontains=q))
    page = Paginator(users.prefetch_related("memberships"), 50).get_page(request.GET.get("page"))
    pending = list(Invitation.objects.pending().select_related("invited_by")[:50])
    # Organisations' names as the administrator may see them ("(restricted)" otherwise).
    labels = VisibleLabels(request.user)
    labels.load(
        Organisation,
        [m.organisation_id for u in page for m in u.memberships.all()]
        + [i.organisation_id for i in pending],
    )

    def name(pk):
        org = labels.get(Organisation, pk)
        return (org.acronym or org.name) if org else _("(restricted)")

    accounts = [
        (u, [(name(m.organisation_id), m.get_role_display()) for m in u.memberships.all()])
        for u in page
    ]
    return render(
        request,
        "administration/index.html",
        {
            "page": page,
            "accounts": accounts,
            "q": q,
            "query": f"q={q}" if q else "",
            "pending": [(i, name(i.organisation_id)) for i in pending],
            "merges": [(e, merge.shown_name(e, request.user)) for e in merge.merges(20)],
            "counts": {
                "active": User.objects.filter(is_active=True).count(),
                "deactivated": User.objects.filter(is_active=False).count(),
                "pending": Invitation.objects.pending().count(),
            },
        },
    )


@admin_required
def user_manage(request, pk):
    account = get_object_or_404(User, pk=pk)
    actor = Actor.from_request(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            _user_action(request, actor, account, action)
        except (ValidationError, PermissionDenied) as exc:
            refused(request, exc)
        return redirect("administration:user_manage", pk=account.pk)
    memberships = Membership.objects.filter(user=account).select_related("organisation")
    labels = VisibleLabels(request.user)
    labels.load(Organisation, [m.organisation_id for m in memberships])
    rows = [
        (
            m,
            labels.get(Organisation, m.organisation_id),
            MemberForm(
                initial={"role": m.role, "clearance": account.clearance},
                user=request.user,
                organisation=m.organisation,
            ),
        )
        for m in memberships
    ]
    return render(
        request,
        "administration/user.html",
        {
            "account": account,
            "rows": rows,
            "clearance_form": AccountForm(initial={"clearance": account.clearance}),
            "role_form": MemberForm(user=request.user, initial={"clearance": account.clearance}),
        },
    )


def _visible_org(request, key: str):
    """An organisation the administrator may see, from a form field holding its id."""
    from concord.core.forms import OrganisationRefField

    field = OrganisationRefField(required=True)
    field.user = request.user
    try:
        return field.clean(request.POST.get(key, ""))
    except ValidationError as exc:
        raise ValidationError({"organisation": exc.messages}) from None


def _user_action(request, actor, account, action):
    names = {"username": account.username}
    if action == "deactivate":
        services.set_active(actor=actor, user=account, active=False)
        messages.success(request, _("%(username)s: deactivated.") % names)
    elif action == "reactivate":
        services.set_active(actor=actor, user=account, active=True)
        messages.success(request, _("%(username)s: reactivated.") % names)
    elif action == "clearance":
        form = AccountForm(request.POST)
        if not form.is_valid():
            raise ValidationError({"clearance": _("Choose a clearance.")})
        services.set_clearance(actor=actor, user=account, clearance=form.cleaned_data["clearance"])
        messages.success(request, _("%(username)s: clearance set.") % names)
    elif action == "role":
        org = _visible_org(request, "organisation")
        role = request.POST.get("role", "")
        services.set_role(actor=actor, user=account, organisation=org, role=role)
        messages.success(
            request,
            _("%(username)s: %(role)s at %(organisation)s.")
            % {**names, "role": str(Role(role).label).lower(), "organisation": org},
        )
    elif action == "remove":
        org = _visible_org(request, "organisation")
        services.remove_member(actor=actor, user=account, organisation=org)
        messages.success(
            request,
            _("%(username)s is no longer a member of %(organisation)s.")
            % {**names, "organisation": org},
        )
    else:
        raise ValidationError(_("Unknown action '%(action)s'.") % {"action": action})


@require_POST
@admin_required
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.revoke_invitation(actor=Actor.from_request(request), invitation=invitation)
        messages.success(
            request, _("Withdrew the invitation of %(email)s.") % {"email": invitation.email}
        )
    except (ValidationError, PermissionDenied) as exc:
        refused(request, exc)
    return redirect("administration:index")


@admin_required
def merge_organisations(request):
    """Choose the duplicate and the organisation to keep, see what moves, confirm."""
    asked = request.method == "POST" or {"duplicate", "into"} & set(request.GET)
    data = (request.POST if request.method == "POST" else request.GET) if asked else None
    form = MergeForm(data, user=request.user)
    preview = None
    status = 200
    if data is not None and form.is_valid():
        duplicate, into = form.cleaned_data["duplicate"], form.cleaned_data["into"]
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            try:
                merge.merge(actor=Actor.from_request(request), duplicate=duplicate, into=into)
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, ValidationError):
                    to_form(form, exc)
                else:
                    form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(
                    request,
                    _("Merged %(duplicate)s into %(into)s. You can undo it below.")
                    % {"duplicate": duplicate, "into": into},
                )
                return redirect("administration:index")
        else:
            preview = (duplicate, into, merge.preview(duplicate))
    elif data is not None:
        status = 400
    return render(
        request, "administration/merge.html", {"form": form, "preview": preview}, status=status
    )


@admin_required
def merge_undo(request, seq):
    entry = AuditEntry.objects.filter(seq=seq, action=merge.MERGE).first()
    if entry is None or "into" not in entry.changes:
        raise Http404(_("No merge with that number."))
    if request.method == "POST":
        try:
            restored = merge.undo(actor=Actor.from_request(request), entry=entry)
        except (ValidationError, PermissionDenied) as exc:
            refused(request, exc)
            return redirect("administration:index")
        messages.success(
            request,
            _("Restored %(organisation)s: the merge is undone.") % {"organisation": restored},
        )
        return redirect("administration:index")
    return render(
        request,
        "administration/merge_undo.html",
        {"entry": entry, "name": merge.shown_name(entry, request.user)},
    )


@admin_required
def token_list(request):
    tokens = ApiToken.objects.select_related("user").order_by("-created_at")
    if request.GET.get("state") != "all":
        tokens = tokens.filter(revoked_at__isnull=True)
    page = Paginator(tokens, 50).get_page(request.GET.get("page"))
    return render(request, "administration/tokens.html", {"page": page})


@require_POST
@admin_required
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    core.revoke_token(token, actor=Actor.from_request(request))
    messages.success(
        request,
        _("Revoked %(username)s's token '%(token)s'.")
        % {"username": token.user.username, "token": token.name},
    )
    return redirect("administration:token_list")


@admin_required
def space_list(request):
    form = SpaceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            space = core.create_space(
                actor=Actor.from_request(request),
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                organisations=form.cleaned_data["organisations"],
            )
        except ValidationError as exc:
            to_form(form, exc)
        else:
            messages.success(request, _("Created the space %(space)s.") % {"space": space.name})
            return redirect("administration:space_detail", pk=space.pk)
    spaces = Space.objects.annotate(n=Count("organisations")).order_by("name")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "administration/spaces.html", {"spaces": spaces, "form": form}, status=status
    )


def space_detail(request, pk):
    """A space's member organisations: its members see them; administrators change them."""
    space = Space.objects.visible_to(request.user).filter(pk=pk).first()
    if space is None:
        raise Http404(_("No such coordination space, or you are not in it."))
    is_admin = request.user.is_superuser
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied(_("Only a platform administrator changes a space's members."))
        try:
            org = _visible_org(request, "organisation")
            verb = request.POST.get("action")
            change = {"add": [org]} if verb == "add" else {"remove": [org]}
            services.change_space_members(actor=Actor.from_request(request), space=space, **change)
            done = (
                _("%(space)s: add %(organisation)s done.")
                if verb == "add"
                else _("%(space)s: remove %(organisation)s done.")
            )
            messages.success(request, done % {"space": space.name, "organisation": org})
        except (ValidationError, PermissionDenied) as exc:
            refused(request, exc)
        return redirect("administration:space_detail", pk=space.pk)
    labels = VisibleLabels(request.user)
    ids = list(space.organisations.values_list("pk", flat=True))
    labels.load(Organisation, ids)
    members = [labels.get(Organisation, i) for i in ids]
    return render(
        request,
        "administration/space.html",
        {
            "space": space,
            "members": [m for m in members if m],
            "hidden": sum(1 for m in members if m is None),
            "is_admin": is_admin,
        },
    )
