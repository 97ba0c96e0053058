"""Reference data (ISO 3166 countries and subdivisions) and the demo world.

Both are idempotent: re-running changes nothing that is already there.
"""

from __future__ import annotations

from django.db import transaction

from . import audit, services
from .context import Actor
from .m49 import region_of
from .models import (
    Area,
    Classification,
    Country,
    Organisation,
    Person,
    Releasability,
    Role,
    Space,
    User,
)

REFERENCE_ORG = "ISO"


@transaction.atomic
def seed_reference(progress=None) -> dict[str, int]:  # noqa: C901  (to split: issue 15)
    import pycountry

    actor = Actor.system("seed-reference")
    created = {"countries": 0, "former_countries": 0, "areas": 0, "updated": 0}
    existing = {c.alpha3: c for c in Country.objects.all()}
    new, changed = [], []

    def upsert(values: dict, kind: str):
        current = existing.get(values["alpha3"])
        if current is None:
            new.append(Country(**values))
            created[kind] += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            changed.append(current)

    for c in pycountry.countries:
        region, subregion = region_of(c.alpha_3)
        upsert(
            {
                "alpha3": c.alpha_3,
                "alpha2": c.alpha_2,
                "numeric": c.numeric,
                "name": getattr(c, "common_name", None) or c.name,
                "official_name": getattr(c, "official_name", "") or "",
                "m49_region": region,
                "m49_subregion": subregion,
                "historical": False,
                "withdrawn": "",
            },
            "countries",
        )
    current_codes = {c.alpha_3 for c in pycountry.countries}
    for h in pycountry.historic_countries:
        if h.alpha_3 in current_codes:
            continue  # e.g. ATF was reused; the current meaning wins
        region, subregion = region_of(h.alpha_3)
        upsert(
            {
                "alpha3": h.alpha_3,
                "alpha2": "",
                "numeric": getattr(h, "numeric", "") or "",
                "name": h.name,
                "official_name": "",
                "m49_region": region,
                "m49_subregion": subregion,
                "historical": True,
                "withdrawn": getattr(h, "withdrawal_date", "") or "",
            },
            "former_countries",
        )
    # Not in ISO 3166 but needed for operations since 1999 (UNMIK, KFOR, EULEX): the
    # user-assigned code the EU, the IMF and the World Bank use for Kosovo.
    upsert(
        {
            "alpha3": "XKX",
            "alpha2": "XK",
            "numeric": "",
            "name": "Kosovo",
            "official_name": "Kosovo (under UN Security Council resolution 1244)",
            "m49_region": "Europe",
            "m49_subregion": "Southern Europe",
            "historical": False,
            "withdrawn": "",
        },
        "countries",
    )
    Country.objects.bulk_create(new)
    audit.record_bulk(actor, "create", new)
    if changed:
        for c in changed:
            audit.record(actor, "update", c, {"reference": [None, "pycountry update"]})
            c.save()
        created["updated"] = len(changed)

    iso = reference_organisation()
    countries = {c.alpha2: c for c in Country.objects.filter(historical=False)}
    have = set(Area.objects.exclude(iso_code="").values_list("iso_code", flat=True))
    subs = sorted(pycountry.subdivisions, key=lambda s: s.code)
    by_code = {s.code: s for s in subs}

    def depth(s) -> int:
        d, node = 1, s
        while getattr(node, "parent_code", None) and node.parent_code in by_code:
            node, d = by_code[node.parent_code], d + 1
        return d

    for level in (1, 2, 3):
        batch = [s for s in subs if depth(s) == level and s.code not in have]
        parents = (
            {a.iso_code: a for a in Area.objects.filter(level=level - 1, owner=iso)}
            if level > 1
            else {}
        )
        areas = []
        for s in batch:
            country = countries.get(s.country_code)
            if country is None:
                continue
            areas.append(
                Area(
                    name=s.name,
                    country=country,
                    level=level,
                    parent=parents.get(s.parent_code) if level > 1 else None,
                    iso_code=s.code,
                    subdivision_type=s.type,
                    owner=iso,
                    classification=Classification.PUBLIC,
                    releasability=Releasability.PUBLIC,
                )
            )
        Area.objects.bulk_create(areas, batch_size=1000)
        audit.record_bulk(actor, "create", areas)
        created["areas"] += len(areas)
        if progress:
            progress(len(areas))
    return created


# The owner of the reference catalogues every capability ships (`concord seed catalogue`).
OWNER_ACRONYM = "CONCORD-CAT"


def catalogue_owner() -> Organisation:
    """The organisation that owns every capability's reference catalogue (public records
    written from the public record, one source per row)."""
    org = Organisation.objects.filter(acronym=OWNER_ACRONYM).first()
    if org is None:
        org = services.save(
            Organisation(
                name="Concord reference catalogue",
                acronym=OWNER_ACRONYM,
                kind="other",
                description=(
                    "Owner of the reference catalogue of peace operations shipped with Concord, "
                    "written from the public record with a source for each row."
                ),
                classification=Classification.PUBLIC,
                releasability=Releasability.PUBLIC,
            ),
            actor=Actor.system("seed-catalogue"),
        )
    return org


def reference_organisation() -> Organisation:
    org = Organisation.objects.filter(acronym=REFERENCE_ORG, kind="other").first()
    if org is not None:
        return org
    org = Organisation(
        name="International Organization for Standardization",
        acronym=REFERENCE_ORG,
        kind="other",
        website="https://www.iso.org/",
        description="Owner of reference data loaded from ISO 3166 (via pycountry).",
        classification=Classification.PUBLIC,
        releasability=Releasability.PUBLIC,
    )
    return services.save(org, actor=Actor.system("seed-reference"))


# --- the demo world ------------------------------------------------------------------------------

DEMO_ORGS = [
    # acronym, name, kind, country, parent acronym, aliases, website
    (
        "UN",
        "United Nations Secretariat",
        "un_entity",
        None,
        None,
        ["United Nations", "ONU"],
        "https://www.un.org/",
    ),
    (
        "DPO",
        "UN Department of Peace Operations",
        "un_entity",
        None,
        "UN",
        ["DOMP"],
        "https://peacekeeping.un.org/",
    ),
    (
        "DPPA",
        "UN Department of Political and Peacebuilding Affairs",
        "un_entity",
        None,
        "UN",
        ["DAPPP"],
        "https://dppa.un.org/",
    ),
    (
        "MSU",
        "UN Mediation Support Unit",
        "un_entity",
        None,
        "DPPA",
        ["Mediation Support Unit"],
        "https://peacemaker.un.org/",
    ),
    (
        "AU",
        "African Union",
        "regional",
        "ETH",
        None,
        ["UA", "Union africaine", "AUC"],
        "https://au.int/",
    ),
    (
        "EU",
        "European Union",
        "regional",
        "BEL",
        None,
        ["UE", "Union européenne"],
        "https://european-union.europa.eu/",
    ),
    (
        "EEAS",
        "European External Action Service",
        "regional",
        "BEL",
        "EU",
        ["SEAE"],
        "https://www.eeas.europa.eu/",
    ),
    (
        "MNJTF",
        "Multinational Joint Task Force",
        "coalition",
        "TCD",
        None,
        ["Force multinationale mixte", "FMM"],
        "https://mnjtf.org/",
    ),
    (
        "Norad",
        "Norwegian Agency for Development Cooperation",
        "donor",
        "NOR",
        None,
        [],
        "https://www.norad.no/",
    ),
    (
        "FCDO",
        "Foreign, Commonwealth & Development Office",
        "donor",
        "GBR",
        None,
        [],
        "https://www.gov.uk/fcdo",
    ),
    (
        "HD",
        "Centre for Humanitarian Dialogue",
        "ingo",
        "CHE",
        None,
        ["Henry Dunant Centre"],
        "https://hdcentre.org/",
    ),
    (
        "RMM",
        "Réseau des médiateurs de Mopti (demo)",
        "local",
        "MLI",
        None,
        ["Mopti Mediators Network"],
        "",
    ),
    ("BWPN", "Bangsamoro Women Peace Network (demo)", "local", "PHL", None, [], ""),
]

DEMO_SPACES = [
    (
        "Mali partners",
        "Partners working in central Mali.",
        ["DPO", "AU", "EU", "HD", "RMM", "Norad"],
    ),
    (
        "Mindanao contact group",
        "After the International Contact Group model: states and NGOs "
        "supporting the Bangsamoro process.",
        ["HD", "EEAS", "BWPN", "FCDO"],
    ),
    (
        "Lake Chad Basin coordination",
        "Partners around the MNJTF area of operations.",
        ["AU", "MNJTF", "EU", "FCDO"],
    ),
]

# username, organisation, role, clearance
DEMO_USERS = [
    ("dpo.viewer", "DPO", Role.VIEWER, Classification.INTERNAL),
    ("dpo.contributor", "DPO", Role.CONTRIBUTOR, Classification.INTERNAL),
    ("dpo.editor", "DPO", Role.EDITOR, Classification.CONFIDENTIAL),
    ("dpo.manager", "DPO", Role.MANAGER, Classification.STRICTLY_CONFIDENTIAL),
    ("au.public", "AU", Role.VIEWER, Classification.PUBLIC),
    ("au.editor", "AU", Role.EDITOR, Classification.CONFIDENTIAL),
    ("eu.viewer", "EEAS", Role.VIEWER, Classification.CONFIDENTIAL),
    ("eu.editor", "EU", Role.EDITOR, Classification.CONFIDENTIAL),
    ("eu.manager", "EU", Role.MANAGER, Classification.CONFIDENTIAL),
    ("hd.manager", "HD", Role.MANAGER, Classification.STRICTLY_CONFIDENTIAL),
    ("rmm.contributor", "RMM", Role.CONTRIBUTOR, Classification.INTERNAL),
    ("norad.editor", "Norad", Role.EDITOR, Classification.INTERNAL),
    ("msu.editor", "MSU", Role.EDITOR, Classification.CONFIDENTIAL),
]
DEMO_ADMIN = "admin"


def demo_password(username: str) -> str:
    """Stable per installation (derived from its secret key), different between installations."""
    import base64
    import hashlib
    import hmac

    from django.conf import settings

    digest = hmac.new(settings.SECRET_KEY.encode(), username.encode(), hashlib.sha256).digest()
    return "demo-" + base64.b32encode(digest).decode()[:12].lower()


@transaction.atomic
def seed_demo() -> list[tuple[str, str, str]]:
    """Create the demo world if absent. Returns (username, password, description) rows."""
    if Country.objects.count() == 0:
        seed_reference()
    actor = Actor.system("seed-demo")
    orgs: dict[str, Organisation] = {}
    for acronym, name, kind, country, parent, aliases, website in DEMO_ORGS:
        # The operations catalogue may have created it already (same acronym).
        org = Organisation.objects.filter(acronym=acronym).order_by("pk").first()
        if org is None:
            org = Organisation(
                name=name,
                acronym=acronym,
                kind=kind,
                country=Country.objects.filter(alpha3=country).first() if country else None,
                parent=orgs.get(parent),
                aliases=aliases,
                website=website,
                classification=Classification.PUBLIC,
                releasability=Releasability.PUBLIC,
            )
            services.save(org, actor=actor)
        orgs[acronym] = org
    for name, description, members in DEMO_SPACES:
        if not Space.objects.filter(name=name).exists():
            services.create_space(
                actor=actor,
                name=name,
                description=description,
                organisations=[orgs[m] for m in members],
            )
    rows = []
    admin = User.objects.filter(username=DEMO_ADMIN).first()
    if admin is None:
        admin = services.create_user(
            actor=actor,
            username=DEMO_ADMIN,
            password=demo_password(DEMO_ADMIN),
            clearance=Classification.INTERNAL,
            is_admin=True,
            memberships=[(reference_organisation(), Role.EDITOR)],
            check_password=False,
        )
    rows.append(
        (
            DEMO_ADMIN,
            demo_password(DEMO_ADMIN),
            "platform administrator (ISO reference data editor)",
        )
    )
    for username, acronym, role, clearance in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            services.create_user(
                actor=actor,
                username=username,
                password=demo_password(username),
                clearance=clearance,
                memberships=[(orgs[acronym], role)],
                check_password=False,
            )
        rows.append(
            (
                username,
                demo_password(username),
                f"{role.label} at {acronym}, clearance {Classification(clearance).label}",
            )
        )
    _demo_records(actor, orgs)
    return rows


def _demo_records(actor: Actor, orgs: dict[str, Organisation]) -> None:
    if Person.objects.filter(owner=orgs["DPO"]).exists():
        return
    spaces = {s.name: s for s in Space.objects.all()}
    hd_manager = User.objects.get(username="hd.manager")
    people = [
        # name, owner, classification, releasability, shared, languages, contacts, affiliation
        (
            "Aminata Traoré (demo)",
            "DPO",
            Classification.INTERNAL,
            Releasability.SIGNED_IN,
            {},
            ["fr", "bm"],
            [{"kind": "email", "value": "a.traore@example.org"}],
            ("DPO", "Civil Affairs Officer, Mopti"),
        ),
        (
            "Jean-Baptiste Koné (demo)",
            "DPO",
            Classification.CONFIDENTIAL,
            Releasability.SPACES,
            {"shared_spaces": [spaces["Mali partners"]]},
            ["fr"],
            [{"kind": "phone", "value": "+223 20 00 00 00"}],
            ("AU", "Liaison officer"),
        ),
        (
            "Fatima Alonto (demo)",
            "HD",
            Classification.CONFIDENTIAL,
            Releasability.ORGANISATIONS,
            {"shared_organisations": [orgs["EEAS"]]},
            ["en", "tl"],
            [{"kind": "signal", "value": "+63 900 000 0000"}],
            ("BWPN", "Coordinator"),
        ),
        (
            "Grassroots source M-7 (demo)",
            "HD",
            Classification.STRICTLY_CONFIDENTIAL,
            Releasability.OWNER,
            {"named_users": [hd_manager]},
            ["ff"],
            [],
            ("RMM", "Mediator"),
        ),
        (
            "Ingrid Solberg (demo)",
            "Norad",
            Classification.PUBLIC,
            Releasability.PUBLIC,
            {},
            ["no", "en"],
            [],
            ("Norad", "Senior Adviser, Peace and Reconciliation"),
        ),
    ]
    for name, owner, cls, rel, m2m, langs, contacts, (aff_org, title) in people:
        person = Person(
            name=name,
            owner=orgs[owner],
            classification=cls,
            releasability=rel,
            languages=langs,
            contacts=contacts,
        )
        services.save(
            person,
            actor=actor,
            m2m=m2m,
            children=services.set_affiliations(
                [{"organisation": orgs[aff_org], "title": title, "start": None, "end": None}]
            ),
        )
    mopti = Area.objects.filter(iso_code="ML-5").first()
    if mopti is not None:
        # Illustrative cercles of the Mopti region with P-codes in the OCHA pattern.
        for i, (name, lat, lon) in enumerate(
            [
                ("Bandiagara", 14.35, -3.61),
                ("Bankass", 14.08, -3.52),
                ("Djenné", 13.91, -4.55),
                ("Douentza", 15.00, -2.95),
                ("Koro", 14.07, -3.08),
                ("Mopti", 14.49, -4.18),
            ],
            start=1,
        ):
            area = Area(
                name=name,
                country=mopti.country,
                level=2,
                parent=mopti,
                pcode=f"ML05{i:02d}",
                latitude=lat,
                longitude=lon,
                owner=orgs["DPO"],
                classification=Classification.PUBLIC,
                releasability=Releasability.PUBLIC,
            )
            services.save(area, actor=actor)
        services.save(
            Area(
                name="Dialassagou sector (demo)",
                country=mopti.country,
                level=3,
                parent=Area.objects.get(pcode="ML0501"),
                pcode="ML050199",
                owner=orgs["HD"],
                classification=Classification.CONFIDENTIAL,
                releasability=Releasability.SPACES,
            ),
            actor=actor,
            m2m={"shared_spaces": [spaces["Mali partners"]]},
        )
    services.save(
        Organisation(
            name="Katiba Macina (demo record)",
            acronym="",
            kind="armed_group",
            country=Country.objects.get(alpha3="MLI"),
            owner=orgs["DPO"],
            classification=Classification.CONFIDENTIAL,
            releasability=Releasability.SPACES,
            description="Conflict party record: confidential, shared with Mali partners.",
        ),
        actor=actor,
        m2m={"shared_spaces": [spaces["Mali partners"]]},
    )


# --- what `concord seed` prints (the capability registry calls these) ---------------------
def reference() -> str:
    counts = seed_reference()
    return "Reference data: " + ", ".join(
        f"{v} {k.replace('_', ' ')} added" for k, v in counts.items()
    )


def demo(orgs: dict[str, Organisation]) -> str:
    """The demo's organisations, people and logins; fills ``orgs`` (acronym → organisation)
    for the capabilities seeded after core."""
    rows = seed_demo()
    if not rows:
        raise RuntimeError("The demo world could not be created.")
    for org in Organisation.objects.exclude(acronym="").order_by("pk"):
        orgs.setdefault(org.acronym, org)
    width = max(len(r[0]) for r in rows)
    lines = ["Demo logins (password derived from this installation's secret key):"]
    lines += [f"  {username.ljust(width)}  {password}  {what}" for username, password, what in rows]
    return "\n".join(lines)
