"""What a reader may see of what the rules derived: tranche verdicts (live or stored with a
decision), the register's flags and the automatic steps of a case.

The rules run over every record, whoever may see it (a tranche is held by a case its donor
may not see). What they say is rendered here, for one reader, from the records that reader
may see now (docs/security-model.md, "Derived information"):

* a verdict or a flag resting on a record the reader may not see says so, and how many,
  instead of describing it;
* a condition the reader may not see is counted, never worded;
* stored rule output (a decision's evidence, an automatic step's grounds) holds templates and
  references, never another record's words, and is worded again at each reading.

One query per kind of record, whatever the number of verdicts or flags.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_noop as _

from ..analysis import cases as case_rules
from ..analysis import funding as rules
from ..models import (
    Allegation,
    CaseDecision,
    Condition,
    Intercession,
    MitigatingMeasure,
    Report,
    RiskAssessment,
    SupportCase,
)

RECORD_MODELS = {
    "report": Report,
    "case": SupportCase,
    "allegation": Allegation,
    "measure": MitigatingMeasure,
    "intercession": Intercession,
    "assessment": RiskAssessment,
}
_DETAIL = {
    "case": "supportcase",
    "measure": "mitigatingmeasure",
    "assessment": "riskassessment",
}


def _label(kind: str, obj) -> str:
    """A record in the words the rules use for it (analysis.funding's label functions)."""
    if kind == "report":
        return rules.report_label(obj.title, obj.submitted, obj.status)
    if kind == "case":
        return rules.case_label(obj.title)
    if kind == "allegation":
        return rules.allegation_label(obj.pk, obj.violation, obj.recorded)
    if kind == "measure":
        return rules.measure_label(obj.pk, obj.deadline)
    if kind == "intercession":
        return gettext("intercession #%(pk)s raised on %(on)s") % {
            "pk": obj.pk,
            "on": obj.raised_on,
        }
    if kind == "assessment":
        return gettext(
            "risk assessment version %(version)s (rating %(rating)s, decision %(decision)s)"
        ) % {"version": obj.version, "rating": obj.rating, "decision": obj.decision}
    raise ValueError(kind)


class Reader:
    """The records of the given references that ``user`` may see, loaded once, with their
    labels and links."""

    def __init__(self, user, refs: Iterable[tuple[str, int]], conditions: Iterable[int] = ()):
        wanted: dict[str, set[int]] = defaultdict(set)
        for kind, pk in refs:
            wanted[kind].add(pk)
        self.records: dict[tuple[str, int], object] = {}
        for kind, pks in wanted.items():
            for obj in RECORD_MODELS[kind].objects.visible_to(user).filter(pk__in=pks):
                self.records[(kind, obj.pk)] = obj
        ids = {c for c in conditions if c is not None}
        self.conditions = (
            {c.pk: c for c in Condition.objects.visible_to(user).filter(pk__in=ids)} if ids else {}
        )
        # One reverse() per kind of record, not one per link (a board links thousands).
        self._prefix = {
            m: reverse(f"{RECORD_MODELS[m]._meta.app_label}:{_DETAIL.get(m, m)}_detail", args=[0])
            for m in RECORD_MODELS
        }

    def sees(self, ref) -> bool:
        return tuple(ref) in self.records

    def label(self, ref) -> str:
        kind, pk = ref
        return _label(kind, self.records[(kind, pk)])

    def link(self, ref) -> str:
        kind, pk = ref
        return self._prefix[kind].replace("/0/", f"/{pk}/")


def _hidden_text(met: bool, waived: bool, n: int) -> str:
    if waived:
        text = ngettext(
            "Waived. Not met on %(n)s record you may not see; ask their owner.",
            "Waived. Not met on %(n)s records you may not see; ask their owner.",
            n,
        )
    elif met:
        text = ngettext(
            "Met on %(n)s record you may not see; ask their owner.",
            "Met on %(n)s records you may not see; ask their owner.",
            n,
        )
    else:
        text = ngettext(
            "Not met on %(n)s record you may not see; ask their owner.",
            "Not met on %(n)s records you may not see; ask their owner.",
            n,
        )
    return text % {"n": n}


def shown_verdict(v: dict, reader: Reader) -> dict:
    """One verdict (``stored(...)`` shape) as the reader may see it."""
    condition = reader.conditions.get(v["condition"])
    met, waived = v["met"], v.get("waived", False)
    if condition is None:
        return {
            "condition": None,
            "kind": gettext("A condition you may not see"),
            "met": met,
            "waived": waived,
            "evidence": gettext("Waived: a condition you may not see; ask the tranche's owner.")
            if waived
            else gettext("Met: a condition you may not see; ask the tranche's owner.")
            if met
            else gettext("Not met: a condition you may not see; ask the tranche's owner."),
            "links": [],
        }
    refs = [tuple(r) for r in v.get("records", ())]
    hidden = [r for r in refs if not reader.sees(r)]
    template = v.get("template")
    if hidden:
        evidence = _hidden_text(met, waived, len(hidden))
    elif template is None:  # stored before evidence was kept as references
        evidence = (
            gettext("Waived when decided.")
            if waived
            else gettext("Met when decided.")
            if met
            else gettext("Not met when decided.")
        )
    else:
        evidence = rules.render(
            template,
            [reader.label(r) for r in refs],
            dict(rules.condition_params(condition)),
            waived,
        )
    return {
        "condition": condition.pk,
        "kind": str(rules.KINDS[v["kind"]]),
        "met": met,
        "waived": waived,
        "evidence": evidence,
        "links": [reader.link(r) for r in refs if reader.sees(r)],
    }


def stored(v: rules.Verdict) -> dict:
    """A verdict as a decision keeps it: a template and references, no record's words."""
    return {
        "condition": v.condition,
        "kind": v.kind,
        "met": v.met,
        "waived": v.waived,
        "template": v.template,
        "records": [list(r) for r in v.records],
    }


def shown_many(verdict_lists: list[list], user) -> list[list[dict]]:
    """Each list of verdicts (``rules.Verdict`` or their stored form) as ``user`` may see
    them."""
    lists = [[stored(v) if isinstance(v, rules.Verdict) else v for v in vs] for vs in verdict_lists]
    refs = [tuple(r) for vs in lists for v in vs for r in v.get("records", ())]
    reader = Reader(user, refs, [v["condition"] for vs in lists for v in vs])
    return [[shown_verdict(v, reader) for v in vs] for vs in lists]


def shown_verdicts(verdict: rules.TrancheVerdict, user) -> list[dict]:
    return shown_many([verdict.verdicts], user)[0]


def held_message(verdict: rules.TrancheVerdict, user) -> str:
    """Why a tranche is held, in the words ``user`` may see (the approver's error)."""
    reasons = " ".join(x["evidence"] for x in shown_verdicts(verdict, user) if not x["met"])
    return gettext("Held: %(reasons)s") % {"reasons": reasons}


# --- the register's flags ------------------------------------------------------------------------

_FLAG_HIDDEN = {
    "review": _(
        "Under review: a credible allegation you may not see concerns the supported unit "
        "or a unit it belongs to or was; ask its owner."
    ),
    "suspend": _(
        "Suspension recommended: an intercession you may not see is unresolved past its "
        "deadline; ask its owner."
    ),
    "measure": _("A mitigating measure you may not see is late; ask its owner."),
}


def flag_texts(flags: list[case_rules.Flag], user) -> list[str]:
    """The flags' words as ``user`` may see them: a flag resting on a record the user may
    not see says what kind of flag it is, not what the record says."""
    reader = Reader(user, [f.record for f in flags if f.record])
    return [
        f.text if f.record is None or reader.sees(f.record) else gettext(_FLAG_HIDDEN[f.kind])
        for f in flags
    ]


# --- a case's automatic steps ---------------------------------------------------------------------


def allegation_ground(allegation, relation: str) -> list:
    """The grounds an automatic review keeps: the allegation and how it concerns the unit
    ("unit": the supported unit itself; "related": a unit it belongs to or was)."""
    return [["allegation", allegation.pk, relation]]


def assessment_ground(assessment) -> list:
    return [["assessment", assessment.pk]]


# Written into a case's decision in the language of whoever recorded the record behind it
# (services.cases translates them with gettext when it writes them).
AUTOMATIC_REVIEW = _(
    "Opened automatically: a credible allegation was recorded against the supported unit or a "
    "unit it belongs to or was."
)
AUTOMATIC_ASSESSED = _("A risk assessment was recorded.")


def decision_texts(decisions: list[CaseDecision], user) -> list[str]:
    """Each step's rationale as ``user`` may see it. A person's rationale is theirs and
    shown as written; an automatic step is worded from its grounds, when the user may see
    them, and otherwise says only what happened."""
    refs = [(g[0], g[1]) for d in decisions for g in (d.grounds or []) if len(g) >= 2]
    reader = Reader(user, refs)
    out = []
    for d in decisions:
        grounds = [g for g in (d.grounds or []) if len(g) >= 2]
        if not d.automatic or not grounds:
            out.append(d.rationale)
            continue
        if not all(reader.sees((g[0], g[1])) for g in grounds):
            out.append(
                gettext("%(rationale)s You may not see the record behind it; ask its owner.")
                % {"rationale": d.rationale}
            )
            continue
        parts = []
        for g in grounds:
            obj = reader.records[(g[0], g[1])]
            if g[0] == "allegation":
                values = {
                    "pk": obj.pk,
                    "violation": obj.get_violation_display().lower(),
                    "on": obj.recorded,
                }
                if (g[2] if len(g) > 2 else "unit") == "unit":
                    text = gettext(
                        "Opened automatically: credible allegation #%(pk)s (%(violation)s) "
                        "recorded on %(on)s against the supported unit."
                    )
                else:
                    text = gettext(
                        "Opened automatically: credible allegation #%(pk)s (%(violation)s) "
                        "recorded on %(on)s against a unit the supported unit belongs to or was."
                    )
                parts.append(text % values)
            else:
                parts.append(
                    gettext(
                        "Risk assessment version %(version)s recorded (rating %(rating)s, "
                        "decision %(decision)s)."
                    )
                    % {"version": obj.version, "rating": obj.rating, "decision": obj.decision}
                )
        out.append(" ".join(parts))
    return out
