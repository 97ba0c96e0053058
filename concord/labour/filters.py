"""Filtersets shared by the division-of-labour lists, the API and exports."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.core.filters import CountryCodeFilter, LinkFilter, ScopedFilterSet
from concord.core.models import Area, Organisation
from concord.operations.models import Operation

from .models import (
    Arrangement,
    ArrangementKind,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ClashRule,
    ImportBatch,
    Need,
    SectorMapping,
    Task,
)


class TaskFilter(ScopedFilterSet):
    q = df.CharFilter(method="search", label=_("Code, name or HXL code"))
    parent = LinkFilter(Task, "parent", by="code", label=_("Parent (code)"))

    plain_method_filters = ("q",)

    class Meta:
        model = Task
        fields = ["q", "parent", "classification", "owner"]

    def search(self, qs, name, value):
        return qs.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(hxl_sectors__icontains=value)
        )


class ClashRuleFilter(ScopedFilterSet):
    task = LinkFilter(Task, ("task_a", "task_b"), by="code", label=_("Task (code)"))

    class Meta:
        model = ClashRule
        fields = ["task", "classification", "owner"]


class SectorMappingFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="value", lookup_expr="icontains", label=_("Sector"))
    task = LinkFilter(Task, "task", by="code", label=_("Task (code)"))

    class Meta:
        model = SectorMapping
        fields = ["q", "task", "classification", "owner"]


def _active_on(qs, name, value):
    return qs.filter(Q(start__isnull=True) | Q(start__lte=value)).filter(
        Q(end__isnull=True) | Q(end__gte=value)
    )


class NeedFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="description", lookup_expr="icontains", label=_("Description"))
    task = LinkFilter(Task, "task", by="code", label=_("Task (code)"))
    country = CountryCodeFilter(label=_("Country"))
    active_on = df.DateFilter(method=lambda qs, n, v: _active_on(qs, n, v), label=_("Active on"))

    plain_method_filters = ("active_on",)

    class Meta:
        model = Need
        fields = ["q", "task", "country", "active_on", "classification", "owner"]


class AssignmentFilter(ScopedFilterSet):
    q = df.CharFilter(method="search", label=_("Contact or note"))
    task = LinkFilter(Task, "task", by="code", label=_("Task (code)"))
    country = CountryCodeFilter(label=_("Country"))
    # The area named, or any area within it (a district of the region named).
    area = LinkFilter(
        Area,
        ("area", "area__parent"),
        by=("pcode", "iso_code__iexact"),
        label=_("Area (P-code or ISO code)"),
    )
    organisation = LinkFilter(Organisation, "organisation", label=_("Organisation (id)"))
    operation = LinkFilter(Operation, "operation", label=_("Operation (id)"))
    role = df.ChoiceFilter(choices=AssignmentRole.choices, label=_("Role"))
    status = df.ChoiceFilter(choices=AssignmentStatus.choices, label=_("Status"))
    active_on = df.DateFilter(method=lambda qs, n, v: _active_on(qs, n, v), label=_("Active on"))
    batch = LinkFilter(ImportBatch, "batch", label=_("Import batch (id)"))

    plain_method_filters = ("q", "active_on")

    class Meta:
        model = Assignment
        fields = [
            "q",
            "task",
            "country",
            "area",
            "organisation",
            "operation",
            "role",
            "status",
            "active_on",
            "batch",
            "classification",
            "owner",
        ]

    def search(self, qs, name, value):
        return qs.filter(Q(contact__icontains=value) | Q(note__icontains=value))


class ArrangementFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    kind = df.ChoiceFilter(choices=ArrangementKind.choices, label=_("Kind"))
    country = df.CharFilter(
        field_name="countries__alpha3", lookup_expr="iexact", label=_("Country"), distinct=True
    )
    active_on = df.DateFilter(method=lambda qs, n, v: _active_on(qs, n, v), label=_("Active on"))

    plain_method_filters = ("active_on",)

    class Meta:
        model = Arrangement
        fields = ["q", "kind", "country", "active_on", "classification", "owner"]
