"""Results kept per reader while nothing they depend on can have changed.

The key holds the reader (memberships, spaces, clearance), the audit trail's last entry (its
hash, not only its number: a number can come again after a rolled-back transaction) and the
language the result is worded in; so any audited change to any record (a reclassification
included) or to the reader's rights makes a new key. Never shared between readers."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils import translation

from .models import AuditHead

SECONDS = 300


def per_reader(user, name: str, compute, extra=(), seconds: int = SECONDS):
    """``compute()`` for ``user``, kept (``extra``: more that the result depends on)."""
    head = AuditHead.objects.filter(id=1).values_list("seq", "hash").first()
    if user is None or not user.is_authenticated:
        reader = ("anonymous",)  # untranslated: a key (who reads: public records only)
    else:
        p = user.principal()
        reader = (p.user_id, p.clearance, sorted(p.roles.items()), sorted(p.space_ids))
    raw = repr((reader, head, tuple(extra), translation.get_language()))
    digest = hashlib.sha256(raw.encode()).hexdigest()
    key = f"memo:{name}:{digest}"  # untranslated: a cache key
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found
