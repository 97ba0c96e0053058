"""A record's History tab: its audit entries as the reader may see them.

Two rules (docs/security-model.md, "Derived information"):

* an entry is shown only to those who could see the record both before and after the change
  (its ``scope``), so a downgrade never shows what the record said before to its new
  audience, and a strictly confidential period stays with the people named then;
* what an entry names is rendered per reader: a link to a record the reader may not see
  (a parent, a shared organisation, an affiliation's organisation, a mandated task) reads
  "(restricted)", and a child row resting on one (an affiliation, a contribution) is left
  out with a count, never described.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .models import AuditEntry, Classification, SecurityState
from .models.security import SECURITY_LABELS
from .visibility import RESTRICTED, VisibleLabels

HISTORY_LIMIT = 200  # entries on the History tab (the API gives them all)
# What an entry shows of a sensitive field: the API gives this marker as it is, the History
# tab its translation (_text).
SENSITIVE = "(sensitive: not shown)"  # untranslated: the API's marker


def _principal(user):
    return user.principal() if user is not None and user.is_authenticated else None


def entry_visible(entry: AuditEntry, principal) -> bool:
    """Whether ``principal`` could see the record on both sides of ``entry``."""
    if entry.scope is None:  # no scope recorded: the trail's own rule (owner, clearance)
        if principal is None:
            return False
        return entry.owner_id in principal.org_ids and entry.classification <= min(
            principal.clearance, Classification.CONFIDENTIAL
        )
    sides = [SecurityState.from_json(entry.scope.get(k)) for k in ("before", "after")]
    return all(principal_sees(principal, s) for s in sides if s is not None) and any(sides)


def principal_sees(principal, state) -> bool:
    from .models import sees

    return sees(principal, state)


def history_for(obj, user, limit: int | None = None) -> list[AuditEntry]:
    """Entries for a record the caller already reached through ``visible_to``, newest
    first, that ``user`` could see on both sides."""
    if user is None or not user.is_authenticated:
        return []
    principal = _principal(user)
    qs = AuditEntry.objects.filter(model=obj._meta.label_lower, object_id=str(obj.pk)).order_by(
        "-seq"
    )
    out = []
    for entry in qs.iterator(chunk_size=500):
        if entry_visible(entry, principal):
            out.append(entry)
            if limit is not None and len(out) >= limit:
                break
    return out


# --- what an entry names, per reader -------------------------------------------------------


def _scoped(model) -> bool:
    from .models import ScopedModel

    return isinstance(model, type) and issubclass(model, ScopedModel)


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def child_links(model) -> dict:
    """{list field of ``audit_extra``: {key or position in a row: linked model}} declared
    by the model as ``AUDIT_LINKS`` (model labels or classes)."""
    out = {}
    for name, keys in (getattr(model, "AUDIT_LINKS", None) or {}).items():
        out[name] = {k: (_model(m) if isinstance(m, str) else m) for k, m in keys.items()}
    return out


@dataclass
class Masked:
    """An entry's changes with every reference the reader may not see replaced."""

    changes: dict  # field -> [before, after], the stored shape, hidden ids -> "(restricted)"
    hidden_rows: dict  # field -> number of child rows left out (before and after together)


def mask(entry: AuditEntry, labels: VisibleLabels) -> Masked:
    model = _model(entry.model)
    changes = entry.changes or {}
    if model is None:
        return Masked(dict(changes), {})
    links = child_links(model)
    fields = {f.name: f for f in model._meta.get_fields() if f.is_relation and f.concrete}
    fields.update({f.name: f for f in model._meta.many_to_many})

    def ref(target, value):
        if value is None or value == "" or not _scoped(target):
            return value
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return value
        return pk if labels.get(target, pk) is not None else RESTRICTED

    sensitive = {f.name for f in model._meta.concrete_fields if getattr(f, "sensitive", False)}
    out, hidden = {}, {}
    for name, pair in changes.items():
        if not (isinstance(pair, list) and len(pair) == 2):
            out[name] = pair
            continue
        if name in sensitive:  # only that it changed: older entries hold a digest keyed by
            # the text alone, which would let a reader compare sources across records
            out[name] = [SENSITIVE if v else v for v in pair]
            continue
        f = fields.get(name)
        if f is not None and _scoped(f.related_model):
            if f.many_to_many:
                out[name] = [
                    [ref(f.related_model, v) for v in side] if isinstance(side, list) else side
                    for side in pair
                ]
            else:
                out[name] = [ref(f.related_model, v) for v in pair]
        elif name in links:
            out[name], count = _mask_children(pair, links[name], ref)
            if count:
                hidden[name] = count
        else:
            out[name] = pair
    return Masked(out, hidden)


def _mask_children(pair: list, keys, ref) -> tuple[list, int]:
    """A child set's before and after, without the rows resting on records the reader may
    not see, and how many such rows there were."""
    count = 0
    sides = []
    for side in pair:
        if not isinstance(side, list):
            sides.append(side)
            continue
        kept = []
        for row in side:
            shown = _mask_row(row, keys, ref)
            if shown is None:
                count += 1
            else:
                kept.append(shown)
        sides.append(kept)
    return sides, count


def preload(entries: list[AuditEntry], labels: VisibleLabels) -> None:
    """Load every record the entries link to, in one query per linked model."""
    from collections import defaultdict

    wanted: dict = defaultdict(set)
    for e in entries:
        model = _model(e.model)
        if model is None:
            continue
        links = child_links(model)
        for name, pair in (e.changes or {}).items():
            if not (isinstance(pair, list) and len(pair) == 2):
                continue
            try:
                f = model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - audit_extra keys
                f = None
            for side in pair:
                values = side if isinstance(side, list) else [side]
                if f is not None and f.is_relation and _labelled_link(f.related_model):
                    wanted[f.related_model].update(v for v in values if isinstance(v, int))
                elif name in links:
                    for row in values:
                        items = (
                            row.items()
                            if isinstance(row, dict)
                            else enumerate(row)
                            if isinstance(row, list)
                            else ()
                        )
                        for key, value in items:
                            target = links[name].get(key)
                            if target is not None and isinstance(value, int):
                                wanted[target].add(value)
    for model, ids in wanted.items():
        labels.load(model, ids)


def _mask_row(row, keys: dict, ref):
    """A child row, or None when it rests on a record the reader may not see."""
    items = (
        row.items() if isinstance(row, dict) else enumerate(row) if isinstance(row, list) else ()
    )
    for key, value in items:
        target = keys.get(key)
        if target is not None and value is not None and ref(target, value) == RESTRICTED:
            return None
    return row


def rendered(entries: list[AuditEntry], user) -> list[dict]:
    """Entries as the History tab shows them: each change as (field, before, after) text,
    links as the labels the reader may see."""
    labels = VisibleLabels(user)
    preload(entries, labels)
    out = []
    for e in entries:
        masked = mask(e, labels)
        model = _model(e.model)
        rows = []
        for name, pair in masked.changes.items():
            if isinstance(pair, list) and len(pair) == 2:
                before, after = (_text(model, name, v, labels) for v in pair)
            else:
                before, after = "", _text(model, name, pair, labels)
            if name in masked.hidden_rows:
                n = masked.hidden_rows[name]
                after = (
                    _("%(shown)s (and %(count)s you may not see)") % {"shown": after, "count": n}
                    if after
                    else _("%(count)s you may not see") % {"count": n}
                )
            rows.append((_label(model, name), before, after))
        out.append({"entry": e, "rows": rows})
    return out


def _label(model, name: str) -> str:
    """A field's name as the History tab shows it: its verbose name, in the reader's
    language (a child set's: the plural name of its rows' model)."""
    if name in SECURITY_LABELS:
        return str(SECURITY_LABELS[name]).lower()
    try:
        f = model._meta.get_field(name) if model else None
    except Exception:  # noqa: BLE001 - audit_extra keys and fields removed since
        f = None
    if f is None:
        return name.replace("_", " ") if model else name
    if getattr(f, "verbose_name", None):
        return str(f.verbose_name)
    return str(f.related_model._meta.verbose_name_plural)


def _field(model, name):
    try:
        return model._meta.get_field(name) if model is not None else None
    except Exception:  # noqa: BLE001 - audit_extra keys and fields removed since
        return None


def _reference(model) -> bool:
    """Reference data everyone may read (countries): named in the history by its name."""
    from .models import Country

    return model is Country


def _labelled_link(model) -> bool:
    """A link the History tab names by its label (read through ``visible_to``)."""
    return _scoped(model) or _reference(model)


def _text(model, name, value, labels) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value == SENSITIVE:
        return _("(sensitive: not shown)")
    f = _field(model, name)
    target = f.related_model if f is not None and f.is_relation else None
    values = value if isinstance(value, list) else [value]
    if target is not None and _labelled_link(target):
        return (
            ", ".join(_(RESTRICTED) if v == RESTRICTED else labels.label(target, v) for v in values)
            or "—"
        )
    if target is not None and target._meta.label == "core.User":
        return _usernames(values, labels.user) or "—"
    if getattr(f, "choices", None) and not isinstance(value, list):
        return str(dict(f.flatchoices).get(value, value))  # the label, not the stored value
    if isinstance(f, models.DecimalField):  # an amount: "3,000,000.00", not "3000000.00"
        try:
            places = Decimal(1).scaleb(-(f.decimal_places or 0))
            amount = Decimal(str(value)).quantize(places)
            return number_format(amount, f.decimal_places, force_grouping=True)
        except InvalidOperation:
            return str(value)
    if isinstance(value, list):
        return "; ".join(_row_text(v) for v in value) or "—"
    return str(value)


def _usernames(ids, reader) -> str:
    """A link to a user reads as the username when the reader works with them (a shared
    organisation or space: ``colleagues``), else "a user of another organisation": never an
    id, never a platform-wide list of names."""
    from .models import colleagues

    wanted = [v for v in ids if isinstance(v, int)]
    known = dict(colleagues(reader, keep=()).filter(pk__in=wanted).values_list("pk", "username"))
    other = _("a user of another organisation")
    return ", ".join(known.get(v, other) for v in wanted)


def _row_text(row) -> str:
    if isinstance(row, dict):
        return ", ".join(f"{k}: {v}" for k, v in row.items() if v not in (None, ""))
    if isinstance(row, list):
        return " | ".join("" if v is None else str(v) for v in row)
    return str(row)


def api_rows(entries: list[AuditEntry], user) -> list[dict]:
    """Entries as the API gives them: the stored shape, with what the reader may not see
    replaced by "(restricted)" and child rows resting on it left out (``restricted_rows``
    counts them)."""
    labels = VisibleLabels(user)
    preload(entries, labels)
    out = []
    for e in entries:
        masked = mask(e, labels)
        out.append(
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor_label,
                "interface": e.interface,
                "action": e.action,
                "changes": masked.changes,
                "restricted_rows": masked.hidden_rows,
                "request_id": e.request_id,
            }
        )
    return out
