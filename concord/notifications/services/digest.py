"""E-mail digests: what changed in what a person follows, as they may see it at send time.

Each notification is e-mailed at most once: a digest first claims the person's unread,
unclaimed notifications (``mailed_at``, in one committed transaction, rows locked so two
senders never claim the same ones), then words them for the reader as they may see them at
that moment, then sends. A crash after the claim and before the send loses that digest
rather than sending it twice; a notification the reader may not see at send time is claimed
and never sent.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import access
from ..models import Frequency, Notification, Preference

log = logging.getLogger(__name__)
EVERY = {
    Frequency.IMMEDIATE: dt.timedelta(0),
    Frequency.DAILY: dt.timedelta(days=1),
    Frequency.WEEKLY: dt.timedelta(days=7),
}
MOST = 200  # notifications in one e-mail (the rest go in the next)


def due(pref: Preference, now) -> bool:
    if pref.frequency not in EVERY:
        return False
    return pref.last_sent_at is None or now - pref.last_sent_at >= EVERY[pref.frequency]


def _claim(user, now) -> list[Notification]:
    with transaction.atomic():
        qs = Notification.objects.filter(
            user=user, mailed_at__isnull=True, read_at__isnull=True
        ).order_by("entry_id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        rows = list(qs[:MOST])
        if rows:
            Notification.objects.filter(pk__in=[n.pk for n in rows], mailed_at__isnull=True).update(
                mailed_at=now
            )
        Preference.objects.filter(user=user).update(last_sent_at=now)
    return rows


def site_url() -> str:
    return getattr(settings, "CONCORD_SITE_URL", "") or "http://localhost:8000"


def language_of(user) -> str:
    """The language ``user`` reads their e-mails in: their account's, else the default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def compose(user, items: list[access.Shown]) -> tuple[str, str]:
    """The e-mail's subject and body, in the current language (``send_digest`` sets the
    reader's; ``items`` worded in it too)."""
    n = len(items)
    subject = ngettext(
        "Concord: %(count)s change to what you follow",
        "Concord: %(count)s changes to what you follow",
        n,
    ) % {"count": n}
    lines = [
        _("Hello %(name)s,") % {"name": user.get_username()},
        "",
        ngettext(
            "%(count)s change to what you follow, as you may see them now:",
            "%(count)s changes to what you follow, as you may see them now:",
            n,
        )
        % {"count": n},
        "",
    ]
    for s in items:
        where = f" {site_url()}{s.url}" if s.url else ""
        when = timezone.localtime(s.at).strftime("%Y-%m-%d %H:%M")
        line = _("- %(action)s: %(title)s (%(why)s), %(when)s by %(actor)s.") % {
            "action": s.action,
            "title": s.title,
            "why": s.why,
            "when": when,
            "actor": s.actor,
        }
        lines.append(line + where)
    lines += [
        "",
        _("All your notifications: %(url)s") % {"url": f"{site_url()}/notifications/"},
        _("Change how often you get this e-mail: %(url)s")
        % {"url": f"{site_url()}/notifications/settings/"},
    ]
    return subject, "\n".join(lines)


def send_digest(user, now=None) -> int:
    """Claim and send ``user``'s digest now; returns how many changes it told."""
    now = now or timezone.now()
    rows = _claim(user, now)
    if not rows:
        return 0
    rows = list(
        Notification.objects.filter(pk__in=[n.pk for n in rows])
        .select_related("entry")
        .order_by("-entry_id")
    )
    # Worded in the reader's language, with what they may see at send time (never at creation).
    with translation.override(language_of(user)):
        items = access.shown(user, rows)
        if not items or not user.email:
            return 0
        subject, body = compose(user, items)
    send_mail(subject, body, None, [user.email])
    return len(items)


def send_digests(now=None, *, force: bool = False) -> list[tuple[str, int]]:
    """Send every digest that is due (``force``: every digest, due or not); returns
    (username, changes told) for each one sent."""
    now = now or timezone.now()
    sent = []
    prefs = Preference.objects.exclude(frequency=Frequency.NONE).select_related("user")
    for pref in prefs.filter(user__is_active=True).order_by("pk"):
        if not force and not due(pref, now):
            continue
        try:
            told = send_digest(pref.user, now)
        except Exception:  # one person's failure does not stop the others
            log.exception("digest for %s failed", pref.user.get_username())
            continue
        if told:
            sent.append((pref.user.get_username(), told))
    return sent
