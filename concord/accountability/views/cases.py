"""Due-diligence pages: cases (with their decisions, assessments, measures, intercessions,
the allegations that concern them and what the register flags), the records around them,
a decision form, and the register of an operation with its export for the periodic report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from concord.core.access import may
from concord.core.context import Actor
from concord.core.importers import iso as _iso
from concord.core.models import Area, Organisation
from concord.core.visibility import VisibleLabels
from concord.operations.access import access_operation
from concord.operations.models import Operation
from concord.web.generic import Column, Config

from .. import loaders
from ..access import access_support_case, shown, source_shown
from ..analysis import cases as rules
from ..filters import (
    AllegationFilter,
    IntercessionFilter,
    MitigatingMeasureFilter,
    RiskAssessmentFilter,
    SupportCaseFilter,
)
from ..forms import (
    AllegationForm,
    DecideForm,
    IntercessionForm,
    MitigatingMeasureForm,
    RiskAssessmentForm,
    SupportCaseForm,
)
from ..models import (
    Allegation,
    CaseDecision,
    CaseState,
    Intercession,
    MitigatingMeasure,
    RiskAssessment,
    SecurityUnit,
    SupportCase,
)
from ..services import cases as case_services


def tabular_response(filename: str, fmt: str, headers: list[str], rows):
    """A CSV, XLSX or JSON download of a computed table (formula cells neutralised)."""
    from django.http import HttpResponse

    from concord.exchange import tabular

    if fmt == "xlsx":
        body = tabular.write_xlsx(headers, rows, filename[:31])
    else:
        writer = tabular.write_csv if fmt == "csv" else tabular.write_json
        body = "".join(writer(headers, rows))
    response = HttpResponse(body, content_type=tabular.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _money(value, currency) -> str:
    return f"{value:,} {currency}".strip() if value is not None else ""


def _decision_text(d: CaseDecision, why: str, user) -> str:
    values = {"on": d.on, "before": d.from_state, "after": d.to_state, "why": why}
    if d.automatic:
        return _("%(on)s: %(before)s → %(after)s (automatic). %(why)s") % values
    if user.is_authenticated:  # people are named to signed-in users only
        values["who"] = d.by or _("a deleted user")
        return _("%(on)s: %(before)s → %(after)s by %(who)s. %(why)s") % values
    return "{on}: {before} → {after}. {why}".format(**values)


def _assessment_text(a: RiskAssessment, today: dt.date) -> str:
    values = {
        "version": a.version,
        "rating": a.get_rating_display(),
        "decision": a.get_decision_display(),
        "made": a.assessed_on,
        "expires": a.expires_on,
    }
    if a.expires_on < today:
        return (
            _(
                "Version %(version)s: %(rating)s risk, %(decision)s, made %(made)s, "
                "expires %(expires)s (expired)"
            )
            % values
        )
    return (
        _("Version %(version)s: %(rating)s risk, %(decision)s, made %(made)s, expires %(expires)s")
        % values
    )


def _measure_text(m: MitigatingMeasure, today: dt.date) -> str:
    values = {"measure": m.description[:80], "deadline": m.deadline, "done": m.done_on}
    if m.done_on:
        return _("%(measure)s — due %(deadline)s, done %(done)s") % values
    if m.deadline < today:
        return _("%(measure)s — due %(deadline)s — LATE") % values
    return _("%(measure)s — due %(deadline)s") % values


def _allegation_text(a: Allegation, L) -> str:
    values = {
        "on": a.recorded,
        "violation": a.get_violation_display(),
        "confidence": a.get_confidence_display(),
        "unit": L.label(SecurityUnit, a.unit_id),
        "resolved": a.resolved_on,
    }
    if a.resolved_on:
        return (
            _("%(on)s: %(violation)s (%(confidence)s) against %(unit)s, resolved %(resolved)s")
            % values
        )
    return _("%(on)s: %(violation)s (%(confidence)s) against %(unit)s, unresolved") % values


def _case_sections(case: SupportCase, L, user):
    today = timezone.localdate()
    steps = list(CaseDecision.objects.filter(case=case).select_related("by").order_by("-on", "-pk"))
    decisions = [
        (_decision_text(d, why, user), "")
        for d, why in zip(steps, shown.decision_texts(steps, user), strict=True)
    ]
    assessments = [
        (_assessment_text(a, today), a.get_absolute_url())
        for a in RiskAssessment.objects.visible_to(user).filter(case=case)
    ]
    measures = [
        (_measure_text(m, today), m.get_absolute_url())
        for m in MitigatingMeasure.objects.visible_to(user).filter(case=case)
    ]
    intercessions = [
        (
            _("%(on)s: with %(with)s, resolved %(resolved)s")
            % {"on": i.raised_on, "with": i.raised_with, "resolved": i.resolved_on}
            if i.resolved_on
            else _("%(on)s: with %(with)s, deadline %(deadline)s")
            % {"on": i.raised_on, "with": i.raised_with, "deadline": i.deadline},
            i.get_absolute_url(),
        )
        for i in Intercession.objects.visible_to(user).filter(case=case)
    ]
    parent_of, successor_of = case_services.units_map()
    concerned = rules.UnitTree(parent_of, successor_of).concerned(case.unit_id)
    allegations = [
        (_allegation_text(a, L), a.get_absolute_url())
        for a in Allegation.objects.visible_to(user).filter(unit_id__in=concerned)
    ]
    _units, register = loaders.case_register(SupportCase.objects.filter(pk=case.pk), today)
    flags = [(text, "") for text in shown.flag_texts(register.of(case.pk), user)]
    return [
        (_("What the register flags today"), flags or [(_("Nothing."), "")]),
        (_("Decisions (newest first)"), decisions or [(_("None yet."), "")]),
        (
            _("Risk assessments"),
            assessments
            or [
                (
                    _("None yet: record one."),
                    _add_url("riskassessment", case),
                )
            ],
        ),
        (_("Mitigating measures"), measures or [(_("None."), "")]),
        (_("Intercessions"), intercessions or [(_("None."), "")]),
        (
            _("Allegations against the unit or units it belongs to"),
            allegations or [(_("None."), "")],
        ),
    ]


def _add_url(kind: str, case: SupportCase) -> str:
    """The page that adds a record of ``kind`` to the case."""
    return reverse(f"accountability:{kind}_add") + f"?case={case.pk}"  # untranslated: a URL


def _case_context(case: SupportCase, user, request):
    allowed = sorted(rules.TRANSITIONS.get(case.state, ()))
    form = DecideForm()
    form.fields["to_state"].choices = [(s, CaseState(s).label) for s in allowed]
    can = may(user, case)
    add = {
        "assessment": _add_url("riskassessment", case),
        "measure": _add_url("mitigatingmeasure", case),
        "intercession": _add_url("intercession", case),
    }
    return {
        "decide_form": form if can and allowed else None,
        "decide_url": reverse(
            "accountability:supportcase_decide",
            kwargs={"pk": case.pk},
        ),
        "add_links": add if can else {},
    }


SUPPORT_CASES = Config(
    model=SupportCase,
    name="support-cases",
    singular=gettext_lazy("due-diligence case"),
    plural=gettext_lazy("due-diligence cases"),
    filterset=SupportCaseFilter,
    form=SupportCaseForm,
    default_sort="title",
    columns=[
        Column(gettext_lazy("Case"), lambda c, L: c.title, "title", link=True),
        Column(gettext_lazy("Unit"), lambda c, L: L.label(SecurityUnit, c.unit_id)),
        Column(gettext_lazy("Support"), lambda c, L: c.get_kind_display(), "kind"),
        Column(gettext_lazy("Provider"), lambda c, L: L.label(Organisation, c.provider_id)),
        Column(gettext_lazy("State"), lambda c, L: c.get_state_display(), "state"),
        Column(gettext_lazy("Value"), lambda c, L: _money(c.value, c.currency), "value"),
    ],
    detail_fields=lambda c, L: [
        (_("State"), c.get_state_display()),
        (_("Operation"), L.label(Operation, c.operation_id)),
        (_("Provider"), L.label(Organisation, c.provider_id)),
        (_("Recipient unit"), L.label(SecurityUnit, c.unit_id)),
        (_("Support"), c.get_kind_display()),
        (_("Description"), c.description),
        (_("Value"), _money(c.value, c.currency)),
        (_("From"), _iso(c.start)),
        (_("To"), _iso(c.end)),
    ],
    extra_detail=_case_sections,
    extra_context=_case_context,
    detail_template="accountability/case.html",
    url_name="supportcase",
)

ASSESSMENTS = Config(
    model=RiskAssessment,
    name="risk-assessments",
    singular=gettext_lazy("risk assessment"),
    plural=gettext_lazy("risk assessments"),
    filterset=RiskAssessmentFilter,
    form=RiskAssessmentForm,
    default_sort="-assessed_on",
    columns=[
        Column(gettext_lazy("Assessment"), lambda a, L: str(a), "pk", link=True),
        Column(gettext_lazy("Rationale"), lambda a, L: a.rationale[:80]),
        Column(gettext_lazy("Rating"), lambda a, L: a.get_rating_display(), "rating"),
        Column(gettext_lazy("Decision"), lambda a, L: a.get_decision_display(), "decision"),
        Column(gettext_lazy("Made"), lambda a, L: _iso(a.assessed_on), "assessed_on"),
        Column(gettext_lazy("Expires"), lambda a, L: _iso(a.expires_on), "expires_on"),
    ],
    detail_fields=lambda a, L: [
        (_("Case"), L.label(SupportCase, a.case_id)),
        (_("Version"), a.version),
        (_("The recipient's record"), a.recipient_record),
        (_("Corrective steps taken"), a.corrective_steps),
        (_("The provider's leverage"), a.leverage),
        (_("Feasibility of mitigation"), a.mitigation_feasibility),
        (_("Risk of withholding support"), a.withholding_risk),
        (_("Rating"), a.get_rating_display()),
        (_("Decision"), a.get_decision_display()),
        (_("Rationale"), a.rationale),
        # People are named to signed-in users only.
        (_("Approver"), (a.approver or "") if getattr(L.user, "is_authenticated", False) else ""),
        (_("Made"), _iso(a.assessed_on)),
        (_("Expires"), _iso(a.expires_on)),
    ],
    url_name="riskassessment",
)

MEASURES = Config(
    model=MitigatingMeasure,
    name="mitigating-measures",
    singular=gettext_lazy("mitigating measure"),
    plural=gettext_lazy("mitigating measures"),
    filterset=MitigatingMeasureFilter,
    form=MitigatingMeasureForm,
    default_sort="deadline",
    columns=[
        Column(gettext_lazy("Measure"), lambda m, L: m.description[:80], "pk", link=True),
        Column(gettext_lazy("Case"), lambda m, L: L.label(SupportCase, m.case_id)),
        Column(gettext_lazy("Owner"), lambda m, L: L.label(Organisation, m.responsible_id)),
        Column(gettext_lazy("Deadline"), lambda m, L: _iso(m.deadline), "deadline"),
        Column(gettext_lazy("Done"), lambda m, L: _iso(m.done_on), "done_on"),
    ],
    detail_fields=lambda m, L: [
        (_("Case"), L.label(SupportCase, m.case_id)),
        (_("Measure"), m.description),
        (_("Owner"), L.label(Organisation, m.responsible_id)),
        (_("Deadline"), _iso(m.deadline)),
        (_("Done"), _iso(m.done_on) or _("not yet")),
        (_("Evidence"), m.evidence),
    ],
    url_name="mitigatingmeasure",
)


def _allegation_fields(a: Allegation, L):
    return [
        (_("Against"), L.label(SecurityUnit, a.unit_id)),
        (_("Violation"), a.get_violation_display()),
        (_("Confidence"), a.get_confidence_display()),
        (_("Summary"), a.summary),
        (_("When"), f"{_iso(a.occurred_from) or '…'} – {_iso(a.occurred_to) or '…'}"),
        (_("Where"), a.place_name or (L.label(Area, a.place_id) if a.place_id else "")),
        (_("Recorded"), _iso(a.recorded)),
        (
            pgettext("date", "Resolved"),
            f"{_iso(a.resolved_on)}: {a.resolution}" if a.resolved_on else _("no"),
        ),
    ]


ALLEGATIONS = Config(
    model=Allegation,
    name="allegations",
    singular=gettext_lazy("allegation"),
    plural=gettext_lazy("allegations"),
    filterset=AllegationFilter,
    form=AllegationForm,
    default_sort="-recorded",
    columns=[
        Column(gettext_lazy("Allegation"), lambda a, L: str(a), "pk", link=True),
        Column(gettext_lazy("Summary"), lambda a, L: a.summary[:80]),
        Column(gettext_lazy("Against"), lambda a, L: L.label(SecurityUnit, a.unit_id)),
        Column(gettext_lazy("Confidence"), lambda a, L: a.get_confidence_display(), "confidence"),
        Column(gettext_lazy("Recorded"), lambda a, L: _iso(a.recorded), "recorded"),
        Column(pgettext_lazy("date", "Resolved"), lambda a, L: _iso(a.resolved_on), "resolved_on"),
    ],
    detail_fields=_allegation_fields,
    extra_context=lambda a, user, request: {"source": source_shown(a, user)},
    detail_template="accountability/allegation.html",
    url_name="allegation",
)

INTERCESSIONS = Config(
    model=Intercession,
    name="intercessions",
    singular=gettext_lazy("intercession"),
    plural=gettext_lazy("intercessions"),
    filterset=IntercessionFilter,
    form=IntercessionForm,
    default_sort="-raised_on",
    columns=[
        Column(gettext_lazy("Intercession"), lambda i, L: str(i), "pk", link=True),
        Column(gettext_lazy("With"), lambda i, L: i.raised_with),
        Column(gettext_lazy("Case"), lambda i, L: L.label(SupportCase, i.case_id)),
        Column(gettext_lazy("Raised"), lambda i, L: _iso(i.raised_on), "raised_on"),
        Column(gettext_lazy("Deadline"), lambda i, L: _iso(i.deadline), "deadline"),
        Column(pgettext_lazy("date", "Resolved"), lambda i, L: _iso(i.resolved_on), "resolved_on"),
    ],
    detail_fields=lambda i, L: [
        (_("Case"), L.label(SupportCase, i.case_id)),
        (_("Raised on"), _iso(i.raised_on)),
        (_("With"), i.raised_with),
        (_("What"), i.what),
        (_("Response"), i.response),
        (_("Deadline"), _iso(i.deadline)),
        (pgettext("date", "Resolved"), _iso(i.resolved_on) or _("no")),
    ],
    url_name="intercession",
)


@require_POST
def decide(request, pk):
    case = access_support_case(request.user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            case_services.decide(
                case,
                form.cleaned_data["to_state"],
                form.cleaned_data["rationale"],
                actor=Actor.from_request(request),
                on=form.cleaned_data["on"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(case)s is now %(state)s.")
                % {"case": case, "state": form.cleaned_data["to_state"]},
            )
    else:
        messages.error(
            request,
            "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
    return redirect(case.get_absolute_url())


def register_rows(cases_qs, user, today: dt.date) -> list[dict]:
    """One row per case for the register and its export: the support, where the due
    diligence stands, the latest assessment, open allegations (sources never appear),
    measures done and late, intercessions, and what the register flags."""
    from concord.core.crypto import pseudonym

    L = VisibleLabels(user)
    cases = list(cases_qs)
    _units, register = loaders.case_register(
        SupportCase.objects.filter(pk__in=[c.pk for c in cases]), today
    )
    ids = [c.pk for c in cases]
    latest: dict[int, RiskAssessment] = {}
    for a in RiskAssessment.objects.visible_to(user).filter(case_id__in=ids).order_by("version"):
        latest[a.case_id] = a
    measures: dict[int, list] = {}
    for m in MitigatingMeasure.objects.visible_to(user).filter(case_id__in=ids):
        measures.setdefault(m.case_id, []).append(m)
    interc: dict[int, list] = {}
    for i in Intercession.objects.visible_to(user).filter(case_id__in=ids):
        interc.setdefault(i.case_id, []).append(i)
    visible_allegations = {
        a.pk: a
        for a in Allegation.objects.visible_to(user).filter(
            pk__in=[f.record[1] for f in register.flags if f.record and f.record[0] == "allegation"]
        )
    }
    every_flag = [f for c in cases for f in register.of(c.pk)]
    words = iter(shown.flag_texts(every_flag, user))  # one query per kind for the register
    flag_words = {c.pk: [next(words) for _ in register.of(c.pk)] for c in cases}
    rows = []
    for c in cases:
        a = latest.get(c.pk)
        ms = measures.get(c.pk, [])
        flags = register.of(c.pk)
        alleg = [
            visible_allegations[f.record[1]]
            for f in flags
            if f.record and f.record[0] == "allegation" and f.record[1] in visible_allegations
        ]
        hidden = sum(
            1
            for f in flags
            if f.record and f.record[0] == "allegation" and f.record[1] not in visible_allegations
        )
        rows.append(
            {
                "case": c,
                "id": c.pk,
                "title": c.title,
                "unit": L.label(SecurityUnit, c.unit_id),
                "provider": L.label(Organisation, c.provider_id),
                "support": c.get_kind_display(),
                "value": _money(c.value, c.currency),
                "state": c.get_state_display(),
                "assessment": (
                    _("v%(version)s %(rating)s risk, %(decision)s, expires %(expires)s")
                    % {
                        "version": a.version,
                        "rating": a.get_rating_display(),
                        "decision": a.get_decision_display(),
                        "expires": a.expires_on,
                    }
                    if a
                    else _("none")
                ),
                "allegations": "; ".join(
                    [
                        _(
                            "#%(pk)s %(violation)s (%(confidence)s, since %(since)s, "
                            "source %(source)s)"
                        )
                        % {
                            "pk": x.pk,
                            "violation": x.get_violation_display(),
                            "confidence": x.get_confidence_display(),
                            "since": x.recorded,
                            "source": pseudonym(x.source, x) or _("not recorded"),
                        }
                        for x in alleg
                    ]
                    + (
                        [
                            ngettext(
                                "%(n)s more you may not see", "%(n)s more you may not see", hidden
                            )
                            % {"n": hidden}
                        ]
                        if hidden
                        else []
                    )
                ),
                "measures": _("%(done)s/%(total)s done, %(late)s late")
                % {
                    "done": sum(1 for m in ms if m.done_on),
                    "total": len(ms),
                    "late": sum(1 for m in ms if m.deadline < today and not m.done_on),
                },
                "intercessions": _("%(total)s (%(open)s open)")
                % {
                    "total": len(interc.get(c.pk, [])),
                    "open": sum(1 for i in interc.get(c.pk, []) if not i.resolved_on),
                },
                "flags": [
                    t for f, t in zip(flags, flag_words[c.pk], strict=True) if f.kind != "review"
                ],
            }
        )
    return rows


# The export's column names, the same in every language (docs/translating.md).
REGISTER_COLUMNS = [
    ("id", "Case id"),  # untranslated: a column name
    ("title", "Case"),
    ("unit", "Recipient unit"),  # untranslated: a column name
    ("provider", "Provider"),
    ("support", "Support"),
    ("value", "Value"),
    ("state", "State"),
    ("assessment", "Latest risk assessment"),  # untranslated: a column name
    ("allegations", "Open credible allegations"),  # untranslated: a column name
    ("measures", "Mitigating measures"),  # untranslated: a column name
    ("intercessions", "Intercessions"),
    ("flags", "Flags"),
]


def operation_register(request, pk):
    """The due-diligence register of an operation; ``?export=csv|xlsx|json`` gives the
    table for the periodic report to the Security Council (allegation sources pseudonymised)."""
    op = access_operation(request.user, pk)
    today = timezone.localdate()
    cases = SupportCase.objects.visible_to(request.user).filter(operation=op).order_by("title")
    state = request.GET.get("state", "")
    if state:
        cases = cases.filter(state=state)
    rows = register_rows(cases, request.user, today)
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in ("csv", "xlsx", "json"):
            raise Http404(_("export: give csv, xlsx or json."))
        return tabular_response(
            f"concord-hrddp-register-{op.pk}-{today}",
            fmt,
            [label for _, label in REGISTER_COLUMNS],
            (
                ["; ".join(r[k]) if isinstance(r[k], list) else r[k] for k, _ in REGISTER_COLUMNS]
                for r in rows
            ),
        )
    by_state: dict[str, int] = {}
    for r in rows:
        by_state[r["state"]] = by_state.get(r["state"], 0) + 1
    ctx = {
        "op": op,
        "rows": rows,
        "today": today,
        "by_state": sorted(by_state.items()),
        "states": CaseState.choices,
        "state": state,
        "add_url": reverse("accountability:supportcase_add"),
        "labels": VisibleLabels(request.user),
    }
    return render(request, "accountability/register.html", ctx)
