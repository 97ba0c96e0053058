"""Who may manage whom: platform administrators every account; an organisation's managers
their own organisation's members, never above their own role or clearance.

Managing accounts gives no right to read records: nothing here widens ``visible_to``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from concord.core.models import Classification, Membership, Organisation, Role
from concord.core.models.security import ROLE_RANK


def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def managed_organisations(user):
    """The organisations whose members ``user`` manages (every one with members for an
    administrator), among those ``user`` may see."""
    if not (user and user.is_authenticated):
        return Organisation.objects.none()
    visible = Organisation.objects.visible_to(user)
    if user.is_superuser:
        return visible.filter(pk__in=Membership.objects.values("organisation_id"))
    return visible.filter(
        pk__in=Membership.objects.filter(user=user, role=Role.MANAGER).values("organisation_id")
    )


def may_manage_members(user, organisation) -> bool:
    """An administrator: any organisation they may see; a manager: their own."""
    if not (user and user.is_authenticated):
        return False
    if is_platform_admin(user):
        return Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists()
    return user.principal().roles.get(organisation.pk) == Role.MANAGER


def role_ceiling(user, organisation) -> str:
    """The highest role ``user`` may grant in ``organisation``."""
    if is_platform_admin(user):
        return Role.MANAGER
    return user.principal().roles.get(organisation.pk, Role.VIEWER)


def clearance_ceiling(user) -> int:
    """The highest clearance ``user`` may grant."""
    if is_platform_admin(user):
        return Classification.STRICTLY_CONFIDENTIAL
    return user.clearance


def check_grant(user, organisation, *, role: str | None = None, clearance: int | None = None):
    """Refuse a role or a clearance above the granter's own (field-named errors)."""
    if not may_manage_members(user, organisation):
        raise PermissionDenied(
            _("Only a manager of %(organisation)s may manage its members.")
            % {"organisation": organisation}
        )
    if role is not None and ROLE_RANK[role] > ROLE_RANK[role_ceiling(user, organisation)]:
        label = str(Role(role).label).lower()
        raise ValidationError(
            {
                "role": _("You may not grant '%(role)s': it is above your own role.")
                % {"role": label}
            }
        )
    if clearance is not None and clearance > clearance_ceiling(user):
        label = str(Classification(clearance).label).lower()
        raise ValidationError(
            {
                "clearance": _("You may not grant '%(clearance)s': it is above your own clearance.")
                % {"clearance": label}
            }
        )


def manages_an_organisation(user) -> bool:
    """Whether the Members menu shows: asked on every page, so a user who manages nowhere
    (most people) is answered from the roles already loaded, without a query."""
    if not (user and user.is_authenticated):
        return False
    if not user.is_superuser and Role.MANAGER not in user.principal().roles.values():
        return False
    return managed_organisations(user).exists()
