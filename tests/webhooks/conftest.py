"""A small world for the webhook tests: two organisations, a manager of each, operations in
Mali and Niger, and a real receiver."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from concord.core import services
from concord.core.context import Actor
from concord.core.models import Classification, Releasability, Role, User
from concord.core.testing import country
from concord.operations.models import Operation

from ..conftest import make_org, make_user
from .receiver import Receiver

C = Classification


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Tasks run as they are enqueued, so that a test reads what was delivered right after
    the write. The queue itself (database backend, worker, retries) is tested in
    tests/jobs; test_delivery's last test sends a delivery through it end to end."""
    default = settings.TASKS
    settings.TASKS = IMMEDIATE
    return default


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def hw(db, settings):
    settings.CONCORD_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1/32"]
    settings.CONCORD_WEBHOOK_TIMEOUT = 0.5
    settings.CONCORD_WEBHOOK_BACKOFF = 60
    settings.CONCORD_WEBHOOK_MAX_ATTEMPTS = 6
    settings.CONCORD_WEBHOOK_PAUSE_AFTER = 10
    settings.CONCORD_SITE_URL = "https://concord.example.org"
    w = SimpleNamespace()
    w.own, w.oth = make_org("OWN"), make_org("OTH")
    w.mli, w.ner = country("MLI", "Mali"), country("NER", "Niger")
    w.manager = make_user("mgr", w.own, Role.MANAGER, C.CONFIDENTIAL)
    w.manager2 = make_user("mgr2", w.own, Role.MANAGER, C.INTERNAL)
    w.viewer = make_user("viewer", w.own, Role.VIEWER, C.CONFIDENTIAL)
    w.editor = make_user("editor", w.own, Role.EDITOR, C.CONFIDENTIAL)
    w.outsider = make_user("outsider", w.oth, Role.MANAGER, C.STRICTLY_CONFIDENTIAL)
    w.admin = make_user("admin", None, Role.VIEWER, C.STRICTLY_CONFIDENTIAL, admin=True)
    User.objects.filter(username="mgr").update(email="mgr@example.org")
    w.manager.refresh_from_db()
    w.space = services.create_space(
        actor=Actor.system("t"), name="Sahel", organisations=[w.own, w.oth]
    )
    return w


def operation(
    w, name, *, countries=None, c=C.INTERNAL, r=Releasability.OWNER, owner=None, spaces=()
):
    return services.save(
        Operation(
            name=name,
            kind="stabilisation",
            framework="ad_hoc",
            start=dt.date(2020, 1, 1),
            owner=owner or w.own,
            classification=c,
            releasability=r,
        ),
        actor=Actor.system("t"),
        m2m={
            "host_countries": countries if countries is not None else [w.mli],
            "shared_spaces": list(spaces),
        },
    )


def subscribe(w, url, user=None, **values):
    from concord.webhooks import services as hooks

    values.setdefault("name", "Receiver")
    values.setdefault("record_types", ["operations.operation"])
    values.setdefault("actions", ["create", "update", "delete"])
    return hooks.create_webhook(
        actor=Actor(user=user or w.manager, interface="web"),
        organisation=w.own,
        url=url,
        **values,
    )
