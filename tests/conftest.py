"""Shared fixtures: a small security world built through the services, as a user would."""

from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from django.conf import settings

from concord.core import services
from concord.core.context import Actor
from concord.core.models import (
    Area,
    Classification,
    Country,
    Organisation,
    Person,
    Releasability,
    Role,
)

SHARED_DATA = settings.PROJECT_DIR.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system():
    return Actor.system("test")


def make_org(
    acronym,
    *,
    owner=None,
    kind="other",
    cls=Classification.PUBLIC,
    rel=Releasability.PUBLIC,
    actor=None,
    **extra,
):
    org = Organisation(
        name=extra.pop("name", f"{acronym} organisation"),
        acronym=acronym,
        kind=kind,
        classification=cls,
        releasability=rel,
        owner=owner,
        **extra,
    )
    return services.save(org, actor=actor or Actor.system("test"))


def make_user(
    username,
    org=None,
    role=Role.VIEWER,
    clearance=Classification.INTERNAL,
    admin=False,
    password="x",
):
    return services.create_user(
        actor=Actor.system("test"),
        username=username,
        password=password,
        clearance=clearance,
        is_admin=admin,
        memberships=[(org, role)] if org else [],
        check_password=False,
    )


def country(alpha3="MLI", name="Mali"):
    return Country.objects.get_or_create(
        alpha3=alpha3, defaults={"name": name, "alpha2": alpha3[:2]}
    )[0]


CLASSIFICATIONS = list(Classification)
RELEASABILITIES = list(Releasability)


def marker(model_letter: str, c: int, r: str) -> str:
    """A token found in one record's name and nowhere else (none is a prefix of another)."""
    return f"MRK{model_letter}{c}{r[:3].upper()}Z"


def build_world():
    """Organisations, users of every kind, and one record per model, classification and
    releasability, each linked to records the reader may not see (to catch leaks by link)."""
    sys = Actor.system("world")
    w = SimpleNamespace()
    w.own = make_org("OWN")
    w.shr = make_org("SHR")
    w.spc = make_org("SPC")
    w.oth = make_org("OTH")
    w.space = services.create_space(actor=sys, name="Test space", organisations=[w.own, w.spc])
    C = Classification
    w.users = {
        "own_viewer_public": make_user("own_viewer_public", w.own, Role.VIEWER, C.PUBLIC),
        "own_viewer": make_user("own_viewer", w.own, Role.VIEWER, C.INTERNAL),
        "own_contributor": make_user("own_contributor", w.own, Role.CONTRIBUTOR, C.INTERNAL),
        "own_editor": make_user("own_editor", w.own, Role.EDITOR, C.CONFIDENTIAL),
        "own_manager_named": make_user(
            "own_manager_named", w.own, Role.MANAGER, C.STRICTLY_CONFIDENTIAL
        ),
        "own_manager_unnamed": make_user(
            "own_manager_unnamed", w.own, Role.MANAGER, C.STRICTLY_CONFIDENTIAL
        ),
        "shared_org_viewer": make_user("shared_org_viewer", w.shr, Role.VIEWER, C.CONFIDENTIAL),
        "space_viewer": make_user("space_viewer", w.spc, Role.VIEWER, C.CONFIDENTIAL),
        "other_editor": make_user("other_editor", w.oth, Role.EDITOR, C.STRICTLY_CONFIDENTIAL),
        "platform_admin": make_user(
            "platform_admin", None, Role.VIEWER, C.STRICTLY_CONFIDENTIAL, admin=True
        ),
    }
    named = w.users["own_manager_named"]
    mli = country()
    w.records = []  # (model, obj, c, r)
    common = {"owner": w.own}

    def m2m():
        return {"shared_organisations": [w.shr], "shared_spaces": [w.space], "named_users": [named]}

    hidden_org = services.save(
        Organisation(
            name=marker("H", 3, "owner"),
            kind="other",
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
        m2m={"named_users": []},
    )
    hidden_area = services.save(
        Area(
            name=marker("G", 3, "owner"),
            country=mli,
            level=1,
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    from concord.operations.models import Operation, Relation

    hidden_op = services.save(
        Operation(
            name=marker("J", 3, "owner"),
            kind="peacekeeping",
            framework="un",
            framework_organisation=hidden_org,
            start=dt.date(2013, 7, 1),
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
        m2m={"host_countries": [mli], "areas": [hidden_area]},
    )
    from concord.labour.models import (
        Arrangement,
        Assignment,
        ClashRule,
        ImportBatch,
        Need,
        Task,
    )

    hidden_task = services.save(
        Task(
            code="hidden-task",
            name=marker("I", 3, "owner"),
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    w.hidden = {"H": hidden_org, "G": hidden_area, "J": hidden_op, "I": hidden_task}
    w.letters = {
        Organisation: "O",
        Person: "P",
        Area: "A",
        Operation: "X",
        Relation: "Y",
        Task: "T",
        ClashRule: "K",
        Need: "N",
        Assignment: "W",
        Arrangement: "R",
        ImportBatch: "B",
    }
    for c in CLASSIFICATIONS:
        for r in RELEASABILITIES:
            if r == Releasability.PUBLIC and c != C.PUBLIC:
                continue
            org = services.save(
                Organisation(
                    name=marker("O", c, r),
                    kind="other",
                    parent=hidden_org,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            person = services.save(
                Person(name=marker("P", c, r), classification=c, releasability=r, **common),
                actor=sys,
                m2m=m2m(),
                children=services.set_affiliations(
                    [{"organisation": hidden_org, "title": "t", "start": None, "end": None}]
                ),
            )
            area = services.save(
                Area(
                    name=marker("A", c, r),
                    country=mli,
                    level=2,
                    parent=hidden_area,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            op = services.save(
                Operation(
                    name=marker("X", c, r),
                    kind="stabilisation",
                    framework="ad_hoc",
                    lead_organisation=hidden_org,
                    start=dt.date(2014, 1, 1),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m={**m2m(), "host_countries": [mli], "areas": [area, hidden_area]},
            )
            rel = services.save(
                Relation(
                    source=op,
                    kind="operates_alongside",
                    target=hidden_op,
                    start=dt.date(2014, 1, 1),
                    note=marker("Y", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            task = services.save(
                Task(
                    code=f"t-{c}-{r}",
                    name=marker("T", c, r),
                    parent=hidden_task,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            rule = services.save(
                ClashRule(
                    task_a=task,
                    task_b=hidden_task,
                    reason=marker("K", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            need = services.save(
                Need(
                    task=hidden_task,
                    country=mli,
                    area=hidden_area,
                    description=marker("N", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            batch = services.save(
                ImportBatch(
                    filename=marker("B", c, r),
                    sha256="0" * 64,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            assignment = services.save(
                Assignment(
                    organisation=hidden_org,
                    task=hidden_task,
                    country=mli,
                    area=hidden_area,
                    start=dt.date(2014, 1, 1),
                    note=marker("W", c, r),
                    batch=batch,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            arrangement = services.save(
                Arrangement(
                    kind="liaison",
                    title=marker("R", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m={
                    **m2m(),
                    "organisations": [hidden_org],
                    "operations": [hidden_op],
                    "tasks": [hidden_task],
                    "areas": [hidden_area],
                },
            )
            w.records += [
                (Task, task, c, r),
                (ClashRule, rule, c, r),
                (Need, need, c, r),
                (ImportBatch, batch, c, r),
                (Assignment, assignment, c, r),
                (Arrangement, arrangement, c, r),
                (Organisation, org, c, r),
                (Person, person, c, r),
                (Area, area, c, r),
                (Operation, op, c, r),
                (Relation, rel, c, r),
            ]
    return w


def oracle_visible(w, username, c, r) -> bool:
    """The security model as a table, written independently of ``visible_to``."""
    if username is None:
        return c == 0 and r == "public"
    user = w.users[username]
    orgs = set(user.memberships.values_list("organisation_id", flat=True))
    if c == 3:
        return username == "own_manager_named" and user.clearance >= 3
    if c > user.clearance:
        return False
    if r in ("public", "signed_in"):
        return True
    if w.own.pk in orgs:
        return True
    if r == "organisations":
        return w.shr.pk in orgs
    if r == "spaces":
        return w.spc.pk in orgs
    return False


def oracle_editable(w, username, c, r, action="edit", model=None) -> bool:
    if username is None or not oracle_visible(w, username, c, r):
        return False
    from concord.labour.models import ClashRule, Task

    if model in (Task, ClashRule):  # shared reference: only managers change it
        action = "delete"
    roles = {
        "own_editor": "editor",
        "own_manager_named": "manager",
        "own_manager_unnamed": "manager",
    }
    role = roles.get(username)
    return role == "manager" if action == "delete" else role in ("editor", "manager")


@pytest.fixture
def world(db):
    return build_world()


def chromium_path() -> str | None:
    import shutil

    return (
        os.environ.get("CONCORD_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
