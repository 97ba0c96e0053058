"""Shared fixtures: a small security world built through the services, as a user would."""

from __future__ import annotations

import os
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from concord.core import capabilities, services
from concord.core.context import Actor
from concord.core.models import Classification, Organisation, Releasability, Role
from concord.core.testing import (  # noqa: F401  (tests import them from here)
    CLASSIFICATIONS,
    RELEASABILITIES,
    Level,
    country,
    marker,
    past_marker,
)

SHARED_DATA = settings.PROJECT_DIR.parent / "shared" / "data"

# A test client's force_login stands for a whole sign-in, the two-factor step included (the
# pages of two-factor sign-in are tested through the sign-in pages: tests/signin/).
from concord.signin import testing as _signin_testing  # noqa: E402

_signin_testing.install()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in French leaves its language active in the thread: each test starts in
    the default language, as each request does (LocaleMiddleware)."""
    yield
    translation.deactivate()


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


def build_principals(w=None):
    """The world's organisations (own, shared with, in a space with, other), its space, and
    its users of every kind (``w.users``)."""
    sys = Actor.system("world")
    w = w or SimpleNamespace()
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
    return w


def build_world():
    """Organisations, users of every kind, and one record per model, classification and
    releasability, each linked to records the reader may not see (to catch leaks by link):
    every capability's part (its ``fixtures/testworld.py``, see concord.core.testing)."""
    sys = Actor.system("world")
    w = build_principals()
    w.records = []  # (model, obj, c, r)
    w.hidden = {}  # marker letter -> a record nobody may see
    w.more_hidden = []  # records nobody may see, beyond w.hidden
    w.secret_markers = set()  # words nobody may see (derived from hidden records)
    parts = [import_module(c.test_world) for c in capabilities.all() if c.test_world]
    for part in parts:
        part.hidden(w)
    samples = [sample for part in parts for sample in part.SAMPLES]
    w.samples = {s.model: s for s in samples}
    w.letters = {s.model: s.letter for s in samples}
    w.past_markers = set()
    w.with_past = set()  # (model, pk) of the records that have a past
    w.levels = {}  # (c, r) -> the Level, with what was made at it

    def shares():
        return {"shared_organisations": [w.shr], "shared_spaces": [w.space], "named_users": [named]}

    named = w.users["own_manager_named"]

    def put(sample, obj, *, m2m=None, children=None):
        """Save a record. The public one of each model was strictly confidential, named to
        nobody, with other words (a "past" marker), before it was downgraded to public: nobody
        may ever see that past, in any History, although everybody may see the record now."""
        c, r = obj.classification, obj.releasability
        if r != Releasability.PUBLIC:
            return services.save(obj, actor=sys, m2m=m2m, children=children)
        attr = sample.past_field or next(
            f.attname
            for f in obj._meta.concrete_fields
            if isinstance(getattr(obj, f.attname, None), str)
            and getattr(obj, f.attname).startswith("MRK")
        )
        final = getattr(obj, attr)
        past = past_marker(sample.letter, c, r)
        w.past_markers.add(past)
        setattr(obj, attr, past)
        obj.classification, obj.releasability = C.STRICTLY_CONFIDENTIAL, Releasability.OWNER
        services.save(obj, actor=sys)
        setattr(obj, attr, f"{final} (draft)")
        obj.classification, obj.releasability = c, r
        services.save(obj, actor=sys, m2m=m2m, children=children)
        setattr(obj, attr, final)  # a change seen by whoever sees the record now
        saved = services.save(obj, actor=sys)
        w.with_past.add((type(saved), saved.pk))
        return saved

    C = Classification
    for c in CLASSIFICATIONS:
        for r in RELEASABILITIES:
            if r == Releasability.PUBLIC and c != C.PUBLIC:
                continue
            level = w.levels[(c, r)] = Level(c, r, owner=w.own)
            for sample in samples:
                made = sample.make(w, level)
                saved = put(sample, made.obj, m2m={**shares(), **made.m2m}, children=made.children)
                level.made[sample.model] = saved
                w.records.append((sample.model, saved, c, r))
                if sample.after:
                    sample.after(w, level, saved)
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
    sample = w.samples.get(model)
    if sample is not None and sample.change_role == "manager":  # shared reference
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


def pytest_terminal_summary(terminalreporter):
    """Says loudly when browser tests were skipped (no Chromium): a green run without them
    has not tried the pages in a browser."""
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if "test_browser.py" in r.nodeid
    ]
    if skipped:
        terminalreporter.write_sep(
            "!",
            f"{len(skipped)} BROWSER TEST(S) SKIPPED: install Debian's chromium "
            "(scripts/install-chromium, as root) or set CONCORD_CHROMIUM",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo world (catalogue and demo seeds), once per test module: its users by name.
    Seeded once per test process, then put back from a copy (tests/snapshots.py); the module
    leaves the database as it found it. (The browser tests have their own ``demo``: a live
    server.)"""
    import io

    from django.core.management import call_command

    from concord.core.models import User

    from . import snapshots

    with django_db_blocker.unblock():
        snapshots.take("before-demo")
        if snapshots.has("demo"):
            snapshots.restore("demo")
        else:
            call_command("seed", "catalogue", stdout=io.StringIO())
            call_command("seed", "demo", stdout=io.StringIO())
            snapshots.take("demo")
        yield {u.username: u for u in User.objects.all()}
        snapshots.restore("before-demo")
