"""What the accountability capability brings (see concord.core.capabilities): accountability
lines and reporting, human-rights due diligence on support to security forces, and funding
released on compliance."""

from concord.core.capabilities import Capability, Hook, NavEntry, Route, Schedule, Searchable

_API = "concord.accountability.api"
_SERVICES = "concord.accountability.services"
_MONEY = ("accountability.Commitment", "accountability.Tranche", "accountability.Condition")

_LOADERS = "concord.accountability.loaders"

CAPABILITY = Capability(
    label="accountability",
    title="Accountability",
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
        NavEntry("Accountability", "Reports due", "accountability:due"),
        NavEntry("Accountability", "Calendar of due dates", "accountability:month"),
        NavEntry(
            "Accountability", "Accountability lines", "accountability:accountabilityline_list"
        ),
        NavEntry(
            "Accountability", "Reporting obligations", "accountability:reportingobligation_list"
        ),
        NavEntry("Accountability", "Reports", "accountability:report_list"),
        NavEntry("Accountability", "Security-force units", "accountability:securityunit_list"),
        NavEntry("Accountability", "Unit commanders", "accountability:unitcommand_list"),
        NavEntry("Accountability", "Due-diligence cases", "accountability:supportcase_list"),
        NavEntry("Accountability", "Allegations", "accountability:allegation_list"),
        NavEntry("Accountability", "Risk assessments", "accountability:riskassessment_list"),
        NavEntry("Accountability", "Mitigating measures", "accountability:mitigatingmeasure_list"),
        NavEntry("Accountability", "Intercessions", "accountability:intercession_list"),
        NavEntry("Funding", "Commitments", "accountability:commitment_list"),
        NavEntry("Funding", "Tranches", "accountability:tranche_list"),
        NavEntry("Funding", "Conditions", "accountability:condition_list"),
        NavEntry("Funding", "Funding instruments", "accountability:fundinginstrument_list"),
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
            "Support cases",
            title="title",
            describe=f"{_LOADERS}.describe_case",
        ),
        Searchable(
            "accountability.SecurityUnit",
            "Security units",
            title="name",
            text=("country.name",),
            describe=f"{_LOADERS}.describe_unit",
        ),
        Searchable(
            "accountability.Commitment",
            "Funding commitments",
            title="purpose",
            codes=("currency",),
            describe=f"{_LOADERS}.describe_commitment",
        ),
        Searchable(
            "accountability.Tranche",
            "Tranches",
            title="label",
            text=("note",),
            describe=f"{_LOADERS}.describe_tranche",
        ),
    ),
)
