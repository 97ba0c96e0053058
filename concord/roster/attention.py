"""The roster's part of the home page (``Capability.attention``): the open requests an
editor of their owner moves along, each with where its 72-hour clock waits; and, for a
manager, the conflicts held for a waiver (those they did not propose)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.capabilities import Attention
from concord.core.models import Role

from . import access, loaders
from .models import CandidateState, ExpertRequest, Grade, RequestState


def on_the_clock(user, limit: int) -> list[Attention]:
    if user is None or not user.is_authenticated:
        return []
    principal = user.principal()
    editing = principal.orgs_with_role(Role.EDITOR)
    if not editing:
        return []
    managing = set(principal.orgs_with_role(Role.MANAGER))
    labels = loaders.step_labels()
    items = []
    requests = ExpertRequest.objects.visible_to(user).filter(
        state=RequestState.OPEN, owner__in=editing
    )
    for r in requests.order_by("received_at", "pk")[: limit + 1]:
        c = loaders.clock_of(r)
        items.append(
            Attention(
                group=_("Requests for experts on the clock"),
                title=r.title,
                url=r.get_absolute_url(),
                why=c.words(labels),
                when=r.received_at.date(),
                urgent=c.late,
            )
        )
        if r.owner_id in managing:
            held = access.visible_candidates(r, user).filter(
                state=CandidateState.HELD, grade=Grade.WAIVABLE, waived_by__isnull=True
            )
            held = held.exclude(proposed_by=user)
            if held.exists():
                items.append(
                    Attention(
                        group=_("Conflicts of interest waiting for a waiver"),
                        title=r.title,
                        url=r.get_absolute_url(),
                        why=_(
                            "A waivable conflict holds an expert back: waive it in writing, or not."
                        ),
                        when=timezone.localdate(),
                        urgent=True,
                    )
                )
    return items[: limit + 1]
