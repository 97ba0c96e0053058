"""The API: your follows, your notifications (as you may see them now), your e-mail digest
and the home page's attention list. Everything is the caller's own; nothing here lets a
platform administrator read anyone's records."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from concord.api.permissions import SignedIn
from concord.api.schema import OneObject
from concord.core.context import Actor
from concord.web.attention import gather

from . import access, services
from .models import Follow, Frequency, Notification, Preference


class FollowSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    model = serializers.CharField(
        help_text=_(
            'What is followed: a record\'s model ("operations.operation", '
            '"accountability.tranche"…), "core.country" or "core.space".'
        )
    )
    object_id = serializers.CharField(help_text=_("Its id (a country's numeric id)."))
    kind = serializers.CharField(
        read_only=True,
        help_text="record · operation · country · space",  # untranslated: its codes
    )
    title = serializers.CharField(read_only=True, help_text=_("Its title, as you may see it now."))
    url = serializers.CharField(read_only=True, help_text=_("Its page."))
    created_at = serializers.DateTimeField(read_only=True)


def _follow_row(f: Follow, t: access.Target) -> dict:
    return {
        "id": f.pk,
        "model": f.model,
        "object_id": f.object_id,
        "kind": t.kind,
        "title": t.title,
        "url": t.url,
        "created_at": f.created_at,
    }


class FollowViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """What you follow (only what you may still see). Following again changes nothing."""

    model = Follow
    serializer_class = FollowSerializer
    permission_classes = [SignedIn]
    queryset = Follow.objects.none()

    def list(self, request, *args, **kwargs):
        rows = access.visible_follows(request.user, Follow.objects.filter(user=request.user))
        page = self.paginate_queryset([_follow_row(f, t) for f, t in rows])
        return self.get_paginated_response(FollowSerializer(page, many=True).data)

    def get_object(self):
        return access.access_follow(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        f = self.get_object()
        (_follow, t), *_rest = access.visible_follows(request.user, [f])
        return Response(FollowSerializer(_follow_row(f, t)).data)

    def create(self, request, *args, **kwargs):
        s = FollowSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        f = services.follow(
            s.validated_data["model"],
            s.validated_data["object_id"],
            actor=Actor.from_request(request),
        )
        (_follow, t), *_rest = access.visible_follows(request.user, [f])
        return Response(FollowSerializer(_follow_row(f, t)).data, status=201)

    def destroy(self, request, *args, **kwargs):
        services.unfollow(self.get_object(), actor=Actor.from_request(request))
        return Response(status=204)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seq = serializers.IntegerField(help_text=_("The audit entry it tells of."))
    action = serializers.CharField()
    title = serializers.CharField(help_text=_("The record's title, as you may see it now."))
    url = serializers.CharField(help_text=_("Its page (empty: deleted since)."))
    why = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    read = serializers.BooleanField()


def _row(s: access.Shown) -> dict:
    return {
        "id": s.notification.pk,
        "seq": s.notification.entry_id,
        "action": s.action,
        "title": s.title,
        "url": s.url,
        "why": s.why,
        "at": s.at,
        "actor": s.actor,
        "read": s.notification.read_at is not None,
    }


class ReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your notifications, as you may see them now (a notification about a record you may
    no longer see is left out), newest first."""

    # (no ``model``: the access matrix checks that no page of it shows a record the caller
    # may not see; which notifications it lists is decided per reading, see access.shown)
    serializer_class = NotificationSerializer
    permission_classes = [SignedIn]
    queryset = Notification.objects.none()

    def _visible(self, qs) -> list[access.Shown]:
        out: list[access.Shown] = []
        qs = qs.filter(user=self.request.user).select_related("entry").order_by("-entry_id")
        for start in range(0, qs.count(), 500):
            out += access.shown(self.request.user, qs[start : start + 500])
        return out

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description=_("Only the unread ones."))]
    )
    def list(self, request, *args, **kwargs):
        qs = Notification.objects.all()
        if request.query_params.get("unread") in ("1", "true", "yes"):
            qs = qs.filter(read_at__isnull=True)
        page = self.paginate_queryset([_row(s) for s in self._visible(qs)])
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)

    @extend_schema(request=ReadSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def read(self, request, format=None):
        s = ReadSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        n = services.mark_read(s.validated_data["ids"], actor=Actor.from_request(request))
        return Response({"marked_read": n})

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, format=None):
        return Response({"marked_read": services.mark_all_read(actor=Actor.from_request(request))})


class DigestSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    last_sent_at = serializers.DateTimeField(read_only=True, allow_null=True)


class DigestViewSet(viewsets.GenericViewSet):
    """Your e-mail digest: none · immediate · daily · weekly."""

    schema = OneObject()
    filter_backends: list = []

    serializer_class = DigestSerializer
    permission_classes = [SignedIn]
    pagination_class = None
    queryset = Preference.objects.none()  # (for the schema: the answer is the caller's own)

    def _data(self, user) -> dict:
        pref = Preference.objects.filter(user=user).first()
        return {
            "frequency": pref.frequency if pref else Frequency.NONE,
            "last_sent_at": pref.last_sent_at if pref else None,
        }

    @extend_schema(responses=DigestSerializer)
    def list(self, request, format=None):
        return Response(DigestSerializer(self._data(request.user)).data)

    @extend_schema(request=DigestSerializer, responses=DigestSerializer)
    def create(self, request, format=None):
        s = DigestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        services.set_frequency(s.validated_data["frequency"], actor=Actor.from_request(request))
        return Response(DigestSerializer(self._data(request.user)).data)


class AttentionItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    why = serializers.CharField()
    when = serializers.CharField(allow_null=True)
    urgent = serializers.BooleanField()


class AttentionGroupSerializer(serializers.Serializer):
    group = serializers.CharField()
    more = serializers.BooleanField(help_text=_("More items than listed (capped)."))
    items = AttentionItemSerializer(many=True)


class AttentionViewSet(viewsets.GenericViewSet):
    """What needs your attention (the home page), from what you may see."""

    serializer_class = AttentionGroupSerializer
    filter_backends: list = []
    permission_classes = [SignedIn]
    pagination_class = None
    queryset = Notification.objects.none()  # (for the schema: the answer is built per reader)

    @extend_schema(responses=AttentionGroupSerializer(many=True))
    def list(self, request, format=None):
        groups = [
            {
                "group": g.title,
                "more": g.more,
                "items": [
                    {
                        "title": i.title,
                        "url": i.url,
                        "why": i.why,
                        "when": i.when.isoformat() if hasattr(i.when, "isoformat") else None,
                        "urgent": i.urgent,
                    }
                    for i in g.items
                ],
            }
            for g in gather(request.user)
        ]
        return Response(AttentionGroupSerializer(groups, many=True).data)
