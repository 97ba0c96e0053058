"""Conditional-funding pages: instruments, commitments, tranches and their conditions, a
tranche's evaluation with the release and waiver decisions, and the compliance boards (per
donor and per operation)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from concord.core.context import Actor
from concord.core.importers import iso as _iso
from concord.core.models import Organisation
from concord.core.sources import format_sources
from concord.core.visibility import VisibleLabels
from concord.operations.access import access_operation
from concord.operations.models import Operation
from concord.web.generic import Column, Config, report_refusal

from .. import loaders
from ..access import shown
from ..analysis import funding as rules
from ..filters import CommitmentFilter, ConditionFilter, FundingInstrumentFilter, TrancheFilter
from ..forms import (
    CommitmentForm,
    ConditionForm,
    DecisionForm,
    FundingInstrumentForm,
    ProposeForm,
    TrancheForm,
)
from ..models import (
    CaseState,
    Commitment,
    Condition,
    FundingInstrument,
    ReportingObligation,
    SupportCase,
    Tranche,
    TrancheDecision,
)
from ..services import funding as funding_services


def _recipient(c: Commitment, L) -> str:
    if c.recipient_operation_id:
        return L.label(Operation, c.recipient_operation_id)
    return L.label(Organisation, c.recipient_organisation_id)


def tranche_amount(t: Tranche, L) -> str:
    """A tranche's amount in its commitment's currency; the currency belongs to the
    commitment, so it is shown only to those who may see the commitment."""
    c = L.get(Commitment, t.commitment_id)
    if c is None:
        return _("%(amount)s (currency restricted)") % {"amount": f"{t.amount:,}"}
    return f"{t.amount:,} {c.currency}"


FUNDING_INSTRUMENTS = Config(
    model=FundingInstrument,
    name="funding-instruments",
    singular=gettext_lazy("funding instrument"),
    plural=gettext_lazy("funding instruments"),
    filterset=FundingInstrumentFilter,
    form=FundingInstrumentForm,
    columns=[
        Column(gettext_lazy("Instrument"), lambda i, L: i.name, "name", link=True),
        Column(gettext_lazy("Kind"), lambda i, L: i.get_kind_display(), "kind"),
        Column(gettext_lazy("Managed by"), lambda i, L: L.label(Organisation, i.manager_id)),
    ],
    detail_fields=lambda i, L: [
        (_("Kind"), i.get_kind_display()),
        (_("Managed by"), L.label(Organisation, i.manager_id)),
        (_("Note"), i.note),
        (_("Documents"), format_sources(i.sources)),
    ],
    url_name="fundinginstrument",
)


def _commitment_sections(c: Commitment, L, user):
    tranches = list(Tranche.objects.visible_to(user).filter(commitment=c))
    verdicts = loaders.evaluate_tranches(Tranche.objects.filter(pk__in=[t.pk for t in tranches]))
    return [
        (
            _("Tranches"),
            [
                (
                    _("%(tranche)s: %(amount)s %(currency)s, planned %(planned)s — %(status)s")
                    % {
                        "tranche": t.label,
                        "amount": f"{t.amount:,}",
                        "currency": c.currency,
                        "planned": t.planned,
                        "status": rules.STATUSES[verdicts[t.pk].status],
                    },
                    t.get_absolute_url(),
                )
                for t in tranches
            ]
            or [
                (
                    _("None yet: add one."),
                    reverse("accountability:tranche_add") + f"?commitment={c.pk}",
                )
            ],
        )
    ]


COMMITMENTS = Config(
    model=Commitment,
    name="commitments",
    singular=gettext_lazy("commitment"),
    plural=gettext_lazy("commitments"),
    filterset=CommitmentFilter,
    form=CommitmentForm,
    default_sort="purpose",
    columns=[
        Column(gettext_lazy("Commitment"), lambda c, L: c.purpose, "purpose", link=True),
        Column(gettext_lazy("Donor"), lambda c, L: L.label(Organisation, c.donor_id)),
        Column(gettext_lazy("Recipient"), _recipient),
        Column(gettext_lazy("Amount"), lambda c, L: f"{c.amount:,} {c.currency}", "amount"),
        Column(
            gettext_lazy("Instrument"), lambda c, L: L.label(FundingInstrument, c.instrument_id)
        ),
    ],
    detail_fields=lambda c, L: [
        (_("Donor"), L.label(Organisation, c.donor_id)),
        (_("Recipient"), _recipient(c, L)),
        (_("Amount"), f"{c.amount:,} {c.currency}"),
        (_("Purpose"), c.purpose),
        (_("Instrument"), L.label(FundingInstrument, c.instrument_id)),
        (_("Signed"), _iso(c.signed)),
    ],
    extra_detail=_commitment_sections,
    url_name="commitment",
)


def _tranche_context(t: Tranche, user, request):
    verdict = loaders.evaluate_tranches(Tranche.objects.filter(pk=t.pk))[t.pk]
    # The donor's people decide, whoever owns the records (services.funding).
    who = funding_services.donor_problem(funding_services.commitment_of(t), user)
    can = who is None
    propose = None
    if can and verdict.status != "released":
        propose = ProposeForm()
        propose.fields["condition"].queryset = Condition.objects.visible_to(user).filter(tranche=t)
    decisions = list(
        TrancheDecision.objects.filter(tranche=t).select_related("proposed_by", "decided_by")
    )
    L = VisibleLabels(user)
    evidence = shown.shown_many([d.evidence or [] for d in decisions], user)
    return {
        "verdict": verdict,
        "status_label": rules.STATUSES[verdict.status],
        "shown": shown.shown_verdicts(verdict, user),
        "decisions": [
            (
                d,
                L.label(Condition, d.condition_id) if d.condition_id else "",
                ev,
                DecisionForm()
                if can and d.status == "proposed" and d.proposed_by_id != user.pk
                else None,
            )
            for d, ev in zip(decisions, evidence, strict=True)
        ],
        "propose_form": propose,
        "propose_url": reverse(
            "accountability:tranche_propose",
            kwargs={"pk": t.pk},
        ),
        "add_condition": reverse("accountability:condition_add") + f"?tranche={t.pk}"
        if can
        else "",
        "who_decides": who if user.is_authenticated else "",
    }


TRANCHES = Config(
    model=Tranche,
    name="tranches",
    singular=gettext_lazy("tranche"),
    plural=gettext_lazy("tranches"),
    filterset=TrancheFilter,
    form=TrancheForm,
    default_sort="planned",
    select_related=("commitment",),
    columns=[
        Column(gettext_lazy("Tranche"), lambda t, L: t.label, "label", link=True),
        Column(gettext_lazy("Commitment"), lambda t, L: L.label(Commitment, t.commitment_id)),
        Column(gettext_lazy("Amount"), tranche_amount, "amount"),
        Column(gettext_lazy("Planned"), lambda t, L: _iso(t.planned), "planned"),
    ],
    detail_fields=lambda t, L: [
        (_("Commitment"), L.label(Commitment, t.commitment_id)),
        (_("Amount"), tranche_amount(t, L)),
        (_("Planned"), _iso(t.planned)),
        (_("Note"), t.note),
    ],
    extra_context=_tranche_context,
    detail_template="accountability/tranche.html",
    url_name="tranche",
)

CONDITIONS = Config(
    model=Condition,
    name="conditions",
    singular=gettext_lazy("condition"),
    plural=gettext_lazy("conditions"),
    filterset=ConditionFilter,
    form=ConditionForm,
    default_sort="pk",
    columns=[
        Column(gettext_lazy("Condition"), lambda c, L: str(c), "pk", link=True),
        Column(gettext_lazy("Tranche"), lambda c, L: L.label(Tranche, c.tranche_id)),
        Column(gettext_lazy("Kind"), lambda c, L: c.get_kind_display(), "kind"),
        Column(gettext_lazy("Evidence needed"), lambda c, L: c.evidence_needed),
    ],
    detail_fields=lambda c, L: [
        (_("Tranche"), L.label(Tranche, c.tranche_id)),
        (_("Kind"), c.get_kind_display()),
        (_("Obligation"), L.label(ReportingObligation, c.obligation_id)),
        (_("Period"), f"{_iso(c.period_start)} – {_iso(c.period_end)}" if c.period_start else ""),
        (_("Days"), c.days if c.days is not None else ""),
        (_("Evidence needed"), c.evidence_needed),
        (_("Satisfied on"), _iso(c.satisfied_on)),
        (_("Evidence"), c.evidence),
    ],
    url_name="condition",
)


def _visible_tranche(request, pk) -> Tranche:
    t = Tranche.objects.visible_to(request.user).filter(pk=pk).first()
    if t is None:
        raise Http404(_("No tranche with that id, or you may not see it."))
    return t


@require_POST
def propose(request, pk):
    t = _visible_tranche(request, pk)
    form = ProposeForm(request.POST)
    form.fields["condition"].queryset = Condition.objects.visible_to(request.user).filter(tranche=t)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect(t.get_absolute_url())
    try:
        funding_services.propose(
            t,
            form.cleaned_data["kind"],
            form.cleaned_data["rationale"],
            condition=form.cleaned_data["condition"],
            actor=Actor.from_request(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Proposed; a second person must approve it."))
    return redirect(t.get_absolute_url())


@require_POST
def decide(request, pk):
    d = TrancheDecision.objects.filter(
        pk=pk, tranche__in=Tranche.objects.visible_to(request.user)
    ).first()
    if d is None:
        raise Http404(_("No such decision, or you may not see it."))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect(d.tranche.get_absolute_url())
    try:
        funding_services.decide(
            d,
            bool(form.cleaned_data["approve"]),
            form.cleaned_data["note"],
            actor=Actor.from_request(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect(d.tranche.get_absolute_url())


# --- compliance boards -------------------------------------------------------------------------


def tranche_board(tranches_qs, user, on: dt.date) -> tuple[list[dict], list]:
    """Rows of tranches with their status and unmet conditions, and totals by currency.
    Only tranches of commitments the user may see: a board reaches a tranche through its
    commitment (its donor, its recipient), and adds the commitment's amount to its totals.
    A fixed number of queries whatever the number of tranches."""
    tranches = list(
        tranches_qs.filter(commitment__in=Commitment.objects.visible_to(user)).select_related(
            "commitment"
        )
    )
    verdicts = loaders.evaluate_tranches(
        Tranche.objects.filter(pk__in=[t.pk for t in tranches]), on
    )
    L = VisibleLabels(user)
    commitments = {t.commitment_id: t.commitment for t in tranches}
    L.load(Commitment, list(commitments))
    L.load(Organisation, [c.donor_id for c in commitments.values()])
    L.load(Organisation, [c.recipient_organisation_id for c in commitments.values()])
    L.load(Operation, [c.recipient_operation_id for c in commitments.values()])
    shown_rows = shown.shown_many([verdicts[t.pk].verdicts for t in tranches], user)
    url = reverse("accountability:tranche_detail", args=[0])
    rows, sums = [], []
    for t, conditions in zip(tranches, shown_rows, strict=True):
        v = verdicts[t.pk]
        c = t.commitment
        donor = L.label(Organisation, c.donor_id)
        rows.append(
            {
                "tranche": t,
                "url": url.replace("/0/", f"/{t.pk}/"),
                "label": t.label,
                "commitment": c,
                "commitment_label": L.label(Commitment, c.pk),
                "donor": donor,
                "recipient": _recipient(c, L),
                "amount": f"{t.amount:,} {c.currency}",
                "status": v.status,
                "status_label": rules.STATUSES[v.status],
                "planned": t.planned.isoformat(),
                "unmet": " ".join(x["evidence"] for x in conditions if not x["met"]),
            }
        )
        sums.append((donor, c.currency, t.amount, v.status))
    for c in commitments.values():
        sums.append((L.label(Organisation, c.donor_id), c.currency, c.amount, "committed"))
    totals = sorted(rules.totals(sums).items())
    return rows, totals


def _board_on(request) -> dt.date:
    value = request.GET.get("on")
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404(_("on: give a date as YYYY-MM-DD.")) from None


def _board(request, subject, tranches, cases, **extra):
    """The compliance board of a donor or an operation: its tranches (releasable, held and
    why, released) with totals by currency, and due-diligence cases by state."""
    from django.db.models import Count

    on = _board_on(request)
    rows, totals = tranche_board(tranches.order_by("planned", "pk"), request.user, on)
    by_state = (
        cases.visible_to(request.user).values("state").annotate(n=Count("pk")).order_by("state")
    )
    ctx = {
        "title": _("Compliance board of %(subject)s") % {"subject": subject},
        "subject": subject,
        "on": on,
        "rows": rows,
        "totals": totals,
        "cases": [(CaseState(c["state"]).label, c["n"]) for c in by_state],
        "reporting": None,
        **extra,
    }
    return render(request, "accountability/board.html", ctx)


def donor_board(request, pk):
    """A donor desk's board; the cases are those of the recipients of its commitments."""
    from django.db.models import Q

    donor = Organisation.objects.visible_to(request.user).filter(pk=pk).first()
    if donor is None:
        raise Http404(_("No organisation with that id, or you may not see it."))
    commitments = Commitment.objects.visible_to(request.user).filter(donor=donor)
    ops = commitments.exclude(recipient_operation=None).values("recipient_operation_id")
    orgs = commitments.exclude(recipient_organisation=None).values("recipient_organisation_id")
    return _board(
        request,
        donor,
        Tranche.objects.visible_to(request.user).filter(commitment__donor=donor),
        SupportCase.objects.filter(Q(operation_id__in=ops) | Q(provider_id__in=orgs)),
    )


def operation_board(request, pk):
    """An operation's board: also its reports due and overdue, and its register."""
    from .reporting import reporting_board

    op = access_operation(request.user, pk)
    return _board(
        request,
        op,
        Tranche.objects.visible_to(request.user).filter(commitment__recipient_operation=op),
        SupportCase.objects.filter(operation=op),
        register_url=reverse(
            "accountability:operation_register",
            kwargs={"pk": op.pk},
        ),
        reporting=reporting_board(
            request.user, ReportingObligation.objects.filter(reporter_operation=op)
        ),
    )


def funding_section(org: Organisation, labels, user):
    """On an organisation's page: its commitments as a donor, and its compliance board."""
    n = Commitment.objects.visible_to(user).filter(donor=org).count()
    if not n:
        return []
    url = reverse(
        "accountability:organisation_board",
        kwargs={"pk": org.pk},
    )
    text = ngettext(
        "Compliance board: %(n)s commitment as donor",
        "Compliance board: %(n)s commitments as donor",
        n,
    ) % {"n": n}
    return [(_("Funding"), [(text, url)])]
