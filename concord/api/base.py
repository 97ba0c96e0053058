"""The pieces every capability's API module uses: scoped fields, serializers and viewsets."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from concord.core import services
from concord.core.context import Actor
from concord.core.history import api_rows, history_for
from concord.core.locales import choice_labels
from concord.core.models import (
    Organisation,
    Role,
    ScopedModel,
    Space,
    colleagues,
    named_user_choices,
)
from concord.core.sources import sources_problem
from concord.core.visibility import VisibleLabels


def _user(field) -> object:
    request = field.context.get("request")
    return getattr(request, "user", None)


class HistoryEntrySerializer(serializers.Serializer):
    """One audit entry of a record, as ``…/history/`` lists them (newest first)."""

    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    interface = serializers.CharField()
    action = serializers.CharField()
    changes = serializers.DictField(help_text=gettext_lazy("Per field, [before, after]."))
    restricted_rows = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy(
            "Per child set, how many rows rest on records you may not see (left out)."
        ),
    )
    request_id = serializers.CharField()


@extend_schema_field(
    {
        "type": "integer",
        "nullable": True,
        "description": gettext_lazy(
            "The linked record's id; null where it is a record you may not see."
        ),
    }
)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """Accepts only ids the caller may see; shows null for links the caller may not see."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(_user(self))

    def to_representation(self, value):
        labels: VisibleLabels = self.context.setdefault("labels", VisibleLabels(_user(self)))
        # (list pages preload every link at once: ScopedViewSet.paginate_queryset)
        return value.pk if labels.get(self.model, value.pk) is not None else None

    def validate_empty_values(self, data):
        """A link the caller may not see reads null; sending that null back keeps the link
        (the caller can replace it with a record they may see, not clear it unseen)."""
        if data is None and not self.allow_null:
            kept = self._hidden_link()
            if kept is not None:
                return True, kept
        return super().validate_empty_values(data)

    def _hidden_link(self):
        instance = getattr(self.parent, "instance", None)
        if not isinstance(instance, ScopedModel) or not self.source:
            return None
        pk = getattr(instance, f"{self.source}_id", None)
        if pk is None or self.get_queryset().filter(pk=pk).exists():
            return None
        return getattr(instance, self.source)


class OwnerField(serializers.PrimaryKeyRelatedField):
    """The owner must be an organisation where the caller is at least a contributor."""

    def get_queryset(self):
        user = _user(self)
        if not user or not user.is_authenticated:
            return Organisation.objects.none()
        return Organisation.objects.filter(pk__in=user.principal().orgs_with_role(Role.CONTRIBUTOR))

    def to_representation(self, value):
        return value.pk


class SpaceField(serializers.PrimaryKeyRelatedField):
    """Accepts only the spaces the caller is in; shows only those (null, then dropped, for
    the others), like the pages and exports: through ``VisibleLabels``."""

    def get_queryset(self):
        return Space.objects.visible_to(_user(self))

    def to_representation(self, value):
        labels: VisibleLabels = self.context.setdefault("labels", VisibleLabels(_user(self)))
        return value.pk if labels.get(Space, value.pk) is not None else None


def _edited(field):
    """The record a serializer is updating (None when creating or listing)."""
    instance = getattr(field.root, "instance", None)
    return instance if isinstance(instance, ScopedModel) else None


def nameable_by(user) -> set[int]:
    """The ids of the people ``user`` could name (and ``user``): the named people shown."""
    shown = set(named_user_choices(user).values_list("pk", flat=True))
    if user is not None and user.is_authenticated:
        shown.add(user.pk)
    return shown


class NamedUserField(serializers.PrimaryKeyRelatedField):
    """Only the people the web form offers (``named_user_choices``), and whoever the record
    names already: any other id, existing or not, gets the same "does not exist". Shows, like
    the form, only the named people the caller could name (null, then dropped, for others:
    the service keeps them when the list is sent back)."""

    def get_queryset(self):
        return named_user_choices(_user(self), _edited(self))

    def to_representation(self, value):
        shown = self.context.get("nameable")
        if shown is None:
            shown = self.context["nameable"] = nameable_by(_user(self))
        return value.pk if value.pk in shown else None


@extend_schema_field(
    {"type": "string", "nullable": True, "description": gettext_lazy("A username, or null.")}
)
class UsernameField(serializers.SlugRelatedField):
    """A person named by username, read-only (null: nobody, or a reader who may not see
    names)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": gettext_lazy("A username; null to visitors."),
    }
)
class ColleagueField(serializers.SlugRelatedField):
    """A user by username, among the caller's colleagues (``colleagues``) and whoever the
    record names there already; one message for a username that does not exist and for one
    the caller may not name."""

    default_error_messages = {
        "does_not_exist": gettext_lazy(
            "No one you may name here is called {value} (name someone who "
            "shares an organisation or a coordination space with you)."
        ),
        "invalid": gettext_lazy("Give a username."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", **kwargs)

    def to_representation(self, value):
        user = _user(self)
        if user is None or not user.is_authenticated:
            return None  # people are named to signed-in users only
        return super().to_representation(value)

    def get_queryset(self):
        edited = _edited(self)
        keep = [getattr(edited, f"{self.source}_id", None)] if edited else []
        return colleagues(_user(self), keep=keep)


@extend_schema_field(serializers.CharField)
class ChoiceLabelField(serializers.ReadOnlyField):
    """A choice field's label, read from the labels of the reader's language worded once
    for the whole page (not the field's choices rebuilt for every row)."""

    def __init__(self, model_field, **kwargs):
        self.model_field = model_field
        self._labels: dict | None = None
        super().__init__(**kwargs)

    def to_representation(self, value):
        if self._labels is None:  # one page, one request, one language
            self._labels = choice_labels(self.model_field)
        return self._labels.get(value, value)


class LabelledModelSerializer(serializers.ModelSerializer):
    """Every record the API returns: its choice fields come with their labels."""

    def get_fields(self):
        """Beside each choice field, its label as the pages show it: ``kind`` "un_pko" and
        ``kind_display`` "UN peacekeeping operation" (read-only)."""
        fields = super().get_fields()
        for f in self.Meta.model._meta.concrete_fields:
            label = f"{f.name}_display"
            if f.choices and f.name in fields and label not in fields:
                fields[label] = ChoiceLabelField(
                    f,
                    source=f.name,
                    help_text=_("The label of %(field)s, as the pages show it.")
                    % {"field": f.name},
                )
        return fields


class ScopedSerializer(LabelledModelSerializer):
    """Adds the security fields every scoped record carries."""

    owner = OwnerField()
    shared_organisations = VisibleRelatedField(Organisation, many=True, required=False)
    shared_spaces = SpaceField(many=True, required=False)
    named_users = NamedUserField(many=True, required=False)
    url = serializers.SerializerMethodField()

    SECURITY_FIELDS = ScopedModel.SECURITY_FIELDS

    def get_url(self, obj) -> str:
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""

    def validate_sources(self, value):
        """Every record's sources, where it has them, checked one way."""
        return checked_sources(value)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in ("shared_organisations", "shared_spaces", "named_users"):
            if name in data and isinstance(data[name], list):
                data[name] = [v for v in data[name] if v is not None]
        return data


class ScopedViewSet(viewsets.ModelViewSet):
    """List, read, create, update, delete — reads through ``visible_to``, writes through
    ``services``. ``children_field`` names a write-only list handled by a service callback."""

    model = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    ordering_fields = ["name", "id"]
    ordering = ["name"]

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        # Every scoped record shows whom it is shared with: one query per relation for the
        # whole page, not three per row (tests/test_queries.py walks every list).
        security = ("shared_organisations", "shared_spaces", "named_users")
        return qs.prefetch_related(*security, *self.prefetch_related)

    @property
    def labels(self) -> VisibleLabels:
        if not hasattr(self, "_labels"):
            self._labels = VisibleLabels(self.request.user)
        return self._labels

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "labels": self.labels,
            "nameable": self.nameable,  # the same few queries for a page of 1 or of 1,000
        }

    @property
    def nameable(self) -> set[int]:
        """The named people the caller may see on a record: those they could name."""
        if not hasattr(self, "_nameable"):
            self._nameable = nameable_by(self.request.user)
        return self._nameable

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.labels.preload(page if page is not None else queryset)
        return page

    def get_visible_object(self):
        """The record, if the caller may see it, for an action whose service decides who may
        act (a review by the organisation a report is owed to, a release by the donor's
        people): not only the owner's editors."""
        return super().get_object()

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            if self.request.method == "DELETE":
                allowed = self.model.objects.deletable_by(self.request.user)
            else:
                allowed = self.model.objects.editable_by(self.request.user)
            if not allowed.filter(pk=obj.pk).exists():
                raise PermissionDenied(_("Your role does not allow this change to this record."))
        return obj

    def _split(self, validated: dict):
        m2m = {
            f.name: validated.pop(f.name)
            for f in self.model._meta.many_to_many
            if f.name in validated
        }
        children = self.children(validated)
        return validated, m2m, children

    def children(self, validated: dict):
        return None

    def perform_create(self, serializer):
        fields, m2m, children = self._split(dict(serializer.validated_data))
        serializer.instance = services.save(
            self.model(**fields), actor=Actor.from_request(self.request), m2m=m2m, children=children
        )

    def perform_update(self, serializer):
        fields, m2m, children = self._split(dict(serializer.validated_data))
        instance = serializer.instance
        for key, value in fields.items():
            setattr(instance, key, value)
        services.save(instance, actor=Actor.from_request(self.request), m2m=m2m, children=children)

    def perform_destroy(self, instance):
        services.delete(instance, actor=Actor.from_request(self.request))

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None, format=None):
        """The audit entries of this record, newest first (signed-in users only): those
        written while you could see the record on both sides of the change, with links to
        records you may not see shown as "(restricted)"."""
        if not request.user.is_authenticated:
            raise NotAuthenticated(_("Sign in to see the history of a record."))
        obj = self.get_object()
        return Response(api_rows(history_for(obj, request.user), request.user))


class SourceSerializer(serializers.Serializer):
    fact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    citation = serializers.CharField(required=False, allow_blank=True, max_length=500)
    url = serializers.URLField(required=False, allow_blank=True)


def checked_sources(value):
    """A record's sources as the API takes them (see concord.core.sources)."""
    if isinstance(value, list | tuple):
        value = [dict(s) if isinstance(s, dict) else s for s in value]
    problem = sources_problem(value)  # also a value that is not a list (JSON null)
    if problem:
        raise serializers.ValidationError(problem)
    return value
