"""Writes to reports that carry a rule beyond the core ``save``: the review.

Segregation of duties: a report is accepted or returned for revision by the organisation it
is owed to (the ``to_organisation`` of every obligation it satisfies), never by the one that
owes it. Its author files it (status "submitted"); a change the author makes to a reviewed
report resubmits it, since the review no longer covers what was changed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from concord.core import audit
from concord.core.context import Actor
from concord.core.models import Role

from ..models import Report, ReportingObligation, ReportStatus
from .funding import runs

REVIEWED = (ReportStatus.ACCEPTED, ReportStatus.RETURNED)
REVIEW_FIELDS = ("status", "reviewed_by", "reviewed_at", "review_note", "updated_at")

AUTHOR_CANNOT_REVIEW = gettext_lazy(
    "A report is accepted or returned by the organisation it is owed to, not by its author: "
    "file it as submitted, and they review it."
)
NOBODY_OWED = gettext_lazy("This report satisfies no obligation: there is nobody it is owed to.")
NO_RECEIVER = gettext_lazy(
    "An obligation this report satisfies names only a body, no organisation it is owed to: "
    "name the organisation on the obligation, so that its people can review the report."
)
OWER_BARRED = gettext_lazy(
    "You work for the organisation that owes this report: it is accepted or returned by the "
    "organisation it is owed to."
)
RECEIVER_ONLY = gettext_lazy(
    "Only an editor of the organisation this report is owed to may accept or return it."
)


def _sides(report: Report) -> tuple[set[int], set[int | None]]:
    """(who owes the report, to whom it is owed), read for the rule only: the reviewer may
    not see every obligation, and no message names one."""
    owed_by, owed_to = {report.owner_id}, set()
    for o in report.obligations.select_related("reporter_operation"):
        owed_to.add(o.to_organisation_id)
        owed_by.add(o.reporter_organisation_id)
        if o.reporter_operation_id:
            owed_by |= runs(o.reporter_operation)
    owed_by.discard(None)
    # Not less the receiving side: an organisation on both sides still owes the report (one
    # that reports to itself has no one to review it here).
    return owed_by, owed_to


def review_problem(report: Report, user) -> str | None:
    """Why this person may not accept or return the report, or None."""
    if user is None or not user.is_authenticated:
        return gettext("Sign in first.")
    owed_by, owed_to = _sides(report)
    if not owed_to:
        return str(NOBODY_OWED)
    if None in owed_to:
        return str(NO_RECEIVER)
    p = user.principal()
    if set(p.roles) & owed_by:
        return str(OWER_BARRED)
    if not owed_to <= set(p.orgs_with_role(Role.EDITOR)):
        return str(RECEIVER_ONLY)
    return None


@transaction.atomic
def review(report: Report, status: str, note: str = "", *, actor: Actor) -> Report:
    """Accept the report, or return it for revision (saying what to revise)."""
    if actor.is_system:
        raise PermissionDenied(gettext("A report is reviewed by people, not by the system."))
    if not Report.objects.visible_to(actor.user).filter(pk=report.pk).exists():
        raise PermissionDenied(gettext("You may not see this report."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    errors = {}
    if status not in REVIEWED:
        errors["status"] = gettext(
            "Accept the report (accepted) or return it for revision (returned)."
        )
    note = (note or "").strip()
    if status == ReportStatus.RETURNED and not note:
        errors["review_note"] = gettext("Say what must be revised.")
    if errors:
        raise ValidationError(errors)
    problem = review_problem(report, actor.user)
    if problem:
        raise PermissionDenied(problem)
    before = audit.snapshot(report)
    report.status = status
    report.reviewed_by = actor.user
    report.reviewed_at = timezone.now()
    report.review_note = note
    report.updated_at = report.reviewed_at
    report.save(update_fields=REVIEW_FIELDS)
    audit.record(actor, "update", report, audit.diff(before, audit.snapshot(report)))
    return report


# --- the author's writes, whichever interface makes them -------------------------------------


def before_report(report: Report) -> None:
    stored = Report.objects.filter(pk=report.pk).first() if report.pk else None
    report._stored = (stored.status, audit.snapshot(stored)) if stored else None


def after_report(report: Report, actor: Actor, creating: bool) -> None:
    if actor.is_system:  # seeding and restoring history
        return
    stored_status, stored = report._stored or (ReportStatus.SUBMITTED, None)
    if report.status != stored_status and report.status in REVIEWED:
        raise ValidationError({"status": str(AUTHOR_CANNOT_REVIEW)})
    if stored is None or stored_status not in REVIEWED:
        return
    now = audit.snapshot(report)
    changed = any(now.get(k) != v for k, v in stored.items() if k not in REVIEW_FIELDS)
    if changed or report.status == ReportStatus.SUBMITTED:  # resubmitted
        _clear_review(report)  # (audited with the author's save: snapshot taken after hooks)


def _clear_review(report: Report) -> None:
    report.status = ReportStatus.SUBMITTED
    report.reviewed_by, report.reviewed_at, report.review_note = None, None, ""
    report.updated_at = timezone.now()
    report.save(update_fields=REVIEW_FIELDS)


def _unreview(reports, actor: Actor) -> None:
    """Send reviewed reports back to "submitted": what they were reviewed against changed."""
    for report in reports:
        before = audit.snapshot(report)
        _clear_review(report)
        audit.record(actor, "update", report, audit.diff(before, audit.snapshot(report)))


def before_obligation(obligation: ReportingObligation) -> None:
    stored = ReportingObligation.objects.filter(pk=obligation.pk).first() if obligation.pk else None
    obligation._stored_sides = _obligation_sides(stored) if stored else None


def _obligation_sides(o: ReportingObligation) -> tuple:
    return (o.to_organisation_id, o.reporter_organisation_id, o.reporter_operation_id)


def after_obligation(obligation: ReportingObligation, actor: Actor, creating: bool) -> None:
    """Who owes an obligation, and to whom, decide who may review its reports: when either
    changes, its reviewed reports are submitted again (reviewed by the new receiver)."""
    stored = getattr(obligation, "_stored_sides", None)
    if creating or stored is None or stored == _obligation_sides(obligation):
        return
    _unreview(Report.objects.filter(obligations=obligation, status__in=REVIEWED).distinct(), actor)
