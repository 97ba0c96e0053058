"""Writes of space grants (a person's membership of a space for a while: a deployed
expert's access to the request's space), audited. Kept apart from ``services`` for its size;
the capability that grants checks the actor's right first."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .context import Actor
from .models import Classification, Space, SpaceGrant, User


def grant_space(
    *, actor: Actor, user: User, space: Space, starts_at, ends_at, reason: str, subject=None
) -> SpaceGrant:
    """Make ``user`` a member of ``space`` from ``starts_at`` until ``ends_at`` (a deployed
    expert's access), audited on ``subject`` (the record that grants it, whose readers see the
    entry). The caller has checked the actor's right to grant it."""
    grant = SpaceGrant(
        user=user, space=space, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
    )
    grant.full_clean()
    if grant.ends_at <= grant.starts_at:
        raise ValidationError({"ends_at": _("The access ends before it starts.")})
    grant.save()
    audit.record(
        actor,
        "create",
        grant,
        audit.diff(None, audit.snapshot(grant)),
        **(
            {"subject": subject}
            if subject is not None
            else {"classification": Classification.INTERNAL}
        ),
    )
    user.forget_principal()
    return grant


def end_space_grants(*, actor: Actor, grants, reason: str, subject=None) -> int:
    """End ``grants`` now (deleted, each audited with ``reason``); returns how many."""
    n = 0
    for grant in list(grants):
        before = audit.snapshot(grant)
        pk = grant.pk
        grant.delete()
        grant.pk = pk
        audit.record(
            actor,
            "delete",
            grant,
            {**audit.diff(before, None), "reason": [None, reason]},
            object_id=pk,
            **(
                {"subject": subject}
                if subject is not None
                else {"classification": Classification.INTERNAL}
            ),
        )
        n += 1
    return n


@transaction.atomic
def expire_space_grants(now=None) -> int:
    """Remove the grants whose time is over (they already gave no access), audited."""
    now = now or timezone.now()
    return end_space_grants(
        actor=Actor.system("space-grant-expiry"),
        grants=SpaceGrant.objects.filter(ends_at__lte=now).select_for_update(),
        reason=_("The granted time is over."),
    )
