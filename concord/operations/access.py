"""Fetching an operation or a relation for an action (see concord.core.access): pages, the API
and the CLI of every capability call these, never ``visible_to(...).filter(pk=...)``."""

from __future__ import annotations

from concord.core.access import VIEW, access

from .models import Operation, Relation


def access_operation(user, pk, action: str = VIEW) -> Operation:
    return access(Operation, user, pk, action)


def access_relation(user, pk, action: str = VIEW) -> Relation:
    return access(Relation, user, pk, action)
