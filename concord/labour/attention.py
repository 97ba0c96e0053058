"""Labour's part of the home page (``Capability.attention``): open gaps, overlaps and
clashes today in the countries the user follows and where the operations they follow are
deployed, as the user may see them (the analysis runs on what they may see, as on the
analysis page). A finding reviewed as resolved is left out.

The analysis is the costliest part of the home page, so its result is kept for a few
minutes, keyed by the reader (their memberships and clearance), the day, what they follow
and the audit trail's last entry: any change to any record, or to who the reader is, makes
a new key. The items hold words, so the key holds the reader's language too."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.capabilities import Attention
from concord.core.models import AuditHead, Country
from concord.operations.models import Operation

from . import loaders

KINDS = ("gap", "overlap", "clash")
GROUPS = {
    "gap": gettext_lazy("Gaps in what you follow"),
    "overlap": gettext_lazy("Overlaps in what you follow"),
    "clash": gettext_lazy("Clashes in what you follow"),
}
CACHE_SECONDS = 300


def _followed(user) -> tuple[dict[str, str], dict[str, str]]:
    """({alpha3: why}, {alpha3: country name}) for the countries in what ``user`` follows
    (why: the sentence the home page shows, in the reader's language)."""
    Follow = apps.get_model("notifications", "Follow")
    rows = list(
        Follow.objects.filter(
            user=user, model__in=("core.country", "operations.operation")
        ).values_list("model", "object_id")
    )
    country_ids = [int(i) for m, i in rows if m == "core.country" and i.isdigit()]
    op_ids = [int(i) for m, i in rows if m == "operations.operation" and i.isdigit()]
    why: dict[str, str] = {}
    names: dict[str, str] = {}
    for country in Country.objects.filter(pk__in=country_ids):
        a3, name = country.alpha3, country.local_name
        why[a3] = _("Open today in %(country)s, a country you follow.") % {"country": name}
        names[a3] = name
    ops = Operation.objects.visible_to(user).filter(pk__in=op_ids)
    for op in ops.prefetch_related("host_countries"):
        for c in op.host_countries.all():
            names[c.alpha3] = c.local_name
            why.setdefault(
                c.alpha3,
                _("Open today in %(country)s, where %(operation)s, an operation you follow, is.")
                % {"country": c.local_name, "operation": op},
            )
    return why, names


def _key(user, limit: int) -> str:
    """The reader (memberships, spaces, clearance), the day and the audit trail's last entry
    (a follow, like any change to any record, is audited: a new entry, a new key)."""
    p = user.principal()
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    raw = repr(
        (
            p.user_id,
            p.clearance,
            sorted(p.roles.items()),
            sorted(p.space_ids),
            head,
            limit,
            translation.get_language(),
        )
    )
    digest = hashlib.sha256(f"{raw}{timezone.localdate()}".encode()).hexdigest()
    return f"labour-attention:{digest}"  # untranslated: a cache key


def open_findings(user, limit: int) -> list[Attention]:
    if user is None or not user.is_authenticated:
        return []
    key = _key(user, limit)
    found = cache.get(key)
    if found is None:
        why, _names = _followed(user)
        found = _findings(user, why, limit) if why else []
        cache.set(key, found, CACHE_SECONDS)
    return found


def _findings(user, why: dict[str, str], limit: int) -> list[Attention]:
    today = timezone.localdate()
    run = loaders.run(user, loaders.Scope(countries=sorted(why), start=today, end=today), KINDS)
    open_ = [
        f
        for f in run.findings
        if not (f.key in run.reviews and run.reviews[f.key].status == "resolved")
    ]
    out = []
    base = reverse("labour:analysis")
    for f in open_[: limit + 1]:
        a3 = run.world.country(f.place) if f.place is not None else ""
        text = loaders.explain(f, run.names)
        out.append(
            Attention(
                group=str(GROUPS[f.kind]),
                title=text if len(text) <= 160 else text[:157] + "…",
                url=f"{base}?country={a3}" if a3 else base,
                why=why.get(a3) or _("Open today in what you follow."),
                when=f.start,
                urgent=f.kind == "clash",
            )
        )
    return out
