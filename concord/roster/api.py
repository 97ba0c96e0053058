"""The roster's API: experts, requests (with their clock, ranking and candidates, and the
actions of the 72-hour workflow), deployments (consent, deploy, end, cancel) and the team
assignment of several open requests."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from concord.api.base import ScopedSerializer, ScopedViewSet, VisibleRelatedField
from concord.core.api import CountryField
from concord.core.context import Actor
from concord.core.models import Organisation, Person, Space
from concord.operations.models import Operation

from . import access, loaders, services
from .filters import DeploymentFilter, ExpertFilter, RequestFilter
from .models import (
    Cefr,
    Deployment,
    Expert,
    ExpertiseArea,
    ExpertRequest,
    Level,
    Step,
    TieKind,
)

META = ["created_at", "updated_at"]
CEFR = [label for _v, label in Cefr.choices]


class AreaField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=ExpertiseArea.objects.all(), **kwargs)


class SkillSerializer(serializers.Serializer):
    area = AreaField()
    level = serializers.ChoiceField(choices=Level.choices)
    evidence = serializers.CharField()


class CefrField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=CEFR, **kwargs)

    def to_representation(self, value):
        return Cefr(value).label

    def to_internal_value(self, data):
        return Cefr.values[CEFR.index(super().to_internal_value(str(data).upper()))]


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=3, help_text=gettext_lazy("ISO 639, e.g. ar."))
    level = CefrField()


class TieSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TieKind.choices)
    organisation = VisibleRelatedField(Organisation)
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


ROWS = ("skills", "languages", "ties", "unavailable")


class ExpertSerializer(ScopedSerializer):
    name = serializers.CharField(
        required=False,
        help_text=gettext_lazy("The person's name (on creation; read: when you may see them)."),
    )
    person = VisibleRelatedField(Person, read_only=True)
    nationalities = CountryField(many=True, required=False)
    countries = CountryField(many=True, required=False)
    skills = SkillSerializer(many=True, required=False)
    languages = LanguageSerializer(many=True, required=False)
    ties = TieSerializer(many=True, required=False)
    unavailable = PeriodSerializer(many=True, required=False)
    user = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Expert
        fields = [
            "id",
            "url",
            "name",
            *Expert.FIELDS,
            *ROWS,
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = META

    def to_representation(self, instance):
        data = super().to_representation(instance)
        person = (
            self.context["labels"].get(Person, instance.person_id)
            if "labels" in self.context
            else None
        )
        data["name"] = person.name if person else None
        data["ties"] = [t for t in data.get("ties", []) if t.get("organisation") is not None]
        return data


def _rows(validated: dict, names) -> dict:
    return {name: validated.pop(name) for name in names if name in validated}


class ExpertViewSet(ScopedViewSet):
    """Experts on the roster (strictly confidential by default: name who may read them).
    Rows given (skills, languages, ties, unavailable) replace the expert's; a new tie
    re-screens their open candidacies."""

    model = Expert
    serializer_class = ExpertSerializer
    filterset_class = ExpertFilter
    select_related = ("person",)
    prefetch_related = (
        "skills__area",
        "languages",
        "ties",
        "unavailable",
        "countries",
        "nationalities",
    )
    ordering_fields = ["id", "tier"]
    ordering = ["id"]

    def _rows(self, validated):
        rows = _rows(validated, ROWS)
        for t in rows.get("ties", []):
            t.setdefault("start", None)
            t.setdefault("end", None)
        return rows

    def perform_create(self, serializer):
        validated = dict(serializer.validated_data)
        rows = self._rows(validated)
        name = validated.pop("name", "")
        fields, m2m, _children = self._split(validated)
        serializer.instance = services.create_expert(
            Expert(**fields), name or "", actor=Actor.from_request(self.request), m2m=m2m, **rows
        )

    def perform_update(self, serializer):
        validated = dict(serializer.validated_data)
        rows = self._rows(validated)
        validated.pop("name", None)
        fields, m2m, _children = self._split(validated)
        instance = serializer.instance
        for key, value in fields.items():
            setattr(instance, key, value)
        services.save_expert(instance, actor=Actor.from_request(self.request), m2m=m2m, **rows)


class ExpertiseNeedSerializer(serializers.Serializer):
    area = AreaField()
    level = serializers.ChoiceField(choices=Level.choices)
    required = serializers.BooleanField(default=True)


class LanguageNeedSerializer(LanguageSerializer):
    required = serializers.BooleanField(default=True)


class RequestSerializer(ScopedSerializer):
    requester = VisibleRelatedField(Organisation)
    operation = VisibleRelatedField(Operation, required=False, allow_null=True)
    countries = CountryField(many=True, required=False)
    parties = VisibleRelatedField(Organisation, many=True, required=False)
    stakeholders = VisibleRelatedField(Organisation, many=True, required=False)
    space = serializers.PrimaryKeyRelatedField(
        queryset=Space.objects.all(), required=False, allow_null=True
    )
    requirements = ExpertiseNeedSerializer(many=True, required=False)
    languages = LanguageNeedSerializer(many=True, required=False)
    received_at = serializers.DateTimeField(required=False)
    clock = serializers.SerializerMethodField()

    class Meta:
        model = ExpertRequest
        fields = [
            "id",
            "url",
            "state",
            *ExpertRequest.FIELDS,
            "requirements",
            "languages",
            "clock",
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = [*META, "state"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        fields["space"].queryset = Space.objects.visible_to(user)
        return fields

    def get_clock(self, obj) -> dict:
        c = loaders.clock_of(obj)
        return {
            "elapsed_hours": round(c.elapsed.total_seconds() / 3600, 1),
            "promise_hours": 72,
            "late": c.late,
            "done": c.done,
            "stuck_at": c.stuck_at,
            "steps": [{"step": s.step, "at": s.at.isoformat() if s.at else None} for s in c.steps],
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("parties", "stakeholders"):
            data[name] = [v for v in data.get(name, []) if v is not None]
        return data


class StepInput(serializers.Serializer):
    step = serializers.ChoiceField(choices=Step.choices)
    at = serializers.DateTimeField(required=False, allow_null=True)


class CandidateInput(serializers.Serializer):
    candidate = serializers.IntegerField()
    waiver = serializers.CharField(required=False, allow_blank=True, default="")


class CloseInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=[("closed", "closed"), ("cancelled", "cancelled")])
    reason = serializers.CharField()


def _candidate_row(c, name, findings) -> dict:
    return {
        "id": c.pk,
        "expert": c.expert_id,
        "name": name,
        "rank": c.rank,
        "score": c.score,
        "parts": c.parts,
        "screening": c.grade,
        "findings": [f.as_json() for f in findings],
        "waived": c.waived_by_id is not None,
        "state": c.state,
        "answered_at": c.answered_at.isoformat() if c.answered_at else None,
    }


class RequestViewSet(ScopedViewSet):
    """Requests for experts on the 72-hour clock. ``match`` ranks the roster for one;
    ``alert``, ``shortlist``, ``nominate``, ``waive``, ``stand_down``, ``step`` and ``close``
    move it along (the rules are the services')."""

    model = ExpertRequest
    serializer_class = RequestSerializer
    filterset_class = RequestFilter
    prefetch_related = ("countries", "parties", "stakeholders", "requirements__area", "languages")
    ordering_fields = ["received_at", "start", "title", "id"]
    ordering = ["-received_at"]

    def _rows(self, validated):
        return _rows(validated, ("requirements", "languages"))

    def perform_create(self, serializer):
        validated = dict(serializer.validated_data)
        rows = self._rows(validated)
        fields, m2m, _children = self._split(validated)
        serializer.instance = services.save_request(
            ExpertRequest(**fields), actor=Actor.from_request(self.request), m2m=m2m, **rows
        )

    def perform_update(self, serializer):
        validated = dict(serializer.validated_data)
        rows = self._rows(validated)
        fields, m2m, _children = self._split(validated)
        instance = serializer.instance
        for key, value in fields.items():
            setattr(instance, key, value)
        services.save_request(instance, actor=Actor.from_request(self.request), m2m=m2m, **rows)

    def _candidate(self, request, r):
        body = CandidateInput(data=request.data)
        body.is_valid(raise_exception=True)
        c = (
            access.visible_candidates(r, request.user)
            .filter(pk=body.validated_data["candidate"])
            .first()
        )
        if c is None:
            raise ApiValidationError({"candidate": [str(gettext_lazy("No such candidate."))]})
        return c, body.validated_data

    def _candidates(self, r, user):
        rows = list(access.visible_candidates(r, user).order_by("rank"))
        names = loaders.person_names(user, [c.expert for c in rows])
        screened = loaders.screenings(r, [c.expert for c in rows], user)
        return {
            "request": r.pk,
            "title": r.title,
            "candidates": [
                _candidate_row(c, names[c.expert_id], screened[c.expert_id].findings) for c in rows
            ],
        }

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], pagination_class=None)
    def match(self, request, pk=None, format=None):
        """Every expert you may see ranked for this request, each fit in parts and words;
        who is not matched and why; when nobody is, which requirement to relax."""
        r = self.get_visible_object()
        return Response({"title": r.title, **loaders.rank(r, request.user).as_json()})

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], pagination_class=None)
    def candidates(self, request, pk=None, format=None):
        """The experts alerted or shortlisted (those you may see)."""
        r = self.get_visible_object()
        return Response(self._candidates(r, request.user))

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def alert(self, request, pk=None, format=None):
        """Screen and alert the best matches (twice the shortlist); a waivable red is held."""
        r = self.get_visible_object()
        services.alert(r, actor=Actor.from_request(request))
        return Response(self._candidates(r, request.user))

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def shortlist(self, request, pk=None, format=None):
        """The shortlist among who answered available, under the gender rule."""
        r = self.get_visible_object()
        result = services.make_shortlist(r, actor=Actor.from_request(request))
        return Response({"notes": result.notes, **self._candidates(r, request.user)})

    @extend_schema(request=CandidateInput, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None, format=None):
        """A manager of the owner (not who proposed the expert) waives a waivable red."""
        r = self.get_visible_object()
        c, data = self._candidate(request, r)
        services.waive(c, data["waiver"], actor=Actor.from_request(request))
        return Response(self._candidates(r, request.user))

    @extend_schema(request=CandidateInput, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def nominate(self, request, pk=None, format=None):
        r = self.get_visible_object()
        c, _data = self._candidate(request, r)
        d = services.nominate(c, actor=Actor.from_request(request))
        return Response({"deployment": d.pk})

    @extend_schema(request=CandidateInput, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def stand_down(self, request, pk=None, format=None):
        r = self.get_visible_object()
        c, _data = self._candidate(request, r)
        services.stand_down(c, actor=Actor.from_request(request))
        return Response(self._candidates(r, request.user))

    @extend_schema(request=StepInput, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None, format=None):
        """Record a step of the clock (now, or ``at``), in order."""
        r = self.get_visible_object()
        body = StepInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_step(
            r,
            body.validated_data["step"],
            actor=Actor.from_request(request),
            at=body.validated_data.get("at"),
        )
        return Response(self.get_serializer(r).data)

    @extend_schema(request=CloseInput, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        r = self.get_visible_object()
        body = CloseInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.close_request(
            r,
            body.validated_data["state"],
            body.validated_data["reason"],
            actor=Actor.from_request(request),
        )
        return Response(self.get_serializer(r).data)


class DeploymentSerializer(ScopedSerializer):
    request = VisibleRelatedField(ExpertRequest)
    expert = VisibleRelatedField(Expert)
    candidate = serializers.PrimaryKeyRelatedField(read_only=True)
    observation = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "url",
            "state",
            *Deployment.FIELDS,
            "candidate",
            "report",
            "observation",
            "rating",
            "appraisal",
            "space_granted",
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = [
            *META,
            "state",
            "report",
            "observation",
            "rating",
            "appraisal",
            "space_granted",
        ]


class EndInput(serializers.Serializer):
    report = serializers.CharField()
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    appraisal = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class DeploymentViewSet(ScopedViewSet):
    """Deployments: proposed → consented → deployed → ended (or cancelled). An expert is
    never booked twice in overlapping periods."""

    model = Deployment
    serializer_class = DeploymentSerializer
    filterset_class = DeploymentFilter
    ordering_fields = ["start", "end", "id"]
    ordering = ["-start"]

    def _move(self, request, service, **kw):
        d = self.get_object()
        d = service(d, actor=Actor.from_request(request), **kw)
        return Response(self.get_serializer(d).data)

    @extend_schema(request=None, responses=DeploymentSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None, format=None):
        """Record the requester's consent."""
        return self._move(request, services.consent)

    @extend_schema(request=None, responses=DeploymentSerializer)
    @action(detail=True, methods=["post"])
    def deploy(self, request, pk=None, format=None):
        """The expert arrived (or started remotely): space access until the end."""
        return self._move(request, services.deploy)

    @extend_schema(request=EndInput, responses=DeploymentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None, format=None):
        """End it: the report becomes an observation in learning; the appraisal is kept."""
        body = EndInput(data=request.data)
        body.is_valid(raise_exception=True)
        return self._move(request, services.end, **body.validated_data)

    @extend_schema(request=ReasonInput, responses=DeploymentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        body = ReasonInput(data=request.data)
        body.is_valid(raise_exception=True)
        d = self.get_object()
        d = services.cancel(d, body.validated_data["reason"], actor=Actor.from_request(request))
        return Response(self.get_serializer(d).data)


class ExpertiseSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = ExpertiseArea
        fields = ["code", "name", "parent", "description", "source"]


class ExpertiseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The expertise catalogue (public reference data): the codes experts' skills and
    requests' needs name."""

    serializer_class = ExpertiseSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return ExpertiseArea.objects.visible_to(self.request.user).select_related("parent")


class AssignViewSet(viewsets.GenericViewSet):
    """``GET /assign/?request=1&request=2``: the best assignment of experts to those open
    requests at once (all open requests you may see without ``request``), each choice
    explained with the constraint that bound it; ``method=greedy`` for the first-come
    baseline."""

    serializer_class = serializers.Serializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return loaders.open_requests(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter("request", int, many=True),
            OpenApiParameter("method", str, enum=["optimal", "greedy"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request, format=None):
        ids = {int(x) for x in request.query_params.getlist("request") if x.isdigit()}
        method = request.query_params.get("method", "optimal")
        if method not in ("optimal", "greedy"):
            raise ApiValidationError({"method": [str(gettext_lazy("optimal or greedy"))]})
        requests = list(self.get_queryset().order_by("received_at", "pk"))
        if ids:
            requests = [r for r in requests if r.pk in ids]
        if not requests:
            return Response(
                {"method": method, "total_fit": 0, "choices": [], "unfilled": {}, "gaps": []}
            )
        plans, _facts = loaders.team_plan(requests, request.user, methods=(method,))
        return Response(plans[method].as_json())
