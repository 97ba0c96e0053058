"""API for conditional funding: instruments, commitments, tranches, conditions, release and
waiver decisions, and the evaluation of tranches."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from concord.api.base import (
    LabelledModelSerializer,
    ScopedSerializer,
    ScopedViewSet,
    SourceSerializer,
    UsernameField,
    VisibleRelatedField,
)
from concord.core.context import Actor
from concord.core.models import Organisation
from concord.core.numbers import record_id
from concord.core.services import resolve_organisation
from concord.operations.models import Operation

from .. import loaders
from ..filters import (
    CommitmentFilter,
    ConditionFilter,
    FundingInstrumentFilter,
    TrancheFilter,
)
from ..models import (
    Commitment,
    Condition,
    FundingInstrument,
    ReportingObligation,
    Tranche,
    TrancheDecision,
)
from . import META


class FundingInstrumentSerializer(ScopedSerializer):
    manager = VisibleRelatedField(Organisation, required=False, allow_null=True)
    sources = SourceSerializer(many=True, required=False)

    class Meta:
        model = FundingInstrument
        fields = ["id", "url", *FundingInstrument.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = [*META]


class CommitmentSerializer(ScopedSerializer):
    instrument = VisibleRelatedField(FundingInstrument, required=False, allow_null=True)
    donor = VisibleRelatedField(Organisation)
    recipient_operation = VisibleRelatedField(Operation, required=False, allow_null=True)
    recipient_organisation = VisibleRelatedField(Organisation, required=False, allow_null=True)

    class Meta:
        model = Commitment
        fields = ["id", "url", *Commitment.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = [*META]


class TrancheSerializer(ScopedSerializer):
    commitment = VisibleRelatedField(Commitment)

    class Meta:
        model = Tranche
        fields = ["id", "url", *Tranche.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = [*META]


class ConditionSerializer(ScopedSerializer):
    tranche = VisibleRelatedField(Tranche)
    obligation = VisibleRelatedField(ReportingObligation, required=False, allow_null=True)

    class Meta:
        model = Condition
        fields = ["id", "url", *Condition.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = [*META]


class FundingInstrumentViewSet(ScopedViewSet):
    """Funding instruments: trust funds, peace facilities, bilateral aid."""

    model = FundingInstrument
    serializer_class = FundingInstrumentSerializer
    filterset_class = FundingInstrumentFilter
    ordering_fields = ["name", "id"]
    ordering = ["name"]


class CommitmentViewSet(ScopedViewSet):
    """Commitments from a donor to a recipient operation or organisation (exact decimals)."""

    model = Commitment
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    ordering_fields = ["purpose", "id"]
    ordering = ["purpose"]


class ConditionViewSet(ScopedViewSet):
    """Conditions on tranches, from the catalogue of kinds."""

    model = Condition
    serializer_class = ConditionSerializer
    filterset_class = ConditionFilter
    ordering_fields = ["id", "id"]
    ordering = ["id"]


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


class TrancheDecisionSerializer(LabelledModelSerializer):
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
            from ..access.shown import shown_many

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
            raise ValidationError({"on": gettext("Give a date as YYYY-MM-DD.")}) from None
        row = loaders.evaluation_rows(Tranche.objects.filter(pk=t.pk), request.user, on)[0]
        return Response(EvaluationSerializer(row).data)

    @extend_schema(request=ProposeSerializer, responses=TrancheDecisionSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None, format=None):
        from ..services import funding as funding_services

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
                raise ValidationError({"condition": gettext("No such condition of this tranche.")})
        d = funding_services.propose(
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
        from ..access.shown import shown_many

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
        from ..services import funding as funding_services

        d = self.get_object()
        body = DecisionBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = funding_services.decide(
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

        try:
            on = dt.date.fromisoformat(request.query_params.get("on") or str(timezone.localdate()))
        except ValueError:
            raise ValidationError({"on": gettext("Give a date as YYYY-MM-DD.")}) from None
        tranches = Tranche.objects.visible_to(request.user).order_by("planned", "pk")
        donor = (request.query_params.get("donor") or "").strip()
        if donor:
            # By id (digits; one that cannot be an id names nothing) or by name: a donor the
            # caller may not see answers exactly like one that does not exist.
            pk = record_id(donor)
            if pk is not None or (donor.isascii() and donor.isdigit()):
                org = Organisation.objects.visible_to(request.user).filter(pk=pk).first()
            else:
                try:
                    org = resolve_organisation(donor, request.user)
                except DjangoValidationError as exc:  # several organisations by that name
                    raise ValidationError({"donor": exc.messages}) from None
            if org is None:
                raise ValidationError(
                    {"donor": gettext("No organisation %(donor)r you may see.") % {"donor": donor}}
                )
            tranches = tranches.filter(commitment__donor=org)
        rows = loaders.evaluation_rows(tranches, request.user, on)
        status = request.query_params.get("status")
        if status:
            rows = [r for r in rows if r["status"] == status]
        page = self.paginate_queryset(rows)
        data = EvaluationSerializer(page if page is not None else rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
