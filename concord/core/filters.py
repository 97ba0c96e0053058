"""Filtersets shared by the UI lists, the API's ?field= filters and the exports."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field

from .models import (
    Area,
    AuditEntry,
    Classification,
    Country,
    Organisation,
    Person,
    ScopedModel,
)
from .models.registry import OrganisationKind, normalise_name
from .numbers import record_id


def link_hops(model, path: str) -> list[tuple[str, type, bool]]:
    """The relations ``path`` follows from ``model``: [(field name, model it leads to,
    whether it is many-valued)]."""
    hops = []
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if not field.is_relation or field.related_model is None:
            raise ValueError(f"{model.__name__}.{name} in {path!r} is not a relation")
        model = field.related_model
        hops.append((name, model, bool(field.many_to_many or field.one_to_many)))
    return hops


class LinkFilter(df.CharFilter):
    """A filter naming a linked scoped record, by id or by code.

    The value is first resolved among the linked records the reader may see
    (``model.objects.visible_to(request.user)``, the one enforcement point); only those
    filter the list. So a hidden record's id or code behaves exactly like one that does not
    exist (an empty list), and so does a value that cannot name a record at all (``abc``,
    ``²``, a number beyond any id): never an error.

    - ``model``: the linked model (a :class:`ScopedModel`, or ``"app_label.Model"``).
    - ``paths``: the field path from the filtered model to it (``"parent"``,
      ``"commitment__donor"``, ``"affiliations__organisation"``), or several of them, any of
      which may match (``("source", "target")``). Scoped records on the way must be visible
      too: a visible tranche of a hidden commitment is not found by the commitment's donor.
    - ``by``: what the value is: ``"pk"`` (an id, the default) or lookups on the linked model,
      any of which may match (``"code"``, ``("pcode", "iso_code__iexact")``,
      ``"acronym__iexact"``).

    Paths crossing a many-valued relation make the result distinct.
    """

    def __init__(self, model, paths, *, by="pk", label=None, **kwargs):
        self._link_model = model
        self.paths = (paths,) if isinstance(paths, str) else tuple(paths)
        self.lookups = (by,) if isinstance(by, str) else tuple(by)
        by_id = set(self.lookups) <= {"pk", "id"}
        if by_id:
            kwargs.setdefault("widget", forms.NumberInput)
        super().__init__(field_name=self.paths[0], label=label, **kwargs)
        if by_id:  # the OpenAPI schema documents an integer, as for the id it names
            schema = {"type": "integer", **({"description": label} if label else {})}
            extend_schema_field(schema)(self)

    @property
    def link_model(self):
        if isinstance(self._link_model, str):
            self._link_model = apps.get_model(self._link_model)
        return self._link_model

    @property
    def identifiers(self) -> tuple[str, ...]:
        """The linked model's fields the value is compared with ("pk", "code", …)."""
        return tuple(lookup.split("__")[0] for lookup in self.lookups)

    def reader(self):
        """The user the filterset filters for (None, as anonymous, without a request)."""
        request = getattr(self.parent, "request", None)
        return getattr(request, "user", None)

    def named(self, value) -> list[int]:
        """The ids of the records ``value`` names, among those the reader may see."""
        condition = Q()
        for lookup in self.lookups:
            if lookup in ("pk", "id"):
                pk = record_id(value)
                if pk is not None:
                    condition |= Q(pk=pk)
            else:
                condition |= Q(**{lookup: value})
        if not condition:
            return []
        visible = self.link_model.objects.visible_to(self.reader())
        return list(visible.filter(condition).values_list("pk", flat=True))

    def condition(self, hops, targets) -> Q:
        """The rows whose path (its ``hops``) leads to one of ``targets`` through records the
        reader may see."""
        lookup, value = f"{hops[-1][0]}__in", targets
        for name, hop_model, _many in reversed(hops[:-1]):
            if issubclass(hop_model, ScopedModel):
                visible = hop_model.objects.visible_to(self.reader())
                lookup, value = f"{name}__in", visible.filter(**{lookup: value}).values("pk")
            else:
                lookup = f"{name}__{lookup}"
        return Q(**{lookup: value})

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        targets = self.named(value)
        if not targets:
            return qs.none()
        condition, many = Q(), self.distinct
        for path in self.paths:
            hops = link_hops(qs.model, path)
            if hops[-1][1] is not self.link_model:
                raise ValueError(f"{qs.model.__name__}.{path} does not lead to {self.link_model}")
            condition |= self.condition(hops, targets)
            many = many or any(hop[2] for hop in hops)
        qs = qs.filter(condition)
        return qs.distinct() if many else qs


COUNTRY_ISO3 = _("Country (ISO3)")


class CountryCodeFilter(df.CharFilter):
    """A country by its ISO 3166-1 alpha-3 code, case-insensitive. The code is looked up
    once, and rows are then filtered on their indexed country id: a join with UPPER() on
    every row cost 300 ms at a million assignments."""

    def __init__(self, field_name="country", label=COUNTRY_ISO3, *, many=False, **kwargs):
        self.many = many  # a many-to-many field (an observation's countries): one of them
        super().__init__(field_name=field_name, label=label, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        pk = Country.objects.filter(alpha3=value.strip().upper()).values_list("pk", flat=True)
        pk = pk.first()
        if pk is None:
            return qs.none()
        if self.many:
            return qs.filter(**{self.field_name: pk}).distinct()
        return qs.filter(**{f"{self.field_name}_id": pk})


class ScopedFilterSet(df.FilterSet):
    """The filters of a list of scoped records. A filter naming a linked record is a
    :class:`LinkFilter`; a ``method=`` filter that names no record (a search, a date) is listed
    in ``plain_method_filters`` (tests/test_filter_oracles.py holds every filterset to this)."""

    classification = df.ChoiceFilter(choices=Classification.choices, label=_("Classification"))
    owner = LinkFilter(Organisation, "owner", label=_("Owner (organisation id)"))

    plain_method_filters: tuple[str, ...] = ()


class OrganisationFilter(ScopedFilterSet):
    q = df.CharFilter(method="search", label=_("Name, acronym or alias"))
    kind = df.ChoiceFilter(choices=OrganisationKind.choices, label=_("Kind"))
    country = CountryCodeFilter()
    parent = LinkFilter(Organisation, "parent", label=_("Parent (id)"))

    plain_method_filters = ("q",)

    class Meta:
        model = Organisation
        fields = ["q", "kind", "country", "parent", "classification", "owner"]

    def search(self, qs, name, value):
        from .models import OrganisationName

        key = normalise_name(value)
        return qs.filter(
            Q(name__icontains=value)
            | Q(acronym__icontains=value)
            | Q(pk__in=OrganisationName.objects.filter(key=key).values("organisation_id"))
        )


class PersonFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    organisation = LinkFilter(
        Organisation, "affiliations__organisation", label=_("Affiliated with (organisation id)")
    )
    language = df.CharFilter(method="by_language", label=_("Language (ISO 639)"))

    plain_method_filters = ("language",)

    class Meta:
        model = Person
        fields = ["q", "organisation", "language", "classification", "owner"]

    def by_language(self, qs, name, value):
        return qs.filter(languages__icontains=f'"{value.strip().lower()}"')


class AreaFilter(ScopedFilterSet):
    q = df.CharFilter(method="search", label=_("Name or code"))
    country = CountryCodeFilter()
    level = df.ChoiceFilter(choices=[(1, "adm1"), (2, "adm2"), (3, "adm3")], label=_("Level"))
    parent = LinkFilter(Area, "parent", label=_("Part of (area id)"))

    plain_method_filters = ("q",)

    class Meta:
        model = Area
        fields = ["q", "country", "level", "parent", "classification", "owner"]

    def search(self, qs, name, value):
        return qs.filter(
            Q(name__icontains=value) | Q(pcode__iexact=value) | Q(iso_code__iexact=value)
        )


class CountryFilter(df.FilterSet):
    q = df.CharFilter(method="search", label=_("Name or code"))
    region = df.CharFilter(field_name="m49_region", lookup_expr="iexact", label=_("M49 region"))
    historical = df.BooleanFilter()

    class Meta:
        model = Country
        fields = ["q", "region", "historical"]

    def search(self, qs, name, value):
        return qs.filter(
            Q(name__icontains=value) | Q(alpha3__iexact=value) | Q(alpha2__iexact=value)
        )


def _audited_kinds() -> list[tuple[str, str]]:
    """Every kind of record of Concord's own apps and of accounts, as the audit trail names
    them (``app.model``), labelled in the reader's language, for the trail's filter."""
    kinds = {
        m._meta.label_lower: f"{m._meta.verbose_name} ({m._meta.label_lower})"
        for m in apps.get_models()
        if m.__module__.startswith("concord.") or m._meta.label_lower == "auth.user"
    }
    return sorted(kinds.items(), key=lambda kv: kv[1].lower())


DAY = forms.DateInput(attrs={"type": "date"})


class AuditFilter(df.FilterSet):
    """The audit trail's filters (the page's form and its query string): all combine."""

    q = df.CharFilter(method="search", label=_("Record or person"))
    model = df.ChoiceFilter(choices=_audited_kinds, label=_("Kind of record"))
    action = df.CharFilter(field_name="action", lookup_expr="iexact", label=_("Action"))
    interface = df.ChoiceFilter(
        choices=[(i, i) for i in ("web", "api", "cli", "import", "system")], label=_("Via")
    )
    since = df.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"), widget=DAY)
    until = df.DateFilter(field_name="at", lookup_expr="date__lte", label=_("Until"), widget=DAY)
    request_id = df.CharFilter(field_name="request_id", label=_("Request id"))

    class Meta:
        model = AuditEntry
        fields = ["q", "model", "action", "interface", "since", "until", "request_id"]

    def search(self, qs, name, value):
        value = value.strip()
        found = Q(object_repr__icontains=value) | Q(actor_label__icontains=value)
        if value.lstrip("#").isdigit():  # an entry's number, or a record's id
            found |= Q(seq=int(value.lstrip("#"))) | Q(object_id=value.lstrip("#"))
        return qs.filter(found)
