"""Experts on the roster: who they are, what they know at which level and on what evidence,
the languages they work in, their ties (for conflicts of interest) and when they are not
available. A roster is a list of people the parties would love to read: strictly
confidential by default."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from concord.core.models import Classification, Country, Organisation, Person, ScopedModel, User
from concord.core.models.labels import ChoiceLabels


class ExpertiseAreaQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExpertiseAreaQuerySet:
        """Public reference data; the method exists so every read has one shape."""
        return self


class ExpertiseArea(models.Model):
    """The expertise catalogue (reference data, public): areas and their sub-areas, after the
    UN Mediation Support Unit's Standby Team and roster (fixtures/expertise.csv, a source per
    row)."""

    code = models.CharField(
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9_]+(\.[a-z0-9_]+)?$",
                _("Lower-case letters, digits and _; a sub-area after a dot (ddr.reintegration)."),
            )
        ],
        verbose_name=_("code"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=pgettext_lazy("expertise", "area"),
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    source = models.URLField(max_length=500, blank=True, verbose_name=_("source"))

    objects = ExpertiseAreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("expertise area")
        verbose_name_plural = _("expertise areas")

    def __str__(self) -> str:
        return self.name


class Level(models.IntegerChoices):
    """How well an expert knows an area (a request asks for at least a level)."""

    WORKING = 1, _("Working knowledge")
    ADVANCED = 2, _("Advanced")
    LEAD = 3, _("Lead expert")


class Cefr(models.IntegerChoices):
    """The Common European Framework of Reference for Languages."""

    A1 = 1, "A1"  # untranslated: a CEFR level, the same in every language
    A2 = 2, "A2"  # untranslated: a CEFR level, the same in every language
    B1 = 3, "B1"  # untranslated: a CEFR level, the same in every language
    B2 = 4, "B2"  # untranslated: a CEFR level, the same in every language
    C1 = 5, "C1"  # untranslated: a CEFR level, the same in every language
    C2 = 6, "C2"  # untranslated: a CEFR level, the same in every language


class Tier(models.TextChoices):
    STANDBY = "standby_team", _("Standby team")
    ROSTER = "roster", _("Roster")
    STAFF = "institution_staff", _("Institution staff")
    PARTNER = "partner_roster", _("Partner roster")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Not disclosed")


def _default_classification() -> int:
    return Classification.STRICTLY_CONFIDENTIAL


class Expert(ScopedModel):
    """An expert profile on a person of the registry. The owner is the roster's keeper (a
    mediation support unit, a standby-roster institution)."""

    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=_default_classification
    )
    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="expert", verbose_name=_("person")
    )
    user = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert",
        help_text=_(
            "Their Concord account, if they have one: a deployment grants it the request's "
            "space for its duration."
        ),
        verbose_name=_("account"),
    )
    summary = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The profile in a line, as the roster list shows it."),
        verbose_name=_("profile"),
    )
    tier = models.CharField(max_length=20, choices=Tier.choices, verbose_name=_("tier"))
    gender = models.CharField(
        max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED, verbose_name=_("gender")
    )
    email = models.EmailField(
        blank=True, help_text=_("Where alerts are sent."), verbose_name=_("e-mail for alerts")
    )
    nationalities = models.ManyToManyField(
        Country, blank=True, related_name="+", verbose_name=_("nationalities")
    )
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="+",
        help_text=_("Countries they have worked in or on."),
        verbose_name=_("countries of experience"),
    )
    security_clearance = models.PositiveSmallIntegerField(
        choices=Classification.choices,
        default=Classification.INTERNAL,
        help_text=_("The highest classification they have been cleared to handle."),
        verbose_name=_("security clearance"),
    )
    references = models.TextField(blank=True, verbose_name=_("references"))
    active = models.BooleanField(
        default=True,
        help_text=_("Off: kept on record, never matched."),
        verbose_name=_("on the roster"),
    )

    FIELDS = [
        "person",
        "user",
        "summary",
        "tier",
        "gender",
        "email",
        "nationalities",
        "countries",
        "security_clearance",
        "references",
        "active",
    ]

    class Meta:
        ordering = ["pk"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        indexes = [models.Index(fields=["active", "tier"])]

    def __str__(self) -> str:
        # its own number only: the person's name is the registry's, scoped apart
        return gettext("Expert %(number)s") % {"number": self.pk or "—"}


class Skill(ChoiceLabels, models.Model):
    """An expert's expertise in one area of the catalogue, at a level, with the evidence."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="skills", verbose_name=_("expert")
    )
    area = models.ForeignKey(
        ExpertiseArea,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("expertise", "area"),
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices, verbose_name=_("level"))
    evidence = models.TextField(
        help_text=_("What shows it: assignments, publications, references."),
        verbose_name=_("evidence"),
    )

    class Meta:
        ordering = ["-level", "area__code"]
        constraints = [models.UniqueConstraint(fields=["expert", "area"], name="roster_skill_once")]
        indexes = [models.Index(fields=["area", "level"])]
        verbose_name = _("expertise")
        verbose_name_plural = _("expertise")

    def __str__(self) -> str:
        return f"{self.area_id}: {self.level}"


def language_problem(code) -> str:
    """Why ``code`` is not an ISO 639 language code, or ""."""
    import pycountry

    if not isinstance(code, str) or not (
        pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    ):
        return gettext("%(code)r is not an ISO 639 language code.") % {"code": code}
    return ""


def language_name(code: str) -> str:
    """The language's name in the reader's language where pycountry has it (ISO 639)."""
    import gettext as stdlib_gettext

    import pycountry
    from django.utils.translation import get_language

    found = pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code)
    if found is None:
        return code
    lang = (get_language() or "en").split("-")[0]
    if lang == "en":
        return found.name
    try:
        t = stdlib_gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return found.name
    return t.gettext(found.name)


class Language(ChoiceLabels, models.Model):
    """A language an expert works in (ISO 639), at a CEFR level."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="languages", verbose_name=_("expert")
    )
    code = models.CharField(
        max_length=3, help_text=_("ISO 639 code, e.g. fr, ar."), verbose_name=_("language")
    )
    level = models.PositiveSmallIntegerField(choices=Cefr.choices, verbose_name=_("level"))

    class Meta:
        ordering = ["-level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "code"], name="roster_language_once")
        ]
        indexes = [models.Index(fields=["code", "level"])]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return f"{self.code} {self.get_level_display()}"

    def clean(self) -> None:
        problem = language_problem(self.code)
        if problem:
            raise ValidationError({"code": problem})


class TieKind(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment or office")
    ADVISORY = "advisory", _("Advice or consultancy")
    MEMBERSHIP = "membership", _("Membership")
    FINANCIAL = "financial", _("Financial interest")
    FAMILY = "family", _("Family tie")
    OTHER = "other", _("Other")


class Tie(ChoiceLabels, models.Model):
    """An affiliation or past tie relevant to conflicts of interest: to a party, a government,
    a company, an armed group. Experts have a continuing duty to disclose: a new tie
    re-screens their open deployments."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="ties", verbose_name=_("expert")
    )
    kind = models.CharField(max_length=12, choices=TieKind.choices, verbose_name=_("kind"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("with")
    )
    start = models.DateField(null=True, blank=True, verbose_name=_("start"))
    end = models.DateField(
        null=True, blank=True, help_text=_("Empty: current."), verbose_name=_("end")
    )
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    declared_on = models.DateField(verbose_name=_("declared on"))

    class Meta:
        ordering = ["-declared_on", "pk"]
        verbose_name = _("tie")
        verbose_name_plural = _("ties")

    def __str__(self) -> str:
        return f"{self.kind}: {self.organisation_id}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": gettext("The end is before the start.")})


class Unavailability(models.Model):
    """A period the expert declared they cannot deploy."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="unavailable", verbose_name=_("expert")
    )
    start = models.DateField(verbose_name=_("from"))
    end = models.DateField(verbose_name=_("until"))
    reason = models.CharField(max_length=200, blank=True, verbose_name=_("reason"))

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": gettext("The end is before the start.")})
