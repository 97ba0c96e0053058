"""Core's pages: organisations, people, areas (generic), countries (reference), coordination
spaces, the audit trail, API tokens and the calendar feed address."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from concord.core import capabilities, services
from concord.core.context import Actor
from concord.core.filters import (
    AreaFilter,
    AuditFilter,
    CountryFilter,
    OrganisationFilter,
    PersonFilter,
)
from concord.core.forms import AffiliationFormSet, AreaForm, OrganisationForm, PersonForm, TokenForm
from concord.core.models import (
    ApiToken,
    Area,
    AuditEntry,
    Country,
    FeedSecret,
    Organisation,
    Person,
    Space,
)
from concord.core.paging import CappedPaginator
from concord.core.visibility import VisibleLabels
from concord.web.generic import Column, Config


def _org(labels, pk):
    return labels.label(Organisation, pk)


def organisation_fields(o, labels):
    return [
        (_("Name"), o.name),
        (_("Acronym"), o.acronym),
        (_("Kind"), o.get_kind_display()),
        (pgettext("registry", "Parent"), _org(labels, o.parent_id) or "—"),
        (_("Country"), str(o.country) if o.country_id else "—"),
        (
            _("Website"),
            format_html('<a href="{0}" rel="noopener noreferrer">{0}</a>', o.website)
            if o.website
            else "—",
        ),
        (_("Also known as"), "; ".join(o.aliases or []) or "—"),
        (_("Description"), o.description or "—"),
    ]


def organisation_sections(o, labels, user):
    children = Organisation.objects.visible_to(user).filter(parent=o).order_by("name")[:100]
    people = Person.objects.visible_to(user).filter(affiliations__organisation=o).distinct()[:100]
    return [
        (_("Sub-organisations"), [(str(c), f"/organisations/{c.pk}/") for c in children]),
        (_("People"), [(str(p), f"/people/{p.pk}/") for p in people]),
        *(
            section
            for extra in capabilities.sections("organisation")
            for section in extra(o, labels, user)
        ),
    ]


# Capabilities add sections to an organisation's page: (organisation, labels, user) -> sections.


ORGANISATIONS = Config(
    model=Organisation,
    name="organisations",
    singular=gettext_lazy("organisation"),
    filterset=OrganisationFilter,
    form=OrganisationForm,
    select_related=("country",),
    columns=[
        Column(gettext_lazy("Name"), lambda o, L: o.name, "name", link=True),
        Column(gettext_lazy("Acronym"), lambda o, L: o.acronym, "acronym"),
        Column(gettext_lazy("Kind"), lambda o, L: o.get_kind_display(), "kind"),
        Column(
            gettext_lazy("Country"),
            lambda o, L: o.country.alpha3 if o.country_id else "",
            "country__name",
        ),
        Column(
            gettext_lazy("Classification"),
            lambda o, L: o.get_classification_display(),
            "classification",
        ),
    ],
    detail_fields=organisation_fields,
    extra_detail=organisation_sections,
    admin_may_create=True,
)


def person_fields(p, labels):
    labels.load(Organisation, [a.organisation_id for a in p.affiliations.all()])
    return [
        (_("Name"), p.name),
        (_("Languages"), ", ".join(p.languages or []) or "—"),
        (
            _("Contact channels"),
            "; ".join(f"{c['kind']}: {c['value']}" for c in p.contacts or []) or "—",
        ),
        (_("Notes"), p.notes or "—"),
    ]


def person_sections(p, labels, user):
    rows = []
    for a in p.affiliations.all():
        org = labels.get(Organisation, a.organisation_id)
        if org is None:
            continue
        end = a.end or _("now")
        dates = f"{a.start or '…'} – {end}"
        text = _("%(organisation)s — %(title)s (%(dates)s)") % {
            "organisation": org,
            "title": a.title or _("member"),
            "dates": dates,
        }
        rows.append((text, f"/organisations/{org.pk}/"))
    return [(_("Affiliations"), rows)]


PEOPLE = Config(
    model=Person,
    name="people",
    singular=gettext_lazy("person"),
    filterset=PersonFilter,
    form=PersonForm,
    formset=AffiliationFormSet,
    prefetch_related=("affiliations",),
    columns=[
        Column(gettext_lazy("Name"), lambda p, L: p.name, "name", link=True),
        Column(gettext_lazy("Languages"), lambda p, L: ", ".join(p.languages or [])),
        Column(
            gettext_lazy("Classification"),
            lambda p, L: p.get_classification_display(),
            "classification",
        ),
    ],
    detail_fields=person_fields,
    extra_detail=person_sections,
)


def area_fields(a, labels):
    parent = labels.label(Area, a.parent_id)
    return [
        (_("Name"), a.name),
        (_("Country"), str(a.country)),
        (_("Level"), a.get_level_display()),
        (pgettext("registry", "Parent"), parent or "—"),
        (_("P-code"), a.pcode or "—"),
        (_("ISO 3166-2"), a.iso_code or "—"),
        (_("Type"), a.subdivision_type or "—"),
        (_("Point"), f"{a.latitude}, {a.longitude}" if a.latitude is not None else "—"),
        (_("Geometry"), a.geometry["type"] if a.geometry else "—"),
    ]


def area_sections(a, labels, user):
    children = Area.objects.visible_to(user).filter(parent=a).order_by("name")[:200]
    return [("Sub-areas", [(str(c), f"/areas/{c.pk}/") for c in children])]


AREAS = Config(
    model=Area,
    name="areas",
    singular=gettext_lazy("area"),
    filterset=AreaFilter,
    form=AreaForm,
    select_related=("country",),
    default_sort="name",
    columns=[
        Column(gettext_lazy("Name"), lambda a, L: a.name, "name", link=True),
        Column(gettext_lazy("Country"), lambda a, L: a.country.alpha3, "country__alpha3"),
        Column(gettext_lazy("Level"), lambda a, L: a.get_level_display(), "level"),
        Column(gettext_lazy("P-code"), lambda a, L: a.pcode, "pcode"),
        Column(gettext_lazy("ISO 3166-2"), lambda a, L: a.iso_code, "iso_code"),
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
    labels = VisibleLabels(request.user)
    # What capabilities add: the operations there, who does what where.
    sections = [
        section
        for extra in capabilities.sections("country")
        for section in extra(country, labels, request.user)
    ]
    return render(
        request,
        "web/country.html",
        {
            "country": country,
            "areas": areas,
            "organisations": orgs,
            "labels": labels,
            "sections": sections,
        },
    )


@login_required
def space_list(request):
    spaces = Space.objects.visible_to(request.user).prefetch_related("organisations")
    labels = VisibleLabels(request.user)
    rows = []
    for s in spaces:
        ids = [o.pk for o in s.organisations.all()]
        labels.load(Organisation, ids)
        rows.append((s, [labels.get(Organisation, i) for i in ids if labels.get(Organisation, i)]))
    return render(request, "web/spaces.html", {"rows": rows})


@login_required
def audit_list(request):
    """The trail of records owned by the user's organisations, within their clearance,
    filtered (who, what, when, through which interface); the filters kept from page to page."""
    qs = AuditEntry.objects.visible_to(request.user).order_by("-seq")
    found = AuditFilter(request.GET, queryset=qs)
    qs = found.qs if found.is_valid() else qs.none()
    exact = request.GET.get("count") == "exact"
    page = CappedPaginator(qs, 50, exact=exact).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit.html",
        {
            "page": page,
            "filter": found,
            "query": query.urlencode(),
            "count_url": "?" + "&".join(filter(None, [query.urlencode(), "count=exact"])),
        },
    )


def _tokens_page(request, form, *, new_key=None, feed_url=None, status=200):
    return render(
        request,
        "web/tokens.html",
        {
            "form": form,
            "tokens": ApiToken.objects.filter(user=request.user),
            "new_key": new_key,
            "feed": FeedSecret.objects.filter(user=request.user, revoked_at__isnull=True).first(),
            "feed_url": feed_url,
        },
        status=status,
    )


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.create_token(
            actor=Actor.from_request(request), **form.cleaned_data
        )
        messages.success(request, _("Token created. Copy the key now: it is not shown again."))
        form = TokenForm()
    status = 400 if request.method == "POST" and form.errors else 200
    return _tokens_page(request, form, new_key=new_key, status=status)


@login_required
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404(_("No such token of yours."))
    services.revoke_token(token, actor=Actor.from_request(request))
    messages.success(request, _("Revoked %(token)s.") % {"token": token})
    return redirect("core:token_list")


@login_required
@require_POST
def feed_secret_create(request):
    """A new calendar feed address (revoking the previous one), shown once."""
    _secret, key = services.create_feed_secret(actor=Actor.from_request(request))
    url = request.build_absolute_uri(reverse("accountability:calendar"))
    messages.success(
        request, _("Calendar feed address created. Copy it now: it is not shown again.")
    )
    return _tokens_page(request, TokenForm(), feed_url=f"{url}?{urlencode({'feed': key})}")


@login_required
@require_POST
def feed_secret_revoke(request):
    if services.revoke_feed_secret(actor=Actor.from_request(request)) is not None:
        messages.success(request, _("Calendar feed address revoked: the feed stops working."))
    return redirect("core:token_list")
