"""Stored rule output keeps references, not another record's words.

* An automatic step of a case keeps its grounds (the allegation or the risk assessment behind
  it) as references; its rationale says only what happened. Steps written before had the
  allegation's number, violation and date in their rationale, shown to every reader of the
  case: those are turned into grounds (the words are parsed back to the record they name).
* A release keeps each condition's verdict as a template and references. Verdicts stored
  before held the evidence in words (a suspended case's title, a report's title): the words
  are dropped and the verdict (met, waived) kept.
"""

import re

from django.db import migrations, models

REVIEW = re.compile(
    r"^Opened automatically: credible allegation #(\d+) \(.*?\) recorded on \S+ against "
    r"(the supported unit|a unit the supported unit belongs to or was)\.$"
)
ASSESSED = re.compile(r"^Risk assessment version (\d+) recorded \(rating .*\)\.$")
AUTOMATIC_REVIEW = (
    "Opened automatically: a credible allegation was recorded against the supported unit or a "
    "unit it belongs to or was."
)
AUTOMATIC_ASSESSED = "A risk assessment was recorded."


def forwards(apps, schema_editor):
    CaseDecision = apps.get_model("accountability", "CaseDecision")
    RiskAssessment = apps.get_model("accountability", "RiskAssessment")
    TrancheDecision = apps.get_model("accountability", "TrancheDecision")
    for d in CaseDecision.objects.filter(automatic=True):
        if d.grounds:
            continue
        m = REVIEW.match(d.rationale)
        if m:
            relation = "unit" if m.group(2) == "the supported unit" else "related"
            d.grounds = [["allegation", int(m.group(1)), relation]]
            d.rationale = AUTOMATIC_REVIEW
            d.save(update_fields=["grounds", "rationale"])
            continue
        m = ASSESSED.match(d.rationale)
        if m:
            a = RiskAssessment.objects.filter(case_id=d.case_id, version=int(m.group(1))).first()
            d.grounds = [["assessment", a.pk]] if a else []
            d.rationale = AUTOMATIC_ASSESSED
            d.save(update_fields=["grounds", "rationale"])
    for d in TrancheDecision.objects.all():
        kept = [
            {
                "condition": v.get("condition"),
                "kind": v.get("kind"),
                "met": v.get("met"),
                "waived": v.get("waived", False),
                "template": v.get("template"),
                "records": v.get("records", []),
            }
            for v in d.evidence or []
        ]
        if kept != d.evidence:
            d.evidence = kept
            d.save(update_fields=["evidence"])


class Migration(migrations.Migration):
    dependencies = [("accountability", "0004_list_indexes")]

    operations = [
        migrations.AddField(
            model_name="casedecision",
            name="grounds",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AlterField(
            model_name="tranchedecision",
            name="evidence",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The evaluation at approval: each condition's verdict, as a template "
                "and references worded for each reader (concord.accountability.shown).",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
