"""Fetching an accountability record for an action (see concord.core.access), and, in
``shown``, the redaction rules: what a reader may see of what the rules derived from records
(verdicts, flags, a case's automatic steps, an allegation's sources)."""

from __future__ import annotations

from django.utils.translation import gettext

from concord.core.access import VIEW, access, may
from concord.core.crypto import pseudonym

from ..models import Allegation, Report, SupportCase, Tranche


def access_report(user, pk, action: str = VIEW) -> Report:
    return access(Report, user, pk, action)


def access_support_case(user, pk, action: str = VIEW) -> SupportCase:
    return access(SupportCase, user, pk, action)


def access_tranche(user, pk, action: str = VIEW) -> Tranche:
    return access(Tranche, user, pk, action)


# --- redaction: what part of a visible record a reader may still not see ---------------
def source_shown(allegation: Allegation, user) -> str:
    """The source to whoever may edit the allegation; a pseudonym to everyone else."""
    if not allegation.source:
        return ""
    if may(user, allegation):
        return allegation.source
    return gettext("%(pseudonym)s (pseudonym: only its owner's editors see the source)") % {
        "pseudonym": pseudonym(allegation.source, allegation)
    }
