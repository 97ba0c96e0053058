"""Accountability's part of the home page (``Capability.attention``): reports overdue or due
soon for the user's organisations, releases and waivers awaiting a second approver (never
shown to the one who proposed them), and due-diligence deadlines passed. Each reads only
what the user may see, and returns at most ``limit`` + 1 items."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concord.core.capabilities import Attention
from concord.core.models import Role

from . import loaders
from .models import (
    Commitment,
    Intercession,
    MitigatingMeasure,
    ReportingObligation,
    SupportCase,
    Tranche,
    TrancheDecision,
)

SOON = 14  # days ahead that a report counts as due soon


def _day(value) -> str:
    """A date as "03 Jan 2026", the month in the reader's language."""
    return date_format(value, "d M Y")


def _due_title(o: ReportingObligation, due) -> str:
    return _("%(subject)s (due %(due)s)") % {"subject": o.subject, "due": _day(due)}


def _orgs(user) -> list[int]:
    if user is None or not user.is_authenticated:
        return []
    return sorted(user.principal().org_ids)


def reports_due(user, limit: int) -> list[Attention]:
    """Reports the user's organisations owe (as the reporter, or running the reporting
    operation) or are owed, overdue or due in the next two weeks."""
    orgs = _orgs(user)
    if not orgs:
        return []
    ours = ReportingObligation.objects.filter(
        Q(reporter_organisation_id__in=orgs)
        | Q(reporter_operation__lead_organisation_id__in=orgs)
        | Q(reporter_operation__framework_organisation_id__in=orgs)
        | Q(to_organisation_id__in=orgs)
    )
    today = timezone.localdate()
    overdue, upcoming = loaders.outstanding(loaders.dues(user, today, SOON, obligations=ours))
    out = []
    for row in overdue[: limit + 1]:
        o = row.obligation
        owe = _owes(o, orgs)
        out.append(
            Attention(
                group=_("Reports overdue"),
                title=_due_title(o, row.due.due),
                url=o.get_absolute_url(),
                why=(
                    ngettext(
                        "%(n)s day late; your organisation owes it.",
                        "%(n)s days late; your organisation owes it.",
                        row.days_late,
                    )
                    if owe
                    else ngettext(
                        "%(n)s day late; it is owed to your organisation.",
                        "%(n)s days late; it is owed to your organisation.",
                        row.days_late,
                    )
                )
                % {"n": row.days_late},
                when=row.due.due,
                urgent=True,
            )
        )
    for row in upcoming[: max(0, limit + 1 - len(out))]:
        o = row.obligation
        days = (row.due.due - today).days
        out.append(
            Attention(
                group=_("Reports due soon"),
                title=_due_title(o, row.due.due),
                url=o.get_absolute_url(),
                why=(
                    ngettext(
                        "Due in %(n)s day; your organisation owes it.",
                        "Due in %(n)s days; your organisation owes it.",
                        days,
                    )
                    if _owes(o, orgs)
                    else ngettext(
                        "Due in %(n)s day; it is owed to your organisation.",
                        "Due in %(n)s days; it is owed to your organisation.",
                        days,
                    )
                )
                % {"n": days},
                when=row.due.due,
            )
        )
    return out


def _owes(o: ReportingObligation, orgs: list[int]) -> bool:
    if o.reporter_organisation_id in orgs:
        return True
    op = o.reporter_operation
    return op is not None and bool(
        {op.lead_organisation_id, op.framework_organisation_id} & set(orgs)
    )


def approvals(user, limit: int) -> list[Attention]:
    """Releases and waivers proposed by someone else, on tranches the user may see, that the
    user may approve (the donor's side: four eyes)."""
    from .services.funding import may_decide

    if user is None or not user.is_authenticated:
        return []
    editing = user.principal().orgs_with_role(Role.EDITOR)
    if not editing:
        return []
    donor_side = Q(tranche__commitment__donor_id__in=editing) | Q(
        tranche__commitment__instrument__manager_id__in=editing
    )
    proposed = TrancheDecision.objects.filter(donor_side, status="proposed").exclude(
        proposed_by=user
    )
    tranches = set(proposed.values_list("tranche_id", flat=True)[:5000])
    visible = Tranche.objects.visible_to(user).filter(pk__in=tranches).values("pk")
    pending = (
        proposed.filter(tranche__in=visible)
        .select_related("tranche", "proposed_by")
        .order_by("proposed_at", "pk")
    )
    commitments = {}
    out = []
    for d in pending[: (limit + 1) * 4]:
        c_id = d.tranche.commitment_id
        if c_id not in commitments:
            c = Commitment.objects.select_related("instrument").get(pk=c_id)
            commitments[c_id] = may_decide(c, user)
        if not commitments[c_id]:
            continue
        title = (
            _("%(tranche)s: release")
            if d.kind == "release"
            else _("%(tranche)s: waiver of a condition")
        )
        out.append(
            Attention(
                group=_("Awaiting your approval"),
                title=title % {"tranche": d.tranche},
                url=d.tranche.get_absolute_url(),
                why=_(
                    "Proposed by %(who)s on %(on)s: a second person must approve or reject it "
                    "(four eyes)."
                )
                % {
                    "who": d.proposed_by.get_username(),
                    "on": _day(timezone.localtime(d.proposed_at)),
                },
                when=d.proposed_at,
                urgent=True,
            )
        )
        if len(out) > limit:
            break
    return out


def _deadline_text(x, late: int, case: str | None) -> str:
    """Why a measure or an intercession is on the home page: its deadline has passed."""
    values = {"deadline": _day(x.deadline), "n": late, "case": case}
    if isinstance(x, MitigatingMeasure):
        if case is None:
            text = ngettext(
                "Deadline %(deadline)s passed %(n)s day ago, not done.",
                "Deadline %(deadline)s passed %(n)s days ago, not done.",
                late,
            )
        else:
            text = ngettext(
                "Deadline %(deadline)s passed %(n)s day ago, not done in the case “%(case)s”.",
                "Deadline %(deadline)s passed %(n)s days ago, not done in the case “%(case)s”.",
                late,
            )
    elif case is None:
        text = ngettext(
            "Deadline %(deadline)s passed %(n)s day ago, unresolved.",
            "Deadline %(deadline)s passed %(n)s days ago, unresolved.",
            late,
        )
    else:
        text = ngettext(
            "Deadline %(deadline)s passed %(n)s day ago, unresolved in the case “%(case)s”.",
            "Deadline %(deadline)s passed %(n)s days ago, unresolved in the case “%(case)s”.",
            late,
        )
    return text % values


def deadlines(user, limit: int) -> list[Attention]:
    """Mitigating measures not done and intercessions unresolved past their deadline, on
    due-diligence cases of the user's organisations (as the user may see them)."""
    orgs = _orgs(user)
    if not orgs:
        return []
    today = timezone.localdate()
    live = ~Q(case__state__in=["withdrawn", "denied"])
    measures = list(
        MitigatingMeasure.objects.visible_to(user)
        .filter(live, owner_id__in=orgs, done_on__isnull=True, deadline__lt=today)
        .order_by("deadline", "pk")[: limit + 1]
    )
    interc = list(
        Intercession.objects.visible_to(user)
        .filter(live, owner_id__in=orgs, resolved_on__isnull=True, deadline__lt=today)
        .order_by("deadline", "pk")[: limit + 1]
    )
    cases = dict(
        SupportCase.objects.visible_to(user)
        .filter(pk__in={x.case_id for x in [*measures, *interc]})
        .values_list("pk", "title")
    )
    out = []
    for x in [*measures, *interc]:
        late = (today - x.deadline).days
        out.append(
            Attention(
                group=_("Due-diligence deadlines passed"),
                title=str(x),
                url=x.get_absolute_url(),
                why=_deadline_text(x, late, cases.get(x.case_id)),
                when=dt.datetime.combine(x.deadline, dt.time()).date(),
                urgent=True,
            )
        )
    out.sort(key=lambda a: a.when)
    return out[: limit + 1]
