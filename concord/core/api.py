"""API for the registry core: organisations, people, areas, countries, spaces, tokens."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.api.base import (
    LabelledModelSerializer,
    ScopedSerializer,
    ScopedViewSet,
    VisibleRelatedField,
)
from concord.api.permissions import SignedIn
from concord.core import services
from concord.core.context import Actor
from concord.core.filters import AreaFilter, CountryFilter, OrganisationFilter, PersonFilter
from concord.core.models import ApiToken, Area, Country, Organisation, Person, Space


class CountryField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="alpha3", queryset=Country.objects.all(), **kwargs)


class OrganisationSerializer(ScopedSerializer):
    parent = VisibleRelatedField(Organisation, required=False, allow_null=True)
    country = CountryField(required=False, allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField(max_length=300), required=False)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "url",
            *Organisation.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class AffiliationSerializer(serializers.Serializer):
    organisation = VisibleRelatedField(Organisation)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start = serializers.DateField(required=False, allow_null=True, default=None)
    end = serializers.DateField(required=False, allow_null=True, default=None)


class ContactSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["email", "phone", "signal", "whatsapp", "radio", "other"]
    )
    value = serializers.CharField(max_length=300)


class PersonSerializer(ScopedSerializer):
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    contacts = ContactSerializer(many=True, required=False)
    affiliations = AffiliationSerializer(many=True, required=False)

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "name",
            "languages",
            "contacts",
            "affiliations",
            "notes",
            *ScopedSerializer.SECURITY_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # An affiliation with an organisation the reader may not see is left out entirely.
        data["affiliations"] = [a for a in data.get("affiliations", []) if a["organisation"]]
        return data


class AreaSerializer(ScopedSerializer):
    country = CountryField()
    parent = VisibleRelatedField(Area, required=False, allow_null=True)

    class Meta:
        model = Area
        fields = [
            "id",
            "url",
            *Area.FIELDS,
            *ScopedSerializer.SECURITY_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class OrganisationViewSet(ScopedViewSet):
    model = Organisation
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    select_related = ("country", "owner")
    search_fields = ["name", "acronym"]
    ordering_fields = ["name", "acronym", "kind", "id", "updated_at"]


class PersonViewSet(ScopedViewSet):
    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    prefetch_related = ("affiliations",)
    search_fields = ["name"]
    ordering_fields = ["name", "id", "updated_at"]

    def children(self, validated):
        if "affiliations" not in validated:
            return None
        rows = [dict(r) for r in validated.pop("affiliations")]
        return services.set_affiliations(rows)

    def perform_create(self, serializer):
        contacts = serializer.validated_data.get("contacts")
        if contacts is not None:
            serializer.validated_data["contacts"] = [dict(c) for c in contacts]
        super().perform_create(serializer)

    def perform_update(self, serializer):
        contacts = serializer.validated_data.get("contacts")
        if contacts is not None:
            serializer.validated_data["contacts"] = [dict(c) for c in contacts]
        super().perform_update(serializer)


class AreaViewSet(ScopedViewSet):
    model = Area
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    select_related = ("country",)
    search_fields = ["name", "pcode", "iso_code"]
    ordering_fields = ["name", "level", "pcode", "id"]


class CountrySerializer(LabelledModelSerializer):
    class Meta:
        model = Country
        fields = [
            "alpha3",
            "alpha2",
            "numeric",
            "name",
            "official_name",
            "m49_region",
            "m49_subregion",
            "historical",
            "withdrawn",
        ]


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """ISO 3166 reference data (read-only, public)."""

    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    lookup_field = "alpha3"
    ordering_fields = ["name", "alpha3"]
    ordering = ["name"]
    search_fields = ["name", "alpha3", "alpha2"]

    def get_queryset(self):
        return Country.objects.visible_to(self.request.user)


class SpaceSerializer(LabelledModelSerializer):
    organisations = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = ["id", "name", "description", "organisations"]

    def get_organisations(self, obj) -> list[int]:
        labels = self.context["labels"]
        ids = [o.pk for o in obj.organisations.all()]
        labels.load(Organisation, ids)
        return [i for i in ids if labels.get(Organisation, i) is not None]


class SpaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Coordination spaces the caller's organisations belong to."""

    model = Space
    serializer_class = SpaceSerializer
    permission_classes = [SignedIn]
    ordering = ["name"]
    ordering_fields = ["name"]
    search_fields = ["name"]

    def get_queryset(self):
        return Space.objects.visible_to(self.request.user).prefetch_related("organisations")

    def get_serializer_context(self):
        from concord.core.visibility import VisibleLabels

        return {**super().get_serializer_context(), "labels": VisibleLabels(self.request.user)}


class TokenSerializer(LabelledModelSerializer):
    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "read_only",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = ["prefix", "created_at", "revoked_at", "last_used_at"]


class TokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Your own API tokens. The key is returned once, at creation."""

    model = ApiToken
    serializer_class = TokenSerializer
    permission_classes = [SignedIn]
    ordering = ["-created_at"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.create_token(
            actor=Actor.from_request(request), **serializer.validated_data
        )
        return Response({**TokenSerializer(token).data, "key": key}, status=201)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None, format=None):
        token = self.get_object()
        services.revoke_token(token, actor=Actor.from_request(request))
        return Response(TokenSerializer(token).data)
