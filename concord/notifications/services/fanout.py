"""From the audit trail to notifications.

The fan-out reads audit entries after its own cursor, in ``seq`` order (the cursor row is
claimed with ``select_for_update``, so two fan-outs never read the same entries at once),
and creates one notification per (follower, entry) for the followers of

- the record itself,
- the records it points to (a tranche's decision: the tranche; an assignment: its
  operation, task, area…), but not its owner or its author,
- the countries it is in (its country, its area's country, its operations' host
  countries),
- the coordination spaces it is released to (before or after the change).

It stores no title and no content, and decides nothing about visibility: that is decided
when a notification is shown or sent (``concord.notifications.access``). Nobody is notified
of their own changes. Run on the audit trail's ``recorded`` signal (after commit) and by a
schedule, so a change missed by one run is picked up by the next; a crash mid-way rolls back
both the notifications and the cursor, and the unique (user, entry) pair makes a rerun
harmless.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.apps import apps
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from concord.core.models import AuditEntry, User

from ..models import COUNTRY, SPACE, Cursor, Follow, Frequency, Notification, Preference

log = logging.getLogger(__name__)
CURSOR = "notifications"
BATCH = 2000
NOT_ANCHORS = {"owner", "created_by", "reviewed_by", "decided_by", "proposed_by"}
AREA, OPERATION = "core.area", "operations.operation"


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _links(model):
    """(foreign keys, many-to-many fields) of ``model`` that make anchors."""
    fks, m2m = [], []
    for f in model._meta.concrete_fields:
        if f.many_to_one and f.name not in NOT_ANCHORS and f.related_model is not User:
            fks.append(f)
    for f in model._meta.many_to_many:
        if f.related_model._meta.label_lower in (COUNTRY, AREA, OPERATION):
            m2m.append(f)
    return fks, m2m


class Anchors:
    """What each entry is about: {seq: {(model label, object id)}}."""

    def __init__(self, entries: list[AuditEntry]):
        self.of: dict[int, set[tuple[str, str]]] = defaultdict(set)
        self.areas: set[int] = set()
        self.operations: set[int] = set()
        self._wants: dict[tuple[str, int], set[int]] = defaultdict(set)
        by_model: dict[str, list[AuditEntry]] = defaultdict(list)
        for e in entries:
            self.of[e.seq].add((e.model, e.object_id))
            self._spaces(e)
            by_model[e.model].append(e)
        for label, rows in by_model.items():
            model = _model(label)
            if model is not None:
                self._model(model, rows)
        self._derive()

    def _spaces(self, e: AuditEntry) -> None:
        for side in ((e.scope or {}).get("before"), (e.scope or {}).get("after")):
            if side and side.get("releasability") == "spaces":
                self.of[e.seq] |= {(SPACE, str(s)) for s in side.get("spaces") or ()}

    def _add(self, seq: int, label: str, value) -> None:
        if value in (None, ""):
            return
        self.of[seq].add((label, str(value)))

    def _model(self, model, rows: list[AuditEntry]) -> None:
        fks, m2m = _links(model)
        if not fks and not m2m:
            return
        ids = {int(e.object_id) for e in rows if e.object_id.isdigit()}
        current = {
            r["pk"]: r
            for r in model._base_manager.filter(pk__in=ids).values("pk", *(f.attname for f in fks))
        }
        lists: dict[tuple[str, int], list] = defaultdict(list)
        for f in m2m:
            through = f.remote_field.through
            src, dst = f"{f.m2m_field_name()}_id", f"{f.m2m_reverse_field_name()}_id"
            for a, b in through.objects.filter(**{f"{src}__in": ids}).values_list(src, dst):
                lists[(f.name, a)].append(b)
        for e in rows:
            pk = int(e.object_id) if e.object_id.isdigit() else None
            row = current.get(pk) or {}
            for f in fks:
                label = f.related_model._meta.label_lower
                values = [row.get(f.attname)]
                pair = (e.changes or {}).get(f.name)
                if isinstance(pair, list) and len(pair) == 2:
                    values += pair  # before and after a change (or a deletion)
                for v in values:
                    self._note(e.seq, label, v)
            for f in m2m:
                label = f.related_model._meta.label_lower
                values = list(lists.get((f.name, pk), ()))
                pair = (e.changes or {}).get(f.name)
                if isinstance(pair, list):
                    values += [v for side in pair if isinstance(side, list) for v in side]
                for v in values:
                    self._note(e.seq, label, v)
            if e.model == OPERATION and pk is not None:
                self.operations.add(pk)
                self._pending(e.seq, OPERATION, pk)

    def _note(self, seq: int, label: str, value) -> None:
        if value in (None, "") or isinstance(value, (list, dict)):
            return
        self._add(seq, label, value)
        if label in (AREA, OPERATION):
            try:
                self._pending(seq, label, int(value))
            except (TypeError, ValueError):
                return

    def _pending(self, seq: int, label: str, pk: int) -> None:
        (self.areas if label == AREA else self.operations).add(pk)
        self._wants[(label, pk)].add(seq)

    def _derive(self) -> None:
        """Countries from areas (and their parents' countries) and operations."""
        wants = self._wants
        if not wants:
            return
        country_of: dict[tuple[str, int], set[int]] = defaultdict(set)
        Area = _model(AREA)
        for pk, country in Area._base_manager.filter(pk__in=self.areas).values_list(
            "pk", "country_id"
        ):
            if country:
                country_of[(AREA, pk)].add(country)
        Operation = _model(OPERATION)
        if Operation is not None and self.operations:
            through = Operation.host_countries.through
            for op, country in through.objects.filter(operation_id__in=self.operations).values_list(
                "operation_id", "country_id"
            ):
                country_of[(OPERATION, op)].add(country)
        for key, seqs in wants.items():
            for seq in seqs:
                for c in country_of.get(key, ()):
                    self._add(seq, COUNTRY, c)


def _followers(keys: set[tuple[str, str]]) -> dict[tuple[str, str], list[Follow]]:
    by_model: dict[str, set[str]] = defaultdict(set)
    for label, pk in keys:
        by_model[label].add(pk)
    q = Q()
    for label, ids in by_model.items():
        q |= Q(model=label, object_id__in=sorted(ids))
    out: dict[tuple[str, str], list[Follow]] = defaultdict(list)
    if not by_model:
        return out
    for f in Follow.objects.filter(q).order_by("pk"):
        out[(f.model, f.object_id)].append(f)
    return out


# The order in which a follow explains a notification: the record itself first.
def _rank(follow: Follow, entry: AuditEntry) -> int:
    if (follow.model, follow.object_id) == (entry.model, entry.object_id):
        return 0
    return {OPERATION: 1, COUNTRY: 3, SPACE: 4}.get(follow.model, 2)


def _batch(entries: list[AuditEntry], past: bool = False) -> list[Notification]:
    anchors = Anchors(entries)
    followers = _followers({k for keys in anchors.of.values() for k in keys})
    now = timezone.now()
    made = []
    for e in entries:
        chosen: dict[int, Follow] = {}
        for key in anchors.of.get(e.seq, ()):
            for f in followers.get(key, ()):
                if f.user_id == e.actor_id or (f.created_at > e.at and not past):
                    continue  # nobody is told of their own changes, nor of older ones
                best = chosen.get(f.user_id)
                if best is None or _rank(f, e) < _rank(best, e):
                    chosen[f.user_id] = f
        made += [
            Notification(user_id=u, entry_id=e.seq, follow=f, created_at=now)
            for u, f in chosen.items()
        ]
    return made


def fan_out(batch: int = BATCH, *, past: bool = False, quiet: tuple[str, ...] = ()) -> int:
    """Read the audit trail from the cursor to its end; returns how many notifications were
    made. Entries about the notifications capability itself (follows, reading) are skipped,
    and so are changes made before the follow (``past``: not those, see ``replay``) and
    those recorded by the actors named in ``quiet`` (``replay``)."""
    made = 0
    while True:
        with transaction.atomic():
            cursor, _ = Cursor.objects.select_for_update().get_or_create(name=CURSOR)
            if not Follow.objects.exists():  # nobody follows anything: nothing to read
                last = AuditEntry.objects.aggregate(m=Max("seq"))["m"] or 0
                if last > cursor.seq:
                    cursor.seq = last
                    cursor.save(update_fields=["seq"])
                return made
            entries = list(
                AuditEntry.objects.filter(seq__gt=cursor.seq)
                .exclude(model__startswith="notifications.")
                .exclude(actor_label__in=quiet)
                .order_by("seq")
                .only("seq", "at", "model", "object_id", "actor_id", "changes", "scope")[:batch]
            )
            if not entries:
                return made
            rows = _batch(entries, past)
            Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
            made += len(rows)
            cursor.seq = entries[-1].seq
            cursor.save(update_fields=["seq"])
            immediate = _wants_immediate({n.user_id for n in rows})
        if immediate:
            _tell_digest()
        if len(entries) < batch:
            return made


def _wants_immediate(user_ids: set[int]) -> bool:
    return (
        bool(user_ids)
        and Preference.objects.filter(user_id__in=user_ids, frequency=Frequency.IMMEDIATE).exists()
    )


def _tell_digest() -> None:
    from ..tasks import send_digests_task

    try:
        send_digests_task.enqueue()
    except Exception:  # the schedule sends them within a minute anyway
        log.exception("could not enqueue the immediate digest")


def on_recorded(sender, last_seq: int, **kwargs) -> None:
    """The audit trail's ``recorded`` signal (after commit): fan out now. A failure here
    must not fail the request that committed; the schedule picks the entries up."""
    try:
        fan_out()
    except Exception:
        log.exception("notifications fan-out failed; the schedule will retry")


def replay(from_seq: int = 0, quiet: tuple[str, ...] = ()) -> int:
    """Fan out again from entry ``from_seq`` (for the demo world: its people follow what was
    seeded before them), except the entries recorded by the actors named in ``quiet``.
    Notifications already made are not made twice."""
    with transaction.atomic():
        cursor, _ = Cursor.objects.select_for_update().get_or_create(name=CURSOR)
        cursor.seq = min(cursor.seq, from_seq)
        cursor.save(update_fields=["seq"])
    return fan_out(past=True, quiet=quiet)
