"""The assignment board (several open requests at once: the optimal team assignment beside the
first-come baseline) and the roster's reports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import loaders
from ..analysis import reports
from ..models import ExpertiseArea, ExpertRequest, Gender, language_name


def _constraint(code: str) -> str:
    words = {
        "best_fit": _("best fit"),
        "overlap": _("each expert once at a time"),
        "language": _("language coverage"),
        "gender": _("gender balance"),
        "fair_share": _("fair shares"),
        "total_fit": _("total fit"),
    }
    return words.get(code, code)


@login_required
def assignment_board(request):
    open_ = list(loaders.open_requests(request.user).order_by("received_at", "pk"))
    chosen_ids = {int(x) for x in request.GET.getlist("request") if x.isdigit()}
    chosen = [r for r in open_ if r.pk in chosen_ids] if chosen_ids else open_
    ctx = {"title": _("Assignment board"), "open": open_, "chosen": {r.pk for r in chosen}}
    if chosen:
        plans, _facts = loaders.team_plan(chosen, request.user, methods=("optimal", "greedy"))
        plan, greedy = plans["optimal"], plans["greedy"]
        by_request = {r.pk: r for r in chosen}
        rows = []
        for r in chosen:
            rows.append(
                {
                    "request": by_request[r.pk],
                    "choices": [
                        (c, _constraint(c.constraint)) for c in plan.choices if c.request == r.pk
                    ],
                    "greedy": [c for c in greedy.choices if c.request == r.pk],
                    "gaps": [w for rid, w in plan.gaps if rid == r.pk],
                    "greedy_gaps": [w for rid, w in greedy.gaps if rid == r.pk],
                }
            )
        ctx.update(
            {
                "rows": rows,
                "plan": plan,
                "greedy": greedy,
                "filled": len(plan.choices),
                "greedy_filled": len(greedy.choices),
            }
        )
    return render(request, "roster/board.html", ctx)


def _genders(rows):
    words = dict(Gender.choices)
    return [(words.get(g, g), n) for g, n in rows]


@login_required
def roster_reports(request):
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else None
    drows, rrows, answers, shortlisted = loaders.report_rows(request.user, year)
    names = loaders.catalogue().names
    areas, langs = reports.unmet(rrows)
    median, arrived, on_time = reports.time_to_deploy(rrows)
    labels = loaders.step_labels()
    rate, answered = reports.acceptance(answers)
    return render(
        request,
        "roster/reports.html",
        {
            "title": _("Roster reports"),
            "year": year,
            "per_year": reports.per_year(drows),
            "per_expertise": [(names.get(a, a), n) for a, n in reports.per_expertise(drows)],
            "steps": [(labels.get(s, s), h, n) for s, h, n in reports.step_hours(rrows)],
            "median": median,
            "arrived": arrived,
            "on_time": on_time,
            "rate": None if rate is None else round(rate * 100),
            "answered": answered,
            "deployed_gender": _genders(reports.gender_balance([d.gender for d in drows])),
            "shortlisted_gender": _genders(reports.gender_balance(shortlisted)),
            "unmet_areas": [(names.get(a, a), n) for a, n in areas],
            "unmet_languages": [(language_name(c), n) for c, n in langs],
            "requests": len(rrows),
            "open": ExpertRequest.objects.visible_to(request.user).filter(state="open").count(),
        },
    )


def expertise_list(request):
    """The expertise catalogue: the codes experts' skills and requests' needs name (public
    reference data, each with its source)."""
    areas = list(ExpertiseArea.objects.visible_to(request.user).select_related("parent"))
    return render(
        request,
        "roster/expertise.html",
        {"title": _("Expertise catalogue"), "areas": areas},
    )
