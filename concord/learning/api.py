"""Learning's API: a ``ScopedSerializer`` and a ``ScopedViewSet`` per record. States change
through actions (``…/step/``, ``…/validate/``); an observation is submitted sealed with
``"sealed": true`` and only a knowledge manager's ``…/unseal/`` names its submitter."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.api.base import ScopedSerializer, ScopedViewSet, SourceSerializer, VisibleRelatedField
from concord.core.access import VIEW, access
from concord.core.api import CountryField
from concord.core.context import Actor
from concord.core.models import Area, Classification, Organisation, Releasability
from concord.labour.models import Task
from concord.operations.models import Operation, Scenario

from . import loaders, services
from .filters import (
    DispositionFilter,
    LessonBodyFilter,
    LessonFilter,
    ObservationFilter,
    RemedialActionFilter,
    SupportModuleFilter,
    SupportRequestFilter,
)
from .models import (
    Disposition,
    Lesson,
    LessonBody,
    Observation,
    RemedialAction,
    SupportModule,
    SupportRequest,
)

META = ["created_at", "updated_at"]


class ObservationSerializer(ScopedSerializer):
    operations = VisibleRelatedField(Operation, many=True, required=False)
    countries = CountryField(many=True, required=False)
    areas = VisibleRelatedField(Area, many=True, required=False)
    tasks = VisibleRelatedField(Task, many=True, required=False)
    lesson = VisibleRelatedField(Lesson, read_only=True)
    same_as = VisibleRelatedField(
        Observation,
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "On submission: an earlier observation proposed as the same (the verifier decides)."
        ),
    )
    sources = SourceSerializer(many=True, required=False)
    # empty until it is known: a blank beside the scenarios in the schema
    scenario = serializers.ChoiceField(choices=Scenario.choices, allow_blank=True, read_only=True)
    sealed = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("On submission: nobody reading it will see who submitted it."),
    )

    class Meta:
        model = Observation
        fields = [
            "id",
            "url",
            "state",
            "state_reason",
            "lesson",
            "scenario",
            "sealed",
            "same_as",
            *Observation.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = [*META, "state", "state_reason", "scenario"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("operations", "areas", "tasks"):  # links the reader may not see: left out
            data[name] = [v for v in data.get(name, []) if v is not None]  # (and kept on save)
        return data


class StepSerializer(serializers.Serializer):
    to = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _step(viewset, request, service) -> Response:
    """A step on the viewset's record through ``service`` (the rules are the service's)."""
    body = StepSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    record = service(
        viewset.get_object(),
        body.validated_data["to"],
        body.validated_data["reason"],
        actor=Actor.from_request(request),
    )
    return Response(viewset.get_serializer(record).data)


class UnsealSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=10)


class UnsealedSerializer(serializers.Serializer):
    observation = serializers.IntegerField()
    submitted_by = serializers.CharField(allow_null=True)


class ObservationViewSet(ScopedViewSet):
    model = Observation
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    prefetch_related = ("operations", "countries", "areas", "tasks")
    ordering_fields = ["title", "period_start", "state", "id"]
    ordering = ["title"]

    def perform_create(self, serializer):
        fields, m2m, _children = self._split(dict(serializer.validated_data))
        sealed = fields.pop("sealed", False)
        same_as = fields.pop("same_as", None)
        serializer.instance = services.submit_observation(
            Observation(**fields),
            actor=Actor.from_request(self.request),
            m2m=m2m,
            sealed=sealed,
            same_as=same_as,
        )

    def perform_update(self, serializer):
        for name in ("sealed", "same_as"):  # chosen once, on submission
            serializer.validated_data.pop(name, None)
        super().perform_update(serializer)

    @extend_schema(request=StepSerializer, responses=ObservationSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None, format=None):
        """Verify, reject (with a reason) or archive."""
        return _step(self, request, services.observation_step)

    @extend_schema(request=UnsealSerializer, responses=UnsealedSerializer)
    @action(detail=True, methods=["post"])
    def unseal(self, request, pk=None, format=None):
        """A knowledge manager of the owner breaks the seal, for a written reason (kept in the
        history); the answer names the submitter."""
        body = UnsealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        observation = self.get_visible_object()
        who = services.break_seal(
            observation, body.validated_data["reason"], actor=Actor.from_request(request)
        )
        return Response(
            {"observation": observation.pk, "submitted_by": who.get_username() if who else None}
        )


class BodyInput(serializers.Serializer):
    analysis = serializers.CharField(required=False, allow_blank=True, default="")
    conclusion = serializers.CharField()
    recommendation = serializers.CharField()
    classification = serializers.ChoiceField(
        choices=Classification.choices, default=Classification.INTERNAL
    )
    releasability = serializers.ChoiceField(
        choices=Releasability.choices, default=Releasability.OWNER
    )


class LessonSerializer(ScopedSerializer):
    sources = SourceSerializer(many=True, required=False)
    operations = VisibleRelatedField(Operation, many=True, required=False)
    countries = CountryField(many=True, required=False)
    tasks = VisibleRelatedField(Task, many=True, required=False)
    scenario = serializers.ChoiceField(choices=Scenario.choices, allow_blank=True, read_only=True)
    recurrence = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "How many lessons you may see say the same thing, this one included (1: none else)."
        )
    )
    observations = serializers.PrimaryKeyRelatedField(
        many=True,
        write_only=True,
        required=False,
        queryset=Observation.objects.all(),
        help_text=gettext_lazy("On identification: the verified observations it rests on."),
    )
    body = BodyInput(
        write_only=True,
        required=False,
        help_text=gettext_lazy("On identification: the lesson's body."),
    )

    class Meta:
        model = Lesson
        fields = [
            "id",
            "url",
            "state",
            "state_reason",
            "validated_on",
            "scenario",
            "recurrence",
            "observations",
            "body",
            *Lesson.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = [*META, "state", "state_reason", "validated_on", "scenario"]

    def get_recurrence(self, lesson) -> int:
        cluster = loaders.cluster_of(self.context["request"].user, lesson.pk)
        return cluster.recurrence if cluster else 1

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("operations", "tasks"):  # links the reader may not see: left out
            data[name] = [v for v in data.get(name, []) if v is not None]
        return data

    def validate_observations(self, value):
        user = self.context["request"].user
        visible = set(
            Observation.objects.visible_to(user)
            .filter(pk__in=[o.pk for o in value])
            .values_list("pk", flat=True)
        )
        if any(o.pk not in visible for o in value):
            raise serializers.ValidationError(_("No observation with this id that you may see."))
        return value


class LessonViewSet(ScopedViewSet):
    model = Lesson
    serializer_class = LessonSerializer
    filterset_class = LessonFilter
    prefetch_related = ("operations", "countries", "tasks")
    ordering_fields = ["title", "theme", "state", "id"]
    ordering = ["title"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        observations = data.pop("observations", [])
        body = data.pop("body", None)
        if body is None:
            raise serializers.ValidationError({"body": _("Give the lesson's body.")})
        fields, m2m, _children = self._split(data)
        lesson = Lesson(**fields)
        serializer.instance = services.identify_lesson(
            lesson,
            LessonBody(owner=lesson.owner, **body),
            observations,
            actor=Actor.from_request(self.request),
            m2m=m2m,
        )

    def perform_update(self, serializer):
        serializer.validated_data.pop("observations", None)
        serializer.validated_data.pop("body", None)
        super().perform_update(serializer)

    @extend_schema(request=StepSerializer, responses=LessonSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None, format=None):
        """Reject (with a reason) or archive."""
        return _step(self, request, services.lesson_step)

    @extend_schema(request=None, responses=LessonSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None, format=None):
        """Someone other than the proposer validates it: a lesson learned."""
        lesson = services.validate_lesson(self.get_object(), actor=Actor.from_request(request))
        return Response(self.get_serializer(lesson).data)


class LessonBodySerializer(ScopedSerializer):
    lesson = VisibleRelatedField(Lesson)

    class Meta:
        model = LessonBody
        fields = ["id", "url", *LessonBody.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class LessonBodyViewSet(ScopedViewSet):
    model = LessonBody
    serializer_class = LessonBodySerializer
    filterset_class = LessonBodyFilter
    ordering_fields = ["id"]
    ordering = ["id"]


class RemedialActionSerializer(ScopedSerializer):
    lesson = VisibleRelatedField(Lesson)
    action_body = VisibleRelatedField(Organisation)

    class Meta:
        model = RemedialAction
        fields = ["id", "url", *RemedialAction.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class RemedialActionViewSet(ScopedViewSet):
    model = RemedialAction
    serializer_class = RemedialActionSerializer
    filterset_class = RemedialActionFilter
    ordering_fields = ["due", "status", "id"]
    ordering = ["due"]


class DispositionSerializer(ScopedSerializer):
    operation = VisibleRelatedField(Operation)
    lesson = VisibleRelatedField(Lesson)

    class Meta:
        model = Disposition
        fields = ["id", "url", *Disposition.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class DispositionViewSet(ScopedViewSet):
    """What planners did with the lessons surfaced for their operations (one per operation,
    lesson and organisation)."""

    model = Disposition
    serializer_class = DispositionSerializer
    filterset_class = DispositionFilter
    ordering_fields = ["decided_on", "id"]
    ordering = ["id"]


class DraftSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class HintSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["observation", "lesson"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField(help_text=gettext_lazy("How alike, 0 to 1."))
    words = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("The draft's words it shares.")
    )


def _hint(h, request) -> dict:
    return {
        "kind": h.kind,
        "id": h.record.pk,
        "title": h.record.title,
        "url": request.build_absolute_uri(h.record.get_absolute_url()),
        "score": h.score,
        "words": h.words,
    }


class SimilarViewSet(viewsets.GenericViewSet):
    """``POST {"title": …, "text": …}``: the observations and lessons you may see that are
    most alike a draft (what the submission form shows before saving)."""

    serializer_class = DraftSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return Lesson.objects.visible_to(self.request.user)

    @extend_schema(request=DraftSerializer, responses=HintSerializer(many=True))
    def create(self, request, format=None):
        body = DraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hints = loaders.similar(
            request.user, body.validated_data["title"], body.validated_data["text"]
        )
        return Response([_hint(h, request) for h in hints])


class SurfacedSerializer(serializers.Serializer):
    lesson = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField()
    relevant = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    dispositions = serializers.ListField(
        child=serializers.IntegerField(), help_text=gettext_lazy("Their ids.")
    )


class SurfaceSerializer(serializers.Serializer):
    operation = serializers.IntegerField()
    name = serializers.CharField()
    lessons = SurfacedSerializer(many=True)


class SurfaceViewSet(viewsets.GenericViewSet):
    """``GET /surface/{operation id}/``: the lessons you may see ranked for an operation,
    each with its reasons in words and the dispositions you may see."""

    model = Operation  # what the id names
    serializer_class = SurfacedSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return Operation.objects.visible_to(self.request.user)

    @extend_schema(responses=SurfaceSerializer)
    def retrieve(self, request, pk=None, format=None):
        op = access(Operation, request.user, pk, VIEW)
        items = loaders.surface(op, request.user, limit=50)
        return Response(
            {
                "operation": op.pk,
                "name": str(op),
                "lessons": loaders.surfaced_data(items, request.build_absolute_uri),
            }
        )


class ClusterSerializer(serializers.Serializer):
    theme = serializers.CharField()
    recurrence = serializers.IntegerField()
    years = serializers.ListField(child=serializers.IntegerField())
    institutions = serializers.ListField(child=serializers.CharField())
    lessons = serializers.ListField(child=serializers.IntegerField())


class RecurrenceViewSet(viewsets.GenericViewSet):
    """Lessons you may see that say the same thing more than twice (``?more_than=`` to
    change), by theme: the "not learned" report."""

    serializer_class = ClusterSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return Lesson.objects.visible_to(self.request.user)

    @extend_schema(responses=ClusterSerializer(many=True))
    def list(self, request, format=None):
        raw = request.query_params.get("more_than", "2")
        if not raw.isdigit():
            raise serializers.ValidationError({"more_than": _("A whole number.")})
        return Response(loaders.clusters_data(loaders.relearned(request.user, int(raw))))


class SupportModuleSerializer(ScopedSerializer):
    sources = SourceSerializer(many=True, required=False)

    class Meta:
        model = SupportModule
        fields = ["id", "url", *SupportModule.FIELDS, *ScopedSerializer.SECURITY_FIELDS, *META]
        read_only_fields = META


class SupportModuleViewSet(ScopedViewSet):
    """What institutions offer coalitions and regional operations."""

    model = SupportModule
    serializer_class = SupportModuleSerializer
    filterset_class = SupportModuleFilter
    ordering_fields = ["title", "area", "id"]
    ordering = ["title"]


class SupportRequestSerializer(ScopedSerializer):
    module = VisibleRelatedField(SupportModule)
    operation = VisibleRelatedField(Operation)
    alternative = VisibleRelatedField(SupportModule, read_only=True)

    class Meta:
        model = SupportRequest
        fields = [
            "id",
            "url",
            *SupportRequest.FIELDS,
            "state",
            "answer",
            "alternative",
            "answered_on",
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = [*META, "state", "answer", "alternative", "answered_on"]


class AnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accepted", "declined", "alternative"])
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    alternative = serializers.IntegerField(required=False, allow_null=True, default=None)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SupportRequestViewSet(ScopedViewSet):
    """Requests for modules; the offering institution answers (``…/answer/``), the requester
    may withdraw (``…/withdraw/``)."""

    model = SupportRequest
    serializer_class = SupportRequestSerializer
    filterset_class = SupportRequestFilter
    ordering_fields = ["wanted_from", "state", "id"]
    ordering = ["-wanted_from"]

    @extend_schema(request=AnswerSerializer, responses=SupportRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None, format=None):
        """Accept, decline (with a reason) or propose another module of the same
        institution (with a reason)."""
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alternative = None
        if body.validated_data["alternative"]:
            alternative = (
                SupportModule.objects.visible_to(request.user)
                .filter(pk=body.validated_data["alternative"])
                .first()
            )
            if alternative is None:
                raise serializers.ValidationError(
                    {"alternative": _("No module with this id that you may see.")}
                )
        record = services.answer_request(
            self.get_visible_object(),
            body.validated_data["decision"],
            body.validated_data["answer"],
            alternative=alternative,
            actor=Actor.from_request(request),
        )
        return Response(self.get_serializer(record).data)

    @extend_schema(request=WithdrawSerializer, responses=SupportRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, format=None):
        """The requester withdraws a request not yet accepted."""
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = services.withdraw_request(
            self.get_visible_object(),
            body.validated_data["reason"],
            actor=Actor.from_request(request),
        )
        return Response(self.get_serializer(record).data)
