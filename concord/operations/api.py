"""API for operations, relations, classification (with ``as_of``) and typology summaries."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.response import Response

from concord.api.base import (
    LabelledModelSerializer,
    ScopedSerializer,
    ScopedViewSet,
    SourceSerializer,
    VisibleRelatedField,
)
from concord.core.api import CountryField
from concord.core.context import Actor
from concord.core.models import Area, Organisation

from . import analysis, loaders
from .filters import OperationFilter, RelationFilter
from .models import (
    Authorisation,
    AuthorisationKind,
    Framework,
    Operation,
    Relation,
    Scenario,
)
from .services import override_scenario, set_children


class AuthorisationSerializer(LabelledModelSerializer):
    kind = serializers.ChoiceField(choices=AuthorisationKind.choices)

    class Meta:
        model = Authorisation
        fields = ["kind", "reference", "date", "renewal", "url"]


class ContributionSerializer(serializers.Serializer):
    contributor_state = CountryField(required=False, allow_null=True)
    contributor_organisation = VisibleRelatedField(Organisation, required=False, allow_null=True)
    date = serializers.DateField(required=False, allow_null=True)
    troops = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    police = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    civilians = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    def validate(self, attrs):
        if bool(attrs.get("contributor_state")) == bool(attrs.get("contributor_organisation")):
            raise serializers.ValidationError(
                {
                    "contributor_state": gettext(
                        "Give either a contributing state or an organisation."
                    )
                }
            )
        return attrs


class OperationSerializer(ScopedSerializer):
    framework_organisation = VisibleRelatedField(Organisation, required=False, allow_null=True)
    lead_organisation = VisibleRelatedField(Organisation, required=False, allow_null=True)
    lead_state = CountryField(required=False, allow_null=True)
    host_countries = CountryField(many=True, required=False)
    areas = VisibleRelatedField(Area, many=True, required=False)
    aliases = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    sources = SourceSerializer(many=True, required=False)
    authorisations = AuthorisationSerializer(many=True, required=False)
    contributions = ContributionSerializer(many=True, required=False)
    scenario_override = serializers.CharField(read_only=True)
    override_justification = serializers.CharField(read_only=True)

    class Meta:
        model = Operation
        fields = [
            "id",
            "url",
            *Operation.FIELDS,
            "authorisations",
            "contributions",
            "scenario_override",
            "override_justification",
            *ScopedSerializer.SECURITY_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["areas"] = [a for a in data.get("areas", []) if a is not None]
        data["contributions"] = [
            c
            for c in data.get("contributions", [])
            if c["contributor_state"] or c["contributor_organisation"]
        ]
        return data


class RelationSerializer(ScopedSerializer):
    source = VisibleRelatedField(Operation)
    target = VisibleRelatedField(Operation)
    sources = SourceSerializer(many=True, required=False)

    class Meta:
        model = Relation
        fields = [
            "id",
            "url",
            *Relation.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ResultSerializer(serializers.Serializer):
    operation = serializers.IntegerField()
    name = serializers.CharField()
    framework = serializers.CharField()
    framework_display = serializers.CharField()
    as_of = serializers.CharField()
    scenario = serializers.CharField(allow_null=True)
    scenario_display = serializers.CharField(allow_blank=True)
    derived_scenario = serializers.CharField(allow_null=True)
    derived_scenario_display = serializers.CharField(allow_blank=True)
    override = serializers.CharField(allow_blank=True)
    justification = serializers.CharField(allow_blank=True)
    confidence = serializers.CharField()
    reason = serializers.CharField()
    partner = serializers.IntegerField(allow_null=True)
    basis = serializers.CharField()


def _as_of(request) -> dt.date | None:
    value = request.query_params.get("as_of", "")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            {"as_of": gettext("%(value)s is not a date (YYYY-MM-DD).") % {"value": repr(value)}}
        ) from None


def _result(op: Operation, res: analysis.Result, as_of) -> dict:
    scenario = op.scenario_override or res.scenario
    return {
        "operation": op.pk,
        "name": op.label,
        "framework": op.framework,
        "framework_display": op.get_framework_display(),
        "as_of": as_of.isoformat() if as_of else "lifetime",
        "scenario": op.scenario_override or res.scenario,
        "scenario_display": str(Scenario(scenario).label) if scenario else "",
        "derived_scenario": res.scenario,
        "derived_scenario_display": str(Scenario(res.scenario).label) if res.scenario else "",
        "override": op.scenario_override,
        "justification": op.override_justification,
        "confidence": res.confidence,
        "reason": res.reason,
        "partner": res.partner,
        "basis": res.basis,
    }


AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description=_("Classify as of this date (default: today).")
)


class OperationViewSet(ScopedViewSet):
    model = Operation
    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    select_related = ("lead_state",)
    prefetch_related = (
        "host_countries",
        "areas",
        "authorisations",
        "contributions__contributor_state",
    )
    search_fields = ["name", "acronym", "key"]
    ordering_fields = ["name", "start", "end", "id", "updated_at"]
    ordering = ["start"]

    def children(self, validated):
        auths = validated.pop("authorisations", None)
        contribs = validated.pop("contributions", None)
        return set_children(
            [dict(a) for a in auths] if auths is not None else None,
            [dict(c) for c in contribs] if contribs is not None else None,
        )

    @extend_schema(
        parameters=[AS_OF],
        responses=inline_serializer(
            "Classification",
            {
                "current": ResultSerializer(),
                "history": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def classification(self, request, pk=None, format=None):
        """The derived scenario as of a date (and any override), with its reason and history."""
        op = self.get_object()
        day = _as_of(request) or dt.date.today()
        res, history = loaders.classification_of(op, request.user, day)
        return Response(
            {
                "current": _result(op, res, day),
                "history": [
                    {
                        "start": p.start,
                        "end": p.end,
                        "scenario": p.result.scenario,
                        "reason": p.result.reason,
                        "confidence": p.result.confidence,
                    }
                    for p in history
                ],
            }
        )

    @extend_schema(
        request=inline_serializer(
            "Override",
            {
                "scenario": serializers.ChoiceField(choices=["", *Scenario.values]),
                "justification": serializers.CharField(),
            },
        ),
        responses=ResultSerializer,
    )
    @classification.mapping.post
    def override(self, request, pk=None, format=None):
        """Override (or, with an empty scenario, clear) the classification. Audited."""
        if not request.user.is_authenticated:
            raise NotAuthenticated(gettext("Sign in first."))
        op = self.get_object()
        saved = override_scenario(
            op,
            actor=Actor.from_request(request),
            scenario=str(request.data.get("scenario", "")),
            justification=str(request.data.get("justification", "")),
        )
        res, _ = loaders.classification_of(saved, request.user)
        return Response(_result(saved, res, dt.date.today()))


class RelationViewSet(ScopedViewSet):
    model = Relation
    serializer_class = RelationSerializer
    filterset_class = RelationFilter
    ordering_fields = ["start", "id"]
    ordering = ["start"]


class ClassificationViewSet(viewsets.GenericViewSet):
    """Every visible operation's scenario: ``as_of`` a date, or over its whole life."""

    model = Operation
    serializer_class = ResultSerializer
    filter_backends: list = []

    def get_queryset(self):
        return Operation.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description=_("Operations active on this date (default: each one's whole life)."),
            ),
            OpenApiParameter("framework", OpenApiTypes.STR, enum=Framework.values),
            OpenApiParameter("scenario", OpenApiTypes.STR, enum=Scenario.values),
        ],
        responses=ResultSerializer(many=True),
    )
    def list(self, request, format=None):
        as_of = _as_of(request)
        framework = request.query_params.get("framework", "")
        scenario = request.query_params.get("scenario", "")
        if framework and framework not in Framework.values:
            raise ValidationError(
                {
                    "framework": gettext("one of %(values)s")
                    % {"values": ", ".join(Framework.values)}
                }
            )
        if scenario and scenario not in Scenario.values:
            raise ValidationError(
                {"scenario": gettext("one of %(values)s") % {"values": ", ".join(Scenario.values)}}
            )
        _world, results = loaders.scenarios(request.user, as_of)
        rows = loaders.table(request.user, results, framework, scenario)
        data = [_result(o, res, as_of) for o, res in rows]
        page = self.paginate_queryset(data)
        return self.get_paginated_response(page) if page is not None else Response(data)

    @extend_schema(
        responses=inline_serializer(
            "TypologySummary",
            {
                "by_decade": serializers.DictField(child=serializers.DictField()),
                "by_region": serializers.DictField(child=serializers.DictField()),
            },
        )
    )
    @action(detail=False, methods=["get"])
    def summary(self, request, format=None):
        """Counts per scenario (over each operation's life) per decade and per region."""
        world, lifetime = loaders.scenarios(request.user)
        return Response(loaders.summary(world, lifetime))
