"""Writes, by construction: for every scoped model with a sample in its capability's test
world (concord.core.testing), its API update and delete and its web delete, tried as the
four kinds of caller. Nobody writes these tests per model: a new model's sample brings them.

- anonymous: refused (401/403; the web sends to the sign-in page);
- a reader who may see the record but not change it: forbidden (403);
- someone who may not see it: the record looks absent (404), as a wrong id would;
- someone permitted: it works (an editor updates, a manager deletes; for shared reference
  such as tasks, only a manager does either).

The read side (every route, every user, every classification × releasability) is the access
matrix's (tests/test_access_matrix.py)."""

from __future__ import annotations

import html
import itertools
from importlib import import_module

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from concord.core import capabilities, services
from concord.core.context import Actor
from concord.core.models import Classification, Releasability
from concord.core.testing import Level

from .conftest import build_world
from .test_access_matrix import discover, params_of, view_model

SAMPLES = [
    sample
    for c in capabilities.all()
    if c.test_world
    for sample in import_module(c.test_world).SAMPLES
]
# The level tried: internal, shared with one named organisation (SHR). The owner's editor and
# managers may change it; SHR's viewer may see it; OTH's editor may not see it.
LEVEL = (Classification.INTERNAL, Releasability.ORGANISATIONS)
READER, OUTSIDER, EDITOR, MANAGER = (
    "shared_org_viewer",
    "other_editor",
    "own_editor",
    "own_manager_named",
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_world()
        call_command("flush", interactive=False, verbosity=0)


def client_as(world, username) -> Client:
    client = Client()
    if username:
        client.force_login(world.users[username])
    return client


def record(world, model):
    return next(o for m, o, c, r in world.records if m is model and (c, r) == LEVEL)


def fresh(world, target):
    """A new record of ``target``'s model at LEVEL, made with new records of the samples
    before it (to delete one without touching the shared world)."""
    level = Level(*LEVEL, owner=world.own, suffix=f"F{next(FRESH)}")
    for sample in SAMPLES:
        made = sample.make(world, level)
        level.made[sample.model] = services.save(
            made.obj,
            actor=Actor.system("world"),
            m2m={"shared_organisations": [world.shr], **made.m2m},
            children=made.children,
        )
        if sample is target:
            return level.made[sample.model]
    raise AssertionError(f"{target.model.__name__}: not among the samples")


FRESH = itertools.count(1)


def route(model, prefix: str, suffix: str, method: str) -> str | None:
    """The name of ``model``'s route ending in ``suffix`` that answers ``method``."""
    for name, pattern, callback in discover():
        if not (name and name.startswith(prefix) and name.endswith(suffix)):
            continue
        if "format" in params_of(pattern) or view_model(callback, name) is not model:
            continue
        actions = getattr(callback, "actions", None)
        allowed = getattr(getattr(callback, "cls", None), "http_method_names", [method])
        if (actions is None or method in actions) and method in allowed:
            return name
    return None


def permitted(sample) -> str:
    return MANAGER if sample.change_role == "manager" else EDITOR


def ids(sample) -> str:
    return sample.model.__name__


def having(prefix: str, suffix: str, method: str) -> list:
    """The samples whose model has such a route (an import batch, kept as the record of
    what was imported, has no update or delete)."""
    return [s for s in SAMPLES if route(s.model, prefix, suffix, method)]


@pytest.mark.django_db
@pytest.mark.parametrize("sample", having("api:", "-detail", "patch"), ids=ids)
def test_api_update_by_every_kind_of_caller(world, sample):
    name = route(sample.model, "api:", "-detail", "patch")
    obj = record(world, sample.model)
    url = reverse(name, kwargs={"pk": obj.pk})

    def patch(username):
        return client_as(world, username).patch(url, "{}", content_type="application/json")

    assert patch(None).status_code in (401, 403)
    assert patch(OUTSIDER).status_code == 404, "a record one may not see must look absent"
    assert patch(READER).status_code == 403
    answer = patch(permitted(sample))
    assert answer.status_code == 200, answer.content
    assert answer.json()["id"] == obj.pk


@pytest.mark.django_db
@pytest.mark.parametrize("sample", having("api:", "-detail", "delete"), ids=ids)
def test_api_delete_by_every_kind_of_caller(world, sample):
    name = route(sample.model, "api:", "-detail", "delete")
    obj = fresh(world, sample)
    url = reverse(name, kwargs={"pk": obj.pk})
    for username, expected in ((None, (401, 403)), (OUTSIDER, (404,)), (READER, (403,))):
        answer = client_as(world, username).delete(url)
        assert answer.status_code in expected, f"{username}: {answer.status_code}"
    if sample.change_role != "manager":
        assert client_as(world, EDITOR).delete(url).status_code == 403  # managers delete
    answer = client_as(world, MANAGER).delete(url)
    if sample.delete_refusal:  # a rule beyond roles: a clean refusal naming it
        assert answer.status_code == 403, answer.content
        assert sample.delete_refusal in answer.json()["error"]["message"]
        assert sample.model.objects.filter(pk=obj.pk).exists()
        return
    assert answer.status_code == 204, answer.content
    assert not sample.model.objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("sample", having("", "_delete", "post"), ids=ids)
def test_web_delete_by_every_kind_of_caller(world, sample):
    name = route(sample.model, "", "_delete", "post")
    obj = fresh(world, sample)
    url = reverse(name, kwargs={"pk": obj.pk})
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_as(world, OUTSIDER).post(url).status_code == 404
    assert client_as(world, READER).post(url).status_code == 403
    assert sample.model.objects.filter(pk=obj.pk).exists()
    answer = client_as(world, MANAGER).post(url)
    if sample.delete_refusal:  # a rule beyond roles: refused, said, nothing deleted
        assert answer.status_code == 403
        assert sample.delete_refusal in html.unescape(answer.content.decode())
        assert sample.model.objects.filter(pk=obj.pk).exists()
        return
    assert answer.status_code == 302, answer.content
    assert not sample.model.objects.filter(pk=obj.pk).exists()


def test_every_sample_is_tried(world):
    """The parametrised tests above take their models from the samples: a model gains them
    when its sample is added (and the sample meta-test makes the sample compulsory). Only
    the import batch, the record of an import, has no update and no delete."""
    assert {s.model for s in SAMPLES} == set(world.samples)
    for method, prefix, suffix in (
        ("patch", "api:", "-detail"),
        ("delete", "api:", "-detail"),
        ("post", "", "_delete"),
    ):
        left_out = {s.model.__name__ for s in SAMPLES} - {
            s.model.__name__ for s in having(prefix, suffix, method)
        }
        assert left_out == {"ImportBatch"}, (method, suffix, left_out)
    assert len(SAMPLES) >= 26
    letters = [s.letter for s in SAMPLES]
    assert len(set(letters)) == len(letters), "each sample needs its own marker letter"
