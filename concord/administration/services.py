"""Every write of platform and organisation administration: one function per use case, one
transaction, audited. Views, the API and the CLI call these; none of them saves a model.

Platform administrators add organisations, invite people, deactivate and reactivate accounts,
set clearances and memberships, revoke anyone's API token. An organisation's managers invite
colleagues and manage their own organisation's members, never above their own role or
clearance (:mod:`concord.administration.access`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concord.core import audit
from concord.core import services as core
from concord.core.context import Actor
from concord.core.models import Classification, Membership, Organisation, Role, User
from concord.core.models.security import ROLE_RANK

from . import access
from .models import Invitation

INTERNAL = Classification.INTERNAL


def _user_of(actor: Actor):
    return None if actor.is_system else actor.user


def _require_admin(actor: Actor) -> None:
    if actor.is_system or access.is_platform_admin(actor.user):
        return
    raise PermissionDenied(_("Only a platform administrator may do this."))


def _require_manager(actor: Actor, organisation: Organisation) -> None:
    if actor.is_system or access.may_manage_members(actor.user, organisation):
        return
    raise PermissionDenied(
        _("Only a manager of %(organisation)s may manage its members.")
        % {"organisation": organisation}
    )


def _check_grant(actor: Actor, organisation, *, role=None, clearance=None) -> None:
    if role is not None and role not in Role.values:
        raise ValidationError(
            {"role": _("Role must be one of %(roles)s.") % {"roles": ", ".join(Role.values)}}
        )
    if clearance is not None and clearance not in Classification.values:
        raise ValidationError(
            {"clearance": _("Choose a clearance from public to strictly confidential.")}
        )
    if not actor.is_system:
        access.check_grant(actor.user, organisation, role=role, clearance=clearance)


# --- organisations -------------------------------------------------------------------------


def create_organisation(*, actor: Actor, organisation: Organisation) -> Organisation:
    """A platform administrator adds an organisation taking part in the platform: it owns its
    own registry entry (its managers edit it), public unless the form says otherwise."""
    _require_admin(actor)
    if organisation.pk is not None:
        raise ValidationError(_("This organisation exists already."))
    organisation.owner = None
    return core.save(organisation, actor=actor)


# --- invitations ---------------------------------------------------------------------------


def invitation_days() -> int:
    return int(getattr(settings, "CONCORD_INVITATION_DAYS", 7))


@transaction.atomic
def invite(
    *,
    actor: Actor,
    email: str,
    organisation: Organisation,
    role: str = Role.VIEWER,
    clearance: int = INTERNAL,
    link: str = "{key}",
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``organisation``. Returns (invitation, key); the key is shown once
    (only its hash is kept). ``link`` is the acceptance address with ``{key}`` in it: the
    e-mail carries it once the transaction commits."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("'%(email)s' is not an e-mail address.") % {"email": email}}
        ) from None
    _require_manager(actor, organisation)
    _check_grant(actor, organisation, role=role, clearance=clearance)
    if _user_of(actor) is not None and (actor.user.email or "").lower() == email:
        raise ValidationError({"email": _("You may not invite yourself: ask another manager.")})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _("%(email)s is already a member of %(organisation)s.")
                % {"email": email, "organisation": organisation}
            }
        )
    pending = Invitation.objects.pending().filter(organisation=organisation, email=email).first()
    if pending:
        raise ValidationError(
            {
                "email": _(
                    "%(email)s already has an invitation to %(organisation)s, valid until "
                    "%(date)s; revoke it to send a new one."
                )
                % {
                    "email": email,
                    "organisation": organisation,
                    "date": f"{pending.expires_at:%Y-%m-%d}",
                }
            }
        )
    key = Invitation.new_key()
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        role=role,
        clearance=clearance,
        invited_by=_user_of(actor),
        prefix=key[:12],
        key_hash=Invitation.hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=invitation_days()),
    )
    _audit(actor, "create", invitation, audit.diff(None, _invitation_fields(invitation)))
    # The invited person has no account (and no language) yet: the e-mail is written in the
    # language of the person inviting, now, not when the transaction commits.
    names = {
        "inviter": actor.display,
        "organisation": organisation,
        "role": str(Role(role).label).lower(),
        "days": invitation_days(),
        "url": link.format(key=key),
    }
    subject = _("Invitation to join %(organisation)s on Concord") % names
    body = (
        ngettext(
            "%(inviter)s invites you to join %(organisation)s on Concord as %(role)s.\n\n"
            "Accept within %(days)d day (the link works once):\n%(url)s\n",
            "%(inviter)s invites you to join %(organisation)s on Concord as %(role)s.\n\n"
            "Accept within %(days)d days (the link works once):\n%(url)s\n",
            names["days"],
        )
        % names
    )
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation, key


def _invitation_fields(invitation: Invitation) -> dict:
    return {
        "email": invitation.email,
        "organisation": invitation.organisation_id,
        "role": invitation.role,
        "clearance": invitation.clearance,
        "expires_at": invitation.expires_at.isoformat(),
    }


def _audit(actor: Actor, action: str, obj, changes: dict, organisation_id=None) -> None:
    """Administration entries are internal to the organisation concerned."""
    if organisation_id is None:
        organisation_id = getattr(obj, "organisation_id", None)
    audit.record(actor, action, obj, changes, owner_id=organisation_id, classification=INTERNAL)


@transaction.atomic
def revoke_invitation(*, actor: Actor, invitation: Invitation) -> Invitation:
    _require_manager(actor, invitation.organisation)
    if invitation.state != "pending":
        raise ValidationError(
            {
                "accepted": _("This invitation is accepted; there is nothing to revoke."),
                "revoked": _("This invitation is revoked; there is nothing to revoke."),
                "expired": _("This invitation is expired; there is nothing to revoke."),
            }.get(invitation.state, _("There is nothing to revoke."))
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _audit(actor, "update", invitation, {"revoked_at": [None, invitation.revoked_at.isoformat()]})
    return invitation


def _inviter_still_may(invitation: Invitation) -> None:
    """An invitation grants only what its inviter may still grant when it is accepted (an
    inviter deactivated or removed since cannot leave a way back in)."""
    inviter = invitation.invited_by
    if invitation.invited_by_id is None:  # from the command line: the platform's operator
        return
    try:
        if not inviter.is_active:
            raise PermissionDenied
        access.check_grant(
            inviter, invitation.organisation, role=invitation.role, clearance=invitation.clearance
        )
    except (PermissionDenied, ValidationError):
        raise InvitationUnusable(
            _(
                "This invitation is no longer valid: the person who sent it may no longer grant "
                "it. Ask for a new one."
            )
        ) from None


class InvitationUnusable(ValidationError):
    """The link is unknown, used, revoked or expired (the message says which)."""


def invitation_for(key: str) -> Invitation:
    """The pending invitation with this key, or :class:`InvitationUnusable` saying why not."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(key_hash=Invitation.hash_key(key or ""))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable(
            _("This invitation link is not valid: check that you copied all of it.")
        )
    reasons = {
        "accepted": _("This invitation has already been used: sign in instead."),
        "revoked": _("This invitation was withdrawn: ask for a new one."),
        "expired": _("This invitation expired on %(date)s: ask for a new one.")
        % {"date": f"{invitation.expires_at:%Y-%m-%d}"},
    }
    if invitation.state in reasons:
        raise InvitationUnusable(reasons[invitation.state])
    return invitation


@transaction.atomic
def accept_invitation(
    key: str, *, username: str = "", password: str = "", user: User | None = None
) -> User:
    """Accept an invitation: as a new account (``username``, ``password``) or, when signed
    in (``user``) with the invited address, as that account. One use, audited."""
    invitation = invitation_for(key)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "pending":  # accepted by a concurrent request
        invitation_for(key)
    _inviter_still_may(invitation)
    actor = Actor(
        user=None,
        interface="web",
        label=f"invitation:{invitation.prefix}",  # untranslated: the audit trail's actor code
    )
    if user is not None and user.is_authenticated:
        if (user.email or "").lower() != invitation.email:
            raise ValidationError(
                _(
                    "This invitation is for %(email)s; you are signed in as %(username)s. "
                    "Sign out to accept it with a new account."
                )
                % {"email": invitation.email, "username": user.username}
            )
        current = Membership.objects.filter(user=user, organisation=invitation.organisation)
        role = invitation.role
        for m in current:  # never lower a role someone already has
            role = max(role, m.role, key=lambda r: ROLE_RANK[r])
        core.write_membership(
            actor=actor, user=user, organisation=invitation.organisation, role=role
        )
        if invitation.clearance > user.clearance:
            _set_clearance(actor, user, invitation.clearance, invitation.organisation_id)
        account = user
    else:
        account = core.create_user(
            actor=actor,
            username=(username or "").strip(),
            password=password,
            email=invitation.email,
            clearance=invitation.clearance,
            memberships=[(invitation.organisation, invitation.role)],
        )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), account
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _audit(
        actor,
        "update",
        invitation,
        {
            "accepted_at": [None, invitation.accepted_at.isoformat()],
            "accepted_by": [None, account.pk],
        },
    )
    return account


# --- accounts and memberships ----------------------------------------------------------------


def _set_clearance(actor: Actor, user: User, clearance: int, organisation_id=None) -> None:
    before = User.objects.select_for_update().get(pk=user.pk).clearance
    if before == clearance:
        return
    user.clearance = clearance
    user.save(update_fields=["clearance"])
    user.forget_principal()
    _audit(actor, "update", user, {"clearance": [before, clearance]}, organisation_id)


@transaction.atomic
def set_clearance(
    *, actor: Actor, user: User, clearance: int, organisation: Organisation | None = None
) -> User:
    """An administrator sets anyone's clearance; a manager of ``organisation`` a member's,
    never above the manager's own, and not for someone cleared above the manager."""
    if organisation is None or access.is_platform_admin(_user_of(actor)) or actor.is_system:
        _require_admin(actor)
        _not_themselves(actor, user)
    else:
        _require_member(user, organisation)
        _check_grant(actor, organisation, clearance=clearance)
        _cleared_above(actor, user)
        # Clearance is the person's, in every organisation: only someone who manages all of
        # them (or an administrator) changes it.
        managed = access.managed_organisations(actor.user).values("pk")
        if Membership.objects.filter(user=user).exclude(organisation__in=managed).exists():
            raise ValidationError(
                {
                    "clearance": _(
                        "%(username)s is also a member of an organisation you do not manage, "
                        "where this clearance applies too: ask a platform administrator."
                    )
                    % {"username": user.username}
                }
            )
    if clearance not in Classification.values:
        raise ValidationError(
            {"clearance": _("Choose a clearance from public to strictly confidential.")}
        )
    _set_clearance(actor, user, clearance, organisation.pk if organisation else None)
    return user


def _not_themselves(actor: Actor, user: User) -> None:
    """An administrator never widens their own access (their memberships, their clearance):
    another administrator does it, so that administering never becomes a way to read."""
    if access.is_platform_admin(_user_of(actor)) and actor.user.pk == user.pk:
        raise PermissionDenied(
            _(
                "Administrators do not change their own memberships or clearance: ask another "
                "administrator."
            )
        )


def _cleared_above(actor: Actor, user: User) -> None:
    """A manager changes nothing of a member cleared above them."""
    if user.clearance > access.clearance_ceiling(actor.user):
        raise ValidationError(
            {
                "clearance": _("%(username)s is cleared above you: ask a platform administrator.")
                % {"username": user.username}
            }
        )


def _require_member(user: User, organisation: Organisation) -> Membership:
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership is None:
        raise ValidationError(
            _("%(username)s is not a member of %(organisation)s.")
            % {"username": user.username, "organisation": organisation}
        )
    return membership


@transaction.atomic
def set_role(*, actor: Actor, user: User, organisation: Organisation, role: str) -> Membership:
    """Add ``user`` to ``organisation`` with ``role`` or change their role there. A manager
    changes the roles of members only (new people are invited)."""
    _check_grant(actor, organisation, role=role)
    _not_themselves(actor, user)
    if not access.is_platform_admin(_user_of(actor)) and not actor.is_system:
        current = _require_member(user, organisation)
        _cleared_above(actor, user)
        if current.role == Role.MANAGER and role != Role.MANAGER:
            _keep_a_manager(organisation, user)
    return core.write_membership(actor=actor, user=user, organisation=organisation, role=role)


def _keep_a_manager(organisation: Organisation, leaving: User) -> None:
    others = Membership.objects.filter(organisation=organisation, role=Role.MANAGER).exclude(
        user=leaving
    )
    if not others.filter(user__is_active=True).exists():
        raise ValidationError(
            {
                "role": _("%(username)s is %(organisation)s's last manager; name another first.")
                % {"username": leaving.username, "organisation": organisation}
            }
        )


@transaction.atomic
def remove_member(*, actor: Actor, user: User, organisation: Organisation) -> None:
    _require_manager(actor, organisation)
    membership = _require_member(user, organisation)
    if membership.role == Role.MANAGER:
        _keep_a_manager(organisation, user)
    _audit(
        actor,
        "delete",
        membership,
        {
            "user": [user.pk, None],
            "organisation": [organisation.pk, None],
            "role": [membership.role, None],
        },
        organisation.pk,
    )
    membership.delete()
    user.forget_principal()


@transaction.atomic
def set_active(*, actor: Actor, user: User, active: bool) -> User:
    """Deactivate or reactivate an account. A deactivated account cannot sign in, its
    sessions stop working at their next request and its API tokens are refused."""
    _require_admin(actor)
    if not active and _user_of(actor) is not None and actor.user.pk == user.pk:
        raise ValidationError(_("You may not deactivate your own account."))
    user.is_active = User.objects.select_for_update().get(pk=user.pk).is_active
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(actor, "update", user, {"is_active": [not active, active]}, owner_id=None)
    return user


@transaction.atomic
def change_space_members(*, actor: Actor, space, add=(), remove=()):
    """An administrator changes a space's members, never adding an organisation they belong
    to (that would open to them what is shared with the space)."""
    _require_admin(actor)
    mine = set()
    if _user_of(actor) is not None:
        mine = set(
            Membership.objects.filter(user=actor.user).values_list("organisation_id", flat=True)
        )
    if any(o.pk in mine for o in add):
        raise PermissionDenied(
            _("You are a member of that organisation: ask another administrator to add it.")
        )
    return core.set_space_members(actor=actor, space=space, add=add, remove=remove)
