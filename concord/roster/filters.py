"""Filtersets shared by the roster's lists, the API and exports. Every filter narrows the
list (they combine with AND), and so do the items of one filter: ``expertise=ddr:2,
elections`` lists experts holding both."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from concord.core.filters import CountryCodeFilter, LinkFilter, ScopedFilterSet
from concord.core.models import Organisation, Person

from .models import (
    BOOKING,
    Cefr,
    Deployment,
    DeploymentState,
    Expert,
    ExpertiseArea,
    ExpertRequest,
    Gender,
    Language,
    Mode,
    RequestState,
    Skill,
    Tier,
    Unavailability,
)

CEFR = {label: value for value, label in Cefr.choices}


class AnyYesNo(forms.NullBooleanSelect):
    """ "Any" rather than Django's "Unknown" for a filter left open."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("Any")), ("true", _("Yes")), ("false", _("No")))


def _items(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class ExpertFilter(ScopedFilterSet):
    # searches and dates: q reads the experts' people through the enforcement point
    # (Person.visible_to), expertise and languages name catalogue codes, the dates a period
    plain_method_filters = ("q", "expertise", "language", "free_from", "free_until")

    q = df.CharFilter(method="by_name", label=_("Name"))
    tier = df.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    gender = df.ChoiceFilter(choices=Gender.choices, label=_("Gender"))
    expertise = df.CharFilter(
        method="by_expertise",
        label=_("Expertise"),
        help_text=_("Area codes, each with a minimum level: ddr:2, elections"),
    )
    language = df.CharFilter(
        method="by_language",
        label=_("Languages"),
        help_text=_("ISO 639 codes, each with a minimum CEFR level: ar:C1, fr"),
    )
    country = CountryCodeFilter(
        field_name="countries", many=True, label=_("Worked in (ISO3 country code)")
    )
    nationality = CountryCodeFilter(
        field_name="nationalities", many=True, label=_("Nationality (ISO3 country code)")
    )
    free_from = df.DateFilter(method="by_free", label=_("Free from"))
    free_until = df.DateFilter(method="by_free", label=_("Free until"))
    active = df.BooleanFilter(label=_("On the roster"), widget=AnyYesNo)

    class Meta:
        model = Expert
        fields = [
            "q",
            "tier",
            "gender",
            "expertise",
            "language",
            "country",
            "nationality",
            "free_from",
            "free_until",
            "active",
            "owner",
        ]

    def by_name(self, qs, name, value):
        user = getattr(self.request, "user", None)
        people = Person.objects.visible_to(user).filter(name__icontains=value)
        return qs.filter(person__in=people.values("pk"))

    def by_expertise(self, qs, name, value):
        tree = dict(ExpertiseArea.objects.values_list("code", "pk"))
        parents = dict(
            ExpertiseArea.objects.filter(parent__isnull=False).values_list("pk", "parent_id")
        )
        for item in _items(value):
            code, _sep, level = item.partition(":")
            pk = tree.get(code.strip())
            if pk is None:
                return qs.none()
            level = int(level) if level.strip().isdigit() else 1
            children = [c for c, p in parents.items() if p == pk]
            hold = Q(area_id=pk, level__gte=level) | Q(area_id__in=children, level__gte=level + 1)
            if pk in parents:
                hold |= Q(area_id=parents[pk], level__gte=level + 1)
            qs = qs.filter(Exists(Skill.objects.filter(hold, expert=OuterRef("pk"))))
        return qs

    def by_language(self, qs, name, value):
        for item in _items(value):
            code, _sep, level = item.partition(":")
            rank = CEFR.get(level.strip().upper(), 1)
            qs = qs.filter(
                Exists(
                    Language.objects.filter(
                        expert=OuterRef("pk"), code=code.strip().lower(), level__gte=rank
                    )
                )
            )
        return qs

    def by_free(self, qs, name, value):
        data = self.form.cleaned_data
        start = data.get("free_from") or value
        end = data.get("free_until") or value
        if name == "free_until" and data.get("free_from"):
            return qs  # the pair was applied once, by free_from
        busy = Q(start__lte=end, end__gte=start, expert=OuterRef("pk"))
        return qs.exclude(Exists(Unavailability.objects.filter(busy))).exclude(
            Exists(Deployment.objects.filter(busy, state__in=BOOKING))
        )


class RequestFilter(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="icontains", label=_("Title"))
    process = df.CharFilter(lookup_expr="icontains", label=_("Process"))
    state = df.ChoiceFilter(choices=RequestState.choices, label=_("State"))
    mode = df.ChoiceFilter(choices=Mode.choices, label=_("Remote or in person"))
    requester = LinkFilter(Organisation, "requester", label=_("Requested by (id)"))
    country = CountryCodeFilter(field_name="countries", many=True)

    class Meta:
        model = ExpertRequest
        fields = [
            "q",
            "process",
            "state",
            "mode",
            "requester",
            "country",
            "classification",
            "owner",
        ]


class DeploymentFilter(ScopedFilterSet):
    state = df.ChoiceFilter(choices=DeploymentState.choices, label=_("State"))
    mode = df.ChoiceFilter(choices=Mode.choices, label=_("Remote or in person"))
    expert = LinkFilter(Expert, "expert", label=_("Expert (id)"))
    request = LinkFilter(ExpertRequest, "request", label=_("Request (id)"))
    year = df.NumberFilter(field_name="start__year", label=_("Year"))

    class Meta:
        model = Deployment
        fields = ["state", "mode", "expert", "request", "year", "owner"]
