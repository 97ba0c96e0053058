"""``/api/v1/webhooks/``: an organisation's managers manage its webhooks (the secret is in
the answer once, when created or rotated) and read their deliveries. Everyone else finds
nothing (404), as on the pages."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.api.base import LabelledModelSerializer, SpaceField, VisibleRelatedField, _user
from concord.api.permissions import SignedIn
from concord.core.context import Actor
from concord.core.models import Country, Organisation
from concord.core.visibility import VisibleLabels

from . import services
from .access import (
    access_webhook,
    deliveries_for,
    managed_orgs,
    record_labels,
    shown_record,
    webhooks_for,
)
from .models import ACTIONS, Attempt, Delivery, DeliveryState, Webhook


class ManagedOrganisationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Organisation.objects.filter(pk__in=managed_orgs(_user(self)))


class RecordTypesField(serializers.ListField):
    child = serializers.CharField()


class WebhookSerializer(LabelledModelSerializer):
    organisation = ManagedOrganisationField()
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    record_types = serializers.ListField(
        child=serializers.CharField(),
        help_text=_(
            "Model labels, e.g. labour.assignment (GET /api/v1/webhooks/record-types/ lists them)."
        ),
    )
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(ACTIONS)), help_text=_("create, update, delete")
    )
    country = serializers.SlugRelatedField(
        slug_field="alpha3", queryset=Country.objects.all(), required=False, allow_null=True
    )
    operation = VisibleRelatedField(
        apps.get_model("operations", "Operation"), required=False, allow_null=True
    )
    space = SpaceField(required=False, allow_null=True)

    class Meta:
        model = Webhook
        fields = [
            "id",
            "organisation",
            "name",
            "url",
            "record_types",
            "actions",
            "country",
            "operation",
            "space",
            "owner",
            "active",
            "paused_reason",
            "failures",
            "secret_hint",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "owner",
            "active",
            "paused_reason",
            "failures",
            "secret_hint",
            "created_at",
            "updated_at",
        ]


class AttemptSerializer(LabelledModelSerializer):
    class Meta:
        model = Attempt
        fields = ["at", "status_code", "duration_ms", "error"]


class DeliverySerializer(LabelledModelSerializer):
    object_id = serializers.SerializerMethodField(
        help_text=_("The record's id; null where it is a record you may not see.")
    )
    tries = AttemptSerializer(many=True, read_only=True)
    delivery_state = serializers.ChoiceField(
        source="state", choices=DeliveryState.choices, read_only=True
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook",
            "key",
            "seq",
            "model",
            "action",
            "object_id",
            "delivery_state",
            "attempts",
            "status_code",
            "note",
            "created_at",
            "next_attempt_at",
            "finished_at",
            "tries",
        ]

    def get_object_id(self, obj) -> str | None:
        labels = self.context.setdefault("labels", VisibleLabels(_user(self)))
        return obj.object_id if shown_record(labels, obj) is not None else None


SECRET = inline_serializer(
    "WebhookWithSecret",
    {"webhook": WebhookSerializer(), "secret": serializers.CharField()},
)


class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your organisations' webhooks (managers only). The secret is returned once."""

    model = Webhook
    serializer_class = WebhookSerializer
    permission_classes = [SignedIn]
    ordering = ["name"]
    ordering_fields = ["name", "id"]
    search_fields = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Webhook.objects.none()
        return webhooks_for(self.request.user).select_related("owner", "country")

    def get_object(self):
        return access_webhook(self.request.user, self.kwargs["pk"])

    def _actor(self):
        return Actor.from_request(self.request)

    @extend_schema(responses={201: SECRET})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hook, secret = services.create_webhook(actor=self._actor(), **serializer.validated_data)
        return Response({"webhook": WebhookSerializer(hook).data, "secret": secret}, status=201)

    def perform_update(self, serializer):
        values = dict(serializer.validated_data)
        values.pop("organisation", None)  # a webhook stays with its organisation
        serializer.instance = services.update_webhook(
            serializer.instance, actor=self._actor(), **values
        )

    def perform_destroy(self, instance):
        services.delete_webhook(instance, actor=self._actor())

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None, format=None):
        hook = services.pause(self.get_object(), actor=self._actor())
        return Response(WebhookSerializer(hook, context=self.get_serializer_context()).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None, format=None):
        hook = services.resume(self.get_object(), actor=self._actor())
        return Response(WebhookSerializer(hook, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=SECRET)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None, format=None):
        hook, secret = services.rotate_secret(self.get_object(), actor=self._actor())
        context = self.get_serializer_context()
        return Response(
            {"webhook": WebhookSerializer(hook, context=context).data, "secret": secret}
        )

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None, format=None):
        delivery = services.ping(self.get_object(), actor=self._actor())
        delivery.refresh_from_db()
        context = self.get_serializer_context()
        return Response(DeliverySerializer(delivery, context=context).data, status=202)


class RecordTypeViewSet(viewsets.ViewSet):
    """The record types a webhook may hear: every capability's scoped records."""

    permission_classes = [SignedIn]

    @extend_schema(
        responses=inline_serializer(
            "RecordType",
            {"label": serializers.CharField(), "title": serializers.CharField()},
            many=True,
        )
    )
    def list(self, request, format=None):
        from .events import choices

        return Response([{"label": k, "title": v} for k, v in choices()])


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """The delivery log of your organisations' webhooks (managers only), newest first;
    ``?webhook=<id>`` and ``?state=`` narrow it."""

    model = Delivery
    serializer_class = DeliverySerializer
    permission_classes = [SignedIn]
    ordering = ["-id"]
    ordering_fields = ["id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        qs = deliveries_for(self.request.user).prefetch_related("tries")
        webhook = self.request.query_params.get("webhook")
        if webhook:
            qs = qs.filter(webhook_id=webhook) if webhook.isdigit() else qs.none()
        state = self.request.query_params.get("state")
        if state:
            qs = qs.filter(state=state)
        return qs

    def get_serializer_context(self):
        if not hasattr(self, "_labels"):
            self._labels = VisibleLabels(self.request.user)
        return {**super().get_serializer_context(), "labels": self._labels}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.get_serializer_context()
        record_labels(self._labels, page if page is not None else queryset)
        return page
