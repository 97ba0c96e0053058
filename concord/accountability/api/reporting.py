"""API for accountability lines, reporting obligations, reports, units, commanders, and the
reports due."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from concord.api.base import (
    ColleagueField,
    ScopedSerializer,
    ScopedViewSet,
    SourceSerializer,
    VisibleRelatedField,
    checked_sources,
)
from concord.core.api import CountryField
from concord.core.context import Actor
from concord.core.models import Organisation, Person
from concord.operations.models import Operation

from .. import analysis, loaders
from ..filters import (
    AccountabilityLineFilter,
    ReportFilter,
    ReportingObligationFilter,
    SecurityUnitFilter,
    UnitCommandFilter,
)
from ..models import (
    AccountabilityLine,
    Report,
    ReportingObligation,
    SecurityUnit,
    UnitCommand,
)
from . import META


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
        from ..services import reporting as reporting_services

        report = self.get_visible_object()
        body = ReportReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = reporting_services.review(
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


DUE_STATES = [
    ("overdue", gettext_lazy("Overdue")),
    ("due", gettext_lazy("Due")),
    ("met", gettext_lazy("Met")),
    ("late", gettext_lazy("Met late")),
]


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
            OpenApiParameter(
                "days", OpenApiTypes.INT, description=gettext_lazy("Look-ahead, 0–3660")
            ),
            OpenApiParameter(
                "all", OpenApiTypes.BOOL, description=gettext_lazy("Include met due dates")
            ),
        ]
    )
    def list(self, request, format=None):
        from django.utils import timezone

        try:
            days = analysis.look_ahead(request.query_params.get("days", "30"))
        except ValueError:
            raise ValidationError(
                {
                    "days": gettext("a whole number of days from 0 to %(max)s, not %(value)s")
                    % {
                        "max": analysis.MAX_LOOK_AHEAD,
                        "value": repr(request.query_params.get("days", "30")),
                    }
                }
            ) from None
        data = loaders.due_rows(
            request.user,
            timezone.localdate(),
            days,
            include_met=request.query_params.get("all") in ("1", "true"),
        )
        page = self.paginate_queryset(data)
        data = DueSerializer(page if page is not None else data, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
