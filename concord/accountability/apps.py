from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "concord.accountability"
    label = "accountability"
    verbose_name = "Accountability"

    def ready(self) -> None:
        from concord.core.importers import SPECS
        from concord.web.navigation import NAVIGATION, NavEntry, register

        from . import (
            services,  # noqa: F401  (registers the due-diligence rules as save hooks)
            views,  # noqa: F401  (adds accountability to the operation page)
        )
        from .exchange import SPECS as ACCOUNTABILITY_SPECS

        for kind, spec in ACCOUNTABILITY_SPECS.items():
            SPECS.setdefault(kind, spec)
        for entry in (
            NavEntry("Accountability", "Reports due", "web:accountability_due"),
            NavEntry("Accountability", "Calendar of due dates", "web:accountability_month"),
            NavEntry("Accountability", "Accountability lines", "web:accountabilityline_list"),
            NavEntry("Accountability", "Reporting obligations", "web:reportingobligation_list"),
            NavEntry("Accountability", "Reports", "web:report_list"),
            NavEntry("Accountability", "Security-force units", "web:securityunit_list"),
            NavEntry("Accountability", "Unit commanders", "web:unitcommand_list"),
            NavEntry("Accountability", "Due-diligence cases", "web:supportcase_list"),
            NavEntry("Accountability", "Allegations", "web:allegation_list"),
            NavEntry("Accountability", "Risk assessments", "web:riskassessment_list"),
            NavEntry("Accountability", "Mitigating measures", "web:mitigatingmeasure_list"),
            NavEntry("Accountability", "Intercessions", "web:intercession_list"),
            NavEntry("Funding", "Commitments", "web:commitment_list"),
            NavEntry("Funding", "Tranches", "web:tranche_list"),
            NavEntry("Funding", "Conditions", "web:condition_list"),
            NavEntry("Funding", "Funding instruments", "web:fundinginstrument_list"),
        ):
            if entry not in NAVIGATION:
                register(entry)
