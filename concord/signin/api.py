"""The API of sign-in: the signed-in user's own sessions (list, sign out one) and their
two-factor status (read-only). Token-authenticated calls never ask for a code."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from concord.api.base import LabelledModelSerializer
from concord.api.permissions import SignedIn
from concord.api.schema import OneObject
from concord.core.context import Actor

from . import services
from .models import (
    UserSession,
    authenticator,
    recovery_codes_left,
    requirement_reasons,
)


class SessionSerializer(LabelledModelSerializer):
    browser = serializers.CharField(read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = UserSession
        fields = ["id", "browser", "user_agent", "ip_address", "created_at", "last_seen", "current"]

    def get_current(self, obj) -> bool:
        request = self.context.get("request")
        session = getattr(getattr(request, "_request", request), "session", None)
        return bool(session is not None and session.session_key == obj.session_key)


class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Where you are signed in (browser sessions). DELETE signs that session out."""

    model = UserSession
    serializer_class = SessionSerializer
    permission_classes = [SignedIn]
    ordering = ["-last_seen"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, drawn with no user
            return UserSession.objects.none()
        return UserSession.objects.filter(user=self.request.user).order_by("-last_seen", "pk")

    def perform_destroy(self, instance):
        services.end_session(instance, actor=Actor.from_request(self.request))


class TwoFactorSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    required = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    authenticator_added = serializers.DateTimeField(allow_null=True)
    recovery_codes_left = serializers.IntegerField()


class TwoFactorViewSet(viewsets.GenericViewSet):
    """Your two-factor sign-in: whether it is on, whether it is required and why, and how
    many recovery codes are left. Read-only: turn it on or off on your account page."""

    schema = OneObject()
    filter_backends: list = []
    serializer_class = TwoFactorSerializer
    permission_classes = [SignedIn]
    pagination_class = None

    def get_queryset(self):
        return UserSession.objects.none()

    @extend_schema(responses=TwoFactorSerializer)
    def list(self, request, *args, **kwargs):
        user = request.user
        device = authenticator(user)
        reasons = requirement_reasons(user)
        data = {
            "enabled": device is not None,
            "required": bool(reasons),
            "reasons": reasons,
            "authenticator_added": device.created_at if device else None,
            "recovery_codes_left": recovery_codes_left(user) if device else 0,
        }
        return Response(TwoFactorSerializer(data).data)
