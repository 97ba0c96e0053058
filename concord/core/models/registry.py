"""The registry: organisations, people, countries and sub-national areas."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from concord.core.locales import country_name

from .security import ScopedModel


@lru_cache(maxsize=65536)  # imports ask for the same few thousand names again and again
def normalise_name(value: str) -> str:
    """Case-, accent- and punctuation-insensitive key, so "U.A." finds "UA"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in letters.casefold()).split()).replace(
        " ", ""
    )


class CountryQuerySet(models.QuerySet):
    def visible_to(self, user) -> CountryQuerySet:
        """ISO reference data is public; the method exists so every read has one shape."""
        return self


class Country(models.Model):
    """ISO 3166-1 countries and ISO 3166-3 former countries, with their UN M49 region."""

    alpha3 = models.CharField(max_length=3, unique=True)
    alpha2 = models.CharField(max_length=2, blank=True)
    numeric = models.CharField(max_length=3, blank=True)
    name = models.CharField(max_length=200)
    official_name = models.CharField(max_length=300, blank=True)
    m49_region = models.CharField(max_length=50, blank=True)
    m49_subregion = models.CharField(max_length=80, blank=True)
    historical = models.BooleanField(default=False)
    withdrawn = models.CharField(max_length=20, blank=True, help_text="ISO 3166-3 withdrawal date")

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return f"{self.local_name} ({self.alpha3})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:country_detail", kwargs={"alpha3": self.alpha3})

    @property
    def local_name(self) -> str:
        """The name in the reader's language (pycountry's ISO 3166 translations): "Allemagne"
        for a French reader; the registry's (English) name otherwise."""
        language = (translation.get_language() or "en").split("-")[0]
        return country_name(self.alpha3, self.name, language)


class OrganisationKind(models.TextChoices):
    UN_ENTITY = "un_entity", "UN entity"
    REGIONAL = "regional", "Regional organisation"
    STATE = "state", "State"
    COALITION = "coalition", "Ad hoc coalition"
    INGO = "ingo", "International NGO"
    NNGO = "nngo", "National NGO"
    LOCAL = "local", "Local/community organisation"
    ARMED_GROUP = "armed_group", "Armed group or conflict party"
    DONOR = "donor", "Donor agency"
    OTHER = "other", "Other"


class Organisation(ScopedModel):
    name = models.CharField(max_length=300)
    acronym = models.CharField(max_length=50, blank=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    website = models.URLField(blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names and acronyms.")
    description = models.TextField(blank=True)

    # The fields people edit, in order: shared by the form, the API and import/export.
    FIELDS = ["name", "acronym", "kind", "parent", "country", "website", "aliases", "description"]

    class Meta:
        ordering = ["name"]
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
            raise ValidationError({"aliases": "Aliases must be a list of names."})
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk and self.pk is not None or node.pk in seen:
                raise ValidationError({"parent": "An organisation cannot be its own ancestor."})
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
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    SIGNAL = "signal", "Signal"
    WHATSAPP = "whatsapp", "WhatsApp"
    RADIO = "radio", "Radio call sign"
    OTHER = "other", "Other"


class Person(ScopedModel):
    """A contact. Not necessarily a user of Concord."""

    name = models.CharField(max_length=300)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639 codes, e.g. fr, ar.")
    contacts = models.JSONField(
        default=list, blank=True, help_text='A list of {"kind": ..., "value": ...} channels.'
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
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
                errors.append(f"{code!r} is not an ISO 639 language code")
        if errors:
            raise ValidationError({"languages": errors})
        kinds = set(ContactKind.values)
        for i, c in enumerate(self.contacts or [], start=1):
            if not isinstance(c, dict) or c.get("kind") not in kinds or not c.get("value"):
                raise ValidationError(
                    {"contacts": f"Channel {i} needs a kind ({', '.join(kinds)}) and a value."}
                )


class Affiliation(models.Model):
    """A person's membership of an organisation, with title and dates."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="affiliations"
    )
    title = models.CharField(max_length=200, blank=True)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "pk"]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.organisation_id}: {self.title}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "The end date is before the start date."})


class Area(ScopedModel):
    """A sub-national area: an ISO 3166-2 subdivision or a user-created area with a P-code."""

    name = models.CharField(max_length=300)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="areas")
    level = models.PositiveSmallIntegerField(
        choices=[(1, "adm1"), (2, "adm2"), (3, "adm3")], default=1
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    pcode = models.CharField(max_length=40, blank=True, db_index=True, help_text="OCHA P-code")
    iso_code = models.CharField(max_length=10, blank=True, db_index=True, help_text="ISO 3166-2")
    subdivision_type = models.CharField(max_length=80, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geometry = models.JSONField(null=True, blank=True, help_text="A GeoJSON geometry.")

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
                errors["parent"] = f"An adm{self.level} area needs an adm{self.level - 1} parent."
            elif parent.country_id != self.country_id:
                errors["parent"] = "The parent area is in another country."
        elif self.level > 1:
            errors["parent"] = f"An adm{self.level} area needs a parent."
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = "Latitude must be between -90 and 90."
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = "Longitude must be between -180 and 180."
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = "Give both latitude and longitude, or neither."
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
        return "Geometry must be a GeoJSON object."
    if geometry.get("type") not in GEOMETRY_TYPES:
        return f"Geometry type must be one of {', '.join(sorted(GEOMETRY_TYPES))}."
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        return "Geometry needs a non-empty coordinates array."

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
                return "Coordinates must be [longitude, latitude] within range."
    except (ValueError, TypeError):
        return "Coordinates must be nested arrays of numbers."
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
