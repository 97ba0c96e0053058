"""The reference catalogue of peace operations since 1948, written for Concord from the public
record (one source per row: see ``sources.csv``), and its loader.

The files are compact for people to maintain; the loader turns them into the operation and
relation import columns and loads them through the same all-or-nothing importer as a user's
file, so every row is validated and audited. Rows are matched on their ``key`` (operations)
or on their ends, kind and date (relations): re-running updates, never duplicates.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from concord.core import services
from concord.core.context import Actor
from concord.core.importers import SPECS, import_table
from concord.core.models import Classification, Country, Organisation, Releasability
from concord.core.seed import OWNER_ACRONYM, catalogue_owner
from concord.exchange.tabular import Table

HERE = Path(__file__).parent
# Who pays, where the framework tells (assessed UN budgets; states paying their own way).
FUNDING = {"un": "assessed", "single_state": "national", "ad_hoc": "national"}
FUNDING_BY_KEY = {"mss-haiti": "trust_fund", "gsf-haiti": "mixed", "amisom": "mixed"}


def read(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def ensure_organisations(actor: Actor) -> dict[str, Organisation]:
    """The organisations that run or lead catalogue operations (reused when present)."""
    out = {}
    for row in read("organisations.csv"):
        org = Organisation.objects.filter(acronym=row["acronym"]).order_by("pk").first()
        if org is None:
            org = services.save(
                Organisation(
                    name=row["name"],
                    acronym=row["acronym"],
                    kind=row["kind"],
                    country=Country.objects.filter(alpha3=row["country"]).first(),
                    website=row["website"],
                    aliases=[a for a in row["aliases"].split(";") if a],
                    classification=Classification.PUBLIC,
                    releasability=Releasability.PUBLIC,
                ),
                actor=actor,
            )
        out[row["acronym"]] = org
    return out


def _sources(keys: str, table: dict[str, dict], fact: str) -> list[str]:
    out = []
    for key in [k for k in keys.split(";") if k]:
        src = table[key]
        out.append(f"{fact} | {src['citation'].replace(';', ',')} | {src['url']}")
    return out


def _authorisations(value: str) -> tuple[list[str], list[str]]:
    auths, sources = [], []
    for item in [v.strip() for v in value.split(";") if v.strip()]:
        parts = item.split()
        kind, ref, day = parts[0], parts[1], parts[2] if len(parts) > 2 else ""
        renewal = "renewal" if len(parts) > 3 and parts[3] == "renewal" else ""
        auths.append(" | ".join([kind, ref, day, renewal]).rstrip(" |"))
        if kind == "unsc":
            year = day[:4]
            sources.append(
                f"authorisation | S/RES/{ref} ({year}) | https://undocs.org/S/RES/{ref}({year})"
            )
    return auths, sources


def operation_rows() -> list[dict[str, str]]:
    """The catalogue's operations, in the operation import columns."""
    srcs = {s["id"]: s for s in read("sources.csv")}
    rows = []
    for r in read("operations.csv"):
        auths, auth_sources = _authorisations(r["auth"])
        lead = r["lead"]
        lead_is_state = len(lead) == 3 and lead.isupper()
        multilateral = r["framework"] in ("un", "regional")
        rows.append(
            {
                "key": r["key"],
                "name": r["name"],
                "acronym": r["acronym"],
                "kind": r["kind"],
                "deploys_force": r["force"],
                "framework": r["framework"],
                "framework_organisation": r["org"] if multilateral else "",
                "lead_organisation": r["org"] if not multilateral else "",
                "lead_state": lead if lead_is_state else "",
                "host_countries": r["hosts"],
                "start": r["start"],
                "end": r["end"],
                "funding": FUNDING_BY_KEY.get(r["key"], FUNDING.get(r["framework"], "")),
                "authorisations": "; ".join(auths),
                "description": r["note"],
                "sources": "; ".join(
                    _sources(r["src"], srcs, "dates, framework, hosts") + auth_sources
                ),
                "owner": OWNER_ACRONYM,
                "classification": "public",
                "releasability": "public",
            }
        )
    return rows


def relation_rows() -> list[dict[str, str]]:
    srcs = {s["id"]: s for s in read("sources.csv")}
    return [
        {
            "source": r["source"],
            "kind": r["kind"],
            "target": r["target"],
            "start": r["start"],
            "end": r["end"],
            "coordination_level": r["level"],
            "rehatting": r["rehatting"],
            "note": r["note"],
            "sources": "; ".join(_sources(r["src"], srcs, "relation")),
            "owner": OWNER_ACRONYM,
            "classification": "public",
            "releasability": "public",
        }
        for r in read("relations.csv")
    ]


def _table(rows: list[dict[str, str]]) -> Table:
    headers = list(rows[0]) if rows else []
    return Table(headers, [(i, row) for i, row in enumerate(rows, start=2)])


@transaction.atomic
def seed_catalogue() -> dict[str, int]:
    """Load or refresh the catalogue. Returns counts of operations and relations."""
    from concord.core.seed import seed_reference

    if not Country.objects.exists():
        seed_reference()
    actor = Actor.system("seed-catalogue")
    catalogue_owner()
    ensure_organisations(actor)
    ops = import_table(SPECS["operations"], _table(operation_rows()), "operations.csv", actor=actor)
    rels = import_table(SPECS["relations"], _table(relation_rows()), "relations.csv", actor=actor)
    return {"operations": len(ops), "relations": len(rels)}


def catalogue() -> str:
    """`concord seed catalogue`'s sentence for the operations."""
    counts = seed_catalogue()
    return (
        f"Catalogue: {counts['operations']} operations and {counts['relations']} "
        "relations loaded or refreshed."
    )
