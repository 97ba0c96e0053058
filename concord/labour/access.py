"""Fetching a labour record for an action (see concord.core.access)."""

from __future__ import annotations

from concord.core.access import VIEW, access

from .models import ImportBatch


def access_import_batch(user, pk, action: str = VIEW) -> ImportBatch:
    return access(ImportBatch, user, pk, action)
