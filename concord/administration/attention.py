"""What administration puts on the home page: invitations a manager sent that are about to
expire, or expired unaccepted (so that the colleague is invited again, or not)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from concord.core.capabilities import Attention

from . import access
from .models import Invitation

SOON = dt.timedelta(days=2)
RECENT = dt.timedelta(days=14)


def invitations(user, limit: int) -> list[Attention]:
    if not access.manages_an_organisation(user):
        return []
    now = timezone.now()
    managed = access.managed_organisations(user)
    qs = (
        Invitation.objects.filter(
            organisation__in=managed,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__lt=now + SOON,
            expires_at__gt=now - RECENT,
        )
        .select_related("organisation")
        .order_by("expires_at")[: limit + 1]
    )
    members = reverse("administration:members")
    items = []
    for i in qs:
        expired = i.expires_at <= now
        items.append(
            Attention(
                group="Invitations",
                title=f"{i.email} to {i.organisation.acronym or i.organisation.name} ({i.role})",
                url=f"{members}?organisation={i.organisation_id}",
                why=(
                    f"expired unaccepted on {i.expires_at:%Y-%m-%d}: invite again if still wanted"
                    if expired
                    else f"not accepted yet; expires on {i.expires_at:%Y-%m-%d %H:%M}"
                ),
                when=i.expires_at,
                urgent=not expired,
            )
        )
    return items
