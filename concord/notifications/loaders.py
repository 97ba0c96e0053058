"""The home page's part from notifications: recent changes to what the user follows, as
they may see them now."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concord.core.capabilities import Attention

from . import access
from .models import Follow, Notification

GROUP = gettext_lazy("Changes to what you follow")


def recent_changes(user, limit: int) -> list[Attention]:
    """Unread notifications the user may see now, newest first (at most ``limit`` + 1); if
    they follow nothing, one item saying how to start, worded in the current language. Kept
    until anything changes (``access.memo``, by language)."""
    if user is None or not user.is_authenticated:
        return []
    return access.memo(user, f"recent{limit}", lambda: _recent(user, limit))  # untranslated: a key


def _recent(user, limit: int) -> list[Attention]:
    qs = Notification.objects.filter(read_at__isnull=True)
    items, more = access.visible_page(user, qs, limit * 5)
    # One line per record: its latest change, and how many more there were.
    latest: dict[tuple[str, str], list] = {}
    for s in items:
        key = (s.notification.entry.model, s.notification.entry.object_id)
        latest.setdefault(key, []).append(s)
    out = []
    group = str(GROUP)
    for changes in latest.values():
        s = changes[0]
        words = {"action": s.action, "actor": s.actor, "why": s.why, "count": len(changes) - 1}
        if len(changes) > 1:
            why = ngettext(
                "%(action)s by %(actor)s, %(why)s (%(count)s earlier change)",
                "%(action)s by %(actor)s, %(why)s (%(count)s earlier changes)",
                len(changes) - 1,
            )
        else:
            why = _("%(action)s by %(actor)s, %(why)s")
        out.append(
            Attention(
                group=group,
                title=s.title,
                url=s.url or "/notifications/",
                why=why % words,
                when=s.at,
            )
        )
    out = out[: limit + 1]
    if more and len(out) <= limit:
        out.append(out[-1])  # only says "more than limit": never shown
    if not out and not Follow.objects.filter(user=user).exists():
        out.append(
            Attention(
                group=group,
                title=_("You follow nothing yet"),
                url="/operations/",
                why=_(
                    "Follow an operation, a country or a record from its page (the Follow "
                    "button) to see its changes here."
                ),
            )
        )
    return out
