"""Filtersets shared by the learning lists, the API and exports."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from concord.core.filters import CountryCodeFilter, LinkFilter, ScopedFilterSet
from concord.core.models import Organisation
from concord.operations.models import Operation

from .models import (
    ActionStatus,
    Decision,
    Disposition,
    Lesson,
    LessonBody,
    LessonState,
    Observation,
    ObservationState,
    Phase,
    RemedialAction,
    RequestState,
    SourceKind,
    SupportArea,
    SupportModule,
    SupportRequest,
    Theme,
)


class ObservationFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    operation = LinkFilter(Operation, "operations", label=_("Operation (id)"))
    country = CountryCodeFilter(field_name="countries", many=True)
    phase = df.ChoiceFilter(choices=Phase.choices, label=_("Phase"))
    source_kind = df.ChoiceFilter(choices=SourceKind.choices, label=_("Source"))
    state = df.ChoiceFilter(choices=ObservationState.choices, label=_("State"))

    class Meta:
        model = Observation
        fields = [
            "q",
            "operation",
            "country",
            "phase",
            "source_kind",
            "state",
            "classification",
            "owner",
        ]


class LessonFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    operation = LinkFilter(Operation, "operations", label=_("Operation (id)"))
    country = CountryCodeFilter(field_name="countries", many=True)
    theme = df.ChoiceFilter(choices=Theme.choices, label=_("Theme"))
    phase = df.ChoiceFilter(choices=Phase.choices, label=_("Phase"))
    state = df.ChoiceFilter(choices=LessonState.choices, label=_("State"))

    class Meta:
        model = Lesson
        fields = [
            "q",
            "operation",
            "country",
            "theme",
            "phase",
            "state",
            "classification",
            "owner",
        ]


class LessonBodyFilter(ScopedFilterSet):
    lesson = LinkFilter(Lesson, "lesson", label=_("Lesson (id)"))

    class Meta:
        model = LessonBody
        fields = ["lesson", "classification", "owner"]


class RemedialActionFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="what", lookup_expr="icontains", label=_("What must change"))
    lesson = LinkFilter(Lesson, "lesson", label=_("Lesson (id)"))
    action_body = LinkFilter(Organisation, "action_body", label=_("Action body (id)"))
    status = df.ChoiceFilter(choices=ActionStatus.choices, label=_("Status"))
    due_before = df.DateFilter(field_name="due", lookup_expr="lte", label=_("Due on or before"))

    class Meta:
        model = RemedialAction
        fields = ["q", "lesson", "action_body", "status", "due_before", "classification", "owner"]


class DispositionFilter(ScopedFilterSet):
    operation = LinkFilter(Operation, "operation", label=_("Operation (id)"))
    lesson = LinkFilter(Lesson, "lesson", label=_("Lesson (id)"))
    decision = df.ChoiceFilter(choices=Decision.choices, label=_("Decision"))

    class Meta:
        model = Disposition
        fields = ["operation", "lesson", "decision", "classification", "owner"]


class SupportModuleFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    area = df.ChoiceFilter(choices=SupportArea.choices, label=_("Area"))

    class Meta:
        model = SupportModule
        fields = ["q", "area", "classification", "owner"]


class SupportRequestFilter(ScopedFilterSet):
    operation = LinkFilter(Operation, "operation", label=_("Operation (id)"))
    module = LinkFilter(SupportModule, "module", label=_("Module (id)"))
    state = df.ChoiceFilter(choices=RequestState.choices, label=_("State"))

    class Meta:
        model = SupportRequest
        fields = ["operation", "module", "state", "classification", "owner"]
