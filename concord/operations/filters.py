"""Filtersets shared by the operation lists, the API and exports."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.core.filters import LinkFilter, ScopedFilterSet
from concord.core.models import Organisation

from .models import Framework, Kind, Operation, Relation, RelationKind


class OperationFilter(ScopedFilterSet):
    q = df.CharFilter(method="search", label=_("Name, acronym or key"))
    kind = df.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    framework = df.ChoiceFilter(label=_("Framework"), choices=Framework.choices)
    country = df.CharFilter(
        field_name="host_countries__alpha3",
        lookup_expr="iexact",
        label=_("Host country (ISO3)"),
        distinct=True,
    )
    region = df.CharFilter(
        field_name="host_countries__m49_region",
        lookup_expr="iexact",
        label=_("Region (UN M49)"),
        distinct=True,
    )
    organisation = LinkFilter(
        Organisation, "framework_organisation", by="acronym__iexact", label=_("Run by (acronym)")
    )
    active_on = df.DateFilter(method="by_date", label=_("Active on (YYYY-MM-DD)"))
    started_after = df.DateFilter(field_name="start", lookup_expr="gte", label=_("Started after"))
    started_before = df.DateFilter(field_name="start", lookup_expr="lte", label=_("Started before"))

    plain_method_filters = ("q", "active_on")

    class Meta:
        model = Operation
        fields = [
            "q",
            "kind",
            "framework",
            "country",
            "region",
            "organisation",
            "active_on",
            "started_after",
            "started_before",
            "classification",
            "owner",
        ]

    def search(self, qs, name, value):
        return qs.filter(
            Q(name__icontains=value) | Q(acronym__icontains=value) | Q(key__iexact=value)
        )

    def by_date(self, qs, name, value):
        return qs.filter(start__lte=value).filter(Q(end__isnull=True) | Q(end__gte=value))


class RelationFilter(ScopedFilterSet):
    kind = df.ChoiceFilter(label=_("Kind"), choices=RelationKind.choices)
    operation = LinkFilter(Operation, ("source", "target"), label=_("Operation (id)"))

    class Meta:
        model = Relation
        fields = ["kind", "operation", "classification", "owner"]
