"""From the audit trail to receivers.

1. **Fan-out** (:func:`fan_out`): read the entries after the dispatcher's :class:`Cursor`
   (the row is locked, so two workers never take the same range), and make one
   :class:`Delivery` per webhook and entry it matches. The pair is unique: making it twice
   is a no-op, and its key (``evt_<webhook>_<seq>``) travels as the idempotency key.
2. **Sending** (:func:`send_due`): claim due deliveries of active webhooks (an UPDATE that
   only one worker can win per row), decide at that moment what the owning user may see
   (:mod:`payload`), sign, send a few at once, and record each attempt. A failure is
   retried after 1, 2, 4, 8, 16 minutes (``CONCORD_WEBHOOK_BACKOFF``), then the delivery is
   failed; after ``CONCORD_WEBHOOK_PAUSE_AFTER`` consecutive failed attempts the webhook is
   paused and its owner told.

:data:`concord.core.audit.recorded` starts a dispatch as soon as a write commits; the
capability's schedule runs one every minute for anything missed (and for retries that are
due). A delivery left "sending" by a crashed worker is taken again after a while: receivers
may get a delivery twice then, never with another key.

The notes it writes (a delivery's, an attempt's error, why a webhook was paused) are written
by the system, in the platform's language (``LANGUAGE_CODE``), whichever request started the
dispatch; the e-mail to a webhook's owner is in the owner's language.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from concord.core.history import entry_visible
from concord.core.models import AuditEntry, Role, User

from . import conf, events, payload, sender, signing
from .models import ACTIONS, Attempt, Cursor, Delivery, DeliveryState, Webhook

log = logging.getLogger(__name__)
BATCH = 1000
NOT_VISIBLE = gettext_lazy("skipped: not visible")
UNMANAGED = gettext_lazy("skipped: its owner may no longer manage the organisation's webhooks")
_local = threading.local()


def on_recorded(sender=None, last_seq=None, **kwargs) -> None:
    """After a commit that wrote audit entries: dispatch now (a hint; never raises into the
    writer's request, whose change is already committed)."""
    if getattr(_local, "busy", False):
        return  # a write made while dispatching (a pause): the running dispatch goes on
    try:
        if not Webhook.objects.exists():
            return
        from . import tasks

        tasks.dispatch.enqueue()
    except DatabaseError:  # the table may not exist yet (migrating)
        log.debug("webhooks: no dispatch", exc_info=True)
    except Exception:  # noqa: BLE001  (the writer's change is committed: never fail it)
        log.exception("webhooks: dispatch could not start")


def run() -> dict:
    """One dispatch: fan out everything new, then send what is due."""
    if getattr(_local, "busy", False):
        return {"fanned_out": 0, "sent": 0}
    _local.busy = True
    try:
        with translation.override(settings.LANGUAGE_CODE):
            made = fan_out()
            sent = send_due()
        return {"fanned_out": made, "sent": sent}
    finally:
        _local.busy = False


def fan_out(batch: int = BATCH) -> int:
    made = 0
    while True:
        count, more = _fan_out_once(batch)
        made += count
        if not more:
            return made


def _fan_out_once(batch: int) -> tuple[int, bool]:
    with transaction.atomic():
        cursor = Cursor.objects.select_for_update().filter(id=1).first()
        if cursor is None:
            Cursor.objects.get_or_create(id=1)
            cursor = Cursor.objects.select_for_update().get(id=1)
        entries = list(
            AuditEntry.objects.filter(seq__gt=cursor.seq, seq__lte=cursor.seq + batch).order_by(
                "seq"
            )
        )
        if not entries:
            return 0, False
        hooks = list(Webhook.objects.filter(since_seq__lt=entries[-1].seq).select_related("owner"))
        rows = []
        places = {}
        for entry in entries:
            if entry.action not in ACTIONS:
                continue
            for hook in hooks:
                if not events.hears(hook, entry):
                    continue
                where = places.setdefault(hook.owner_id, events.Places(hook.owner))
                if events.matches(hook, entry, where):
                    rows.append(
                        Delivery(
                            webhook=hook,
                            seq=entry.seq,
                            key=Delivery.key_for(hook.pk, entry.seq),
                            model=entry.model,
                            action=entry.action,
                            object_id=str(entry.object_id),
                        )
                    )
        Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        cursor.seq = entries[-1].seq
        cursor.save(update_fields=["seq"])
    return len(rows), len(entries) == batch


# --- sending -------------------------------------------------------------------------------


def _stale() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=conf.timeout() * 3 + 60)


def claim(limit: int, only: int | None = None) -> list[Delivery]:
    """Take up to ``limit`` due deliveries (``only``: that one, even for a paused webhook:
    a ping) for this worker."""
    now = timezone.now()
    token = uuid.uuid4().hex
    Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=_stale()).update(
        state=DeliveryState.PENDING
    )
    due = Delivery.objects.filter(state=DeliveryState.PENDING)
    if only is not None:
        due = due.filter(pk=only)
    else:
        due = due.filter(webhook__active=True).exclude(next_attempt_at__gt=now)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, claimed_at=now, claim=token
    )
    return list(
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.SENDING, claim=token)
        .select_related("webhook", "webhook__organisation")
        .order_by("pk")
    )


def send_due(limit: int = BATCH, only: int | None = None) -> int:
    with translation.override(settings.LANGUAGE_CODE):  # the system's notes
        return _send_due(limit, only)


def _send_due(limit: int, only: int | None) -> int:
    sent = 0
    while True:
        batch = claim(limit, only)
        if not batch:
            return sent
        send(batch)
        sent += len(batch)
        if only is not None:
            return sent


class _Owners:
    """The owning users as they are now (their clearance and memberships at delivery)."""

    def __init__(self, ids):
        self.users = User.objects.in_bulk(set(ids))
        self.places: dict[int, events.Places] = {}

    def may_manage(self, hook: Webhook) -> bool:
        user = self.users.get(hook.owner_id)
        return bool(
            user
            and user.is_active
            and user.principal().roles.get(hook.organisation_id) == Role.MANAGER
        )


def _decide(batch, owners: _Owners, entries: dict):
    """(delivery, entry, user, why not) for each delivery, before reading any record."""
    out = []
    for d in batch:
        hook = d.webhook
        if not owners.may_manage(hook):
            out.append((d, None, None, UNMANAGED))
            continue
        user = owners.users[hook.owner_id]
        if d.is_ping:
            out.append((d, None, user, ""))
            continue
        entry = entries.get(d.seq)
        places = owners.places.setdefault(user.pk, events.Places(user))
        if entry is None or not events.matches(hook, entry, places):
            out.append((d, None, None, gettext("skipped: no longer matches the webhook")))
        elif not entry_visible(entry, user.principal()):
            out.append((d, None, None, NOT_VISIBLE))
        else:
            out.append((d, entry, user, ""))
    return out


def _prepare(batch, owners: _Owners):
    """(delivery, body or None, why not) for each delivery, decided now: the records are
    read once per record type and owning user, as that user gets them from the API."""
    entries = AuditEntry.objects.in_bulk(
        [d.seq for d in batch if d.seq is not None], field_name="seq"
    )
    decided = _decide(batch, owners, entries)
    wanted: dict = {}
    for _, entry, user, _ in decided:
        if entry is not None and entry.action != "delete":
            wanted.setdefault((entry.model, user.pk), set()).add(str(entry.object_id))
    shown = {
        key: payload.representations(key[0], ids, owners.users[key[1]])
        for key, ids in wanted.items()
    }
    out = []
    for d, entry, user, why in decided:
        if why:
            out.append((d, None, why))
        elif entry is None:
            out.append((d, payload.ping_body(d), ""))
        else:
            record = shown.get((entry.model, user.pk), {}).get(str(entry.object_id))
            try:
                out.append((d, payload.event_body(d, entry, user, shown=record), ""))
            except payload.NotVisible:
                out.append((d, None, NOT_VISIBLE))
    return out


def _request(d: Delivery, body: dict):
    raw = payload.encode(body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Concord-Webhooks/1",
        signing.HEADER: signing.header(d.webhook.secret, raw),
        "Concord-Delivery": d.key,
        "Idempotency-Key": d.key,
        "Concord-Event": body.get("type", ""),
    }
    return sender.post(d.webhook.url, raw, headers, conf.timeout())


def send(batch: list[Delivery]) -> None:
    owners = _Owners(d.webhook.owner_id for d in batch)
    prepared = _prepare(batch, owners)
    to_send = [(d, body) for d, body, _ in prepared if body is not None]
    workers = min(conf.concurrency(), max(1, len(to_send)))
    if workers == 1:
        outcomes = [_request(d, body) for d, body in to_send]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(lambda pair: _request(*pair), to_send))
    results = {d.pk: o for (d, _), o in zip(to_send, outcomes, strict=True)}
    _record(prepared, results)


def _record(prepared, results) -> None:
    now = timezone.now()
    attempts, updated, streak = [], [], {}
    unmanaged = {}
    for d, body, why in prepared:
        d.claimed_at = None
        if body is None:
            d.state, d.note, d.finished_at = DeliveryState.SKIPPED, str(why), now
            if why == UNMANAGED:
                unmanaged[d.webhook_id] = d.webhook
            updated.append(d)
            continue
        outcome = results[d.pk]
        attempts.append(
            Attempt(
                delivery=d,
                at=now,
                status_code=outcome.status_code,
                duration_ms=outcome.duration_ms,
                error=outcome.error[:500],
            )
        )
        d.attempts += 1
        d.status_code = outcome.status_code
        _after(d, outcome, now)
        updated.append(d)
        if not d.is_ping:
            streak.setdefault(d.webhook_id, []).append(outcome.ok)
    with transaction.atomic():
        Attempt.objects.bulk_create(attempts, batch_size=1000)
        _save_states(updated)
    for hook_id, oks in streak.items():
        _count_failures(hook_id, oks)
    for hook in unmanaged.values():
        from .services import pause_failing

        pause_failing(hook, _unmanaged)
    _schedule_retries(updated)


def _unmanaged() -> str:
    """Why a webhook is paused when its owner may no longer manage it (in the language of
    the moment: the system's for the webhook, its owner's for the e-mail)."""
    return gettext("its owning user may no longer manage the organisation's webhooks.")


STATE_FIELDS = ("state", "note", "finished_at", "attempts", "status_code", "next_attempt_at")


def _save_states(updated) -> None:
    """One UPDATE per set of identical outcomes (most of a batch: delivered, HTTP 200)."""
    groups: dict = {}
    for d in updated:
        groups.setdefault(tuple(getattr(d, f) for f in STATE_FIELDS), []).append(d.pk)
    for values, ids in groups.items():
        for i in range(0, len(ids), 500):
            Delivery.objects.filter(pk__in=ids[i : i + 500]).update(
                claimed_at=None, claim="", **dict(zip(STATE_FIELDS, values, strict=True))
            )


def _after(d: Delivery, outcome, now) -> None:
    if outcome.ok:
        d.state, d.note, d.finished_at, d.next_attempt_at = (DeliveryState.DELIVERED, "", now, None)
    elif d.is_ping or d.attempts >= conf.max_attempts():
        d.state, d.finished_at, d.next_attempt_at = DeliveryState.FAILED, now, None
        d.note = (
            ngettext(
                "failed after %(n)s attempt(s): %(error)s",
                "failed after %(n)s attempt(s): %(error)s",
                d.attempts,
            )
            % {"n": d.attempts, "error": outcome.error}
        )[:300]
    else:
        wait = conf.backoff() * 2 ** (d.attempts - 1)
        d.state, d.next_attempt_at = DeliveryState.PENDING, now + dt.timedelta(seconds=wait)
        d.note = (gettext("retrying: %(error)s") % {"error": outcome.error})[:300]


def _count_failures(hook_id: int, oks: list[bool]) -> None:
    """Consecutive failed attempts: a success resets the count; too many pause the webhook."""
    tail = 0
    for ok in reversed(oks):
        if ok:
            break
        tail += 1
    if tail < len(oks):  # a success in this batch: count only what failed after it
        Webhook.objects.filter(pk=hook_id).update(failures=tail)
    else:
        Webhook.objects.filter(pk=hook_id).update(failures=F("failures") + tail)
    hook = Webhook.objects.filter(pk=hook_id, active=True).first()
    if hook is not None and hook.failures >= conf.pause_after():
        from .services import pause_failing

        n = hook.failures

        def reason() -> str:
            return ngettext(
                "%(n)s consecutive failed attempt (the last: see its delivery log).",
                "%(n)s consecutive failed attempts (the last: see its delivery log).",
                n,
            ) % {"n": n}

        pause_failing(hook, reason)


def _schedule_retries(updated) -> None:
    """With a queue that can wait (the database backend), wake up when the first retry is
    due; otherwise the minute's sweep sends it."""
    times = [d.next_attempt_at for d in updated if d.state == DeliveryState.PENDING]
    if not times:
        return
    from . import tasks

    backend = tasks.dispatch.get_backend()
    if getattr(backend, "supports_defer", False):
        tasks.dispatch.using(run_after=min(times)).enqueue()
