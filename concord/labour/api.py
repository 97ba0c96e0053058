"""API for the division of labour: the task catalogue and clash rules, needs, assignments
(4W), arrangements, an operation's mandate, findings (with reviews) and 3W imports."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    MethodNotAllowed,
    NotAuthenticated,
    PermissionDenied,
    ValidationError,
)
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from concord.api.base import (
    LabelledModelSerializer,
    ScopedSerializer,
    ScopedViewSet,
    SourceSerializer,
    UsernameField,
    VisibleRelatedField,
)
from concord.core.access import CHANGE
from concord.core.api import CountryField
from concord.core.context import Actor
from concord.core.importers import ImportContext
from concord.core.models import Area, Country, Organisation, Role, Space
from concord.core.numbers import record_id
from concord.exchange.tabular import FileRejected
from concord.operations.access import access_operation
from concord.operations.models import Operation

from . import analysis, loaders, services, threew
from .exchange import FINDING_COLUMNS
from .filters import (
    ArrangementFilter,
    AssignmentFilter,
    ClashRuleFilter,
    NeedFilter,
    SectorMappingFilter,
    TaskFilter,
)
from .models import (
    Arrangement,
    Assignment,
    AssignmentRole,
    ClashRule,
    ImportBatch,
    MandatedTask,
    Need,
    Priority,
    ReviewStatus,
    SectorMapping,
    Task,
)

META = ["created_at", "updated_at"]


class TaskSerializer(ScopedSerializer):
    parent = VisibleRelatedField(Task, required=False, allow_null=True)
    hxl_sectors = serializers.ListField(child=serializers.CharField(), required=False)
    hxl_activities = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Task
        fields = ["id", "url", *Task.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class SectorMappingSerializer(ScopedSerializer):
    task = VisibleRelatedField(Task)

    class Meta:
        model = SectorMapping
        fields = ["id", "url", *SectorMapping.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class ClashRuleSerializer(ScopedSerializer):
    task_a = VisibleRelatedField(Task)
    task_b = VisibleRelatedField(Task)

    class Meta:
        model = ClashRule
        fields = ["id", "url", *ClashRule.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class NeedSerializer(ScopedSerializer):
    task = VisibleRelatedField(Task)
    country = CountryField()
    area = VisibleRelatedField(Area, required=False, allow_null=True)

    class Meta:
        model = Need
        fields = ["id", "url", *Need.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class AssignmentSerializer(ScopedSerializer):
    organisation = VisibleRelatedField(Organisation, required=False, allow_null=True)
    operation = VisibleRelatedField(Operation, required=False, allow_null=True)
    task = VisibleRelatedField(Task)
    country = CountryField()
    area = VisibleRelatedField(Area, required=False, allow_null=True)
    batch = serializers.IntegerField(source="batch_id", read_only=True, allow_null=True)
    source_values = serializers.DictField(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "url",
            *Assignment.FIELDS,
            "batch",
            "source_values",
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = META


class ArrangementSerializer(ScopedSerializer):
    organisations = VisibleRelatedField(Organisation, many=True, required=False)
    operations = VisibleRelatedField(Operation, many=True, required=False)
    tasks = VisibleRelatedField(Task, many=True, required=False)
    countries = CountryField(many=True, required=False)
    areas = VisibleRelatedField(Area, many=True, required=False)
    sources = SourceSerializer(many=True, required=False)

    class Meta:
        model = Arrangement
        fields = ["id", "url", *Arrangement.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("organisations", "operations", "tasks", "areas"):
            data[name] = [v for v in data.get(name, []) if v is not None]
        return data


class TaskViewSet(ScopedViewSet):
    """The task catalogue. Everyone reads it; managers extend it."""

    model = Task
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    ordering_fields = ["code", "name", "id"]
    ordering = ["code"]


class SectorMappingViewSet(ScopedViewSet):
    """3W sector values mapped to tasks by their owner, used for the owner's next 3W file."""

    model = SectorMapping
    serializer_class = SectorMappingSerializer
    filterset_class = SectorMappingFilter
    ordering_fields = ["value", "id"]
    ordering = ["value"]


class ClashRuleViewSet(ScopedViewSet):
    """The compatibility matrix: pairs of tasks that clash. Managers edit it."""

    model = ClashRule
    serializer_class = ClashRuleSerializer
    filterset_class = ClashRuleFilter
    ordering_fields = ["id"]
    ordering = ["id"]


class NeedViewSet(ScopedViewSet):
    model = Need
    serializer_class = NeedSerializer
    filterset_class = NeedFilter
    select_related = ("country",)
    ordering_fields = ["start", "end", "id"]
    ordering = ["start"]


class AssignmentViewSet(ScopedViewSet):
    """Who does what, where, when (the 4W)."""

    model = Assignment
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    select_related = ("country",)
    ordering_fields = ["start", "end", "id"]
    ordering = ["start"]


class ArrangementViewSet(ScopedViewSet):
    model = Arrangement
    serializer_class = ArrangementSerializer
    filterset_class = ArrangementFilter
    prefetch_related = ("organisations", "operations", "tasks", "countries", "areas")
    ordering_fields = ["start", "end", "id"]
    ordering = ["start"]


class MandatedTaskSerializer(LabelledModelSerializer):
    task = VisibleRelatedField(Task)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.OTHER)

    class Meta:
        model = MandatedTask
        fields = ["task", "source", "paragraph", "priority", "start", "end"]


class MandateSerializer(serializers.Serializer):
    """An operation's mandate as ``/mandates/{operation id}/`` gives it."""

    operation = serializers.IntegerField()
    name = serializers.CharField()
    tasks = MandatedTaskSerializer(many=True)


class MandateViewSet(viewsets.GenericViewSet):
    """An operation's mandated tasks: ``GET /mandates/{operation id}/`` and ``PUT`` to replace
    them (needs the right to edit the operation; audited as a change of the operation)."""

    model = Operation
    serializer_class = MandatedTaskSerializer
    filter_backends: list = []

    def get_queryset(self):
        return Operation.objects.visible_to(self.request.user)

    def _op(self, pk) -> Operation:
        return access_operation(self.request.user, pk)

    def _body(self, op):
        tasks = set(Task.objects.visible_to(self.request.user).values_list("pk", flat=True))
        items = [m for m in op.mandate.all() if m.task_id in tasks]
        return {
            "operation": op.pk,
            "name": op.label,
            "tasks": MandatedTaskSerializer(
                items, many=True, context={"request": self.request}
            ).data,
        }

    @extend_schema(responses=MandateSerializer)
    def retrieve(self, request, pk=None, format=None):
        return Response(self._body(self._op(pk)))

    @extend_schema(request=MandatedTaskSerializer(many=True), responses=MandateSerializer)
    def update(self, request, pk=None, format=None):
        if not request.user.is_authenticated:
            raise NotAuthenticated(_("Sign in first."))
        op = access_operation(request.user, pk, CHANGE)
        items = (
            request.data.get("tasks", request.data)
            if isinstance(request.data, dict)
            else request.data
        )
        serializer = MandatedTaskSerializer(data=items, many=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        # A refusal (a ValidationError, with or without fields) is translated by api/errors.
        services.save_mandate(
            op, [dict(v) for v in serializer.validated_data], actor=Actor.from_request(request)
        )
        return Response(self._body(Operation.objects.get(pk=op.pk)))


def _date_param(request, name):
    value = request.query_params.get(name, "")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            {name: _("%(value)r is not a date (YYYY-MM-DD).") % {"value": value}}
        ) from None


def scope_from(request) -> loaders.Scope:
    """Filters shared by the findings API (and mirrored by the page and the CLI)."""
    q, user = request.query_params, request.user
    scope = loaders.Scope()
    code = q.get("country", "").strip().upper()
    if code:
        if not Country.objects.filter(alpha3=code).exists():
            raise ValidationError(
                {"country": _("%(code)r is not an ISO alpha-3 country code.") % {"code": code}}
            )
        scope.countries = [code]
    as_of = _date_param(request, "as_of")
    scope.start = as_of or _date_param(request, "start")
    scope.end = as_of or _date_param(request, "end")
    if scope.start and scope.end and scope.end < scope.start:
        raise ValidationError({"end": _("The end is before the start.")})
    if q.get("task"):
        scope.task = Task.objects.visible_to(user).filter(code=q["task"]).first()
        if scope.task is None:
            raise ValidationError(
                {"task": _("No task %(name)r in the catalogue.") % {"name": q["task"]}}
            )
    for name, model, missing in (
        ("organisation", Organisation, _("No organisation with id %(id)r that you may see.")),
        ("operation", Operation, _("No operation with id %(id)r that you may see.")),
    ):
        if q.get(name):
            pk = record_id(q[name])
            obj = model.objects.visible_to(user).filter(pk=pk).first() if pk else None
            if obj is None:
                raise ValidationError({name: missing % {"id": q[name]}})
            setattr(scope, name, obj)
    if q.get("space"):
        pk = record_id(q["space"])
        space = Space.objects.visible_to(user).filter(pk=pk).first() if pk else None
        if space is None:
            raise ValidationError({"space": _("No such coordination space that you are in.")})
        scope.space = space
    return scope


def analyse_for(user, scope: loaders.Scope, kinds=None):
    result = loaders.run(user, scope, kinds)
    out = []
    for f, row in zip(result.findings, result.rows(), strict=True):
        item = dict(zip(FINDING_COLUMNS, row, strict=True))
        item["refs"] = f.refs
        item["days"] = f.days  # a number, or null (the tables write an empty cell)
        item["actors"] = [{"key": a, "name": result.names.actor(a)} for a in f.actors]
        item["periods"] = [
            [_iso(analysis.date_of(s)), _iso(analysis.date_of(e))] for s, e in f.periods
        ]
        out.append(item)
    return out


def _iso(d):
    return d.isoformat() if d else None


FINDING_PARAMS = [
    OpenApiParameter("country", OpenApiTypes.STR, description=gettext_lazy("ISO alpha-3")),
    OpenApiParameter(
        "as_of", OpenApiTypes.DATE, description=gettext_lazy("One day (overrides start/end)")
    ),
    OpenApiParameter("start", OpenApiTypes.DATE),
    OpenApiParameter("end", OpenApiTypes.DATE),
    OpenApiParameter(
        "task", OpenApiTypes.STR, description=gettext_lazy("Task code (with its sub-tasks)")
    ),
    OpenApiParameter("organisation", OpenApiTypes.INT),
    OpenApiParameter("operation", OpenApiTypes.INT),
    OpenApiParameter("space", OpenApiTypes.INT),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=list(analysis.ANALYSES)),
]


class FindingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    key = serializers.CharField()
    task = serializers.CharField()
    sector = serializers.CharField()
    country = serializers.CharField()
    place_code = serializers.CharField()
    place = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField()
    days = serializers.IntegerField(allow_null=True)
    actors = serializers.ListField(child=serializers.DictField())
    explanation = serializers.CharField()
    review = serializers.CharField()
    refs = serializers.DictField()
    periods = serializers.ListField(child=serializers.ListField())


class ThreeWReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    assignments = serializers.IntegerField()
    unmatched = serializers.DictField()
    rejected = serializers.ListField(child=serializers.CharField())


class FindingViewSet(viewsets.GenericViewSet):
    """Gaps, overlaps, clashes and handover holes among the records the caller may see,
    explained, with the ids of the records behind each and its latest review."""

    model = None  # (not a list of one model: the access-matrix test checks it for leaks only)
    filter_backends: list = []
    serializer_class = FindingSerializer

    def get_queryset(self):
        return Assignment.objects.none()

    @extend_schema(parameters=FINDING_PARAMS)
    def list(self, request, format=None):
        kind = request.query_params.get("kind", "")
        if kind and kind not in analysis.ANALYSES:
            raise ValidationError(
                {"kind": _("one of %(values)s") % {"values": ", ".join(analysis.ANALYSES)}}
            )
        data = analyse_for(request.user, scope_from(request), {kind} if kind else None)
        page = self.paginate_queryset(data)
        return self.get_paginated_response(page) if page is not None else Response(data)

    @extend_schema(
        request=inline_serializer(
            "Review",
            {
                "key": serializers.CharField(),
                "status": serializers.ChoiceField(choices=ReviewStatus.values),
                "note": serializers.CharField(required=False, allow_blank=True),
            },
        ),
        responses={
            201: inline_serializer(
                "FindingReviewed",
                {
                    "id": serializers.IntegerField(),
                    "key": serializers.CharField(),
                    "status": serializers.CharField(),
                },
            )
        },
    )
    def create(self, request, format=None):
        """Acknowledge or resolve a finding by its key, with a note (audited)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated(_("Sign in first."))
        owners = request.user.principal().orgs_with_role(Role.CONTRIBUTOR)
        if not owners:
            raise PermissionDenied(_("Your role does not allow reviewing findings."))
        body = request.data if isinstance(request.data, dict) else {}
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": _("Send an object: key, status, note.")})
        key = str(body.get("key", "")).strip()
        status = str(body.get("status", ""))
        errors = {}
        if not key:
            errors["key"] = _("Give the finding's key.")
        if status not in ReviewStatus.values:
            errors["status"] = _("one of %(values)s") % {"values": ", ".join(ReviewStatus.values)}
        if errors:
            raise ValidationError(errors)
        # A refusal of the service becomes the one error shape in concord.api.errors.
        review = services.review_finding(
            key,
            status,
            str(body.get("note", "")),
            actor=Actor.from_request(request),
            owner=Organisation.objects.get(pk=sorted(owners)[0]),
        )
        return Response({"id": review.pk, "key": review.key, "status": review.status}, status=201)


class ThreeWImportViewSet(viewsets.GenericViewSet):
    """Import a 3W file in HXL (CSV or XLSX). ``dry_run=1`` returns the plan (what would be
    created, matched and rejected) and writes nothing."""

    model = None
    filter_backends: list = []
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ThreeWReportSerializer

    def get_queryset(self):
        return Assignment.objects.none()

    @extend_schema(
        request=inline_serializer(
            "ThreeWUpload",
            {
                "file": serializers.FileField(),
                "owner": serializers.IntegerField(),
                "country": serializers.CharField(required=False),
                "start": serializers.DateField(required=False),
                "end": serializers.DateField(required=False),
                "role": serializers.ChoiceField(choices=AssignmentRole.values, required=False),
                "dry_run": serializers.BooleanField(required=False),
                "allow_rejects": serializers.BooleanField(required=False),
                "create_areas": serializers.BooleanField(
                    required=False,
                    help_text=gettext_lazy(
                        "Create the areas the registry lacks (never a country's first "
                        "level when its ISO 3166-2 set is loaded); the dry run lists them."
                    ),
                ),
            },
        )
    )
    def create(self, request, format=None):
        if not request.user.is_authenticated:
            raise NotAuthenticated(_("Sign in first."))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Attach the 3W file.")})
        d = request.data
        allowed = request.user.principal().orgs_with_role(Role.CONTRIBUTOR)
        owner = Organisation.objects.filter(pk=record_id(d.get("owner")), pk__in=allowed).first()
        if owner is None:
            raise ValidationError({"owner": _("Give the id of an organisation you contribute to.")})
        country = None
        if d.get("country"):
            country = Country.objects.filter(alpha3=str(d["country"]).upper()).first()
            if country is None:
                raise ValidationError({"country": _("Not an ISO alpha-3 country code.")})
        role = d.get("role") or AssignmentRole.SUPPORT
        if role not in AssignmentRole.values:
            raise ValidationError(
                {"role": _("one of %(values)s") % {"values": ", ".join(AssignmentRole.values)}}
            )
        dates = {}
        for name in ("start", "end"):
            try:
                dates[name] = dt.date.fromisoformat(d[name]) if d.get(name) else None
            except ValueError:
                raise ValidationError({name: _("Not a date (YYYY-MM-DD).")}) from None
        options = threew.Options(
            owner=owner,
            country=country,
            role=role,
            create_areas=str(d.get("create_areas", "")).lower() in ("1", "true", "on"),
            **dates,
        )
        actor = Actor.from_request(request)
        try:
            plan = threew.plan(upload.read(), upload.name, options, ImportContext(actor))
            if str(d.get("dry_run", "")).lower() in ("1", "true", "on"):
                return Response({"dry_run": True, **plan.report()})
            batch = threew.commit(
                plan,
                actor=actor,
                allow_rejects=str(d.get("allow_rejects", "")).lower() in ("1", "true", "on"),
            )
        except FileRejected as exc:
            raise ValidationError({"file": [str(e) for e in exc.errors[:500]]}) from None
        return Response({"batch": batch.pk, **batch.report}, status=201)


class ImportBatchSerializer(ScopedSerializer):
    rolled_back_by = UsernameField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "url",
            *ImportBatch.FIELDS,
            "report",
            "rolled_back_at",
            "rolled_back_by",
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = fields


class ImportBatchViewSet(ScopedViewSet):
    """The 3W imports you may see, with their reports (made by ``POST /imports-3w/``).
    ``POST …/{id}/rollback/`` undoes one: its assignments and the organisations and areas it
    created (a manager of its owner; refused, saying why, when later records depend on them)."""

    model = ImportBatch
    serializer_class = ImportBatchSerializer
    filter_backends: list = []
    ordering = ["-id"]
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail=_("Import a file at /api/v1/labour/imports-3w/."))

    @extend_schema(request=None, responses=ImportBatchSerializer)
    @action(detail=True, methods=["post"])
    def rollback(self, request, pk=None, format=None):
        # (a refusal becomes the one error shape in concord.api.errors)
        batch = services.rollback_import(
            self.get_visible_object(), actor=Actor.from_request(request)
        )
        return Response(self.get_serializer(batch).data)
