"""Accountability's part of the home page (``Capability.attention``): reports overdue or due
soon for the user's organisations, releases and waivers awaiting a second approver (never
shown to the one who proposed them), and due-diligence deadlines passed. Each reads only
what the user may see, and returns at most ``limit`` + 1 items."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

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
                group="Reports overdue",
                title=f"{o.subject} (due {row.due.due:%d %b %Y})",
                url=o.get_absolute_url(),
                why=f"{row.days_late} days late; "
                + ("your organisation owes it." if owe else "it is owed to your organisation."),
                when=row.due.due,
                urgent=True,
            )
        )
    for row in upcoming[: max(0, limit + 1 - len(out))]:
        o = row.obligation
        days = (row.due.due - today).days
        out.append(
            Attention(
                group="Reports due soon",
                title=f"{o.subject} (due {row.due.due:%d %b %Y})",
                url=o.get_absolute_url(),
                why=f"Due in {days} day{'s' if days != 1 else ''}; "
                + (
                    "your organisation owes it."
                    if _owes(o, orgs)
                    else "it is owed to your organisation."
                ),
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
        what = "release" if d.kind == "release" else "waiver of a condition"
        out.append(
            Attention(
                group="Awaiting your approval",
                title=f"{d.tranche}: {what}",
                url=d.tranche.get_absolute_url(),
                why=f"Proposed by {d.proposed_by.get_username()} on "
                f"{timezone.localtime(d.proposed_at):%d %b %Y}: a second person must approve "
                "or reject it (four eyes).",
                when=d.proposed_at,
                urgent=True,
            )
        )
        if len(out) > limit:
            break
    return out


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
    for x, what in [(m, "not done") for m in measures] + [(i, "unresolved") for i in interc]:
        late = (today - x.deadline).days
        case = f" in the case “{cases[x.case_id]}”" if x.case_id in cases else ""
        out.append(
            Attention(
                group="Due-diligence deadlines passed",
                title=str(x),
                url=x.get_absolute_url(),
                why=f"Deadline {x.deadline:%d %b %Y} passed {late} days ago, {what}{case}.",
                when=dt.datetime.combine(x.deadline, dt.time()).date(),
                urgent=True,
            )
        )
    out.sort(key=lambda a: a.when)
    return out[: limit + 1]
