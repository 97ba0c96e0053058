"""API for human-rights due diligence: cases and their decisions, risk assessments,
mitigating measures, allegations, intercessions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.api.base import (
    ColleagueField,
    LabelledModelSerializer,
    ScopedSerializer,
    ScopedViewSet,
    UsernameField,
    VisibleRelatedField,
)
from concord.core.context import Actor
from concord.core.models import Area, Organisation
from concord.operations.models import Operation

from ..filters import (
    AllegationFilter,
    IntercessionFilter,
    MitigatingMeasureFilter,
    RiskAssessmentFilter,
    SupportCaseFilter,
)
from ..models import (
    Allegation,
    CaseDecision,
    CaseState,
    Intercession,
    MitigatingMeasure,
    RiskAssessment,
    SecurityUnit,
    SupportCase,
)
from . import META


class SupportCaseSerializer(ScopedSerializer):
    operation = VisibleRelatedField(Operation, required=False, allow_null=True)
    provider = VisibleRelatedField(Organisation)
    unit = VisibleRelatedField(SecurityUnit)

    class Meta:
        model = SupportCase
        fields = [
            "id",
            "url",
            "state",
            *SupportCase.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = [*META, "state"]


class RiskAssessmentSerializer(ScopedSerializer):
    case = VisibleRelatedField(SupportCase)
    approver = ColleagueField(required=False, allow_null=True)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "url",
            "version",
            *RiskAssessment.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = [*META, "version"]


class MitigatingMeasureSerializer(ScopedSerializer):
    case = VisibleRelatedField(SupportCase)
    responsible = VisibleRelatedField(Organisation, required=False, allow_null=True)

    class Meta:
        model = MitigatingMeasure
        fields = ["id", "url", *MitigatingMeasure.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = [*META]


class IntercessionSerializer(ScopedSerializer):
    case = VisibleRelatedField(SupportCase)

    class Meta:
        model = Intercession
        fields = ["id", "url", *Intercession.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = [*META]


class AllegationSerializer(ScopedSerializer):
    """The source is shown to whoever may edit the allegation, a pseudonym to others."""

    unit = VisibleRelatedField(SecurityUnit)
    place = VisibleRelatedField(Area, required=False, allow_null=True)

    class Meta:
        model = Allegation
        fields = ["id", "url", *Allegation.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META

    def to_representation(self, instance):
        from ..access import source_shown

        data = super().to_representation(instance)
        data["source"] = source_shown(instance, self.context["request"].user)
        return data


class DecideSerializer(serializers.Serializer):
    to_state = serializers.ChoiceField(choices=CaseState.choices)
    rationale = serializers.CharField()
    on = serializers.DateField(required=False, allow_null=True)


class CaseDecisionSerializer(LabelledModelSerializer):
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
        from ..services import cases as case_services

        case = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = case_services.decide(
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
        from ..access.shown import decision_texts

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


class RiskAssessmentViewSet(ScopedViewSet):
    """Versioned risk assessments; a new version supersedes the last (none is rewritten)."""

    model = RiskAssessment
    serializer_class = RiskAssessmentSerializer
    filterset_class = RiskAssessmentFilter
    ordering_fields = ["assessed_on", "id"]
    ordering = ["-assessed_on"]


class MitigatingMeasureViewSet(ScopedViewSet):
    """Mitigating measures, with owner, deadline and evidence."""

    model = MitigatingMeasure
    serializer_class = MitigatingMeasureSerializer
    filterset_class = MitigatingMeasureFilter
    ordering_fields = ["deadline", "id"]
    ordering = ["deadline"]


class AllegationViewSet(ScopedViewSet):
    """Allegations against units; a credible one opens a review of flowing support."""

    model = Allegation
    serializer_class = AllegationSerializer
    filterset_class = AllegationFilter
    ordering_fields = ["recorded", "id"]
    ordering = ["-recorded"]


class IntercessionViewSet(ScopedViewSet):
    """Intercessions: what was raised, with whom, the response and the deadline."""

    model = Intercession
    serializer_class = IntercessionSerializer
    filterset_class = IntercessionFilter
    ordering_fields = ["raised_on", "id"]
    ordering = ["-raised_on"]
