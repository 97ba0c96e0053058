"""What every roster service shares: who acts, and the audit of a request's parts."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.access import may
from concord.core.context import Actor

ALERT_SALT = "concord.roster.alert"  # untranslated: a signing salt
ALERT_DAYS = 7
STOOD_DOWN_SHOWN = dt.timedelta(days=14)


def _person(actor: Actor):
    if actor.is_system or actor.user is None:
        raise PermissionDenied(_("This needs a person signed in."))
    return actor.user


def _editor(record, actor: Actor) -> None:
    if not actor.is_system and not may(actor.user, record):
        raise PermissionDenied(_("You may not change this record."))


def _record(actor, action, obj, changes, request) -> None:
    audit.record(actor, action, obj, changes, subject=request)
