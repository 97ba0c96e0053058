"""An illustrative accountability picture for the demo world: the webs of three operations
in Mali, a few reporting obligations with reports filed against them, and a due-diligence
case with conditional funding around AUSSOM in Somalia. The webs follow
public facts (cited); the obligations and reports are invented, dated around the day the
demo is loaded so that the reports-due page always has something overdue and coming up."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.core import services
from concord.core.context import Actor
from concord.core.models import Classification, Organisation, Releasability
from concord.operations.models import Operation

from .models import AccountabilityLine, Report, ReportingObligation


def _src(fact: str, citation: str, url: str = "") -> list[dict]:
    return [{"fact": fact, "citation": citation, "url": url}]


LINES = [
    # operation key, body, mechanism, frequency, start, end, source
    (
        "minusma",
        "security_council",
        "mandate_reporting",
        "every three months",
        dt.date(2013, 7, 1),
        dt.date(2023, 12, 31),
        _src(
            "The Secretary-General reports to the Council on MINUSMA",
            "S/RES/2100 (2013)",
            "https://undocs.org/S/RES/2100(2013)",
        ),
    ),
    (
        "minusma",
        "host_state",
        "sofa",
        "",
        dt.date(2013, 7, 1),
        dt.date(2023, 12, 31),
        _src("A status-of-forces agreement with Mali governs the mission", "S/RES/2100 (2013)"),
    ),
    (
        "minusma",
        "security_council",
        "human_rights_monitoring",
        "public reports",
        dt.date(2013, 7, 1),
        dt.date(2023, 12, 31),
        _src("Mandated to monitor and report on human-rights violations", "S/RES/2100 (2013)"),
    ),
    (
        "minusma",
        "local_population",
        "complaints",
        "standing (demo)",
        dt.date(2014, 1, 1),
        dt.date(2023, 12, 31),
        _src("Illustrative: community liaison and complaints channel", "demo"),
    ),
    (
        "g5s-jf",
        "au_psc",
        "mandate_reporting",
        "",
        dt.date(2017, 4, 13),
        None,
        _src(
            "The AU Peace and Security Council authorised the Joint Force", "PSC/PR/COMM(DCLXXIX)"
        ),
    ),
    (
        "g5s-jf",
        "security_council",
        "human_rights_monitoring",
        "",
        dt.date(2017, 12, 8),
        None,
        _src(
            "A human-rights and humanitarian-law compliance framework, with OHCHR",
            "S/RES/2391 (2017)",
            "https://undocs.org/S/RES/2391(2017)",
        ),
    ),
    (
        "barkhane",
        "host_state",
        "sofa",
        "",
        dt.date(2014, 8, 1),
        dt.date(2022, 8, 15),
        _src("Operates under the France–Mali status-of-forces agreement of 2013", "demo summary"),
    ),
]


def seed_accountability_demo(orgs: dict[str, Organisation]) -> bool:
    """Idempotent: does nothing once DPO owns an accountability line."""
    op = {o.key: o for o in Operation.objects.filter(key__in=["minusma", "g5s-jf", "barkhane"])}
    if len(op) < 3 or "DPO" not in orgs:
        return False
    dpo = orgs["DPO"]
    if AccountabilityLine.objects.filter(owner=dpo).exists():
        return True
    actor = Actor.system("seed-demo")
    common = {
        "owner": dpo,
        "classification": Classification.INTERNAL,
        "releasability": Releasability.SIGNED_IN,
    }
    for key, body, mechanism, freq, start, end, sources in LINES:
        services.save(
            AccountabilityLine(
                operation=op[key],
                body=body,
                mechanism=mechanism,
                frequency=freq,
                start=start,
                end=end,
                sources=sources,
                **common,
            ),
            actor=actor,
        )
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    quarterly = services.save(
        ReportingObligation(
            reporter_organisation=dpo,
            body="security_council",
            subject="Protection-of-civilians update (demo)",
            every_days=90,
            first_due=monday - dt.timedelta(days=300),
            grace_days=5,
            sources=_src("Illustrative quarterly obligation", "demo"),
            **common,
        ),
        actor=actor,
    )
    filed = [
        # title, obligations, submitted (days from the Monday), status
        ("PoC update, first quarter (demo)", [quarterly], -298, "accepted"),
        ("PoC update, second quarter (demo)", [quarterly], -200, "accepted"),
        ("PoC update, third quarter (demo)", [quarterly], -112, "accepted"),
    ]
    for title, obligations, days, status in filed:
        services.save(
            Report(
                title=title,
                submitted=monday + dt.timedelta(days=days),
                status=status,
                **common,
            ),
            actor=actor,
            m2m={"obligations": obligations},
        )
    seed_donor_reporting(orgs)
    seed_grant_reporting(orgs)
    seed_mali_units(orgs)
    return True


def seed_donor_reporting(orgs: dict[str, Organisation]) -> ReportingObligation | None:
    """The African Union reports monthly to the EU on the European Peace Facility's support
    to AUSSOM (illustrative obligation and reports): the EU's people review what the AU files
    (services.reporting), so one report is accepted, one returned, and the latest awaits the
    EU's review."""
    from concord.core.models import User

    au, eu = orgs.get("AU"), orgs.get("EU")
    aussom = Operation.objects.filter(key="aussom").first()
    if au is None or eu is None or aussom is None:
        return None
    found = ReportingObligation.objects.filter(owner=au, body="donors").first()
    if found is not None:
        return found
    actor = Actor.system("seed-demo")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    shared = {
        "owner": au,
        "classification": Classification.INTERNAL,
        "releasability": Releasability.ORGANISATIONS,
    }
    m2m = {"shared_organisations": [o for o in (eu, orgs.get("EEAS"), orgs.get("DPO")) if o]}
    obligation = services.save(
        ReportingObligation(
            reporter_operation=aussom,
            body="donors",
            to_organisation=eu,
            subject="AUSSOM financial and human-rights compliance report to the EU (demo)",
            every_days=30,
            first_due=monday - dt.timedelta(days=75),
            grace_days=5,
            sources=_src(
                "Illustrative monthly reporting under the European Peace Facility's support",
                "demo",
            ),
            **shared,
        ),
        actor=actor,
        m2m=m2m,
    )
    reviewer = User.objects.filter(username="eu.editor").first()
    # title, period covered and submitted (days from the Monday), status, the EU's note
    for title, (start, end, days), status, note in [
        ("Donor report, month one (demo)", (-105, -75, -72), "accepted", "Complete (demo)."),
        (
            "Donor report, month two (demo)",
            (-75, -45, -40),
            "returned",
            "Annex on detention visits missing; please add it (demo).",
        ),
        ("Donor report, month three (demo)", (-45, -15, -8), "submitted", ""),
    ]:
        submitted = monday + dt.timedelta(days=days)
        period = {
            "period_start": monday + dt.timedelta(days=start),
            "period_end": monday + dt.timedelta(days=end),
        }
        review = {}
        if status != "submitted" and reviewer is not None:
            review = {
                "reviewed_by": reviewer,
                "reviewed_at": timezone.make_aware(
                    dt.datetime.combine(submitted + dt.timedelta(days=6), dt.time(10))
                ),
                "review_note": note,
            }
        services.save(
            Report(title=title, submitted=submitted, status=status, **period, **review, **shared),
            actor=actor,
            m2m={"obligations": [obligation], **m2m},
        )
    return obligation


def seed_grant_reporting(orgs: dict[str, Organisation]) -> ReportingObligation | None:
    """HD reports every six months to Norad on a mediation grant (illustrative): the latest
    report awaits Norad's review, and the next one is coming up for HD."""
    from concord.core.models import User

    hd, norad = orgs.get("HD"), orgs.get("Norad")
    if hd is None or norad is None:
        return None
    found = ReportingObligation.objects.filter(owner=hd, to_organisation=norad).first()
    if found is not None:
        return found
    actor = Actor.system("seed-demo")
    today = timezone.localdate()
    common = {
        "owner": hd,
        "classification": Classification.INTERNAL,
        "releasability": Releasability.ORGANISATIONS,
    }
    m2m = {"shared_organisations": [norad]}
    obligation = services.save(
        ReportingObligation(
            reporter_organisation=hd,
            body="donors",
            to_organisation=norad,
            subject="Narrative and financial report on the Sahel mediation grant (demo)",
            every_days=182,
            first_due=today - dt.timedelta(days=182 + 20),
            grace_days=14,
            sources=_src("Illustrative grant agreement between Norad and HD", "demo"),
            **common,
        ),
        actor=actor,
        m2m=m2m,
    )
    reviewer = User.objects.filter(username="norad.editor").first()
    for title, (start, end, days), status in [
        ("Grant report, first half-year (demo)", (-384, -202, -196), "accepted"),
        ("Grant report, second half-year (demo)", (-202, -20, -16), "submitted"),
    ]:
        review = {}
        if status == "accepted" and reviewer is not None:
            review = {
                "reviewed_by": reviewer,
                "reviewed_at": timezone.make_aware(
                    dt.datetime.combine(today + dt.timedelta(days=days + 9), dt.time(11))
                ),
                "review_note": "Accepted (demo).",
            }
        services.save(
            Report(
                title=title,
                period_start=today + dt.timedelta(days=start),
                period_end=today + dt.timedelta(days=end),
                submitted=today + dt.timedelta(days=days),
                status=status if review else "submitted",
                **review,
                **common,
            ),
            actor=actor,
            m2m={"obligations": [obligation], **m2m},
        )
    return obligation


def seed_mali_units(orgs: dict[str, Organisation]) -> None:
    """Security-force units in central Mali that partners may report allegations against
    (the Mopti mediators among them): the national army (a public fact) and an invented
    sector battalion."""
    from concord.core.models import Country

    from .models import SecurityUnit

    dpo, mali = orgs.get("DPO"), Country.objects.filter(alpha3="MLI").first()
    if dpo is None or mali is None or SecurityUnit.objects.filter(country=mali).exists():
        return
    actor = Actor.system("seed-demo")
    shared = {
        "owner": dpo,
        "classification": Classification.INTERNAL,
        "releasability": Releasability.SIGNED_IN,
    }
    fama = services.save(
        SecurityUnit(
            name="Forces armées maliennes (FAMa)",
            country=mali,
            note="Mali's armed forces.",
            **shared,
        ),
        actor=actor,
    )
    services.save(
        SecurityUnit(name="Mopti sector battalion (demo)", country=mali, parent=fama, **shared),
        actor=actor,
    )


def seed_due_diligence_demo(orgs: dict[str, Organisation]) -> bool:
    """An invented due-diligence case and conditional funding around a mission running today
    (AUSSOM, the AU's mission in Somalia, which the UN supports and the EU funds through the
    European Peace Facility), all marked (demo), walked through real decisions by the
    services so the rules apply: UN support to a Somali army battalion approved with
    conditions and active, then a credible allegation opens a review, an intercession runs
    past its deadline, and the EU's tranche conditioned on it is held. The case is the UN's
    record; the money is the EU's (its people propose and approve releases), shared with the
    AU, which sees why a tranche is held. Idempotent."""
    from concord.core.models import Country, User

    from .models import (
        Allegation,
        Commitment,
        Condition,
        FundingInstrument,
        Intercession,
        MitigatingMeasure,
        RiskAssessment,
        SecurityUnit,
        SupportCase,
        Tranche,
    )
    from .services import cases as case_services
    from .services import funding as funding_services

    op = Operation.objects.filter(key="aussom").first()
    somalia = Country.objects.filter(alpha3="SOM").first()
    if op is None or somalia is None or not {"DPO", "EU", "AU"} <= set(orgs):
        return False
    dpo, eu = orgs["DPO"], orgs["EU"]
    if SupportCase.objects.filter(owner=dpo).exists():
        return True
    actor = Actor.system("seed-demo")
    today = timezone.localdate()
    conf = {
        "owner": dpo,
        "classification": Classification.CONFIDENTIAL,
        "releasability": Releasability.ORGANISATIONS,
    }
    partners = [orgs[a] for a in ("EEAS", "EU", "AU", "DPO") if a in orgs]
    shared = {"shared_organisations": partners}

    def save(obj, **kw):
        return services.save(obj, actor=actor, m2m=shared, **kw)

    # The case's decisions are a human-rights officer's (DPO's editor), not the system's.
    officer_user = User.objects.filter(username="dpo.editor").first()
    officer = Actor(user=officer_user, interface="system") if officer_user else actor

    force = save(SecurityUnit(name="Southern Sector Command (demo)", country=somalia, **conf))
    battalion = save(
        SecurityUnit(name="14th Light Battalion (demo)", country=somalia, parent=force, **conf)
    )
    case = save(
        SupportCase(
            title="Fuel and rations for the 14th Light Battalion (demo)",
            operation=op,
            provider=dpo,
            unit=battalion,
            kind="logistics",
            description="Fuel and dry rations for joint operations with AUSSOM (illustrative).",
            value=250000,
            currency="USD",
            start=today - dt.timedelta(days=200),
            **conf,
        )
    )
    save(
        RiskAssessment(
            case=case,
            recipient_record="Two unresolved allegations against the parent force (illustrative).",
            corrective_steps="A vetting cell was set up; two officers suspended.",
            leverage="High: the battalion depends on the fuel for its patrols.",
            mitigation_feasibility="Human-rights training and monitoring are feasible.",
            withholding_risk="Joint operations would stop; the supply road to Baidoa unprotected.",
            rating="medium",
            decision="approved_with_conditions",
            rationale="Support with conditions: training first, monthly monitoring visits.",
            assessed_on=today - dt.timedelta(days=190),
            expires_on=today + dt.timedelta(days=175),
            **conf,
        )
    )
    case_services.decide(
        case,
        "approved_with_conditions",
        "As assessed: support with training and monitoring (demo).",
        actor=officer,
        on=today - dt.timedelta(days=185),
    )
    case_services.decide(
        case,
        "active",
        "Conditions in place; support starts (demo).",
        actor=officer,
        on=today - dt.timedelta(days=180),
    )
    save(
        MitigatingMeasure(
            case=case,
            description="Human-rights and IHL training for all company commanders (demo)",
            responsible=dpo,
            deadline=today - dt.timedelta(days=120),
            done_on=today - dt.timedelta(days=125),
            evidence="Attendance lists of four sessions (demo).",
            **conf,
        )
    )
    save(
        MitigatingMeasure(
            case=case,
            description="Monthly joint monitoring visit to detention facilities (demo)",
            responsible=dpo,
            deadline=today - dt.timedelta(days=10),
            **conf,
        )
    )
    save(
        Allegation(
            unit=battalion,
            violation="arbitrary_detention",
            confidence="credible",
            summary="Detention of 14 villagers without charge after a patrol (demo).",
            source="Demo witness W-3 via a human-rights officer",
            occurred_from=today - dt.timedelta(days=70),
            occurred_to=today - dt.timedelta(days=68),
            place_name="Near Baidoa (demo)",
            recorded=today - dt.timedelta(days=60),
            **conf,
        )
    )  # opens the review on its own
    case_services.decide(
        case,
        "intercession",
        "Raise the detentions with the battalion commander and the ministry (demo).",
        actor=officer,
        on=today - dt.timedelta(days=55),
    )
    save(
        Intercession(
            case=case,
            raised_on=today - dt.timedelta(days=55),
            raised_with="Battalion commander and Ministry of Defence (demo)",
            what="Release or charge the 14 detainees; access for monitors.",
            deadline=today - dt.timedelta(days=25),
            **conf,
        )
    )
    # Funding: the EU conditions its support on compliance. The money is the EU's: its
    # records are the EU's and its people decide; the AU and the UN see them.
    money = {
        "owner": eu,
        "classification": Classification.CONFIDENTIAL,
        "releasability": Releasability.ORGANISATIONS,
    }
    epf = save(
        FundingInstrument(
            name="European Peace Facility",
            kind="peace_facility",
            manager=eu,
            sources=_src(
                "Off-budget instrument financing military support, with a compliance framework",
                "Council Decision (CFSP) 2021/509",
                "https://eur-lex.europa.eu/eli/dec/2021/509/oj",
            ),
            owner=eu,
            classification=Classification.INTERNAL,
            releasability=Releasability.SIGNED_IN,
        )
    )
    commitment = save(
        Commitment(
            instrument=epf,
            donor=eu,
            recipient_operation=op,
            amount=3000000,
            currency="EUR",
            purpose="Troop allowances and logistics for AUSSOM (demo)",
            signed=today - dt.timedelta(days=240),
            **money,
        )
    )
    first = save(
        Tranche(
            commitment=commitment,
            label="Tranche 1 (demo)",
            amount=1000000,
            planned=today - dt.timedelta(days=150),
            **money,
        )
    )
    second = save(
        Tranche(
            commitment=commitment,
            label="Tranche 2 (demo)",
            amount=1000000,
            planned=today - dt.timedelta(days=5),
            **money,
        )
    )
    obligation = seed_donor_reporting(orgs)
    for kind, extra in [
        ("no_case_suspended", {}),
        ("no_grave_allegation", {"days": 90}),
        ("measures_on_time", {}),
    ]:
        save(Condition(tranche=second, kind=kind, **extra, **money))
    if obligation is not None:
        monday = today - dt.timedelta(days=today.weekday())
        save(
            Condition(
                tranche=second,
                kind="report_accepted",
                obligation=obligation,
                period_start=monday - dt.timedelta(days=75),
                period_end=monday - dt.timedelta(days=45),
                **money,
            )
        )
    save(
        Tranche(
            commitment=commitment,
            label="Tranche 3 (demo)",
            amount=1000000,
            planned=today + dt.timedelta(days=90),
            **money,
        )
    )
    # Tranche 1 was released on four eyes, by the donor's people: the EU's editor proposed,
    # its manager approved.
    editor = User.objects.filter(username="eu.editor").first()
    manager = User.objects.filter(username="eu.manager").first()
    if editor and manager:
        d = funding_services.propose(
            first,
            "release",
            "First tranche: no condition attached (demo).",
            actor=Actor(user=editor, interface="system"),
        )
        funding_services.decide(
            d, True, "Checked the evaluation (demo).", actor=Actor(user=manager, interface="system")
        )
        # Awaiting the EU's manager: a waiver of the monitoring-visit condition, proposed by
        # its editor because the visit was postponed for security reasons.
        visit = Condition.objects.filter(tranche=second, kind="measures_on_time").first()
        if visit is not None:
            funding_services.propose(
                second,
                "waiver",
                "The monitoring visit was postponed by the mission for security reasons; the "
                "new date is agreed (demo).",
                condition=visit,
                actor=Actor(user=editor, interface="system"),
            )
    return True


def demo(orgs: dict[str, Organisation]) -> None:
    """`concord seed demo`'s part for accountability (silent: it needs the catalogue, as the
    division of labour's part, which says so)."""
    seed_accountability_demo(orgs)
    seed_due_diligence_demo(orgs)
