from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from concord.accountability import api as accountability
from concord.labour import api as labour
from concord.operations import api as operations

from . import core

router = DefaultRouter()
router.register("organisations", core.OrganisationViewSet, basename="organisation")
router.register("people", core.PersonViewSet, basename="person")
router.register("areas", core.AreaViewSet, basename="area")
router.register("countries", core.CountryViewSet, basename="country")
router.register("spaces", core.SpaceViewSet, basename="space")
router.register("tokens", core.TokenViewSet, basename="token")
router.register("operations", operations.OperationViewSet, basename="operation")
router.register("relations", operations.RelationViewSet, basename="relation")
router.register("classifications", operations.ClassificationViewSet, basename="classification")
router.register("tasks", labour.TaskViewSet, basename="task")
router.register("clash-rules", labour.ClashRuleViewSet, basename="clashrule")
router.register("sector-mappings", labour.SectorMappingViewSet, basename="sectormapping")
router.register("needs", labour.NeedViewSet, basename="need")
router.register("assignments", labour.AssignmentViewSet, basename="assignment")
router.register("arrangements", labour.ArrangementViewSet, basename="arrangement")
router.register("mandates", labour.MandateViewSet, basename="mandate")
router.register("findings", labour.FindingViewSet, basename="finding")
router.register("imports-3w", labour.ThreeWImportViewSet, basename="import3w")
router.register("import-batches", labour.ImportBatchViewSet, basename="importbatch")
router.register(
    "accountability-lines", accountability.AccountabilityLineViewSet, basename="accountabilityline"
)
router.register(
    "reporting-obligations",
    accountability.ReportingObligationViewSet,
    basename="reportingobligation",
)
router.register("reports", accountability.ReportViewSet, basename="report")
router.register("reports-due", accountability.DueViewSet, basename="reportdue")
router.register("security-units", accountability.SecurityUnitViewSet, basename="securityunit")
router.register("unit-commands", accountability.UnitCommandViewSet, basename="unitcommand")
router.register("support-cases", accountability.SupportCaseViewSet, basename="supportcase")
router.register("risk-assessments", accountability.RiskAssessmentViewSet, basename="riskassessment")
router.register(
    "mitigating-measures", accountability.MitigatingMeasureViewSet, basename="mitigatingmeasure"
)
router.register("allegations", accountability.AllegationViewSet, basename="allegation")
router.register("intercessions", accountability.IntercessionViewSet, basename="intercession")
router.register(
    "funding-instruments", accountability.FundingInstrumentViewSet, basename="fundinginstrument"
)
router.register("commitments", accountability.CommitmentViewSet, basename="commitment")
router.register("tranches", accountability.TrancheViewSet, basename="tranche")
router.register("conditions", accountability.ConditionViewSet, basename="condition")
router.register(
    "tranche-decisions", accountability.TrancheDecisionViewSet, basename="tranchedecision"
)
router.register(
    "funding-evaluation", accountability.FundingEvaluationViewSet, basename="fundingevaluation"
)

app_name = "api"
urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
