"""What the accountability capability brings (see concord.core.capabilities): accountability
lines and reporting, human-rights due diligence on support to security forces, and funding
released on compliance."""

from django.utils.translation import gettext_lazy as _

from concord.core.capabilities import Capability, Hook, NavEntry, Route, Schedule, Searchable

_API = "concord.accountability.api"
_SERVICES = "concord.accountability.services"
_MONEY = ("accountability.Commitment", "accountability.Tranche", "accountability.Condition")

_LOADERS = "concord.accountability.loaders"

CAPABILITY = Capability(
    label="accountability",  # untranslated: the app label (a code)
    title=_("Accountability"),
    urls="concord.accountability.urls",
    api=(
        Route(
            "accountability-lines",
            f"{_API}.reporting.AccountabilityLineViewSet",
            "accountabilityline",
        ),
        Route(
            "reporting-obligations",
            f"{_API}.reporting.ReportingObligationViewSet",
            "reportingobligation",
        ),
        Route("reports", f"{_API}.reporting.ReportViewSet", "report"),
        Route("reports-due", f"{_API}.reporting.DueViewSet", "reportdue"),
        Route("security-units", f"{_API}.reporting.SecurityUnitViewSet", "securityunit"),
        Route("unit-commands", f"{_API}.reporting.UnitCommandViewSet", "unitcommand"),
        Route("support-cases", f"{_API}.cases.SupportCaseViewSet", "supportcase"),
        Route("risk-assessments", f"{_API}.cases.RiskAssessmentViewSet", "riskassessment"),
        Route("mitigating-measures", f"{_API}.cases.MitigatingMeasureViewSet", "mitigatingmeasure"),
        Route("allegations", f"{_API}.cases.AllegationViewSet", "allegation"),
        Route("intercessions", f"{_API}.cases.IntercessionViewSet", "intercession"),
        Route(
            "funding-instruments", f"{_API}.funding.FundingInstrumentViewSet", "fundinginstrument"
        ),
        Route("commitments", f"{_API}.funding.CommitmentViewSet", "commitment"),
        Route("tranches", f"{_API}.funding.TrancheViewSet", "tranche"),
        Route("conditions", f"{_API}.funding.ConditionViewSet", "condition"),
        Route("tranche-decisions", f"{_API}.funding.TrancheDecisionViewSet", "tranchedecision"),
        Route(
            "funding-evaluation", f"{_API}.funding.FundingEvaluationViewSet", "fundingevaluation"
        ),
    ),
    import_kinds="concord.accountability.exchange.SPECS",
    navigation=(
        NavEntry(
            _("Accountability"),
            _("Reports due"),
            "accountability:due",
        ),
        NavEntry(
            _("Accountability"),
            _("Calendar of due dates"),
            "accountability:month",
        ),
        NavEntry(
            _("Accountability"),
            _("Accountability lines"),
            "accountability:accountabilityline_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Reporting obligations"),
            "accountability:reportingobligation_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Reports"),
            "accountability:report_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Security-force units"),
            "accountability:securityunit_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Unit commanders"),
            "accountability:unitcommand_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Due-diligence cases"),
            "accountability:supportcase_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Allegations"),
            "accountability:allegation_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Risk assessments"),
            "accountability:riskassessment_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Mitigating measures"),
            "accountability:mitigatingmeasure_list",
        ),
        NavEntry(
            _("Accountability"),
            _("Intercessions"),
            "accountability:intercession_list",
        ),
        NavEntry(
            _("Funding"),
            _("Commitments"),
            "accountability:commitment_list",
        ),
        NavEntry(
            _("Funding"),
            _("Tranches"),
            "accountability:tranche_list",
        ),
        NavEntry(
            _("Funding"),
            _("Conditions"),
            "accountability:condition_list",
        ),
        NavEntry(
            _("Funding"),
            _("Funding instruments"),
            "accountability:fundinginstrument_list",
        ),
    ),
    operation_sections=("concord.accountability.views.reporting.accountability_section",),
    organisation_sections=("concord.accountability.views.funding.funding_section",),
    hooks=(
        Hook("accountability.Report", "before_save", f"{_SERVICES}.reporting.before_report"),
        Hook("accountability.Report", "after_save", f"{_SERVICES}.reporting.after_report"),
        Hook(
            "accountability.ReportingObligation",
            "before_save",
            f"{_SERVICES}.reporting.before_obligation",
        ),
        Hook(
            "accountability.ReportingObligation",
            "after_save",
            f"{_SERVICES}.reporting.after_obligation",
        ),
        Hook(
            "accountability.RiskAssessment", "before_save", f"{_SERVICES}.cases.before_assessment"
        ),
        Hook("accountability.RiskAssessment", "after_save", f"{_SERVICES}.cases.after_assessment"),
        Hook("accountability.Allegation", "before_save", f"{_SERVICES}.cases.before_allegation"),
        Hook("accountability.Allegation", "after_save", f"{_SERVICES}.cases.after_allegation"),
        *(Hook(m, "before_save", f"{_SERVICES}.funding.keep_stored") for m in _MONEY),
        *(Hook(m, "after_save", f"{_SERVICES}.funding.check_money_write") for m in _MONEY),
        *(Hook(m, "before_delete", f"{_SERVICES}.funding.check_money_write") for m in _MONEY),
    ),
    seed_demo="concord.accountability.fixtures.demo.demo",
    test_world="concord.accountability.fixtures.testworld",
    synthetic="concord.accountability.fixtures.synthetic",
    # The reports overdue or due soon, e-mailed once a day (concord.accountability.tasks).
    schedules=(Schedule("concord.accountability.tasks.send_reporting_reminders", 86400),),
    attention=(
        "concord.accountability.attention.reports_due",
        "concord.accountability.attention.approvals",
        "concord.accountability.attention.deadlines",
    ),
    search=(
        Searchable(
            "accountability.SupportCase",
            _("Support cases"),
            title="title",  # untranslated: a field name
            describe=f"{_LOADERS}.describe_case",
        ),
        Searchable(
            "accountability.SecurityUnit",
            _("Security units"),
            title="name",  # untranslated: a field name
            text=("country.name",),
            describe=f"{_LOADERS}.describe_unit",
        ),
        Searchable(
            "accountability.Commitment",
            _("Funding commitments"),
            title="purpose",  # untranslated: a field name
            codes=("currency",),
            describe=f"{_LOADERS}.describe_commitment",
        ),
        Searchable(
            "accountability.Tranche",
            _("Tranches"),
            title="label",  # untranslated: a field name
            text=("note",),
            describe=f"{_LOADERS}.describe_tranche",
        ),
    ),
)
