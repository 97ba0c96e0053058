"""Learning's part of the home page (``Capability.attention``): new operations of the
organisations a planner edits for that have relevant lessons nobody has answered yet
(applied, not applicable or deferred). Kept per reader until anything changes
(``core.memo``): ranking is the costly part."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concord.core.capabilities import Attention
from concord.core.memo import per_reader
from concord.core.models import Role
from concord.operations.models import Operation

from . import loaders

NEW_DAYS = 730  # an operation planned, or started within two years, is new


def new_operations(user, today: dt.date):
    """The operations ``user`` may see that are new and that an organisation they edit for
    owns, leads or frames."""
    editing = user.principal().orgs_with_role(Role.EDITOR)
    if not editing:
        return Operation.objects.none()
    return (
        Operation.objects.visible_to(user)
        .filter(
            Q(owner__in=editing)
            | Q(lead_organisation__in=editing)
            | Q(framework_organisation__in=editing)
        )
        .filter(Q(start__gte=today - dt.timedelta(days=NEW_DAYS)) | Q(start__gt=today))
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .order_by("-start", "pk")
    )


def _items(user, limit: int) -> list[Attention]:
    today = timezone.localdate()
    items = []
    for op in new_operations(user, today)[: limit + 1]:
        waiting = loaders.undispositioned(op, user, today)
        if not waiting:
            continue
        items.append(
            Attention(
                group=_("Lessons to answer for new operations"),
                title=str(op),
                url=reverse("learning:operation_lessons", kwargs={"pk": op.pk}),
                why=ngettext(
                    "%(n)s relevant lesson has no disposition yet: say whether it was "
                    "applied, is not applicable or is deferred.",
                    "%(n)s relevant lessons have no disposition yet: say whether each was "
                    "applied, is not applicable or is deferred.",
                    len(waiting),
                )
                % {"n": len(waiting)},
                when=op.start,
            )
        )
    return items[: limit + 1]


def undispositioned(user, limit: int) -> list[Attention]:
    if user is None or not user.is_authenticated:
        return []
    key = f"learning:attention:{limit}"  # untranslated: a cache key
    return per_reader(user, key, lambda: _items(user, limit))
