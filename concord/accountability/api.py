"""API for accountability: lines, reporting obligations, reports, and the reports due."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from concord.api.base import (
    ColleagueField,
    ScopedSerializer,
    ScopedViewSet,
    SourceSerializer,
    UsernameField,
    VisibleRelatedField,
    checked_sources,
)
from concord.core.api import CountryField
from concord.core.models import Organisation, Person
from concord.core.numbers import record_id
from concord.operations.models import Operation

from . import analysis, loaders
from .filters import (
    AccountabilityLineFilter,
    ReportFilter,
    ReportingObligationFilter,
    SecurityUnitFilter,
    UnitCommandFilter,
)
from .models import AccountabilityLine, Report, ReportingObligation, SecurityUnit, UnitCommand

META = ["created_at", "updated_at"]


class AccountabilityLineSerializer(ScopedSerializer):
    operation = VisibleRelatedField(Operation)
    to_organisation = VisibleRelatedField(Organisation, required=False, allow_null=True)
    sources = SourceSerializer(many=True, required=False)

    class Meta:
        model = AccountabilityLine
        fields = ["id", "url", *AccountabilityLine.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class ReportingObligationSerializer(ScopedSerializer):
    reporter_operation = VisibleRelatedField(Operation, required=False, allow_null=True)
    reporter_organisation = VisibleRelatedField(Organisation, required=False, allow_null=True)
    to_organisation = VisibleRelatedField(Organisation, required=False, allow_null=True)
    fixed_dates = serializers.ListField(child=serializers.CharField(), required=False)
    sources = SourceSerializer(many=True, required=False)

    class Meta:
        model = ReportingObligation
        fields = [
            "id",
            "url",
            *ReportingObligation.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = META


REVIEW = ["reviewed_by", "reviewed_at", "review_note"]


class ReportSerializer(ScopedSerializer):
    """A report. Its author files it (status ``submitted``); the organisation it is owed to
    accepts or returns it at ``…/review/`` (the review fields are read-only here)."""

    obligations = VisibleRelatedField(ReportingObligation, many=True)
    attachments = SourceSerializer(many=True, required=False)
    reviewed_by = ColleagueField(read_only=True)

    class Meta:
        model = Report
        fields = ["id", "url", *Report.FIELDS, *REVIEW, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = [*META, *REVIEW]

    def validate_attachments(self, value):
        return checked_sources(value)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["obligations"] = [v for v in data.get("obligations", []) if v is not None]
        return data


class AccountabilityLineViewSet(ScopedViewSet):
    model = AccountabilityLine
    serializer_class = AccountabilityLineSerializer
    filterset_class = AccountabilityLineFilter
    ordering_fields = ["start", "end", "id"]
    ordering = ["id"]


class ReportingObligationViewSet(ScopedViewSet):
    model = ReportingObligation
    serializer_class = ReportingObligationSerializer
    filterset_class = ReportingObligationFilter
    ordering_fields = ["first_due", "id"]
    ordering = ["first_due"]


class ReportReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["accepted", "returned"])
    review_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ReportViewSet(ScopedViewSet):
    """Reports filed; one report may satisfy several obligations. ``POST …/review/`` accepts
    or returns one: only an editor of the organisation it is owed to may."""

    model = Report
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    prefetch_related = ("obligations",)
    ordering_fields = ["submitted", "id"]
    ordering = ["-submitted"]

    @extend_schema(request=ReportReviewSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None, format=None):
        from .services import reporting as reporting_services

        report = self.get_visible_object()
        body = ReportReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = _service_call(
            reporting_services.review,
            report,
            body.validated_data["status"],
            body.validated_data.get("review_note", ""),
            actor=Actor.from_request(request),
        )
        return Response(self.get_serializer(report).data)


class SecurityUnitSerializer(ScopedSerializer):
    country = CountryField()
    parent = VisibleRelatedField(SecurityUnit, required=False, allow_null=True)
    successor = VisibleRelatedField(SecurityUnit, required=False, allow_null=True)

    class Meta:
        model = SecurityUnit
        fields = ["id", "url", *SecurityUnit.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class UnitCommandSerializer(ScopedSerializer):
    unit = VisibleRelatedField(SecurityUnit)
    commander = VisibleRelatedField(Person, required=False, allow_null=True)

    class Meta:
        model = UnitCommand
        fields = ["id", "url", *UnitCommand.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class SecurityUnitViewSet(ScopedViewSet):
    """Security-force units: chain of command (parent) and lineage (successor)."""

    model = SecurityUnit
    serializer_class = SecurityUnitSerializer
    filterset_class = SecurityUnitFilter
    select_related = ("country",)
    ordering_fields = ["name", "start", "id"]
    ordering = ["name"]


class UnitCommandViewSet(ScopedViewSet):
    """Who commanded which unit, from when to when."""

    model = UnitCommand
    serializer_class = UnitCommandSerializer
    filterset_class = UnitCommandFilter
    ordering_fields = ["start", "id"]
    ordering = ["-start"]


DUE_STATES = [("overdue", "Overdue"), ("due", "Due"), ("met", "Met"), ("late", "Met late")]


class DueSerializer(serializers.Serializer):
    obligation = serializers.IntegerField()
    subject = serializers.CharField()
    reporter = serializers.CharField()
    to = serializers.CharField()
    due = serializers.DateField()
    state = serializers.ChoiceField(choices=DUE_STATES)
    days_late = serializers.IntegerField()
    report = serializers.IntegerField(allow_null=True)


class DueViewSet(viewsets.GenericViewSet):
    """Reports overdue and due within ``days`` (default 30), among the obligations the
    caller may see; ``all=1`` adds the due dates already met."""

    model = None  # not one model's list: the access-matrix test checks it for leaks
    filter_backends: list = []
    serializer_class = DueSerializer

    def get_queryset(self):
        return ReportingObligation.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("days", OpenApiTypes.INT, description="Look-ahead, 0–3660"),
            OpenApiParameter("all", OpenApiTypes.BOOL, description="Include met due dates"),
        ]
    )
    def list(self, request, format=None):
        from django.utils import timezone

        try:
            days = analysis.look_ahead(request.query_params.get("days", "30"))
        except ValueError as exc:
            raise ValidationError({"days": str(exc)}) from None
        data = loaders.due_rows(
            request.user,
            timezone.localdate(),
            days,
            include_met=request.query_params.get("all") in ("1", "true"),
        )
        page = self.paginate_queryset(data)
        data = DueSerializer(page if page is not None else data, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


# --- due-diligence cases -----------------------------------------------------------------------

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied  # noqa: E402
from django.core.exceptions import ValidationError as DjangoValidationError  # noqa: E402
from rest_framework.exceptions import PermissionDenied  # noqa: E402
from rest_framework.permissions import IsAuthenticated  # noqa: E402

from concord.core.context import Actor  # noqa: E402
from concord.core.models import Area  # noqa: E402

from .filters import (  # noqa: E402
    AllegationFilter,
    CommitmentFilter,
    ConditionFilter,
    FundingInstrumentFilter,
    IntercessionFilter,
    MitigatingMeasureFilter,
    RiskAssessmentFilter,
    SupportCaseFilter,
    TrancheFilter,
)
from .models import (  # noqa: E402
    Allegation,
    CaseDecision,
    CaseState,
    Commitment,
    Condition,
    FundingInstrument,
    Intercession,
    MitigatingMeasure,
    RiskAssessment,
    SupportCase,
    Tranche,
    TrancheDecision,
)


def _service_call(fn, *args, **kwargs):
    """Run a service; its ValidationError / PermissionDenied become API errors."""
    try:
        return fn(*args, **kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        raise ValidationError(detail) from None
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None


def _scoped(model, fields, **extra):
    """A serializer class for ``model``: ``FIELDS`` plus the security fields, with links
    resolved among the records the caller may see."""
    attrs = {
        "Meta": type(
            "Meta",
            (),
            {
                "model": model,
                "fields": ["id", "url", *fields, *ScopedSerializer.SECURITY_FIELDS, *META],
                "read_only_fields": [*META, *[f for f in fields if f in ("state", "version")]],
            },
        ),
        **extra,
    }
    return type(f"{model.__name__}Serializer", (ScopedSerializer,), attrs)


SupportCaseSerializer = _scoped(
    SupportCase,
    ["state", *SupportCase.FIELDS],
    operation=VisibleRelatedField(Operation, required=False, allow_null=True),
    provider=VisibleRelatedField(Organisation),
    unit=VisibleRelatedField(SecurityUnit),
)
RiskAssessmentSerializer = _scoped(
    RiskAssessment,
    ["version", *RiskAssessment.FIELDS],
    case=VisibleRelatedField(SupportCase),
    approver=ColleagueField(required=False, allow_null=True),
)
MitigatingMeasureSerializer = _scoped(
    MitigatingMeasure,
    MitigatingMeasure.FIELDS,
    case=VisibleRelatedField(SupportCase),
    responsible=VisibleRelatedField(Organisation, required=False, allow_null=True),
)
IntercessionSerializer = _scoped(
    Intercession, Intercession.FIELDS, case=VisibleRelatedField(SupportCase)
)


class AllegationSerializer(ScopedSerializer):
    """The source is shown to whoever may edit the allegation, a pseudonym to others."""

    unit = VisibleRelatedField(SecurityUnit)
    place = VisibleRelatedField(Area, required=False, allow_null=True)

    class Meta:
        model = Allegation
        fields = ["id", "url", *Allegation.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META

    def to_representation(self, instance):
        from .access import source_shown

        data = super().to_representation(instance)
        data["source"] = source_shown(instance, self.context["request"].user)
        return data


class DecideSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=CaseState.choices)
    rationale = serializers.CharField()
    on = serializers.DateField(required=False, allow_null=True)


class CaseDecisionSerializer(serializers.ModelSerializer):
    by = UsernameField()  # null: a rule's step, or a visitor reading

    class Meta:
        model = CaseDecision
        fields = ["from_state", "to_state", "on", "rationale", "by", "automatic", "at"]


class CaseDecisionsSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField()
    decisions = CaseDecisionSerializer(many=True)


class SupportCaseViewSet(ScopedViewSet):
    """Due-diligence cases. The state changes only through ``POST …/decide/`` (the rules
    of the Human Rights Due Diligence Policy are checked there); ``…/decisions/`` lists them."""

    model = SupportCase
    serializer_class = SupportCaseSerializer
    filterset_class = SupportCaseFilter
    ordering_fields = ["title", "state", "id"]
    ordering = ["title"]

    @extend_schema(request=DecideSerializer, responses=SupportCaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        from .services import cases as case_services

        case = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = _service_call(
            case_services.decide,
            case,
            body.validated_data["to_state"],
            body.validated_data["rationale"],
            actor=Actor.from_request(request),
            on=body.validated_data.get("on"),
        )
        return Response(self.get_serializer(case).data)

    @extend_schema(responses=CaseDecisionsSerializer)
    @action(detail=True, methods=["get"])
    def decisions(self, request, pk=None, format=None):
        """The case's steps; an automatic step's rationale names the records behind it only
        to those who may see them."""
        from .access.shown import decision_texts

        case = self.get_object()
        rows = list(
            CaseDecision.objects.filter(case=case).select_related("by").order_by("on", "pk")
        )
        data = CaseDecisionSerializer(rows, many=True).data
        for item, why in zip(data, decision_texts(rows, request.user), strict=True):
            item["rationale"] = why
            if not request.user.is_authenticated:
                item["by"] = None  # people are named to signed-in users only
        return Response(
            {"case": case.pk, "title": case.title, "state": case.state, "decisions": data}
        )


def _viewset(model, serializer, filterset, ordering, doc):
    return type(
        f"{model.__name__}ViewSet",
        (ScopedViewSet,),
        {
            "__doc__": doc,
            "model": model,
            "serializer_class": serializer,
            "filterset_class": filterset,
            "ordering_fields": [ordering.lstrip("-"), "id"],
            "ordering": [ordering],
        },
    )


RiskAssessmentViewSet = _viewset(
    RiskAssessment,
    RiskAssessmentSerializer,
    RiskAssessmentFilter,
    "-assessed_on",
    "Versioned risk assessments; a new version supersedes the last (none is rewritten).",
)
MitigatingMeasureViewSet = _viewset(
    MitigatingMeasure,
    MitigatingMeasureSerializer,
    MitigatingMeasureFilter,
    "deadline",
    "Mitigating measures, with owner, deadline and evidence.",
)
AllegationViewSet = _viewset(
    Allegation,
    AllegationSerializer,
    AllegationFilter,
    "-recorded",
    "Allegations against units; a credible one opens a review of flowing support.",
)
IntercessionViewSet = _viewset(
    Intercession,
    IntercessionSerializer,
    IntercessionFilter,
    "-raised_on",
    "Intercessions: what was raised, with whom, the response and the deadline.",
)


# --- conditional funding -----------------------------------------------------------------------

FundingInstrumentSerializer = _scoped(
    FundingInstrument,
    FundingInstrument.FIELDS,
    manager=VisibleRelatedField(Organisation, required=False, allow_null=True),
    sources=SourceSerializer(many=True, required=False),
)
CommitmentSerializer = _scoped(
    Commitment,
    Commitment.FIELDS,
    instrument=VisibleRelatedField(FundingInstrument, required=False, allow_null=True),
    donor=VisibleRelatedField(Organisation),
    recipient_operation=VisibleRelatedField(Operation, required=False, allow_null=True),
    recipient_organisation=VisibleRelatedField(Organisation, required=False, allow_null=True),
)
TrancheSerializer = _scoped(Tranche, Tranche.FIELDS, commitment=VisibleRelatedField(Commitment))
ConditionSerializer = _scoped(
    Condition,
    Condition.FIELDS,
    tranche=VisibleRelatedField(Tranche),
    obligation=VisibleRelatedField(ReportingObligation, required=False, allow_null=True),
)

FundingInstrumentViewSet = _viewset(
    FundingInstrument,
    FundingInstrumentSerializer,
    FundingInstrumentFilter,
    "name",
    "Funding instruments: trust funds, peace facilities, bilateral aid.",
)
CommitmentViewSet = _viewset(
    Commitment,
    CommitmentSerializer,
    CommitmentFilter,
    "purpose",
    "Commitments from a donor to a recipient operation or organisation (exact decimals).",
)
ConditionViewSet = _viewset(
    Condition,
    ConditionSerializer,
    ConditionFilter,
    "id",
    "Conditions on tranches, from the catalogue of kinds.",
)


class VerdictSerializer(serializers.Serializer):
    """A condition's verdict as the caller may see it: ``condition`` is null for a condition
    the caller may not see (counted, never worded), and evidence resting on records the
    caller may not see says so instead of describing them."""

    condition = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField()
    met = serializers.BooleanField()
    waived = serializers.BooleanField()
    evidence = serializers.CharField()


class EvaluationSerializer(serializers.Serializer):
    tranche = serializers.IntegerField()
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()
    on = serializers.DateField()
    status = serializers.ChoiceField(choices=["released", "releasable", "held"])
    conditions = VerdictSerializer(many=True)


class ProposeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["release", "waiver"])
    rationale = serializers.CharField()
    condition = serializers.IntegerField(required=False, allow_null=True)


class TrancheDecisionSerializer(serializers.ModelSerializer):
    proposed_by = UsernameField()
    decided_by = UsernameField()
    condition = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    def get_condition(self, d) -> int | None:
        """The waived condition, if the caller may see it."""
        if d.condition_id is None:
            return None
        visible = self.context.get("visible_conditions")
        if visible is None:
            user = self.context["request"].user
            visible = set(
                Condition.objects.visible_to(user)
                .filter(pk=d.condition_id)
                .values_list("pk", flat=True)
            )
        return d.condition_id if d.condition_id in visible else None

    @extend_schema_field(VerdictSerializer(many=True))
    def get_evidence(self, d) -> list:
        """Each condition's verdict at approval, worded for the caller."""
        cache = self.context.setdefault("evidence", {})
        if d.pk not in cache:
            from .access.shown import shown_many

            cache[d.pk] = shown_many([d.evidence or []], self.context["request"].user)[0]
        return [
            {k: v[k] for k in ("condition", "kind", "met", "waived", "evidence")}
            for v in cache[d.pk]
        ]

    class Meta:
        model = TrancheDecision
        fields = [
            "id",
            "tranche",
            "kind",
            "condition",
            "rationale",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "evidence",
        ]
        read_only_fields = fields


class DecisionBodySerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True)


class TrancheViewSet(ScopedViewSet):
    """Tranches. ``…/evaluation/`` says releasable or held and why; ``…/propose/`` proposes
    a release or a waiver, which someone else approves at ``tranche-decisions/{id}/decide/``."""

    model = Tranche
    serializer_class = TrancheSerializer
    filterset_class = TrancheFilter
    ordering_fields = ["planned", "id"]
    ordering = ["planned"]

    @extend_schema(
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE)], responses=EvaluationSerializer
    )
    @action(detail=True, methods=["get"])
    def evaluation(self, request, pk=None, format=None):
        import datetime as dt

        from django.utils import timezone

        t = self.get_object()
        try:
            on = dt.date.fromisoformat(request.query_params.get("on") or str(timezone.localdate()))
        except ValueError:
            raise ValidationError({"on": "Give a date as YYYY-MM-DD."}) from None
        row = loaders.evaluation_rows(Tranche.objects.filter(pk=t.pk), request.user, on)[0]
        return Response(EvaluationSerializer(row).data)

    @extend_schema(request=ProposeSerializer, responses=TrancheDecisionSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None, format=None):
        from .services import funding as funding_services

        t = self.get_visible_object()
        body = ProposeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        condition = None
        if body.validated_data.get("condition"):
            condition = (
                Condition.objects.visible_to(request.user)
                .filter(pk=body.validated_data["condition"], tranche=t)
                .first()
            )
            if condition is None:
                raise ValidationError({"condition": "No such condition of this tranche."})
        d = _service_call(
            funding_services.propose,
            t,
            body.validated_data["kind"],
            body.validated_data["rationale"],
            condition=condition,
            actor=Actor.from_request(request),
        )
        return Response(TrancheDecisionSerializer(d, context={"request": request}).data, status=201)


class TrancheDecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Releases and waivers, seen through the tranches the caller may see."""

    model = TrancheDecision  # not scoped itself: read through Tranche.visible_to
    permission_classes = [IsAuthenticated]  # they name the people who decided
    serializer_class = TrancheDecisionSerializer
    filter_backends: list = []

    def get_queryset(self):
        visible = Tranche.objects.visible_to(self.request.user)
        return (
            TrancheDecision.objects.filter(tranche__in=visible)
            .select_related("proposed_by", "decided_by")
            .order_by("proposed_at", "pk")
        )

    def paginate_queryset(self, queryset):
        self._page = super().paginate_queryset(queryset)
        return self._page

    def get_serializer_context(self):
        """The page's evidence and waived conditions, worded for the caller in one query
        per kind of record (not per decision)."""
        from .access.shown import shown_many

        ctx = super().get_serializer_context()
        page = getattr(self, "_page", None)
        if page:
            user = self.request.user
            ctx["evidence"] = dict(
                zip(
                    [d.pk for d in page],
                    shown_many([d.evidence or [] for d in page], user),
                    strict=True,
                )
            )
            ctx["visible_conditions"] = set(
                Condition.objects.visible_to(user)
                .filter(pk__in=[d.condition_id for d in page if d.condition_id])
                .values_list("pk", flat=True)
            )
        return ctx

    @extend_schema(request=DecisionBodySerializer, responses=TrancheDecisionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        from .services import funding as funding_services

        d = self.get_object()
        body = DecisionBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = _service_call(
            funding_services.decide,
            d,
            body.validated_data["approve"],
            body.validated_data.get("note", ""),
            actor=Actor.from_request(request),
        )
        return Response(TrancheDecisionSerializer(d, context={"request": request}).data)


class FundingEvaluationViewSet(viewsets.GenericViewSet):
    """Every tranche the caller may see, evaluated on ``on`` (today): releasable, held (with
    each unmet condition and its evidence) or released. ``donor`` narrows to one donor (id,
    acronym or name)."""

    model = None
    filter_backends: list = []
    serializer_class = EvaluationSerializer

    def get_queryset(self):
        return Tranche.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("donor", OpenApiTypes.STR),
            OpenApiParameter("on", OpenApiTypes.DATE),
            OpenApiParameter("status", OpenApiTypes.STR),
        ]
    )
    def list(self, request, format=None):
        import datetime as dt

        from django.utils import timezone

        from concord.core.services import resolve_organisation

        try:
            on = dt.date.fromisoformat(request.query_params.get("on") or str(timezone.localdate()))
        except ValueError:
            raise ValidationError({"on": "Give a date as YYYY-MM-DD."}) from None
        tranches = Tranche.objects.visible_to(request.user).order_by("planned", "pk")
        donor = (request.query_params.get("donor") or "").strip()
        if donor:
            # By id (digits; one that cannot be an id names nothing) or by name: a donor the
            # caller may not see answers exactly like one that does not exist.
            pk = record_id(donor)
            if pk is not None or (donor.isascii() and donor.isdigit()):
                org = Organisation.objects.visible_to(request.user).filter(pk=pk).first()
            else:
                org = _service_call(resolve_organisation, donor, request.user)
            if org is None:
                raise ValidationError({"donor": f"No organisation {donor!r} you may see."})
            tranches = tranches.filter(commitment__donor=org)
        rows = loaders.evaluation_rows(tranches, request.user, on)
        status = request.query_params.get("status")
        if status:
            rows = [r for r in rows if r["status"] == status]
        page = self.paginate_queryset(rows)
        data = EvaluationSerializer(page if page is not None else rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
