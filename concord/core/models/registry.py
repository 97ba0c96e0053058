"""The registry: organisations, people, countries and sub-national areas."""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from concord.core.locales import country_name, current_language
from concord.core.text import compact

from .security import ScopedModel


@lru_cache(maxsize=65536)  # imports ask for the same few thousand names again and again
def normalise_name(value: str) -> str:
    """Case-, accent- and punctuation-insensitive key, so "U.A." finds "UA"."""
    return compact(value)


class CountryQuerySet(models.QuerySet):
    def visible_to(self, user) -> CountryQuerySet:
        """ISO reference data is public; the method exists so every read has one shape."""
        return self

    def local_names(self) -> dict[str, str]:
        """ISO alpha-3 → the country's name in the reader's language."""
        language = current_language()
        return {
            a3: country_name(a3, name, language) for a3, name in self.values_list("alpha3", "name")
        }


class Country(models.Model):
    """ISO 3166-1 countries and ISO 3166-3 former countries, with their UN M49 region."""

    alpha3 = models.CharField(gettext_lazy("alpha3"), max_length=3, unique=True)
    alpha2 = models.CharField(gettext_lazy("alpha2"), max_length=2, blank=True)
    numeric = models.CharField(gettext_lazy("numeric"), max_length=3, blank=True)
    name = models.CharField(gettext_lazy("name"), max_length=200)
    official_name = models.CharField(gettext_lazy("official name"), max_length=300, blank=True)
    m49_region = models.CharField(gettext_lazy("m49 region"), max_length=50, blank=True)
    m49_subregion = models.CharField(gettext_lazy("m49 subregion"), max_length=80, blank=True)
    historical = models.BooleanField(gettext_lazy("historical"), default=False)
    withdrawn = models.CharField(
        gettext_lazy("withdrawn"),
        max_length=20,
        blank=True,
        help_text=gettext_lazy("ISO 3166-3 withdrawal date"),
    )

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = gettext_lazy("country")
        verbose_name_plural = gettext_lazy("countries")

    def __str__(self) -> str:
        return f"{self.local_name} ({self.alpha3})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:country_detail", kwargs={"alpha3": self.alpha3})

    @property
    def local_name(self) -> str:
        """The name in the reader's language (pycountry's ISO 3166 translations): "Allemagne"
        for a French reader; the registry's (English) name otherwise."""
        return country_name(self.alpha3, self.name, current_language())


class OrganisationKind(models.TextChoices):
    UN_ENTITY = "un_entity", gettext_lazy("UN entity")
    REGIONAL = "regional", gettext_lazy("Regional organisation")
    STATE = "state", gettext_lazy("State")
    COALITION = "coalition", gettext_lazy("Ad hoc coalition")
    INGO = "ingo", gettext_lazy("International NGO")
    NNGO = "nngo", gettext_lazy("National NGO")
    LOCAL = "local", gettext_lazy("Local/community organisation")
    ARMED_GROUP = "armed_group", gettext_lazy("Armed group or conflict party")
    DONOR = "donor", gettext_lazy("Donor agency")
    OTHER = "other", gettext_lazy("Other")


class Organisation(ScopedModel):
    name = models.CharField(gettext_lazy("name"), max_length=300)
    acronym = models.CharField(gettext_lazy("acronym"), max_length=50, blank=True)
    kind = models.CharField(gettext_lazy("kind"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=pgettext_lazy("registry", "parent"),
    )
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=gettext_lazy("country"),
    )
    website = models.URLField(gettext_lazy("website"), blank=True)
    aliases = models.JSONField(
        gettext_lazy("aliases"),
        default=list,
        blank=True,
        help_text=gettext_lazy("Other names and acronyms."),
    )
    description = models.TextField(gettext_lazy("description"), blank=True)

    # The fields people edit, in order: shared by the form, the API and import/export.
    FIELDS = ["name", "acronym", "kind", "parent", "country", "website", "aliases", "description"]

    class Meta:
        ordering = ["name"]
        verbose_name = gettext_lazy("organisation")
        verbose_name_plural = gettext_lazy("organisations")
        indexes = [
            # Lists walk this index and stop after one page (concord.core.paging).
            models.Index(fields=["name", "id"], name="core_org_name_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def names(self) -> list[str]:
        return [n for n in [self.name, self.acronym, *(self.aliases or [])] if n]

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) for a in self.aliases):
            raise ValidationError({"aliases": _("Aliases must be a list of names.")})
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk and self.pk is not None or node.pk in seen:
                raise ValidationError({"parent": _("An organisation cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent


class OrganisationName(models.Model):
    """Normalised names, acronyms and aliases, so "AU", "African Union" and "UA" resolve."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=300, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="uniq_orgname")]

    def __str__(self) -> str:
        return self.key


class ContactKind(models.TextChoices):
    EMAIL = "email", gettext_lazy("Email")
    PHONE = "phone", gettext_lazy("Phone")
    SIGNAL = "signal", gettext_lazy("Signal")
    WHATSAPP = "whatsapp", gettext_lazy("WhatsApp")
    RADIO = "radio", gettext_lazy("Radio call sign")
    OTHER = "other", gettext_lazy("Other")


class Person(ScopedModel):
    """A contact. Not necessarily a user of Concord."""

    name = models.CharField(gettext_lazy("name"), max_length=300)
    languages = models.JSONField(
        gettext_lazy("languages"),
        default=list,
        blank=True,
        help_text=gettext_lazy("ISO 639 codes, e.g. fr, ar."),
    )
    contacts = models.JSONField(
        gettext_lazy("contacts"),
        default=list,
        blank=True,
        help_text=gettext_lazy('A list of {"kind": ..., "value": ...} channels.'),
    )
    notes = models.TextField(gettext_lazy("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = gettext_lazy("person")
        verbose_name_plural = gettext_lazy("people")
        indexes = [models.Index(fields=["name", "id"], name="core_person_name_id")]

    def __str__(self) -> str:
        return self.name

    # Child rows of ``audit_extra`` that link to records: History leaves out those resting
    # on a record the reader may not see (concord.core.history).
    AUDIT_LINKS = {"affiliations": {"organisation": "core.Organisation"}}

    def audit_extra(self) -> dict:
        """Affiliations are part of the person: they appear in the person's history."""
        return {
            "affiliations": [
                {
                    "organisation": a.organisation_id,
                    "title": a.title,
                    "start": a.start.isoformat() if a.start else None,
                    "end": a.end.isoformat() if a.end else None,
                }
                for a in self.affiliations.order_by("pk")
            ]
        }

    def clean(self) -> None:
        super().clean()
        import pycountry

        errors = []
        for code in self.languages or []:
            if not isinstance(code, str) or not (
                pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
            ):
                errors.append(_("%(code)r is not an ISO 639 language code") % {"code": code})
        if errors:
            raise ValidationError({"languages": errors})
        kinds = set(ContactKind.values)
        for i, c in enumerate(self.contacts or [], start=1):
            if not isinstance(c, dict) or c.get("kind") not in kinds or not c.get("value"):
                raise ValidationError(
                    {
                        "contacts": _("Channel %(number)s needs a kind (%(kinds)s) and a value.")
                        % {"number": i, "kinds": ", ".join(kinds)}
                    }
                )


class Affiliation(models.Model):
    """A person's membership of an organisation, with title and dates."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="affiliations",
        verbose_name=gettext_lazy("person"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="affiliations",
        verbose_name=gettext_lazy("organisation"),
    )
    title = models.CharField(gettext_lazy("title"), max_length=200, blank=True)
    start = models.DateField(gettext_lazy("start"), null=True, blank=True)
    end = models.DateField(gettext_lazy("end"), null=True, blank=True)

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name = gettext_lazy("affiliation")
        verbose_name_plural = gettext_lazy("affiliations")

    def __str__(self) -> str:
        return _("%(person)s at %(organisation)s: %(title)s") % {
            "person": self.person_id,
            "organisation": self.organisation_id,
            "title": self.title,
        }

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date is before the start date.")})


class Area(ScopedModel):
    """A sub-national area: an ISO 3166-2 subdivision or a user-created area with a P-code."""

    name = models.CharField(gettext_lazy("name"), max_length=300)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="areas",
        verbose_name=gettext_lazy("country"),
    )
    level = models.PositiveSmallIntegerField(
        gettext_lazy("level"), choices=[(1, "adm1"), (2, "adm2"), (3, "adm3")], default=1
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=pgettext_lazy("registry", "parent"),
    )
    pcode = models.CharField(
        gettext_lazy("pcode"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=gettext_lazy("OCHA P-code"),
    )
    iso_code = models.CharField(
        gettext_lazy("iso code"),
        max_length=10,
        blank=True,
        db_index=True,
        help_text=gettext_lazy("ISO 3166-2"),
    )
    subdivision_type = models.CharField(gettext_lazy("subdivision type"), max_length=80, blank=True)
    latitude = models.FloatField(gettext_lazy("latitude"), null=True, blank=True)
    longitude = models.FloatField(gettext_lazy("longitude"), null=True, blank=True)
    geometry = models.JSONField(
        gettext_lazy("geometry"),
        null=True,
        blank=True,
        help_text=gettext_lazy("A GeoJSON geometry."),
    )

    FIELDS = [
        "name",
        "country",
        "level",
        "parent",
        "pcode",
        "iso_code",
        "subdivision_type",
        "latitude",
        "longitude",
        "geometry",
    ]

    class Meta:
        ordering = ["country__name", "level", "name"]
        verbose_name = gettext_lazy("area")
        verbose_name_plural = gettext_lazy("areas")
        constraints = [
            models.UniqueConstraint(
                fields=["pcode"], condition=~models.Q(pcode=""), name="uniq_area_pcode"
            ),
            models.UniqueConstraint(
                fields=["iso_code"], condition=~models.Q(iso_code=""), name="uniq_area_iso"
            ),
        ]

    def __str__(self) -> str:
        code = self.pcode or self.iso_code
        return f"{self.name} ({code})" if code else self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.parent_id:
            parent = self.parent
            if parent.level != self.level - 1:
                errors["parent"] = _(
                    "An adm%(level)s area needs an adm%(parent_level)s parent."
                ) % {"level": self.level, "parent_level": self.level - 1}
            elif parent.country_id != self.country_id:
                errors["parent"] = _("The parent area is in another country.")
        elif self.level > 1:
            errors["parent"] = _("An adm%(level)s area needs a parent.") % {"level": self.level}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _("Latitude must be between -90 and 90.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _("Longitude must be between -180 and 180.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if self.geometry not in (None, ""):
            problem = geojson_problem(self.geometry)
            if problem:
                errors["geometry"] = problem
        if errors:
            raise ValidationError(errors)


GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
}


def geojson_problem(geometry) -> str | None:
    """Why a value is not a usable GeoJSON geometry, or None when it is."""
    if not isinstance(geometry, dict):
        return _("Geometry must be a GeoJSON object.")
    if geometry.get("type") not in GEOMETRY_TYPES:
        return _("Geometry type must be one of %(types)s.") % {
            "types": ", ".join(sorted(GEOMETRY_TYPES))
        }
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        return _("Geometry needs a non-empty coordinates array.")

    def positions(node):
        if node and all(isinstance(x, int | float) for x in node):
            yield node
        else:
            for child in node:
                if not isinstance(child, list):
                    raise ValueError
                yield from positions(child)

    try:
        for pos in positions(coords):
            if len(pos) < 2 or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
                return _("Coordinates must be [longitude, latitude] within range.")
    except (ValueError, TypeError):
        return _("Coordinates must be nested arrays of numbers.")
    return None


def area_parents(area_ids: set[int], *, country_at_top: bool = False) -> dict:
    """Each area's parent id, walking up from ``area_ids`` to the top of their trees. At the
    top: None, or with ``country_at_top`` the country's alpha-3 code. Structure only (ids,
    no names): the analyses use it to nest places; what is shown goes through visibility."""
    parents: dict = {}
    todo = set(area_ids)
    while todo:
        rows = list(
            Area.objects.filter(pk__in=todo).values_list("pk", "parent_id", "country__alpha3")
        )
        for pk, parent, code in rows:
            parents[pk] = parent if parent else (code if country_at_top else None)
        todo = {p for _, p, _ in rows if p is not None and p not in parents}
    return parents
