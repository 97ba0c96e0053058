"""Filtersets shared by the division-of-labour lists, the API and exports."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q

from concord.core.filters import CountryCodeFilter, ScopedFilterSet

from .models import (
    Arrangement,
    ArrangementKind,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ClashRule,
    Need,
    Task,
)


class TaskFilter(ScopedFilterSet):
    q = df.CharFilter(method="search", label="Code, name or HXL code")
    parent = df.CharFilter(field_name="parent__code", label="Parent (code)")

    class Meta:
        model = Task
        fields = ["q", "parent", "classification", "owner"]

    def search(self, qs, name, value):
        return qs.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(hxl_sectors__icontains=value)
        )


class ClashRuleFilter(ScopedFilterSet):
    task = df.CharFilter(method="by_task", label="Task (code)")

    class Meta:
        model = ClashRule
        fields = ["task", "classification", "owner"]

    def by_task(self, qs, name, value):
        return qs.filter(Q(task_a__code=value) | Q(task_b__code=value))


def _active_on(qs, name, value):
    return qs.filter(Q(start__isnull=True) | Q(start__lte=value)).filter(
        Q(end__isnull=True) | Q(end__gte=value)
    )


class NeedFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="description", lookup_expr="icontains", label="Description")
    task = df.CharFilter(field_name="task__code", label="Task (code)")
    country = CountryCodeFilter(label="Country")
    active_on = df.DateFilter(method=lambda qs, n, v: _active_on(qs, n, v), label="Active on")

    class Meta:
        model = Need
        fields = ["q", "task", "country", "active_on", "classification", "owner"]


class AssignmentFilter(ScopedFilterSet):
    q = df.CharFilter(method="search", label="Contact or note")
    task = df.CharFilter(field_name="task__code", label="Task (code)")
    country = CountryCodeFilter(label="Country")
    area = df.CharFilter(method="by_area", label="Area (P-code or ISO code)")
    organisation = df.NumberFilter(field_name="organisation_id", label="Organisation (id)")
    operation = df.NumberFilter(field_name="operation_id", label="Operation (id)")
    role = df.ChoiceFilter(choices=AssignmentRole.choices)
    status = df.ChoiceFilter(choices=AssignmentStatus.choices)
    active_on = df.DateFilter(method=lambda qs, n, v: _active_on(qs, n, v), label="Active on")
    batch = df.NumberFilter(field_name="batch_id", label="Import batch (id)")

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

    def by_area(self, qs, name, value):
        code = Q(area__pcode=value) | Q(area__iso_code__iexact=value)
        parent = Q(area__parent__pcode=value) | Q(area__parent__iso_code__iexact=value)
        return qs.filter(code | parent)


class ArrangementFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label="Title")
    kind = df.ChoiceFilter(choices=ArrangementKind.choices)
    country = df.CharFilter(
        field_name="countries__alpha3", lookup_expr="iexact", label="Country", distinct=True
    )
    active_on = df.DateFilter(method=lambda qs, n, v: _active_on(qs, n, v), label="Active on")

    class Meta:
        model = Arrangement
        fields = ["q", "kind", "country", "active_on", "classification", "owner"]
