"""What a reader may see of follows and notifications, decided when they are shown or sent.

A notification stores only (user, audit entry). Each time it is shown (the list, the unread
count, the home page, an e-mail digest) it is checked again:

- the reader could see the record on both sides of the change (the entry's scope, as the
  History tab checks it: ``concord.core.history.entry_visible``), and
- the record as it is now is visible to the reader (``visible_to``; for a part of a record,
  such as a tranche's decision, the record it belongs to), or it was deleted;

and it is worded with no more than the title the reader may see now (``str`` of the record
read through ``visible_to``; for a deleted record, its title when it was deleted, which the
reader could see then). A record reclassified between the change and the reading is gone
from the list, the count and the digest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from concord.core.history import entry_visible
from concord.core.memo import per_reader
from concord.core.models import AuditEntry, Country, ScopedModel, Space
from concord.core.numbers import record_id

from .models import COUNTRY, SPACE, Follow, Notification

ACTIONS = {
    "create": pgettext_lazy("notification", "Created"),
    "update": pgettext_lazy("notification", "Changed"),
    "delete": pgettext_lazy("notification", "Deleted"),
}
MEMO_SECONDS = 300


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _has_page(model) -> bool:
    try:
        reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail", args=[1])
    except NoReverseMatch:
        return False
    return True


def followable(label: str):
    """The model a follow of ``label`` names, or None: a scoped record with a page, a
    country or a coordination space."""
    model = _model(label)
    if model is None:
        return None
    if model in (Country, Space):
        return model
    if issubclass(model, ScopedModel) and _has_page(model):
        return model
    return None


@dataclass
class Target:
    model: str
    object_id: str
    title: str
    url: str
    kind: str  # "record" · "operation" · "country" · "space"


def _kind(label: str) -> str:
    if label == COUNTRY:
        return "country"
    if label == SPACE:
        return "space"
    return "operation" if label == "operations.operation" else "record"


def _titles(user, label: str, ids) -> dict[str, tuple[str, str]]:
    """{object id: (title, url)} of the ``label`` records among ``ids`` that ``user`` may
    see now."""
    model = followable(label)
    if model is None:
        return {}
    keys = [k for k in (record_id(i) for i in ids) if k is not None]
    qs = model.objects.visible_to(user).filter(pk__in=keys)
    if model is Country:
        return {str(c.pk): (c.local_name, f"/countries/{c.alpha3}/") for c in qs}
    if model is Space:
        spaces = reverse("core:space_list")
        return {str(s.pk): (s.name, f"{spaces}#space-{s.pk}") for s in qs}
    return {str(o.pk): (str(o), o.get_absolute_url()) for o in qs}


def target(user, label: str, object_id) -> Target:
    """The thing ``user`` wants to follow, if it may be followed and they may see it; a
    thing they may not see looks absent, like one that does not exist."""
    if followable(label) is None:
        raise ValidationError(
            {
                "model": _("%(label)s cannot be followed: follow a record, a country or a space.")
                % {"label": repr(label)}
            }
        )
    found = _titles(user, label, [object_id]).get(str(object_id))
    if found is None:
        raise Http404(_("Nothing to follow with that id, or you may not see it."))
    return Target(label, str(object_id), found[0], found[1], _kind(label))


def visible_follows(user, follows) -> list[tuple[Follow, Target]]:
    """The follows among ``follows`` whose subject ``user`` may still see, with its title."""
    by_label: dict[str, list[Follow]] = {}
    for f in follows:
        by_label.setdefault(f.model, []).append(f)
    titles = {
        label: _titles(user, label, [f.object_id for f in rows]) for label, rows in by_label.items()
    }
    out = []
    for f in follows:
        found = titles[f.model].get(f.object_id)
        if found is not None:
            out.append((f, Target(f.model, f.object_id, found[0], found[1], _kind(f.model))))
    return out


def access_follow(user, pk) -> Follow:
    """One of ``user``'s own follows whose subject they may still see (else 404)."""
    pk = record_id(pk)
    follow = Follow.objects.filter(user=user, pk=pk).first() if pk is not None else None
    if follow is None or not visible_follows(user, [follow]):
        raise Http404(_("No follow of yours with that id."))
    return follow


# --- notifications, as the reader may see them now --------------------------------------------


@dataclass
class Shown:
    notification: Notification
    title: str
    url: str
    action: str
    why: str
    at: object
    actor: str


def _subject_field(model):
    """For a part of a record (not scoped itself), the foreign key to the record it belongs
    to (a tranche decision's tranche), or None."""
    for f in model._meta.concrete_fields:
        if f.many_to_one and isinstance(f.related_model, type):
            if issubclass(f.related_model, ScopedModel):
                return f
    return None


class _Now:
    """The records the notifications are about, as the reader may see them now (one query
    per model)."""

    def __init__(self, user, entries: list[AuditEntry]):
        self.user = user
        self.visible: dict[tuple[str, str], object] = {}
        self.existing: set[tuple[str, str]] = set()
        by_model: dict[str, set[str]] = {}
        for e in entries:
            by_model.setdefault(e.model, set()).add(e.object_id)
        for label, ids in by_model.items():
            self._load(label, ids)

    def _load(self, label: str, ids: set[str]) -> None:
        model = _model(label)
        if model is None:
            return
        keys = [k for k in (record_id(i) for i in ids) if k is not None]
        existing = set(model._base_manager.filter(pk__in=keys).values_list("pk", flat=True))
        self.existing |= {(label, str(pk)) for pk in existing}
        if issubclass(model, ScopedModel):
            for obj in model.objects.visible_to(self.user).filter(pk__in=keys):
                self.visible[(label, str(obj.pk))] = (obj, obj.get_absolute_url())
            return
        subject = _subject_field(model)
        if subject is None:
            return  # accounts, spaces, memberships: never notified about (see fanout)
        parts = model._base_manager.filter(pk__in=keys).select_related(subject.name)
        parent = subject.related_model
        seen = set(
            parent.objects.visible_to(self.user)
            .filter(pk__in=[getattr(p, subject.attname) for p in parts])
            .values_list("pk", flat=True)
        )
        for p in parts:
            parent_id = getattr(p, subject.attname)
            if parent_id in seen:
                url = getattr(p, subject.name).get_absolute_url()
                self.visible[(label, str(p.pk))] = (p, url)

    def get(self, entry: AuditEntry):
        """(title, url) the reader may see now, or None to leave the notification out."""
        key = (entry.model, entry.object_id)
        if key in self.visible:
            obj, url = self.visible[key]
            return str(obj), url
        if key in self.existing:
            return None  # it exists and the reader may not see it now
        # Deleted since: only if the reader could see it when it was deleted (its last
        # entry), under its title then, with no address.
        last = (
            AuditEntry.objects.filter(model=entry.model, object_id=entry.object_id)
            .order_by("-seq")
            .first()
        )
        if last is not None and entry_visible(last, self.user.principal()):
            return last.object_repr, ""
        return None


def _why(n: Notification, follows: dict[int, Target]) -> str:
    t = follows.get(n.follow_id) if n.follow_id else None
    if t is None:
        return _("about something you follow")
    if t.kind == "country":
        return _("in %(title)s, a country you follow") % {"title": t.title}
    if t.kind == "space":
        return _("shared with %(title)s, a space you follow") % {"title": t.title}
    if t.kind == "operation":
        return _("about %(title)s, an operation you follow") % {"title": t.title}
    return _("about %(title)s, which you follow") % {"title": t.title}


def shown(user, notifications) -> list[Shown]:
    """The notifications among ``notifications`` that ``user`` may see now, worded for them
    (in the order given), in the current language."""
    notifications = list(notifications)
    if user is None or not user.is_authenticated or not notifications:
        return []
    principal = user.principal()
    entries = [n.entry for n in notifications]
    visible_entries = {e.seq for e in entries if entry_visible(e, principal)}
    now = _Now(user, [e for e in entries if e.seq in visible_entries])
    follows = {
        f.pk: t
        for f, t in visible_follows(
            user, Follow.objects.filter(pk__in={n.follow_id for n in notifications} - {None})
        )
    }
    out = []
    for n in notifications:
        e = n.entry
        if e.seq not in visible_entries:
            continue
        found = now.get(e)
        if found is None:
            continue
        title, url = found
        out.append(
            Shown(
                n,
                title,
                url,
                str(ACTIONS[e.action]) if e.action in ACTIONS else e.action.capitalize(),
                _why(n, follows),
                e.at,
                e.actor_label,
            )
        )
    return out


def memo(user, name: str, compute):
    """``compute()`` kept per reader (``core.memo``), and until their newest notification
    changes (a follow or what was read)."""
    newest = (
        Notification.objects.filter(user=user).order_by("-pk").values_list("pk", flat=True).first()
    )
    key = f"notifications:{name}"  # untranslated: a cache key
    return per_reader(user, key, compute, extra=(newest,), seconds=MEMO_SECONDS)


def unread(user, cap: int = 99, chunk: int = 200) -> tuple[int, bool]:
    """(count, more): how many unread notifications ``user`` may see now, up to ``cap``
    (``more``: there are more than ``cap``). Newest first, in chunks, stopping at the cap;
    kept (``memo``) until anything changes."""
    if user is None or not user.is_authenticated:
        return 0, False
    return memo(user, f"unread{cap}", lambda: _unread(user, cap, chunk))  # untranslated: a key


def _unread(user, cap: int, chunk: int) -> tuple[int, bool]:
    qs = (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .select_related("entry")
        .defer("entry__changes")
    )
    count, last = 0, None
    while True:
        page = qs.filter(entry_id__lt=last) if last is not None else qs
        rows = list(page.order_by("-entry_id")[:chunk])
        if not rows:
            return count, False
        count += len(shown(user, rows))
        if count > cap:
            return cap, True
        if len(rows) < chunk:
            return count, False
        last = rows[-1].entry_id


def visible_page(user, qs, limit: int, after: int | None = None) -> tuple[list[Shown], bool]:
    """Up to ``limit`` notifications of ``qs`` that ``user`` may see now, newest first,
    older than entry ``after``; and whether there are more."""
    qs = qs.filter(user=user).select_related("entry").defer("entry__changes")
    qs = qs.order_by("-entry_id")
    out: list[Shown] = []
    last = after
    while len(out) <= limit:
        page = qs.filter(entry_id__lt=last) if last is not None else qs
        rows = list(page[: max(limit * 2, 50)])
        if not rows:
            break
        out += shown(user, rows)
        last = rows[-1].entry_id
        if len(rows) < max(limit * 2, 50):
            break
    return out[:limit], len(out) > limit
