"""Peace operations, what authorised them, who contributes, and how they relate to each other."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models

from concord.core.models import Area, Country, Organisation, ScopedModel
from concord.core.sources import sources_problem


class Kind(models.TextChoices):
    PEACEKEEPING = "peacekeeping", "Peacekeeping"
    POLITICAL = "political", "Special political mission"
    ENFORCEMENT = "enforcement", "Enforcement / intervention"
    STABILISATION = "stabilisation", "Stabilisation"
    TRAINING = "training", "Training"
    POLICE = "police", "Police / rule of law"
    OBSERVER = "observer", "Observer / monitoring"
    MARITIME = "maritime", "Maritime security"
    COUNTER_TERRORISM = "counter_terrorism", "Counter-terrorism"
    PROTECTION = "protection", "Protection / evacuation"


class Framework(models.TextChoices):
    UN = "un", "United Nations"
    REGIONAL = "regional", "Regional organisation"
    AD_HOC = "ad_hoc", "Ad hoc coalition of states"
    SINGLE_STATE = "single_state", "Single state"


MULTILATERAL = {Framework.UN, Framework.REGIONAL}


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Funding(models.TextChoices):
    ASSESSED = "assessed", "Assessed contributions"
    TRUST_FUND = "trust_fund", "Trust fund"
    VOLUNTARY = "voluntary", "Voluntary contributions"
    NATIONAL = "national", "National (contributors pay their own way)"
    MIXED = "mixed", "Mixed"


class Scenario(models.TextChoices):
    """Karlsrud & Reykers' four scenarios, plus the label for UN and regional missions."""

    STAND_ALONE = "stand_alone", "Stand-alone"
    SEQUENTIAL = "sequential", "Sequential"
    PARALLEL = "parallel", "Parallel"
    FULLY_INTEGRATED = "fully_integrated", "Fully integrated"
    MULTILATERAL = "multilateral", "Multilateral (UN or regional mission)"


class Operation(ScopedModel):
    key = models.SlugField(
        max_length=80,
        blank=True,
        help_text="A stable short key (e.g. 'minusma'), used to match rows on import.",
    )
    name = models.CharField(max_length=300)
    acronym = models.CharField(max_length=60, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names and acronyms.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    deploys_force = models.BooleanField(
        "deploys a force",
        default=True,
        help_text="Armed units (troops or formed police). Untick for missions that send "
        "people but no force: political and observer missions, support offices, advisers, "
        "trainers and civilian capacity-building. Only a UN or regional mission that deploys "
        "a force makes a coalition in its theatre parallel, or takes over from one.",
    )
    framework = models.CharField(max_length=20, choices=Framework.choices)
    framework_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The UN or the regional organisation that runs it (UN and regional missions).",
    )
    lead_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lead_state = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    host_countries = models.ManyToManyField(Country, blank=True, related_name="operations")
    areas = models.ManyToManyField(
        Area, blank=True, related_name="operations", help_text="Sub-national areas of operation."
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Empty while the operation goes on.")
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    funding = models.CharField(max_length=12, choices=Funding.choices, blank=True)
    description = models.TextField(blank=True)
    sources = models.JSONField(
        default=list,
        blank=True,
        help_text='Where facts come from: a list of {"fact", "citation", "url"}.',
    )
    scenario_override = models.CharField(
        max_length=20, choices=Scenario.choices, blank=True, help_text="Set by a person, audited."
    )
    override_justification = models.TextField(blank=True)

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
            errors["end"] = "The end date is before the start date."
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) for a in self.aliases):
            errors["aliases"] = "Aliases must be a list of names."
        if self.framework in MULTILATERAL and not self.framework_organisation_id:
            errors["framework_organisation"] = (
                "Name the organisation that runs a UN or regional mission (e.g. UN, AU, EU)."
            )
        if self.framework == Framework.SINGLE_STATE and not self.lead_state_id:
            errors["lead_state"] = "A single-state operation needs its lead state."
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if self.scenario_override and not self.override_justification.strip():
            errors["override_justification"] = "Explain why the derived scenario is overridden."
        if errors:
            raise ValidationError(errors)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


class AuthorisationKind(models.TextChoices):
    UNSC = "unsc", "UN Security Council resolution"
    UNGA = "unga", "UN General Assembly resolution"
    AU_PSC = "au_psc", "AU Peace and Security Council communiqué"
    EU_COUNCIL = "eu_council", "EU Council decision"
    REGIONAL = "regional", "Other regional organisation decision"
    HOST_CONSENT = "host_consent", "Host-state consent or invitation"
    AGREEMENT = "agreement", "Peace agreement or treaty"
    NATIONAL = "national", "National decision"


class Authorisation(models.Model):
    """A mandate or its renewal: what authorised the operation, when, until when."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="authorisations"
    )
    kind = models.CharField(max_length=20, choices=AuthorisationKind.choices)
    reference = models.CharField(
        max_length=200, help_text="e.g. 2100 (for S/RES/2100), PSC/PR/COMM.(CDXLIII)"
    )
    date = models.DateField(null=True, blank=True)
    renewal = models.BooleanField(default=False)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        if self.kind == AuthorisationKind.UNSC and self.reference.isdigit():
            return f"S/RES/{self.reference} ({self.date or 'undated'})"
        return f"{self.get_kind_display()} {self.reference} ({self.date or 'undated'})"


class Contribution(models.Model):
    """Personnel a state or organisation contributes, as of a date (figures change over time)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="contributions")
    contributor_state = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contributor_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(null=True, blank=True, help_text="Date of the figure.")
    troops = models.PositiveIntegerField(null=True, blank=True)
    police = models.PositiveIntegerField(null=True, blank=True)
    civilians = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"Contribution to operation {self.operation_id} ({self.date or 'undated'})"

    def clean(self) -> None:
        if bool(self.contributor_state_id) == bool(self.contributor_organisation_id):
            raise ValidationError(
                {"contributor_state": "Give either a contributing state or an organisation."}
            )


class RelationKind(models.TextChoices):
    HANDED_OVER_TO = "handed_over_to", "handed over to"
    OPERATES_ALONGSIDE = "operates_alongside", "operates alongside"
    SUPPORTS = "supports", "supports"
    INTEGRATED_INTO = "integrated_into", "integrated into"


class CoordinationLevel(models.TextChoices):
    NONE = "none", "None"
    DECONFLICTION = "deconfliction", "Deconfliction"
    LIAISON = "liaison", "Liaison"
    MECHANISM = "mechanism", "Coordination mechanism"
    JOINT_PLANNING = "joint_planning", "Joint planning"
    SHARED_GOVERNANCE = "shared_governance", "Shared governance"


COORDINATION_RANK = {v: i for i, v in enumerate(CoordinationLevel.values)}


class Relation(ScopedModel):
    """``source`` <kind> ``target``: e.g. INTERFET handed over to UNTAET on 2000-02-23."""

    source = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="relations_out")
    kind = models.CharField(max_length=20, choices=RelationKind.choices)
    target = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="relations_in")
    start = models.DateField(
        null=True, blank=True, help_text="For a handover, the date of the handover."
    )
    end = models.DateField(null=True, blank=True)
    coordination_level = models.CharField(
        max_length=20, choices=CoordinationLevel.choices, blank=True
    )
    rehatting = models.BooleanField(
        default=False, help_text="Handover: troops changed helmets into the successor mission."
    )
    note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)

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
        return f"Relation {self.pk or 'new'}: {self.get_kind_display()}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.source_id and self.source_id == self.target_id:
            errors["target"] = "An operation cannot relate to itself."
        if self.start and self.end and self.end < self.start:
            errors["end"] = "The end date is before the start date."
        if self.kind == RelationKind.HANDED_OVER_TO and not self.start:
            errors["start"] = "Give the date of the handover."
        if self.rehatting and self.kind != RelationKind.HANDED_OVER_TO:
            errors["rehatting"] = "Re-hatting applies to a handover."
        problem = sources_problem(self.sources)
        if problem:
            errors["sources"] = problem
        if errors:
            raise ValidationError(errors)
