"""The operations' record pages: an operation's page (its fields, relations,
contributions and sources), a country's section on operations, and the relations."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from concord.core import capabilities
from concord.core.access import may
from concord.core.models import Country, Organisation
from concord.web.generic import Column, Config

from .. import loaders
from ..filters import OperationFilter, RelationFilter
from ..forms import OperationForm, OverrideForm, RelationForm
from ..models import Operation, Relation, Scenario

SCENARIO_LABELS = dict(Scenario.choices)


def _date_param(request, name: str, default: dt.date | None = None) -> dt.date:
    value = request.GET.get(name, "")
    if not value:
        return default or dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404(
            gettext("%(name)s: %(value)s is not a date (YYYY-MM-DD).")
            % {"name": name, "value": repr(value)}
        ) from None


def _org(labels, pk):
    return labels.label(Organisation, pk) if pk else "—"


def operation_fields(o: Operation, labels):
    ongoing = gettext("ongoing")
    return [
        (gettext("Name"), o.name),
        (gettext("Acronym"), o.acronym or "—"),
        (pgettext("an operation's field", "Key"), o.key or "—"),
        (gettext("Also known as"), "; ".join(o.aliases or []) or "—"),
        (gettext("Kind"), o.get_kind_display()),
        (gettext("Framework"), o.get_framework_display()),
        (gettext("Run by"), _org(labels, o.framework_organisation_id)),
        (gettext("Lead organisation"), _org(labels, o.lead_organisation_id)),
        (gettext("Lead state"), str(o.lead_state) if o.lead_state_id else "—"),
        (gettext("Host countries"), ", ".join(str(c) for c in o.host_countries.all()) or "—"),
        (
            gettext("Areas of operation"),
            ", ".join(str(a) for a in o.areas.visible_to(labels.user)) if o.pk else "—",
        ),
        (gettext("Dates"), f"{o.start} – {o.end or ongoing}"),
        (
            gettext("Status"),
            dict(o._meta.get_field("status").choices).get(o.effective_status(), ""),
        ),
        (gettext("Funding"), o.get_funding_display() or "—"),
        (gettext("Description"), o.description or "—"),
    ]


def _sources_rows(sources):
    return [
        (
            format_html(
                "{}{}",
                f"{s.get('fact')}: " if s.get("fact") else "",
                s.get("citation") or s.get("url"),
            ),
            s.get("url") or None,
        )
        for s in sources or []
    ]


def country_section(country: Country, labels, user):
    """On a country's page: the operations there, each with its scenario today."""
    rows = []
    for o, result in loaders.in_country(country, user):
        if result is not None and result.scenario:
            today = gettext("today: %(scenario)s") % {"scenario": Scenario(result.scenario).label}
        elif o.end is not None and o.end < dt.date.today():
            today = gettext("ended %(year)s") % {"year": f"{o.end:%Y}"}
        else:
            today = gettext("not active today")
        years = (
            f"{o.start:%Y}–{o.end:%Y}"
            if o.end
            else gettext("since %(year)s") % {"year": f"{o.start:%Y}"}
        )
        rows.append((f"{o} ({years}), {today}", f"/operations/{o.pk}/"))
    if rows:
        url = reverse("operations:timeline")
        timeline = f"{url}?theatre={country.alpha3}"
        rows.append(
            (
                gettext("Timeline of the operations in %(country)s")
                % {"country": country.local_name},
                timeline,
            )
        )
    return [(gettext("Operations here"), rows)]


def _relation_line(r: Relation, src, tgt) -> str:
    """ "INTERFET handed over to UNTAET on 2000-02-23", one sentence per case."""
    values = {
        "source": src,
        "relation": r.get_kind_display(),
        "target": tgt,
        "date": r.start,
        "start": r.start or "…",
        "end": r.end or gettext("ongoing"),
        "level": r.get_coordination_level_display(),
    }
    if r.start and r.kind == "handed_over_to":
        if r.coordination_level:
            return (
                gettext("%(source)s %(relation)s %(target)s on %(date)s (coordination: %(level)s)")
                % values
            )
        return gettext("%(source)s %(relation)s %(target)s on %(date)s") % values
    if r.coordination_level:
        return (
            gettext(
                "%(source)s %(relation)s %(target)s %(start)s – %(end)s (coordination: %(level)s)"
            )
            % values
        )
    return gettext("%(source)s %(relation)s %(target)s %(start)s – %(end)s") % values


def _figures(c) -> str:
    """ "400 troops, 20 police": the figures a contribution gives."""
    # Translators: the number of troops, police or civilians a country or organisation
    # contributes to an operation (the English is the same for one and for several).
    parts = [
        ngettext("%(n)s troops", "%(n)s troops", c.troops) % {"n": c.troops}
        if c.troops is not None
        else None,
        ngettext("%(n)s police", "%(n)s police", c.police) % {"n": c.police}
        if c.police is not None
        else None,
        ngettext("%(n)s civilians", "%(n)s civilians", c.civilians) % {"n": c.civilians}
        if c.civilians is not None
        else None,
    ]
    return ", ".join(p for p in parts if p)


def operation_sections(o: Operation, labels, user):
    rels = list(Relation.objects.visible_to(user).filter(Q(source=o) | Q(target=o)))
    labels.preload(rels)  # both ends of every relation in one query
    rel_rows = []
    for r in sorted(rels, key=lambda r: (r.start or dt.date.min, r.pk)):
        src, tgt = labels.get(Operation, r.source_id), labels.get(Operation, r.target_id)
        if src is None or tgt is None:
            continue  # the other end is not visible: the relation is not shown either
        rel_rows.append((_relation_line(r, src, tgt), r.get_absolute_url()))
    auths = [
        (
            gettext("%(authorisation)s — renewal") % {"authorisation": a} if a.renewal else str(a),
            a.url or None,
        )
        for a in o.authorisations.all()
    ]
    contribs, hidden = [], 0
    for c in o.contributions.all():
        if (
            c.contributor_organisation_id
            and labels.get(Organisation, c.contributor_organisation_id) is None
        ):
            hidden += 1  # a row resting on a hidden organisation: counted, never described
            continue
        who = (
            str(c.contributor_state)
            if c.contributor_state_id
            else _org(labels, c.contributor_organisation_id)
        )
        contribs.append(
            (
                gettext("%(who)s: %(figures)s (as of %(date)s)")
                % {
                    "who": who,
                    "figures": _figures(c) or gettext("no figures"),
                    "date": c.date or gettext("undated"),
                },
                None,
            )
        )
    if hidden:
        contribs.append(
            (
                ngettext(
                    "%(n)d contribution you may not see",
                    "%(n)d contributions you may not see",
                    hidden,
                )
                % {"n": hidden},
                None,
            )
        )
    return [
        (gettext("Relations"), rel_rows),
        (gettext("Authorisations and renewals"), auths),
        (gettext("Contributions"), contribs),
        (gettext("Sources"), _sources_rows(o.sources)),
        *(
            section
            for extra in capabilities.sections("operation")
            for section in extra(o, labels, user)
        ),
    ]


def operation_context(o: Operation, user, request):
    day = _date_param(request, "as_of")
    derived, history = loaders.classification_of(o, user, day)
    can_edit = may(user, o)
    return {
        "as_of": day,
        "derived": derived,
        "derived_label": SCENARIO_LABELS.get(derived.scenario, gettext("not active")),
        "override_label": SCENARIO_LABELS.get(o.scenario_override, ""),
        "history": [
            (p.start, p.end, SCENARIO_LABELS.get(p.result.scenario, "—"), p.result) for p in history
        ],
        "override_form": OverrideForm(
            initial={"scenario": o.scenario_override, "justification": o.override_justification}
        )
        if can_edit
        else None,
    }


def _edit_children(form):
    return form.children()


OPERATIONS = Config(
    model=Operation,
    name="operations",
    singular=_("operation"),
    plural=_("operations"),
    filterset=OperationFilter,
    form=OperationForm,
    select_related=("lead_state",),
    prefetch_related=("host_countries",),
    default_sort="start",
    columns=[
        Column(_("Name"), lambda o, L: o.label, "name", link=True),
        Column(_("Framework"), lambda o, L: o.get_framework_display(), "framework"),
        Column(_("Kind"), lambda o, L: o.get_kind_display(), "kind"),
        Column(
            _("Hosts"), lambda o, L: ", ".join(sorted(c.alpha3 for c in o.host_countries.all()))
        ),
        Column(_("Start"), lambda o, L: o.start.isoformat(), "start"),
        Column(_("End"), lambda o, L: o.end.isoformat() if o.end else gettext("ongoing"), "end"),
    ],
    detail_fields=operation_fields,
    extra_detail=operation_sections,
    extra_context=operation_context,
    detail_template="operations/detail.html",
    children=_edit_children,
)


def relation_fields(r: Relation, labels):
    return [
        (gettext("From"), labels.label(Operation, r.source_id)),
        (gettext("Relation"), r.get_kind_display()),
        (gettext("To"), labels.label(Operation, r.target_id)),
        (gettext("Start"), r.start or "—"),
        (gettext("End"), r.end or "—"),
        (gettext("Coordination level"), r.get_coordination_level_display() or "—"),
        (gettext("Re-hatting"), gettext("yes") if r.rehatting else gettext("no")),
        (gettext("Note"), r.note or "—"),
    ]


RELATIONS = Config(
    model=Relation,
    name="relations",
    singular=_("relation"),
    plural=_("relations"),
    filterset=RelationFilter,
    form=RelationForm,
    default_sort="start",
    columns=[
        Column(
            _("Relation"),
            lambda r, L: (
                gettext("%(source)s %(relation)s %(target)s")
                % {
                    "source": L.label(Operation, r.source_id),
                    "relation": r.get_kind_display(),
                    "target": L.label(Operation, r.target_id),
                }
            ),
            link=True,
        ),
        Column(_("Start"), lambda r, L: r.start.isoformat() if r.start else "", "start"),
        Column(_("End"), lambda r, L: r.end.isoformat() if r.end else "", "end"),
        Column(
            _("Coordination"), lambda r, L: r.get_coordination_level_display(), "coordination_level"
        ),
        Column(_("Note"), lambda r, L: r.note[:80]),
    ],
    detail_fields=relation_fields,
    extra_detail=lambda r, labels, user: [(gettext("Sources"), _sources_rows(r.sources))],
)
