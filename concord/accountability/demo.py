"""An illustrative accountability picture for the demo world: the webs of three operations
in Mali and a few reporting obligations with reports filed against them. The webs follow
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
    donors = services.save(
        ReportingObligation(
            reporter_organisation=dpo,
            body="donors",
            to_organisation=orgs.get("EU"),
            subject="Financial and human-rights compliance report to donors (demo)",
            every_days=30,
            first_due=monday - dt.timedelta(days=75),
            sources=_src("Illustrative monthly donor reporting", "demo"),
            **common,
        ),
        actor=actor,
    )
    filed = [
        # title, obligations, submitted (days from the Monday), status
        ("PoC update, first quarter (demo)", [quarterly], -298, "accepted"),
        ("PoC update, second quarter (demo)", [quarterly], -200, "accepted"),
        ("Combined PoC and donor report (demo)", [quarterly, donors], -112, "accepted"),
        ("Donor report, month two (demo)", [donors], -40, "returned"),
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
    return True
