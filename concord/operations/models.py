"""Peace operations, what authorised them, who contributes, and how they relate to each other."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.core.models import Area, Country, Organisation, ScopedModel
from concord.core.models.labels import ChoiceLabels
from concord.core.sources import sources_problem


class Kind(models.TextChoices):
    PEACEKEEPING = "peacekeeping", _("Peacekeeping")
    POLITICAL = "political", _("Special political mission")
    ENFORCEMENT = "enforcement", _("Enforcement / intervention")
    STABILISATION = "stabilisation", _("Stabilisation")
    TRAINING = "training", _("Training")
    POLICE = "police", _("Police / rule of law")
    OBSERVER = "observer", _("Observer / monitoring")
    MARITIME = "maritime", _("Maritime security")
    COUNTER_TERRORISM = "counter_terrorism", _("Counter-terrorism")
    PROTECTION = "protection", _("Protection / evacuation")


class Framework(models.TextChoices):
    UN = "un", _("United Nations")
    REGIONAL = "regional", _("Regional organisation")
    AD_HOC = "ad_hoc", _("Ad hoc coalition of states")
    SINGLE_STATE = "single_state", _("Single state")


MULTILATERAL = {Framework.UN, Framework.REGIONAL}


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Funding(models.TextChoices):
    ASSESSED = "assessed", _("Assessed contributions")
    TRUST_FUND = "trust_fund", _("Trust fund")
    VOLUNTARY = "voluntary", _("Voluntary contributions")
    NATIONAL = "national", _("National (contributors pay their own way)")
    MIXED = "mixed", _("Mixed")


class Scenario(models.TextChoices):
    """Karlsrud & Reykers' four scenarios, plus the label for UN and regional missions."""

    STAND_ALONE = "stand_alone", _("Stand-alone")
    SEQUENTIAL = "sequential", _("Sequential")
    PARALLEL = "parallel", _("Parallel")
    FULLY_INTEGRATED = "fully_integrated", _("Fully integrated")
    MULTILATERAL = "multilateral", _("Multilateral (UN or regional mission)")


class Operation(ScopedModel):
    key = models.SlugField(
        _("key"),
        max_length=80,
        blank=True,
        help_text=_("A stable short key (e.g. 'minusma'), used to match rows on import."),
    )
    name = models.CharField(_("name"), max_length=300)
    acronym = models.CharField(_("acronym"), max_length=60, blank=True)
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, help_text=_("Other names and acronyms.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    deploys_force = models.BooleanField(
        _("deploys a force"),
        default=True,
        help_text=_(
            "Armed units (troops or formed police). Untick for missions that send "
            "people but no force: political and observer missions, support offices, advisers, "
            "trainers and civilian capacity-building. Only a UN or regional mission that deploys "
            "a force makes a coalition in its theatre parallel, or takes over from one."
        ),
    )
    framework = models.CharField(_("framework"), max_length=20, choices=Framework.choices)
    framework_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("framework organisation"),
        help_text=_("The UN or the regional organisation that runs it (UN and regional missions)."),
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead organisation"),
    )
    lead_state = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead state"),
    )
    host_countries = models.ManyToManyField(
        Country, blank=True, related_name="operations", verbose_name=_("host countries")
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="operations",
        verbose_name=_("areas"),
        help_text=_("Sub-national areas of operation."),
    )
    start = models.DateField(_("start"))
    end = models.DateField(
        _("end"), null=True, blank=True, help_text=_("Empty while the operation goes on.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    funding = models.CharField(_("funding"), max_length=12, choices=Funding.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    sources = models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        help_text=_('Where facts come from: a list of {"fact", "citation", "url"}.'),
    )
    scenario_override = models.CharField(
        _("scenario override"),
        max_length=20,
        choices=Scenario.choices,
        blank=True,
        help_text=_("Set by a person, audited."),
    )
    override_justification = models.TextField(_("override justification"), blank=True)

    FIELDS = [
        "key",
        "name",
        "acronym",
        "aliases",
        "kind",
        "deploys_force",
        "framework",
        "framework_organisation",
        "lead_organisation",
        "lead_state",
        "host_countries",
        "areas",
        "start",
        "end",
        "status",
        "funding",
        "description",
        "sources",
    ]

    class Meta:
        ordering = ["start", "name"]
        indexes = [
            models.Index(fields=["start", "end"]),
            models.Index(fields=["key"]),
        ]

    def __str__(self) -> str:
        return self.acronym or self.name

    @property
    def label(self) -> str:
        return (
            f"{self.name} ({self.acronym})"
            if self.acronym and self.acronym != self.name
            else (self.name)
        )

    def effective_status(self, today: dt.date | None = None) -> str:
        today = today or dt.date.today()
        if self.status:
            return self.status
        if self.start > today:
            return Status.PLANNED
        return Status.CLOSED if self.end and self.end < today else Status.ACTIVE

    # Child rows of ``audit_extra`` that link to records (positions in each row), left out
    # of History for readers who may not see them (concord.core.history).
    AUDIT_LINKS = {"contributions": {1: "core.Organisation"}, "mandate": {0: "labour.Task"}}

    def audit_extra(self) -> dict:
        """Authorisations and contributions are part of the operation's history."""
        return {
            "authorisations": [
                [a.kind, a.reference, a.date.isoformat() if a.date else None, a.renewal]
                for a in self.authorisations.order_by("pk")
            ],
            "contributions": [
                [
                    c.contributor_state_id,
                    c.contributor_organisation_id,
                    c.date.isoformat() if c.date else None,
                    c.troops,
                    c.police,
                    c.civilians,
                ]
                for c in self.contributions.order_by("pk")
            ],
            # The mandated tasks (concord.labour) are part of the operation too.
            "mandate": [
                [m.task_id, m.source, m.paragraph, m.priority, _iso(m.start), _iso(m.end)]
                for m in self.mandate.order_by("pk")
            ]
            if hasattr(self, "mandate")
            else [],
        }

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = gettext("The end date is before the start date.")
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) for a in self.aliases):
            errors["aliases"] = gettext("Aliases must be a list of names.")
        if self.framework in MULTILATERAL and not self.framework_organisation_id:
            errors["framework_organisation"] = gettext(
                "Name the organisation that runs a UN or regional mission (e.g. UN, AU, EU)."
            )
        if self.framework == Framework.SINGLE_STATE and not self.lead_state_id:
            errors["lead_state"] = gettext("A single-state operation needs its lead state.")
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if self.scenario_override and not self.override_justification.strip():
            errors["override_justification"] = gettext(
                "Explain why the derived scenario is overridden."
            )
        if errors:
            raise ValidationError(errors)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


class AuthorisationKind(models.TextChoices):
    UNSC = "unsc", _("UN Security Council resolution")
    UNGA = "unga", _("UN General Assembly resolution")
    AU_PSC = "au_psc", _("AU Peace and Security Council communiqué")
    EU_COUNCIL = "eu_council", _("EU Council decision")
    REGIONAL = "regional", _("Other regional organisation decision")
    HOST_CONSENT = "host_consent", _("Host-state consent or invitation")
    AGREEMENT = "agreement", _("Peace agreement or treaty")
    NATIONAL = "national", _("National decision")


class Authorisation(ChoiceLabels, models.Model):
    """A mandate or its renewal: what authorised the operation, when, until when."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="authorisations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AuthorisationKind.choices)
    reference = models.CharField(
        _("reference"),
        max_length=200,
        help_text=_("e.g. 2100 (for S/RES/2100), PSC/PR/COMM.(CDXLIII)"),
    )
    date = models.DateField(_("date"), null=True, blank=True)
    renewal = models.BooleanField(_("renewal"), default=False)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        day = self.date or gettext("undated")
        if self.kind == AuthorisationKind.UNSC and self.reference.isdigit():
            return f"S/RES/{self.reference} ({day})"
        return f"{self.get_kind_display()} {self.reference} ({day})"


class Contribution(models.Model):
    """Personnel a state or organisation contributes, as of a date (figures change over time)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="contributions")
    contributor_state = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contributor state"),
    )
    contributor_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("contributor organisation"),
    )
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("Date of the figure."))
    troops = models.PositiveIntegerField(_("troops"), null=True, blank=True)
    police = models.PositiveIntegerField(_("police"), null=True, blank=True)
    civilians = models.PositiveIntegerField(_("civilians"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return gettext("Contribution to operation %(id)s (%(date)s)") % {
            "id": self.operation_id,
            "date": self.date or gettext("undated"),
        }

    def clean(self) -> None:
        if bool(self.contributor_state_id) == bool(self.contributor_organisation_id):
            raise ValidationError(
                {
                    "contributor_state": gettext(
                        "Give either a contributing state or an organisation."
                    )
                }
            )


class RelationKind(models.TextChoices):
    HANDED_OVER_TO = "handed_over_to", _("handed over to")
    OPERATES_ALONGSIDE = "operates_alongside", _("operates alongside")
    SUPPORTS = "supports", _("supports")
    INTEGRATED_INTO = "integrated_into", _("integrated into")


class CoordinationLevel(models.TextChoices):
    NONE = "none", _("None")
    DECONFLICTION = "deconfliction", _("Deconfliction")
    LIAISON = "liaison", _("Liaison")
    MECHANISM = "mechanism", _("Coordination mechanism")
    JOINT_PLANNING = "joint_planning", _("Joint planning")
    SHARED_GOVERNANCE = "shared_governance", _("Shared governance")


COORDINATION_RANK = {v: i for i, v in enumerate(CoordinationLevel.values)}


class Relation(ScopedModel):
    """``source`` <kind> ``target``: e.g. INTERFET handed over to UNTAET on 2000-02-23."""

    source = models.ForeignKey(
        Operation,
        on_delete=models.CASCADE,
        related_name="relations_out",
        verbose_name=_("source"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RelationKind.choices)
    target = models.ForeignKey(
        Operation,
        on_delete=models.CASCADE,
        related_name="relations_in",
        verbose_name=_("target"),
    )
    start = models.DateField(
        _("start"),
        null=True,
        blank=True,
        help_text=_("For a handover, the date of the handover."),
    )
    end = models.DateField(_("end"), null=True, blank=True)
    coordination_level = models.CharField(
        _("coordination level"), max_length=20, choices=CoordinationLevel.choices, blank=True
    )
    rehatting = models.BooleanField(
        _("rehatting"),
        default=False,
        help_text=_("Handover: troops changed helmets into the successor mission."),
    )
    note = models.TextField(_("note"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)

    FIELDS = [
        "source",
        "kind",
        "target",
        "start",
        "end",
        "coordination_level",
        "rehatting",
        "note",
        "sources",
    ]

    class Meta:
        ordering = ["start", "pk"]

    def __str__(self) -> str:
        # Never the names of its ends: either may be hidden from someone who sees the relation
        # (pages show them through the enforcement point instead).
        return gettext("Relation %(id)s: %(kind)s") % {
            "id": self.pk or gettext("new"),
            "kind": self.get_kind_display(),
        }

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.source_id and self.source_id == self.target_id:
            errors["target"] = gettext("An operation cannot relate to itself.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = gettext("The end date is before the start date.")
        if self.kind == RelationKind.HANDED_OVER_TO and not self.start:
            errors["start"] = gettext("Give the date of the handover.")
        if self.rehatting and self.kind != RelationKind.HANDED_OVER_TO:
            errors["rehatting"] = gettext("Re-hatting applies to a handover.")
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if errors:
            raise ValidationError(errors)
