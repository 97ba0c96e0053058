"""Administration through the API: accounts (platform administrators), memberships and
invitations (administrators and each organisation's managers), merges (administrators).

Organisations are named by id; one the caller may not see is "not found", exactly as on the
rest of the API. Writes go through concord.administration.services.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.api.base import LabelledModelSerializer
from concord.api.permissions import SignedIn
from concord.core.context import Actor
from concord.core.models import AuditEntry, Classification, Membership, Organisation, Role, User

from . import access, merge, services
from .models import Invitation


class PlatformAdmin(SignedIn):
    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if not access.is_platform_admin(request.user):
            self.message = _("Only a platform administrator may do this.")
            return False
        return True


@extend_schema_field(OpenApiTypes.INT)
class VisibleOrganisationField(serializers.PrimaryKeyRelatedField):
    """An organisation by id, among those the caller may see."""

    def get_queryset(self):
        return Organisation.objects.visible_to(self.context["request"].user)


class UserSerializer(LabelledModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "clearance",
            "is_active",
            "is_superuser",
            "last_login",
            "memberships",
        ]
        read_only_fields = ["username", "email", "is_superuser", "last_login"]

    def get_memberships(self, user) -> list[dict]:
        visible = set(
            Organisation.objects.visible_to(self.context["request"].user).values_list(
                "pk", flat=True
            )
        )
        return [
            {
                "organisation": m.organisation_id if m.organisation_id in visible else None,
                "role": m.role,
            }
            for m in user.memberships.all()
        ]


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Accounts (platform administrators): change ``clearance`` or ``is_active``."""

    model = User
    serializer_class = UserSerializer
    permission_classes = [PlatformAdmin]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return User.objects.prefetch_related("memberships").order_by("username")

    def perform_update(self, serializer):
        actor = Actor.from_request(self.request)
        user = serializer.instance
        data = serializer.validated_data
        if "clearance" in data:
            services.set_clearance(actor=actor, user=user, clearance=data["clearance"])
        if "is_active" in data:
            services.set_active(actor=actor, user=user, active=data["is_active"])
        user.refresh_from_db()


class MembershipSerializer(LabelledModelSerializer):
    organisation = VisibleOrganisationField()
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "user", "organisation", "role"]


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the organisations you manage (every one you may see, for an administrator).
    A manager changes roles of members (new people are invited) up to their own role."""

    model = Membership
    serializer_class = MembershipSerializer
    permission_classes = [SignedIn]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        managed = access.managed_organisations(self.request.user)
        return (
            Membership.objects.filter(organisation__in=managed)
            .select_related("user")
            .order_by("pk")
        )

    def create(self, request, *args, **kwargs):
        # Refused before the body is read, so that it tells nothing about who exists.
        if not access.is_platform_admin(request.user):
            raise PermissionDenied(_("Managers add people by invitation (POST .../invitations/)."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        self._write(
            serializer.validated_data["user"],
            serializer.validated_data["organisation"],
            serializer.validated_data["role"],
            serializer,
        )

    def perform_update(self, serializer):
        m = serializer.instance
        self._write(
            m.user, m.organisation, serializer.validated_data.get("role", m.role), serializer
        )

    def _write(self, user, organisation, role, serializer):
        serializer.instance = services.set_role(
            actor=Actor.from_request(self.request), user=user, organisation=organisation, role=role
        )

    def perform_destroy(self, instance):
        services.remove_member(
            actor=Actor.from_request(self.request),
            user=instance.user,
            organisation=instance.organisation,
        )


class InvitationSerializer(LabelledModelSerializer):
    organisation = VisibleOrganisationField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)
    clearance = serializers.ChoiceField(
        choices=Classification.choices, default=Classification.INTERNAL
    )
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "organisation",
            "role",
            "clearance",
            "state",
            "created_at",
            "expires_at",
            "accepted_at",
        ]
        read_only_fields = ["created_at", "expires_at", "accepted_at"]


class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations to the organisations you manage. The link's key is returned once, at
    creation (and sent by e-mail)."""

    model = Invitation
    serializer_class = InvitationSerializer
    permission_classes = [SignedIn]

    def get_queryset(self):
        managed = access.managed_organisations(self.request.user)
        return Invitation.objects.filter(organisation__in=managed).order_by("-created_at")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accept = "administration:invitation_accept"
        link = request.build_absolute_uri(reverse(accept, args=["KEY"]))
        invitation, key = services.invite(
            actor=Actor.from_request(request),
            link=link.replace("KEY", "{key}"),
            **serializer.validated_data,
        )
        body = {**InvitationSerializer(invitation, context=self.get_serializer_context()).data}
        body["link"] = link.replace("KEY", key)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None, format=None):
        invitation = self.get_object()
        services.revoke_invitation(actor=Actor.from_request(request), invitation=invitation)
        return Response(
            InvitationSerializer(invitation, context=self.get_serializer_context()).data
        )


class MergeSerializer(serializers.Serializer):
    duplicate = VisibleOrganisationField()
    into = VisibleOrganisationField()


class MergeEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    merged = serializers.SerializerMethodField()
    merged_id = serializers.CharField(source="object_id")
    into = serializers.SerializerMethodField()
    by = serializers.CharField(source="actor_label")

    def get_merged(self, entry) -> str:
        return merge.shown_name(entry, self.context.get("user"))

    def get_into(self, entry) -> int:
        return entry.changes["into"][1]


class MergeViewSet(viewsets.GenericViewSet):
    """Merging duplicate organisations (platform administrators): POST a merge; list the
    merges in force; undo one (``POST /merges/{seq}/undo/``)."""

    permission_classes = [PlatformAdmin]
    serializer_class = MergeSerializer
    lookup_field = "seq"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return AuditEntry.objects.none()

    @extend_schema(responses=MergeEntrySerializer(many=True))
    def list(self, request, format=None):
        entries = merge.merges(100)
        return Response(
            MergeEntrySerializer(entries, many=True, context={"user": request.user}).data
        )

    @extend_schema(request=MergeSerializer, responses=MergeEntrySerializer)
    def create(self, request, format=None):
        serializer = MergeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        merge.merge(
            actor=Actor.from_request(request), duplicate=data["duplicate"], into=data["into"]
        )
        entry = merge.merged_into(data["duplicate"].pk)
        body = MergeEntrySerializer(entry, context={"user": request.user}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def undo(self, request, seq=None, format=None):
        entry = AuditEntry.objects.filter(seq=seq, action=merge.MERGE).first()
        if entry is None:
            from django.http import Http404

            raise Http404
        restored = merge.undo(actor=Actor.from_request(request), entry=entry)
        return Response({"restored": restored.pk, "name": str(restored)})
