"""The synthetic world: a deterministic, realistically proportioned Concord at any scale.

Scale 1 is about one crisis region (10 countries, 1,000 organisations, 100 operations,
10,000 assignments); scale 100 is 100,000 organisations, 10,000 operations and 1,000,000
assignments. Every scoped record is spread over the four classifications and the five
releasabilities (with its shares to organisations and spaces, and named users for strictly
confidential records), so the permission filter does real work.

Rows are streamed table by table in batches (``writer.Table``) with explicit primary keys,
so memory stays bounded by a few arrays of ids and the same seed gives the same rows.
The world is for benchmarks: it is written in bulk, with one audit entry per table
(how many rows, scale and seed), not one per row.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.db import connection, transaction

from concord.core import capabilities

from .writer import Table

PASSWORD = "synthetic"  # every synthetic user's password (a benchmark database only)
ROOT_NAME = "Synthetic world (generated)"

# Proportions per unit of scale (scale 1 ≈ one crisis region).
PER_SCALE = {
    "organisations": 1000,
    "people": 1000,
    "users": 40,
    "spaces": 4,
    "operations": 100,
    "assignments": 10000,
    "needs": 200,
    "reports": 1000,
    "units": 50,
    "cases": 200,
    "allegations": 200,
    "commitments": 50,
}
AREAS_PER_COUNTRY = (8, 6)  # adm1 per country, adm2 per adm1

# Weights from the demo and the shared datasets: most actors are local and international
# NGOs; UN entities, regional bodies and states are few.
ORG_KINDS = [
    ("nngo", 35),
    ("local", 20),
    ("ingo", 20),
    ("un_entity", 5),
    ("state", 5),
    ("regional", 2),
    ("coalition", 1),
    ("donor", 5),
    ("armed_group", 2),
    ("other", 5),
]
CLASSIFICATIONS = [(0, 17), (1, 33), (2, 33), (3, 17)]  # public … strictly confidential
RELEASES = [("owner", 20), ("organisations", 30), ("spaces", 30), ("signed_in", 20)]
ROLES = [("viewer", 40), ("contributor", 25), ("editor", 25), ("manager", 10)]
CLEARANCES = [(0, 5), (1, 40), (2, 40), (3, 15)]

# The users the HTTP benchmark signs in as (password: PASSWORD).
NAMED_USERS = {
    "synth.editor": {"role": "editor", "clearance": 2, "orgs": 3, "spaces": 2},
    "synth.viewer": {"role": "viewer", "clearance": 1, "orgs": 1, "spaces": 1},
    "synth.manager": {"role": "manager", "clearance": 3, "orgs": 2, "spaces": 2},
}


def counts(scale: float) -> dict[str, int]:
    """How many rows of each kind a world of this scale holds (before shares and links)."""
    n = {k: max(1, round(v * scale)) for k, v in PER_SCALE.items()}
    n["countries"] = max(3, min(240, round(10 * scale**0.7)))
    n["areas"] = n["countries"] * AREAS_PER_COUNTRY[0] * (1 + AREAS_PER_COUNTRY[1])
    n["users"] = max(n["users"], len(NAMED_USERS) + 5)
    n["spaces"] = max(n["spaces"], 3)
    return n


class Weighted:
    """Fast weighted choice from a fixed table (``random.choices`` rebuilds its sums)."""

    def __init__(self, table):
        self.values = [v for v, w in table for _ in range(w)]

    def __call__(self, rng: random.Random):
        return self.values[int(rng.random() * len(self.values))]


@dataclass
class GenerationReport:
    scale: float
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    named_users: dict[str, list[int]] = field(default_factory=dict)  # username -> its orgs
    seconds: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class World:
    """Generates the world; ``progress(label, done, total)`` is called as rows stream."""

    def __init__(self, scale: float, seed: int, progress: Callable | None = None):
        self.scale, self.seed = scale, seed
        self.n = counts(scale)
        self.rng = random.Random(seed)
        self.progress = progress or (lambda *a: None)
        self.report = GenerationReport(scale, seed)
        self.today = dt.date(2026, 1, 1)  # fixed, so a seed gives the same world every day
        self.classification = Weighted(CLASSIFICATIONS)
        self.release = Weighted(RELEASES)
        # Each capability's part (its ``synthetic`` module: ``generate(world)``, and
        # ``reference(world)`` for real reference data it needs first), in order.
        self.parts = [import_module(c.synthetic) for c in capabilities.all() if c.synthetic]

    # --- helpers -------------------------------------------------------------------------
    def _next_id(self, model) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def done(self, label: str, *tables: Table) -> None:
        for t in tables:
            t.flush()
            name = t.model._meta.label_lower
            self.report.rows[name] = self.report.rows.get(name, 0) + t.written
        self.progress(label, None, None)

    def owner(self) -> int:
        """Owners are skewed towards the organisations people work in (the first tenth)."""
        rng = self.rng
        if rng.random() < 0.7:
            return self.org_ids[int(rng.random() * self.active)]
        return self.org_ids[int(rng.random() * len(self.org_ids))]

    def _scope(self, pk: int, shares: dict) -> tuple[int, int, str]:
        """Owner, classification and releasability of one record, writing its shares."""
        rng = self.rng
        c = self.classification(rng)
        rel = "public" if c == 0 and rng.random() < 0.5 else self.release(rng)
        if rel == "organisations":
            for o in {self.org_ids[int(rng.random() * self.active)] for _ in range(2)}:
                shares["organisations"].add((pk, o))
        elif rel == "spaces":
            shares["spaces"].add((pk, self.space_ids[int(rng.random() * len(self.space_ids))]))
        if c == 3:
            shares["users"].add((pk, self.user_ids[int(rng.random() * len(self.user_ids))]))
        return self.owner(), c, rel

    def _shares(self, model) -> dict:
        def through(name):
            f = model._meta.get_field(name)
            t = f.remote_field.through
            return Table(t, [f.m2m_field_name() + "_id", f.m2m_reverse_field_name() + "_id"])

        return {
            "organisations": through("shared_organisations"),
            "spaces": through("shared_spaces"),
            "users": through("named_users"),
        }

    def scoped(self, label, model, columns, total, make, *, fixed=None, extra=()):
        """Stream ``total`` scoped rows of ``model``; ``make(i, pk)`` gives the varying values
        after the scope columns. Returns the ids written (an array, 8 bytes per row)."""
        table = Table(
            model, ["id", "owner_id", "classification", "releasability", *columns], fixed=fixed
        )
        shares = self._shares(model)
        first = self._next_id(model)
        ids = array("q")
        step = max(1, total // 20)
        for i in range(total):
            pk = first + i
            owner, c, rel = self._scope(pk, shares)
            table.add((pk, owner, c, rel, *make(i, pk)))
            ids.append(pk)
            if i % step == 0:
                self.progress(label, i, total)
        self.done(label, table, *shares.values(), *extra)
        return ids

    # --- the world -----------------------------------------------------------------------
    def generate(self) -> GenerationReport:
        from concord.core.models import User

        if User.objects.exists():
            raise ValueError(
                "This database already has users. Generate the synthetic world into an empty "
                "database (a new CONCORD_DATA_DIR, or a new DATABASE_URL), never next to real "
                "data: every synthetic user has the same known password."
            )
        start = time.perf_counter()
        self._reference()
        with transaction.atomic():
            self._organisations()
            self._users_and_spaces()
            self._people()
            for part in self.parts:  # each capability's part, in order
                part.generate(self)
            self._audit()
        self._reset_sequences()
        from concord.core import search

        search.reindex()
        self.progress("search index", None, None)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.report.seconds = time.perf_counter() - start
        self.report.peak_rss_mb = peak_rss_mb()
        return self.report

    def _reference(self) -> None:
        """ISO countries: real reference data, loaded if missing."""
        from concord.core.models import Country

        if not Country.objects.exists():
            from concord.core.fixtures.reference import seed_reference

            seed_reference()
        for part in self.parts:
            if hasattr(part, "reference"):
                part.reference(self)
        self.progress("reference data", None, None)

    def _organisations(self) -> None:
        from concord.core import services
        from concord.core.context import Actor
        from concord.core.models import Area, Country, Organisation

        rng = self.rng
        self.actor = Actor.system("bench-generate")
        self.root = services.save(
            # An explicit id, like every row after it: the world does not depend on where a
            # sequence stands (PostgreSQL's do not roll back).
            Organisation(
                pk=self._next_id(Organisation),
                name=ROOT_NAME,
                kind="other",
                classification=0,
                releasability="public",
            ),
            actor=self.actor,
        )
        countries = list(
            Country.objects.filter(historical=False).order_by("alpha3").values_list("pk", "alpha2")
        )
        # A region: every k-th country, so small worlds are not all in one alphabet range.
        k = max(1, len(countries) // self.n["countries"])
        self.countries = countries[::k][: self.n["countries"]]
        self.country_ids = [c for c, _ in self.countries]
        kind = Weighted(ORG_KINDS)
        n = self.n["organisations"]
        first = self._next_id(Organisation)
        table = Table(
            Organisation,
            [
                "id",
                "owner_id",
                "classification",
                "releasability",
                "name",
                "acronym",
                "kind",
                "country_id",
            ],
        )
        # Organisations are mostly public or internal: a registry is for finding each other.
        for i in range(n):
            c = 0 if rng.random() < 0.6 else 1
            table.add(
                (
                    first + i,
                    self.root.pk,
                    c,
                    "public" if c == 0 else "signed_in",
                    f"Synthetic organisation {i:06d}",
                    f"SO{i}",
                    kind(rng),
                    self.country_ids[int(rng.random() * len(self.country_ids))],
                )
            )
        self.org_ids = array("q", range(first, first + n))
        self.active = max(10, n // 10)
        self.done("organisations", table)

        # Areas with P-codes: adm1 and adm2 in each country of the region.
        areas = Table(
            Area,
            [
                "id",
                "owner_id",
                "classification",
                "releasability",
                "name",
                "country_id",
                "level",
                "parent_id",
                "pcode",
            ],
        )
        pk = self._next_id(Area)
        self.areas_of: dict[int, list[int]] = {}
        for cid, alpha2 in self.countries:
            mine = self.areas_of[cid] = []
            for a1 in range(1, AREAS_PER_COUNTRY[0] + 1):
                adm1 = pk
                areas.add(
                    (
                        pk,
                        self.root.pk,
                        0,
                        "public",
                        f"{alpha2} region {a1}",
                        cid,
                        1,
                        None,
                        f"{alpha2}{a1:02d}",
                    )
                )
                pk += 1
                for a2 in range(1, AREAS_PER_COUNTRY[1] + 1):
                    areas.add(
                        (
                            pk,
                            self.root.pk,
                            0,
                            "public",
                            f"{alpha2} district {a1}.{a2}",
                            cid,
                            2,
                            adm1,
                            f"{alpha2}{a1:02d}{a2:02d}",
                        )
                    )
                    mine.append(pk)
                    pk += 1
        self.done("areas", areas)

    def _users_and_spaces(self) -> None:
        from django.contrib.auth.hashers import make_password

        from concord.core.models import Membership, Space, User

        rng = self.rng
        password = make_password(PASSWORD)  # hashed once: argon2 per user would take minutes
        users = Table(
            User,
            ["id", "username", "password", "clearance", "first_name"],
            fixed={"is_active": True},
        )
        members = Table(Membership, ["user_id", "organisation_id", "role"])
        spaces = Table(Space, ["id", "name"])
        space_orgs = Table(Space.organisations.through, ["space_id", "organisation_id"])
        first_space = self._next_id(Space)
        self.space_ids = list(range(first_space, first_space + self.n["spaces"]))
        in_spaces: set[int] = set()
        for i, s in enumerate(self.space_ids):
            spaces.add((s, f"Synthetic space {i:04d}"))
            for o in {self.org_ids[int(rng.random() * self.active)] for _ in range(12)}:
                space_orgs.add((s, o))
                in_spaces.add(o)
        first = self._next_id(User)
        self.user_ids = []
        role, clearance = Weighted(ROLES), Weighted(CLEARANCES)
        # Named users first: each in orgs that belong to spaces (so every rule branch runs).
        in_space = sorted(in_spaces)
        pk = first
        for name, spec in NAMED_USERS.items():
            users.add((pk, name, password, spec["clearance"], name.split(".")[1].title()))
            self.report.named_users[name] = in_space[: spec["orgs"]]
            for o in in_space[: spec["orgs"]]:
                members.add((pk, o, spec["role"]))
            self.user_ids.append(pk)
            pk += 1
        for i in range(self.n["users"] - len(NAMED_USERS)):
            users.add((pk, f"synth.user{i:05d}", password, clearance(rng), f"User {i}"))
            for o in {
                self.org_ids[int(rng.random() * self.active)]
                for _ in range(1 + (rng.random() < 0.2))
            }:
                members.add((pk, o, role(rng)))
            self.user_ids.append(pk)
            pk += 1
        self.done("users and spaces", spaces, space_orgs, users, members)

    def _people(self) -> None:
        from concord.core.models import Person

        rng = self.rng
        langs = [["fr"], ["en"], ["ar"], ["fr", "ar"], ["en", "sw"], ["pt"]]
        self.scoped(
            "people",
            Person,
            ["name", "languages"],
            self.n["people"],
            lambda i, pk: (f"Person {i:07d}", langs[int(rng.random() * len(langs))]),
            fixed={"contacts": []},
        )

    def _audit(self) -> None:
        """One entry per table: what was generated, at which scale and seed."""
        from django.apps import apps

        from concord.core import audit

        for label, rows in self.report.rows.items():
            model = apps.get_model(label)
            first = model.objects.order_by("pk").first()
            if first is None:
                continue
            audit.record(
                self.actor,
                "create",
                first,
                {"synthetic": [None, {"rows": rows, "scale": self.scale, "seed": self.seed}]},
                owner_id=self.root.pk,
                classification=0,
            )

    def _reset_sequences(self) -> None:
        """Rows were written with explicit ids: move PostgreSQL's sequences past them."""
        if connection.vendor != "postgresql":
            return
        from django.apps import apps
        from django.core.management.color import no_style

        models_ = [apps.get_model(label) for label in self.report.rows]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(sql)
