"""Learning's API: a ``ScopedSerializer`` and a ``ScopedViewSet`` per record. States change
through actions (``…/step/``, ``…/validate/``); an observation is submitted sealed with
``"sealed": true`` and only a knowledge manager's ``…/unseal/`` names its submitter."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.api.base import ScopedSerializer, ScopedViewSet, SourceSerializer, VisibleRelatedField
from concord.core.api import CountryField
from concord.core.context import Actor
from concord.core.models import Area, Classification, Organisation, Releasability
from concord.labour.models import Task
from concord.operations.models import Operation, Scenario

from . import services
from .filters import LessonBodyFilter, LessonFilter, ObservationFilter, RemedialActionFilter
from .models import Lesson, LessonBody, Observation, RemedialAction

META = ["created_at", "updated_at"]


class ObservationSerializer(ScopedSerializer):
    operations = VisibleRelatedField(Operation, many=True, required=False)
    countries = CountryField(many=True, required=False)
    areas = VisibleRelatedField(Area, many=True, required=False)
    tasks = VisibleRelatedField(Task, many=True, required=False)
    lesson = VisibleRelatedField(Lesson, read_only=True)
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
        serializer.instance = services.submit_observation(
            Observation(**fields), actor=Actor.from_request(self.request), m2m=m2m, sealed=sealed
        )

    def perform_update(self, serializer):
        serializer.validated_data.pop("sealed", None)  # chosen once, on submission
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
            "observations",
            "body",
            *Lesson.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            *META,
        ]
        read_only_fields = [*META, "state", "state_reason", "validated_on"]

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
