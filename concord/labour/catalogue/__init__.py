"""The task catalogue, the clash rules and the mandates of catalogue operations, written for
Concord from the public record (each mandated task cites its resolution or decision), and an
illustrative division of labour in Mali for the demo world.

Loaded through the same importers and services as a user's data: validated and audited;
re-running updates rather than duplicates.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from concord.core import services as core_services
from concord.core.context import Actor
from concord.core.importers import import_table
from concord.core.models import Area, Classification, Country, Organisation, Releasability
from concord.core.seed import OWNER_ACRONYM, catalogue_owner
from concord.exchange.tabular import Table
from concord.operations.models import Operation

from .. import services
from ..exchange import SPECS
from ..models import Arrangement, Assignment, ClashRule, Need, Priority, Task

HERE = Path(__file__).parent


def read(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _public(row: dict) -> dict:
    return {**row, "owner": OWNER_ACRONYM, "classification": "public", "releasability": "public"}


def _table(rows):
    return Table(list(rows[0]), [(i, r) for i, r in enumerate(rows, start=2)])


def _date(value: str):
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def seed_labour_catalogue() -> dict[str, int]:
    actor = Actor.system("seed-catalogue")
    catalogue_owner()
    tasks = [
        _public({k: r[k] for k in ("code", "name", "parent", "description", "hxl_sectors")})
        for r in read("tasks.csv")
    ]
    # Parents first: a row may only name a parent loaded before it.
    import_table(SPECS["tasks"], _table(tasks), "tasks.csv", actor=actor)
    by_code = {t.code: t for t in Task.objects.all()}
    rules = 0
    for r in read("clash_rules.csv"):
        a, b = by_code[r["task_a"]], by_code[r["task_b"]]
        rule = ClashRule.objects.filter(task_a=a, task_b=b).first() or ClashRule(
            task_a=a,
            task_b=b,
            owner=catalogue_owner(),
            classification=Classification.PUBLIC,
            releasability=Releasability.PUBLIC,
        )
        rule.reason = r["reason"]
        core_services.save(rule, actor=actor)
        rules += 1
    mandates: dict[str, list[dict]] = defaultdict(list)
    for r in read("mandates.csv"):
        mandates[r["operation"]].append(
            {
                "task": by_code[r["task"]],
                "source": r["source"],
                "paragraph": r["paragraph"],
                "priority": r["priority"] or Priority.OTHER,
                "start": _date(r["start"]),
                "end": _date(r["end"]),
            }
        )
    ops = 0
    for key, rows in mandates.items():
        op = Operation.objects.filter(key=key).first()
        if op is not None:
            services.save_mandate(op, rows, actor=actor)
            ops += 1
    return {"tasks": len(tasks), "clash_rules": rules, "mandates": ops}


DEMO_ORGS = [
    ("OCHA", "UN Office for the Coordination of Humanitarian Affairs", "un_entity"),
    ("WFP", "World Food Programme", "un_entity"),
    ("UNICEF", "United Nations Children's Fund", "un_entity"),
]


# Where the 4W map puts Mali's regions in the demo: each at its capital (approximate public
# coordinates of the towns; the registry holds no region boundaries).
REGION_POINTS = {
    "ML-1": (14.45, -11.44),  # Kayes
    "ML-2": (12.86, -7.56),  # Koulikoro
    "ML-3": (11.32, -5.67),  # Sikasso
    "ML-4": (13.43, -6.26),  # Ségou
    "ML-5": (14.49, -4.18),  # Mopti
    "ML-6": (16.77, -3.01),  # Tombouctou
    "ML-7": (16.27, -0.04),  # Gao
    "ML-8": (18.44, 1.41),  # Kidal
    "ML-9": (15.92, 2.40),  # Ménaka
    "ML-10": (22.68, -3.98),  # Taoudénit
    "ML-BKO": (12.64, -8.00),  # Bamako
}


def seed_labour_demo(orgs: dict[str, Organisation]) -> bool:
    """An illustrative division of labour in Mali, 2019–2021: who does what in each region.
    Invented for the demo (not a record of what happened), to show every kind of finding.

    It needs the operations catalogue (MINUSMA, Barkhane, the G5 Sahel Joint Force): without
    it, nothing is written and False comes back, so a later run after ``seed catalogue``
    still builds the whole picture rather than half of it."""
    op = {o.key: o for o in Operation.objects.filter(key__in=["minusma", "barkhane", "g5s-jf"])}
    if len(op) < 3:
        return False
    if Assignment.objects.filter(owner=orgs["DPO"]).exists():
        return True
    if not Task.objects.exists():
        seed_labour_catalogue()
    actor = Actor.system("seed-demo")
    for acronym, name, kind in DEMO_ORGS:
        if acronym not in orgs:
            org = Organisation.objects.filter(acronym=acronym).order_by("pk").first()
            orgs[acronym] = org or core_services.save(
                Organisation(
                    name=name,
                    acronym=acronym,
                    kind=kind,
                    classification=Classification.PUBLIC,
                    releasability=Releasability.PUBLIC,
                ),
                actor=actor,
            )
    mli = Country.objects.get(alpha3="MLI")
    area = {a.iso_code: a for a in Area.objects.filter(country=mli, level=1)}
    for iso, (lat, lon) in REGION_POINTS.items():
        if iso in area and area[iso].latitude is None:
            area[iso].latitude, area[iso].longitude = lat, lon
            core_services.save(area[iso], actor=actor)
    task = {t.code: t for t in Task.objects.all()}
    d = dt.date
    rows = [
        # who (org acronym or operation key), task, area ISO code, start, end, role, owner
        ("minusma", "poc", "ML-7", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("minusma", "poc", "ML-6", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("minusma", "poc", "ML-5", d(2019, 7, 1), d(2021, 12, 31), "lead", "DPO"),
        ("minusma", "governance", "", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("minusma", "human_rights", "", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("minusma", "ceasefire_monitoring", "ML-8", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("barkhane", "counter_terrorism", "ML-7", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("barkhane", "counter_terrorism", "ML-9", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("g5s-jf", "counter_terrorism", "ML-5", d(2020, 1, 1), d(2021, 12, 31), "lead", "AU"),
        ("g5s-jf", "counter_terrorism", "ML-7", d(2020, 6, 1), d(2021, 12, 31), "lead", "AU"),
        ("WFP", "humanitarian_access", "ML-7", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("WFP", "food_security", "ML-5", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("OCHA", "coordination", "", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("UNICEF", "education", "ML-5", d(2019, 1, 1), d(2021, 12, 31), "lead", "DPO"),
        ("HD", "good_offices", "ML-5", d(2019, 3, 1), d(2021, 6, 30), "lead", "HD"),
        ("EU", "training", "", d(2019, 1, 1), d(2021, 12, 31), "support", "DPO"),
        ("Norad", "good_offices", "ML-5", d(2019, 3, 1), d(2021, 6, 30), "funder", "Norad"),
    ]
    for who, code, iso, start, end, role, owner in rows:
        if who not in orgs and who not in op:
            continue
        core_services.save(
            Assignment(
                organisation=orgs.get(who),
                operation=op.get(who),
                task=task[code],
                country=mli,
                area=area.get(iso),
                start=start,
                end=end,
                role=role,
                owner=orgs[owner],
                classification=Classification.INTERNAL,
                releasability=Releasability.SIGNED_IN,
            ),
            actor=actor,
        )
    core_services.save(
        Need(
            task=task["mine_action"],
            country=mli,
            area=area.get("ML-5"),
            start=d(2020, 1, 1),
            end=d(2021, 12, 31),
            description="Explosive ordnance on the Mopti–Douentza road (demo need).",
            owner=orgs["DPO"],
            classification=Classification.INTERNAL,
            releasability=Releasability.SIGNED_IN,
        ),
        actor=actor,
    )
    core_services.save(
        Arrangement(
            kind="liaison",
            title="MINUSMA–Barkhane liaison and deconfliction (demo)",
            start=d(2019, 1, 1),
            end=d(2021, 12, 31),
            note="Liaison officers and deconfliction of movements.",
            owner=orgs["DPO"],
            classification=Classification.INTERNAL,
            releasability=Releasability.SIGNED_IN,
        ),
        actor=actor,
        m2m={"operations": [op["minusma"], op["barkhane"]], "countries": [mli]},
    )
    _somalia_today(orgs, task, actor)
    return True


def _somalia_today(orgs: dict, task: dict, actor: Actor) -> None:
    """Who does what in Somalia today (illustrative): AUSSOM leads stabilisation in the Bay
    region, and a need for mediation support around Baidoa that nobody has taken up yet (the
    UN's Mediation Support Unit can answer it with an assignment)."""
    som = Country.objects.filter(alpha3="SOM").first()
    aussom = Operation.objects.filter(key="aussom").first()
    if som is None or aussom is None or not {"AU", "DPO"} <= set(orgs):
        return
    bay = Area.objects.filter(country=som, iso_code="SO-BY").first()
    today = timezone.localdate()
    common = {"classification": Classification.INTERNAL, "releasability": Releasability.SIGNED_IN}
    core_services.save(
        Assignment(
            operation=aussom,
            task=task["stabilisation"],
            country=som,
            area=bay,
            start=aussom.start,
            role="lead",
            owner=orgs["AU"],
            **common,
        ),
        actor=actor,
    )
    core_services.save(
        Need(
            task=task["good_offices"],
            country=som,
            area=bay,
            start=today - dt.timedelta(days=60),
            description="Mediation support to clan reconciliation around Baidoa, asked for by "
            "the South West State administration (demo need).",
            owner=orgs["DPO"],
            **common,
        ),
        actor=actor,
    )


def catalogue() -> str:
    """`concord seed catalogue`'s sentence for the task catalogue and the mandates."""
    counts = seed_labour_catalogue()
    return (
        f"Tasks: {counts['tasks']} tasks, {counts['clash_rules']} clash rules and the "
        f"mandates of {counts['mandates']} operations loaded or refreshed."
    )


def demo(orgs: dict[str, Organisation]) -> str | None:
    if seed_labour_demo(orgs):
        return None
    return (
        "Division-of-labour demo not loaded: it needs the operations catalogue. Run "
        "`concord seed catalogue`, then `concord seed demo` again."
    )
