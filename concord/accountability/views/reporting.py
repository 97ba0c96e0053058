"""Accountability pages: the lines, obligations and reports (generic lists and forms), the
reports due, an operation's web of accountability, and an iCalendar feed of due dates."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from concord.api import throttle
from concord.core import capabilities
from concord.core.context import Actor
from concord.core.importers import iso as _iso
from concord.core.models import FeedSecret, Organisation
from concord.core.sources import format_sources
from concord.core.visibility import VisibleLabels
from concord.operations.access import access_operation
from concord.operations.models import Operation
from concord.web.generic import Column, Config, report_refusal

from .. import analysis, loaders, pictures
from ..access import access_report
from ..filters import (
    AccountabilityLineFilter,
    ReportFilter,
    ReportingObligationFilter,
)
from ..forms import (
    AccountabilityLineForm,
    ReportForm,
    ReportingObligationForm,
    ReviewForm,
)
from ..models import (
    AccountabilityLine,
    Body,
    Report,
    ReportingObligation,
)
from ..services import reporting as reporting_services

LINES = Config(
    model=AccountabilityLine,
    name="accountability-lines",
    singular=gettext_lazy("accountability line"),
    plural=gettext_lazy("accountability lines"),
    filterset=AccountabilityLineFilter,
    form=AccountabilityLineForm,
    default_sort="pk",
    columns=[
        Column(gettext_lazy("Line"), lambda a, L: str(a), "pk", link=True),
        Column(gettext_lazy("Operation"), lambda a, L: L.label(Operation, a.operation_id)),
        Column(gettext_lazy("To"), lambda a, L: L.label(Organisation, a.to_organisation_id)),
        Column(gettext_lazy("How often"), lambda a, L: a.frequency),
        Column(gettext_lazy("From"), lambda a, L: _iso(a.start), "start"),
        Column(gettext_lazy("To date"), lambda a, L: _iso(a.end) or _("open"), "end"),
    ],
    detail_fields=lambda a, L: [
        (_("Operation"), L.label(Operation, a.operation_id)),
        (_("Answers to"), a.get_body_display()),
        (_("Body in the registry"), L.label(Organisation, a.to_organisation_id)),
        (_("Mechanism"), a.get_mechanism_display()),
        (_("How often"), a.frequency),
        (_("From"), _iso(a.start)),
        (_("To"), _iso(a.end) or _("open")),
        (_("Note"), a.note),
        (_("Documents"), format_sources(a.sources)),
    ],
    url_name="accountabilityline",
)


def _obligation_fields(o, L):
    if o.every_days:
        schedule = ngettext("every %(n)s day", "every %(n)s days", o.every_days) % {
            "n": o.every_days
        }
    else:
        schedule = _("each year on %(dates)s") % {"dates": ", ".join(o.fixed_dates)}
    values = {"schedule": schedule, "first": o.first_due, "until": _iso(o.until)}
    if o.until:
        when = _("%(schedule)s, first due %(first)s, until %(until)s") % values
    else:
        when = _("%(schedule)s, first due %(first)s, until further notice") % values
    return [
        (_("Reporter"), loaders.reporter_label(o, L)),
        (_("Reports to"), o.get_body_display()),
        (_("Body in the registry"), L.label(Organisation, o.to_organisation_id)),
        (_("Subject"), o.subject),
        (_("Schedule"), when),
        (_("Grace days"), o.grace_days),
        (_("Required by"), format_sources(o.sources)),
    ]


def _obligation_sections(o, L, user):
    today = timezone.localdate()
    rows = loaders.dues(user, today, 60, ReportingObligation.objects.filter(pk=o.pk))
    out = []
    for r in sorted(rows, key=lambda r: r.due.due, reverse=True)[:40]:
        out.append((_due_text(r), r.report.get_absolute_url() if r.report else ""))
    return [(_("Due dates (newest first)"), out or [(_("No due date yet."), "")])]


def _due_text(r) -> str:
    """One due date of an obligation's page, in words."""
    values = {"due": r.due.due, "n": r.days_late}
    if r.report is not None:
        values.update(title=r.report.title, submitted=r.report.submitted)
        if r.state == "met":
            return _("%(due)s: met by %(title)s (submitted %(submitted)s)") % values
        if r.days_late:
            return (
                ngettext(
                    "%(due)s: met late by %(title)s (submitted %(submitted)s), %(n)s day late",
                    "%(due)s: met late by %(title)s (submitted %(submitted)s), %(n)s days late",
                    r.days_late,
                )
                % values
            )
        return _("%(due)s: met late by %(title)s (submitted %(submitted)s)") % values
    if r.state == "overdue":
        if r.days_late:
            return (
                ngettext(
                    "%(due)s: OVERDUE, %(n)s day late",
                    "%(due)s: OVERDUE, %(n)s days late",
                    r.days_late,
                )
                % values
            )
        return _("%(due)s: OVERDUE") % values
    return _("%(due)s: due") % values


OBLIGATIONS = Config(
    model=ReportingObligation,
    name="reporting-obligations",
    singular=gettext_lazy("reporting obligation"),
    plural=gettext_lazy("reporting obligations"),
    filterset=ReportingObligationFilter,
    form=ReportingObligationForm,
    default_sort="first_due",
    columns=[
        Column(gettext_lazy("Subject"), lambda o, L: o.subject, "subject", link=True),
        Column(gettext_lazy("Reporter"), lambda o, L: loaders.reporter_label(o, L)),
        Column(gettext_lazy("To"), lambda o, L: o.get_body_display(), "body"),
        Column(
            "Schedule",
            lambda o, L: (
                _("every %(n)s d") % {"n": o.every_days}
                if o.every_days
                else "; ".join(o.fixed_dates)
            ),
        ),
        Column(gettext_lazy("First due"), lambda o, L: _iso(o.first_due), "first_due"),
    ],
    detail_fields=_obligation_fields,
    extra_detail=_obligation_sections,
    url_name="reportingobligation",
)

REPORTS = Config(
    model=Report,
    name="reports",
    singular=gettext_lazy("report"),
    plural=gettext_lazy("reports"),
    filterset=ReportFilter,
    form=ReportForm,
    default_sort="-submitted",
    prefetch_related=("obligations",),
    columns=[
        Column(gettext_lazy("Report"), lambda r, L: r.title, "title", link=True),
        Column(gettext_lazy("Submitted"), lambda r, L: _iso(r.submitted), "submitted"),
        Column(gettext_lazy("Status"), lambda r, L: r.get_status_display(), "status"),
        Column(
            gettext_lazy("Covers"), lambda r, L: f"{_iso(r.period_start)} – {_iso(r.period_end)}"
        ),
        Column(
            "Satisfies",
            lambda r, L: "; ".join(L.label(ReportingObligation, o.pk) for o in r.obligations.all()),
        ),
    ],
    detail_fields=lambda r, L: [
        (_("Submitted"), _iso(r.submitted)),
        (_("Status"), r.get_status_display()),
        (_("Period covered"), f"{_iso(r.period_start)} – {_iso(r.period_end)}"),
        (
            _("Satisfies"),
            "; ".join(L.label(ReportingObligation, o.pk) for o in r.obligations.all()),
        ),
        (_("Document"), format_sources(r.attachments)),
        (_("Note"), r.note),
    ],
    extra_context=lambda r, user, request: {
        "review_form": ReviewForm() if reporting_services.review_problem(r, user) is None else None,
        "review_url": reverse(
            "accountability:report_review",
            kwargs={"pk": r.pk},
        ),
    },
    detail_template="accountability/report.html",
    url_name="report",
)


@require_POST
def review(request, pk):
    """Accept a report, or return it for revision (by the organisation it is owed to)."""
    report = access_report(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return redirect(report.get_absolute_url())
    try:
        reporting_services.review(
            report,
            form.cleaned_data["status"],
            form.cleaned_data["review_note"],
            actor=Actor.from_request(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        if form.cleaned_data["status"] == "accepted":
            messages.success(request, _("Report accepted."))
        else:
            messages.success(request, _("Report returned."))
    return redirect(report.get_absolute_url())


# --- reports due ------------------------------------------------------------------------------


def due(request):
    """Overdue reports and those due in the next N days, among the obligations you may see."""
    try:
        days = analysis.look_ahead(request.GET.get("days") or "30")
    except ValueError:
        error = _("days: give a whole number of days from 0 to %(max)s, not %(value)s.") % {
            "max": analysis.MAX_LOOK_AHEAD,
            "value": repr(request.GET.get("days") or "30"),
        }
        return render(request, "accountability/due.html", {"error": error}, status=400)
    today = timezone.localdate()
    rows = loaders.dues(request.user, today, days)
    overdue, upcoming = loaders.outstanding(rows)
    labels = VisibleLabels(request.user)
    met = [r for r in rows if r.state in ("met", "late") and (today - r.due.due).days <= 31]
    ctx = {
        "days": days,
        "today": today,
        "overdue": [(r, loaders.reporter_label(r.obligation, labels)) for r in overdue],
        "upcoming": [(r, loaders.reporter_label(r.obligation, labels)) for r in upcoming],
        "recent": sorted(met, key=lambda r: r.due.due, reverse=True),
        "feed": reverse("accountability:calendar"),
    }
    return render(request, "accountability/due.html", ctx)


# --- a calendar of due dates -----------------------------------------------------------------


def _month(value: str, today: dt.date) -> dt.date:
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(p) for p in value.split("-"))
        if not 1900 <= year <= 2200:
            raise ValueError
        return dt.date(year, month, 1)
    except ValueError:
        raise ValueError(
            "month: give a month as YYYY-MM from 1900 to 2200, e.g. 2026-11."
        ) from None


def due_calendar(request):
    """A month of due dates, a cell per day, each due date coloured by its state."""
    today = timezone.localdate()
    try:
        first = _month(request.GET.get("month", ""), today)
    except ValueError:
        error = _("month: give a month as YYYY-MM from 1900 to 2200, e.g. 2026-11.")
        return render(request, "accountability/calendar.html", {"error": error}, status=400)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    horizon = max(0, (last - today).days)
    by_day: dict[dt.date, list] = {}
    for r in loaders.dues(request.user, today, horizon):
        if first <= r.due.due <= last:
            by_day.setdefault(r.due.due, []).append(r)
    weeks = [
        [(day, by_day.get(day, [])) if day else (None, []) for day in week]
        for week in analysis.month_weeks(first.year, first.month)
    ]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    ctx = {
        "first": first,
        "weeks": weeks,
        "today": today,
        "previous": previous.strftime("%Y-%m"),
        "following": following.strftime("%Y-%m"),
        "count": sum(len(v) for v in by_day.values()),
    }
    return render(request, "accountability/calendar.html", ctx)


# --- the iCalendar feed -----------------------------------------------------------------------


def _feed_user(request):
    """(user, None) for a signed-in browser or a valid feed secret (``?feed=``), else
    (None, why). API tokens are refused: they may write, and a feed's address is kept in
    calendar applications and sometimes shared."""
    if request.user.is_authenticated:
        return request.user, None
    if "token" in request.GET:
        return None, _(
            "API tokens are not accepted by the calendar feed: create a calendar feed address "
            "on /tokens/ and subscribe to that."
        )
    key = request.GET.get("feed", "")
    if not key:
        return None, _(
            "Sign in, or create a calendar feed address on /tokens/ and subscribe to that."
        )
    secret = FeedSecret.authenticate(key)
    if secret is None:
        return None, _(
            "This calendar feed address is not valid or was revoked: create a calendar feed "
            "address on /tokens/ and subscribe to that."
        )
    return secret.user, None


def ics(rows: list[loaders.DueRow], host: str, labels) -> bytes:
    """An iCalendar (RFC 5545) of due dates: one all-day event each. Written by the
    ``icalendar`` library (escaping, line folding, CRLF endings)."""
    from icalendar import Calendar, Event

    stamp = timezone.now()
    summary = {
        "overdue": _("OVERDUE: %(subject)s (%(reporter)s)"),
        "due": "%(subject)s (%(reporter)s)",
        "met": _("Filed: %(subject)s (%(reporter)s)"),
        "late": _("Filed late: %(subject)s (%(reporter)s)"),
    }
    cal = Calendar()
    cal.add("prodid", "-//Concord//Reports due//EN")  # untranslated: the product id (RFC 5545)
    cal.add("version", "2.0")
    for r in rows:
        d = r.due.due
        event = Event()
        event.add("uid", f"concord-obligation-{r.obligation.pk}-{d:%Y%m%d}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", d)
        if d < dt.date.max:  # an all-day event without an end lasts that day (RFC 5545)
            event.add("dtend", d + dt.timedelta(days=1))
        reporter = loaders.reporter_label(r.obligation, labels)
        event.add(
            "summary",
            summary[r.state] % {"subject": r.obligation.subject, "reporter": reporter},
        )
        event.add("description", _("To: %(body)s") % {"body": r.obligation.get_body_display()})
        cal.add_component(event)
    return cal.to_ical()


def calendar(request):
    """Due dates of the obligations you may see, a year back and a year ahead, for a
    calendar application: signed in, or ``?feed=`` with your calendar feed secret (made on
    /tokens/; never an API token). Failed secrets count towards the per-address limit on
    failed authentications (concord.api.throttle). Never stored by a cache or proxy."""
    address = throttle.client_address(request)
    if not request.user.is_authenticated:
        wait = throttle.retry_after(address)
        if wait is not None:
            response = HttpResponse(
                ngettext(
                    "Too many failed attempts from your address: try again in %(n)s second.",
                    "Too many failed attempts from your address: try again in %(n)s seconds.",
                    wait,
                )
                % {"n": wait},
                status=429,
                content_type="text/plain",
            )
            response["Retry-After"] = str(wait)
            return _private(response)
    user, why = _feed_user(request)
    if user is None:
        if request.GET.get("feed") or request.GET.get("token"):
            throttle.record_failure(address)
        return _private(HttpResponse(why, status=401, content_type="text/plain"))
    today = timezone.localdate()
    rows = [r for r in loaders.dues(user, today, 365) if (today - r.due.due).days <= 365]
    body = ics(rows, request.get_host(), VisibleLabels(user))
    response = HttpResponse(
        body,
        content_type="text/calendar; charset=utf-8",  # untranslated: a MIME type
    )
    response["Content-Disposition"] = 'inline; filename="concord-reports-due.ics"'
    return _private(response)


def _private(response):
    response["Cache-Control"] = "private, no-store"  # untranslated: a header value
    return response


# --- an operation's web -----------------------------------------------------------------------


def web_picture(op: Operation, user, on: dt.date) -> tuple[str, loaders.Web]:
    web = loaders.web_on(op, user, on)
    lines, auths, missing = web
    spokes: dict[str, list] = {}
    for a in auths:
        spokes.setdefault(analysis.AUTHORISED_BY[a.kind], []).append(
            (_("Authorised: %(authorisation)s") % {"authorisation": a}, op.get_absolute_url())
        )
    for x in lines:
        spokes.setdefault(x.body, []).append((x.get_mechanism_display(), x.get_absolute_url()))
    labels = {k: str(v) for k, v in Body.choices}
    svg = pictures.web_svg(
        _("The web of accountability of %(operation)s on %(on)s") % {"operation": op, "on": on},
        op.acronym or op.key or op.name,
        [(k, labels[k], v) for k, v in spokes.items()],
        missing,
    )
    return svg, web


def reporting_board(user, obligations, days: int = 30) -> list[dict]:
    """Per obligation: how many due dates were met on time, met late, are overdue, and the
    next one (within ``days``)."""
    today = timezone.localdate()
    board: dict[int, dict] = {}
    for r in loaders.dues(user, today, days, obligations):
        row = board.setdefault(
            r.obligation.pk,
            {"obligation": r.obligation, "met": 0, "late": 0, "overdue": 0, "next": None},
        )
        if r.state == "due":
            row["next"] = row["next"] or r.due.due
        else:
            row[r.state] += 1
    return sorted(board.values(), key=lambda row: (-row["overdue"], row["obligation"].subject))


def operation_web(request, pk):
    op = access_operation(request.user, pk)
    on = timezone.localdate()
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            raise Http404(_("on: give a date as YYYY-MM-DD.")) from None
    svg, web = web_picture(op, request.user, on)
    if request.GET.get("format") == "svg":
        return HttpResponse(
            svg,
            content_type="image/svg+xml; charset=utf-8",  # untranslated: a MIME type
        )
    ctx = {
        "reporting": reporting_board(
            request.user, ReportingObligation.objects.filter(reporter_operation=op)
        ),
        "op": op,
        "on": on,
        "svg": svg,
        "lines": web.lines,
        "authorisations": web.authorisations,
        "line_count": len(web.lines) + len(web.authorisations),
        "missing": [analysis.THIN_REASONS[k] for k in web.missing],
        "add_url": reverse("accountability:accountabilityline_add"),
        # what later capabilities add to the web (the support catalogue's modules in force)
        "sections": [
            section
            for add in capabilities.sections("accountability")
            for section in add(op, None, request.user)
        ],
    }
    return render(request, "accountability/web.html", ctx)


def accountability_section(op: Operation, labels, user):
    """On the operation page: its accountability lines today (or on its last day, once it
    has ended) and whether the web is thin."""
    on = min(timezone.localdate(), op.end) if op.end else timezone.localdate()
    url = (
        reverse(
            "accountability:operation_accountability",
            kwargs={"pk": op.pk},
        )
        + f"?on={on}"
    )
    lines, auths, missing = loaders.web_on(op, user, on)
    rows = [
        (
            _("Authorised by %(authorisation)s: a line to a multilateral body")
            % {"authorisation": a},
            url,
        )
        for a in auths
    ]
    rows += [
        (f"{x.get_body_display()}: {x.get_mechanism_display()} {x.frequency}".strip(), url)
        for x in lines
    ]
    if missing:
        reasons = "; ".join(str(analysis.THIN_REASONS[k]) for k in missing)
        rows.append(
            (_("Thin accountability on %(on)s: %(reasons)s.") % {"on": on, "reasons": reasons}, url)
        )
    rows = rows or [(_("No accountability line recorded."), url)]
    rows += [
        (
            _("Compliance board: reports, due-diligence cases, tranches"),
            reverse(
                "accountability:operation_board",
                kwargs={"pk": op.pk},
            ),
        ),
        (
            _("Due-diligence register"),
            reverse(
                "accountability:operation_register",
                kwargs={"pk": op.pk},
            ),
        ),
    ]
    return [(_("Accountability"), rows)]
