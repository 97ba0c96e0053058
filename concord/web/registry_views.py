"""The registry's pages: organisations, people, areas (generic), countries (reference)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html

from concord.core.filters import AreaFilter, CountryFilter, OrganisationFilter, PersonFilter
from concord.core.forms import AffiliationFormSet, AreaForm, OrganisationForm, PersonForm
from concord.core.models import Area, Country, Organisation, Person
from concord.core.visibility import VisibleLabels

from .generic import Column, Config


def _org(labels, pk):
    return labels.label(Organisation, pk)


def organisation_fields(o, labels):
    return [
        ("Name", o.name),
        ("Acronym", o.acronym),
        ("Kind", o.get_kind_display()),
        ("Parent", _org(labels, o.parent_id) or "—"),
        ("Country", str(o.country) if o.country_id else "—"),
        (
            "Website",
            format_html('<a href="{0}" rel="noopener noreferrer">{0}</a>', o.website)
            if o.website
            else "—",
        ),
        ("Also known as", "; ".join(o.aliases or []) or "—"),
        ("Description", o.description or "—"),
    ]


def organisation_sections(o, labels, user):
    children = Organisation.objects.visible_to(user).filter(parent=o).order_by("name")[:100]
    people = Person.objects.visible_to(user).filter(affiliations__organisation=o).distinct()[:100]
    return [
        ("Sub-organisations", [(str(c), f"/organisations/{c.pk}/") for c in children]),
        ("People", [(str(p), f"/people/{p.pk}/") for p in people]),
        *(section for extra in ORGANISATION_SECTIONS for section in extra(o, labels, user)),
    ]


# Capabilities add sections to an organisation's page: (organisation, labels, user) -> sections.
ORGANISATION_SECTIONS: list = []


ORGANISATIONS = Config(
    model=Organisation,
    name="organisations",
    singular="organisation",
    filterset=OrganisationFilter,
    form=OrganisationForm,
    select_related=("country",),
    columns=[
        Column("Name", lambda o, L: o.name, "name", link=True),
        Column("Acronym", lambda o, L: o.acronym, "acronym"),
        Column("Kind", lambda o, L: o.get_kind_display(), "kind"),
        Column("Country", lambda o, L: o.country.alpha3 if o.country_id else "", "country__name"),
        Column("Classification", lambda o, L: o.get_classification_display(), "classification"),
    ],
    detail_fields=organisation_fields,
    extra_detail=organisation_sections,
)


def person_fields(p, labels):
    labels.load(Organisation, [a.organisation_id for a in p.affiliations.all()])
    return [
        ("Name", p.name),
        ("Languages", ", ".join(p.languages or []) or "—"),
        (
            "Contact channels",
            "; ".join(f"{c['kind']}: {c['value']}" for c in p.contacts or []) or "—",
        ),
        ("Notes", p.notes or "—"),
    ]


def person_sections(p, labels, user):
    rows = []
    for a in p.affiliations.all():
        org = labels.get(Organisation, a.organisation_id)
        if org is None:
            continue
        dates = f"{a.start or '…'} – {a.end or 'now'}"
        rows.append((f"{org} — {a.title or 'member'} ({dates})", f"/organisations/{org.pk}/"))
    return [("Affiliations", rows)]


PEOPLE = Config(
    model=Person,
    name="people",
    singular="person",
    filterset=PersonFilter,
    form=PersonForm,
    formset=AffiliationFormSet,
    prefetch_related=("affiliations",),
    columns=[
        Column("Name", lambda p, L: p.name, "name", link=True),
        Column("Languages", lambda p, L: ", ".join(p.languages or [])),
        Column("Classification", lambda p, L: p.get_classification_display(), "classification"),
    ],
    detail_fields=person_fields,
    extra_detail=person_sections,
)


def area_fields(a, labels):
    parent = labels.label(Area, a.parent_id)
    return [
        ("Name", a.name),
        ("Country", str(a.country)),
        ("Level", a.get_level_display()),
        ("Parent", parent or "—"),
        ("P-code", a.pcode or "—"),
        ("ISO 3166-2", a.iso_code or "—"),
        ("Type", a.subdivision_type or "—"),
        ("Point", f"{a.latitude}, {a.longitude}" if a.latitude is not None else "—"),
        ("Geometry", a.geometry["type"] if a.geometry else "—"),
    ]


def area_sections(a, labels, user):
    children = Area.objects.visible_to(user).filter(parent=a).order_by("name")[:200]
    return [("Sub-areas", [(str(c), f"/areas/{c.pk}/") for c in children])]


AREAS = Config(
    model=Area,
    name="areas",
    singular="area",
    filterset=AreaFilter,
    form=AreaForm,
    select_related=("country",),
    default_sort="name",
    columns=[
        Column("Name", lambda a, L: a.name, "name", link=True),
        Column("Country", lambda a, L: a.country.alpha3, "country__alpha3"),
        Column("Level", lambda a, L: a.get_level_display(), "level"),
        Column("P-code", lambda a, L: a.pcode, "pcode"),
        Column("ISO 3166-2", lambda a, L: a.iso_code, "iso_code"),
    ],
    detail_fields=area_fields,
    extra_detail=area_sections,
)


def country_list(request):
    qs = Country.objects.visible_to(request.user)
    filterset = CountryFilter(request.GET, queryset=qs)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    page = Paginator(qs.order_by("name"), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/countries.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


def country_detail(request, alpha3):
    country = get_object_or_404(Country.objects.visible_to(request.user), alpha3=alpha3.upper())
    areas = Area.objects.visible_to(request.user).filter(country=country, level=1).order_by("name")
    orgs = (
        Organisation.objects.visible_to(request.user).filter(country=country).order_by("name")[:200]
    )
    return render(
        request,
        "web/country.html",
        {
            "country": country,
            "areas": areas,
            "organisations": orgs,
            "labels": VisibleLabels(request.user),
        },
    )
