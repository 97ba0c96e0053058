"""What administration puts on the home page: invitations a manager sent that are about to
expire, or expired unaccepted (so that the colleague is invited again, or not)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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
        organisation = i.organisation.acronym or i.organisation.name
        role = str(i.get_role_display()).lower()
        items.append(
            Attention(
                group=_("Invitations"),
                title=_("%(email)s to %(organisation)s (%(role)s)")
                % {"email": i.email, "organisation": organisation, "role": role},
                url=f"{members}?organisation={i.organisation_id}",
                why=(
                    _("expired unaccepted on %(date)s: invite again if still wanted")
                    % {"date": f"{i.expires_at:%Y-%m-%d}"}
                    if expired
                    else _("not accepted yet; expires on %(when)s")
                    % {"when": f"{i.expires_at:%Y-%m-%d %H:%M}"}
                ),
                when=i.expires_at,
                urgent=not expired,
            )
        )
    return items
