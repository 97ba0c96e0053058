"""Every route, as every kind of user, against records of every classification and
releasability. Routes are discovered from the URL configuration: a new page or endpoint is
covered without editing this file (a new URL parameter needs a value in PARAM_VALUES)."""

from __future__ import annotations

import functools
import io
import json
import os
import re
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from concord.accountability.models import Tranche, TrancheDecision
from concord.administration.access import may_manage_members
from concord.administration.models import Invitation
from concord.core import services
from concord.core.context import Actor
from concord.core.models import ApiToken, Membership, Space, User
from concord.jobs.models import Job
from concord.notifications.models import Follow
from concord.signin.models import UserSession
from concord.webhooks.models import Delivery, Webhook

from .conftest import build_world, marker, oracle_editable, oracle_visible

NON_SCOPED = {
    Space: lambda user, space: (
        user.is_superuser or space.organisations.filter(memberships__user=user).exists()
    ),
    ApiToken: lambda user, token: token.user_id == user.pk,
    # Accounts are managed by platform administrators, never read by anyone else.
    User: lambda user, account: user.is_superuser,
    # Invitations and memberships: by the organisation's managers (and administrators,
    # for the organisations they may see).
    Invitation: lambda user, i: may_manage_members(user, i.organisation),
    Membership: lambda user, m: may_manage_members(user, m.organisation),
    # A background job, its progress and its result: its user's alone (an administrator's
    # own job included, nobody else's).
    Job: lambda user, job: job.user_id == user.pk,
    # A signed-in session is its user's only (an administrator gains no right on others').
    UserSession: lambda user, session: session.user_id == user.pk,
    # Webhooks and their deliveries: the managers of the webhook's organisation only.
    Webhook: lambda user, hook: user.principal().roles.get(hook.organisation_id) == "manager",
    Delivery: lambda user, d: user.principal().roles.get(d.webhook.organisation_id) == "manager",
    # One's own follows, of what one may still see (the world's follow Mali, the world's
    # space, and, for some users, records nobody may see: notifications/fixtures/testworld).
    Follow: lambda user, f: (
        user is not None
        and f.user_id == user.pk
        and (
            f.model == "core.country"
            or (
                f.model == "core.space"
                and NON_SCOPED[Space](user, Space.objects.get(pk=f.object_id))
            )
        )
    ),
    # Release and waiver decisions are seen through their tranche.
    TrancheDecision: lambda user, d: (
        user is not None and Tranche.objects.visible_to(user).filter(pk=d.tranche_id).exists()
    ),
}
USERS = [
    None,
    "own_viewer_public",
    "own_viewer",
    "own_contributor",
    "own_editor",
    "own_manager_named",
    "own_manager_unnamed",
    "shared_org_viewer",
    "space_viewer",
    "other_editor",
    "platform_admin",
]
# seq: a merge's audit entry (none in the world: administrators get "not found");
# key: an invitation link's key (an unknown one: "not valid");
# uidb64, token: a password-reset link, here one that does not work: the page says so.
PARAM_VALUES = {
    "alpha3": "MLI",
    "format": "json",
    "seq": "1",
    "key": "not-a-key",
    "uidb64": "MQ",
    "token": "set-password",
}
MARKER_RE = re.compile(r"MRK[A-Z]{1,2}\d[A-Z]{3}Z")
# A record's page address, on the web or in the API ("/security-units/3/"): a link to a
# hidden record, even labelled "(restricted)", gives away its id (and that two links are the
# same record).
ADDRESS_RE = re.compile(r"/[a-z][a-z0-9-]*/\d+/")
# Routes whose subject is not a scoped record: they must still leak no marker.
WRITE_SUFFIXES = ("_edit", "_delete", "-revoke")


def discover(resolver=None, prefix="", namespace=""):
    """(name, pattern string, view) for every named route."""
    resolver = resolver or get_resolver()
    out = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            out += discover(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            out.append(
                (f"{namespace}{p.name}" if p.name else None, prefix + str(p.pattern), p.callback)
            )
    return out


def view_model(callback, name: str | None = None):
    """The model a route is about: its Config's or its viewset's; for any other page about
    one record, the model its URL name starts with (``accountability:tranche_propose``:
    Tranche), the naming rule of docs/architecture.md."""
    config = getattr(callback, "view_initkwargs", {}).get("config")
    if config is not None:
        return config.model
    model = getattr(getattr(callback, "cls", None), "model", None)
    if model is not None or not name or name.startswith("api:"):
        return model
    return _models_by_name().get(name.rsplit(":", 1)[-1].split("_")[0])


@functools.cache
def _models_by_name() -> dict:
    from django.apps import apps

    return {m._meta.model_name: m for m in apps.get_models() if m.__module__.startswith("concord.")}


def params_of(pattern: str) -> list[str]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", pattern) + re.findall(r"\(\?P<(\w+)>", pattern)
    return list(dict.fromkeys(names))


def body_text(response) -> str:
    if response.streaming:
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    if raw[:2] == b"PK":  # XLSX
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
        )
    return raw.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        w = build_world()
        for name in ("own_editor", "other_editor"):
            services.create_token(
                actor=Actor(user=w.users[name], interface="web"), name=f"tok {name}"
            )
        w.all_markers = {marker(w.letters[m], c, r): (m, obj, c, r) for m, obj, c, r in w.records}
        yield w
        call_command("flush", interactive=False, verbosity=0)


def test_routes_are_discovered(world):
    routes = discover()
    names = {n for n, _, _ in routes}
    assert None not in names, "every route needs a name so the matrix can reverse it"
    for expected in [
        "core:organisation_detail",
        "core:person_edit",
        "core:area_history",
        "api:core:organisation-list",
        "api:core:person-detail",
        "web:search",
    ]:
        assert expected in names


# Routes the matrix does not request, and why.
NOT_REQUESTED = {
    "web:logout": "signs the user out (the rest of the run would be anonymous)",
    "api:schema": "the OpenAPI schema: checked by the API contract fuzzer (make test)",
}


def routes_not_requested(requested: set[str]) -> set[str]:
    """Every named route the matrix should have requested but did not."""
    return {name for name, _, _ in discover() if name} - requested - set(NOT_REQUESTED)


# Scoped models the matrix world need not hold, and why (each must say how it is checked).
NOT_IN_WORLD = {
    "FindingReview": "no page or route of its own: read only as a finding's review status, "
    "through reviews_for (visible_to), which test_labour checks",
}


@pytest.mark.django_db
def test_every_scoped_model_has_records_at_every_level_in_the_world(world):
    """A model with no records in the world would pass the matrix by checking nothing: every
    scoped model has one record at each classification and releasability (as many as the
    organisations have), or says above why not."""
    from django.apps import apps

    from concord.core.models import Organisation, ScopedModel

    levels = {(c, r) for m, _, c, r in world.records if m is Organisation}
    assert len(levels) > 10
    for model in apps.get_models():
        if not issubclass(model, ScopedModel) or model.__name__ in NOT_IN_WORLD:
            continue
        held = {(c, r) for m, _, c, r in world.records if m is model}
        assert held == levels, f"{model.__name__}: add records to tests/conftest.py build_world"
        assert model in world.letters, f"{model.__name__}: give it a marker letter"


def scoped_models_without_sample(models, samples) -> list[str]:
    """The scoped models no capability's test world has a sample of (nor an exemption)."""
    from concord.core.models import ScopedModel

    return sorted(
        m.__name__
        for m in models
        if issubclass(m, ScopedModel) and m not in samples and m.__name__ not in NOT_IN_WORLD
    )


def test_every_scoped_model_has_a_sample_in_its_capability_test_world(world):
    """A new model without a sample would have no records in the matrix world: the matrix
    would pass by checking nothing. Add a Sample to its capability's fixtures/testworld.py."""
    from django.apps import apps

    assert scoped_models_without_sample(apps.get_models(), world.samples) == []


def test_every_sample_has_a_letter_of_its_own(world):
    """Markers are told apart by their letters: two samples sharing one (the support
    catalogue's first "SM" was the sector mappings') make a record of one kind count as the
    other's, and the matrix compares the wrong counts."""
    letters = Counter(sample.letter for sample in world.samples.values())
    assert [letter for letter, n in letters.items() if n > 1] == []


def test_the_sample_check_fails_for_a_model_without_a_sample(world):
    """The check above can fail: a throwaway scoped model, with no sample, is named."""
    from django.apps import apps
    from django.db import models
    from django.test.utils import isolate_apps

    from concord.core.models import ScopedModel

    with isolate_apps("concord.core"):

        class Throwaway(ScopedModel):
            name = models.CharField(max_length=10)

            class Meta:
                app_label = "core"

        found = scoped_models_without_sample([*apps.get_models(), Throwaway], world.samples)
    assert found == ["Throwaway"]


def test_the_route_check_fails_for_a_route_nobody_requested(world):
    """Every route must be requested by the matrix: one left out is named."""
    every = {name for name, _, _ in discover() if name} - set(NOT_REQUESTED)
    assert routes_not_requested(every) == set()
    assert routes_not_requested(every - {"labour:need_history"}) == {"labour:need_history"}


def client_for(world, username):
    client = Client()
    if username:
        client.force_login(world.users[username])
    return client


def address_of(obj) -> str:
    """A record's web page address (its API address ends the same way)."""
    return reverse(f"{obj._meta.app_label}:{obj._meta.model_name}_detail", args=[obj.pk])


def expected_visible_markers(world, username, model=None):
    return {
        m
        for m, (mod, _, c, r) in world.all_markers.items()
        if (model is None or mod is model) and oracle_visible(world, username, c, r)
    }


# On PostgreSQL the matrix runs as the users that take every branch of the enforcement point
# (anonymous; the clearance ceiling; own organisation as a contributor, whose edits go by
# who created the record, and as a named manager, whose go by role; shared organisations;
# spaces): the rules are the same Python building the same SQL on both databases, and what
# differs by database is how that SQL runs. SQLite runs all eleven users. (An editor takes
# the manager's branch for edits and the viewer's for reads.)
POSTGRES_USERS = [
    None,
    "own_viewer_public",
    "own_contributor",
    "own_manager_named",
    "shared_org_viewer",
    "space_viewer",
]


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
MATRIX_USERS = POSTGRES_USERS if ON_POSTGRES else USERS
# How much more sparsely PostgreSQL samples a model's records on each route: every user
# still meets every record on some route, and every route meets every kind of record.
SPARSER = 2 if ON_POSTGRES else 1


@pytest.mark.django_db
@pytest.mark.parametrize("username", MATRIX_USERS, ids=[u or "anonymous" for u in MATRIX_USERS])
def test_access_matrix(world, username):
    client = client_for(world, username)
    # Nobody may see: the hidden records, what records said while they were strictly
    # confidential and named to nobody (their past), and what the rules derive from hidden
    # records (conditions, a report, an affiliation's title).
    hidden_markers = {marker(letter, 3, "owner") for letter in world.hidden}
    hidden_markers |= world.past_markers | world.secret_markers
    visible_all = expected_visible_markers(world, username)
    # The hidden records are strictly confidential and name nobody: no one may see them.
    invisible_all = (set(world.all_markers) - visible_all) | hidden_markers
    # The addresses of the records this user may not see.
    hidden_records = [*world.hidden.values(), *world.more_hidden]
    hidden_records += [o for m, (_, o, _, _) in world.all_markers.items() if m in invisible_all]
    hidden_addresses = {address_of(o) for o in hidden_records}

    def leaks(text: str) -> list[str]:
        found = set(MARKER_RE.findall(text)) & invisible_all
        return sorted(found | (set(ADDRESS_RE.findall(text)) & hidden_addresses))

    checked = 0
    user_no = MATRIX_USERS.index(username)
    met = defaultdict(set)
    pk_routes = Counter(
        view_model(cb, name) for name, pattern, cb in discover() if "pk" in params_of(pattern)
    )
    # Each model's routes without a format suffix, numbered from 0: the sample below offsets
    # by this number, so that a model's routes take every offset and every user meets every
    # record, however the model's routes fall among all the others.
    plain_routes = Counter(
        view_model(cb, name)
        for name, pattern, cb in discover()
        if "pk" in params_of(pattern) and "format" not in params_of(pattern)
    )
    route_of_model: Counter = Counter()
    requested: set[str] = set()
    for route_no, (name, pattern, callback) in enumerate(discover()):
        if name in NOT_REQUESTED:
            continue
        requested.add(name)
        params = params_of(pattern)
        model = view_model(callback, name)
        if "pk" in params:
            assert model is not None, f"{name}: cannot tell which model <pk> refers to"
            if model in NON_SCOPED:
                for obj in model.objects.all():
                    kwargs = {p: PARAM_VALUES[p] for p in params if p != "pk"}
                    url = reverse(name, kwargs={**kwargs, "pk": obj.pk})
                    response = client.get(url)
                    text = body_text(response) if not response.streaming else ""
                    leaked = leaks(text)
                    assert not leaked, f"{url} as {username}: shows {leaked}"
                    if response.status_code == 405:
                        continue  # POST-only action
                    allowed = username is not None and NON_SCOPED[model](world.users[username], obj)
                    assert (response.status_code == 200) == allowed, (
                        f"{url} as {username}: {response.status_code}"
                    )
                    checked += 1
                continue
            records = [(mk, rec) for mk, rec in world.all_markers.items() if rec[0] is model]
            # A balanced sample: route i as user u checks record j when (i + u + j) is a
            # multiple of the stride. Every route meets every (classification,
            # releasability) record as some users, and every user meets every record on
            # some of the model's routes (a model with one route is checked in full). The
            # format-suffixed twin of a route runs the same view: a sparser sample shows
            # it is wired the same.
            # A model with many routes (web and API detail, edit, delete, history, actions)
            # needs fewer records per route to meet each record on some route as every user;
            # each (route, record) pair is still checked as two or three of the 11 users,
            # and the end of the test asserts that every user met every record. PostgreSQL
            # samples twice as sparsely (see POSTGRES_USERS).
            stride = 1 if pk_routes[model] == 1 else 2 if pk_routes[model] < 6 else 4
            stride = min(stride * SPARSER, plain_routes[model], len(MATRIX_USERS))
            offset = route_of_model[model] if "format" not in params else route_no
            route_of_model[model] += "format" not in params
            if "format" in params:  # the same view as its twin: a sparser sample
                stride *= 4
            sampled = [rec for j, rec in enumerate(records) if (j + offset + user_no) % stride == 0]
            if name.endswith("history"):  # every user meets the record with a past there
                sampled += [
                    rec
                    for rec in records
                    if (model, rec[1][1].pk) in world.with_past and rec not in sampled
                ]
            records = sampled
            for mk, (_, obj, c, r) in records:
                kwargs = {p: PARAM_VALUES[p] for p in params if p != "pk"}
                kwargs["pk"] = obj.pk
                url = reverse(name, kwargs=kwargs)
                met[model].add(mk)
                response = client.get(url)
                if response.status_code == 405:
                    continue  # POST-only action (its writes are tested with the capability)
                text = body_text(response)
                visible = oracle_visible(world, username, c, r)
                leaked = leaks(text)
                assert not leaked, f"{url} as {username}: shows {leaked}"
                if name.endswith(WRITE_SUFFIXES):
                    action = "delete" if name.endswith("_delete") else "edit"
                    allowed = oracle_editable(world, username, c, r, action, model)
                    if allowed:
                        assert response.status_code == 200, (
                            f"{url} as {username}: {response.status_code}"
                        )
                    else:
                        assert response.status_code in (302, 401, 403, 404), f"{url} as {username}"
                        if not visible:
                            assert response.status_code in (302, 401, 404), (
                                f"{url} as {username}: an invisible record must look absent"
                            )
                elif name.endswith("history") and username is None:
                    assert response.status_code in (302, 401, 403, 404), url
                else:
                    if visible:
                        assert response.status_code == 200, (
                            f"{url} as {username}: {response.status_code}"
                        )
                        if name.endswith("-history"):
                            # Its entries, not necessarily its name: a record's past before
                            # a downgrade (and so, for some, its creation) is nobody's.
                            assert json.loads(text), f"{url} as {username}: no entry shown"
                        elif name.endswith("_history"):
                            assert 'class="entry"' in text, f"{url} as {username}: no entry"
                        else:
                            assert mk in text, f"{url} as {username}: record not shown"
                    else:
                        assert response.status_code in (401, 403, 404), (
                            f"{url} as {username}: {response.status_code}"
                        )
                checked += 1
            continue
        missing = [p for p in params if p not in PARAM_VALUES]
        assert not missing, f"{name} ({pattern}): add a test value for {missing} in PARAM_VALUES"
        url = reverse(name, kwargs={p: PARAM_VALUES[p] for p in params} or None)
        variants = [url]
        # Searches, exports and a page of 1,000 run the same query as the list: sampled like
        # the records above, each route's search and long page by half of the users (not the
        # same half) and each export format by a third (so every one is still requested as
        # four users or more). The world has fewer records of a kind than a page holds.
        if (route_no + user_no) % 2 == 0:
            variants.append(f"{url}?q=MRK")
        else:
            variants.append(f"{url}?page_size=1000")
        if model is not None and not name.startswith("api:") and name.endswith("_list"):
            fmt = ("csv", "json", "xlsx")[(route_no + user_no) % 3]
            variants.append(f"{url}?export={fmt}")
        for variant in variants:
            response = client.get(variant)
            text = (
                body_text(response)
                if response.status_code == 200
                else response.content.decode("utf-8", "replace")
            )
            leaked = leaks(text)
            assert not leaked, f"{variant} as {username}: shows {leaked}"
            checked += 1
            if model is None or response.status_code != 200 or "?q=" in variant:
                continue
            if model in NON_SCOPED:
                if name.startswith("api:"):  # the whole count, whatever the page
                    user = world.users.get(username)  # None: anonymous
                    allowed = [o for o in model.objects.all() if NON_SCOPED[model](user, o)]
                    assert json.loads(text)["count"] == len(allowed), f"{variant} as {username}"
                continue
            if name.endswith("-list") or name.endswith("_list"):
                wanted = expected_visible_markers(world, username, model)
                shown = set(MARKER_RE.findall(text))
                assert wanted <= shown, f"{variant} as {username}: missing {sorted(wanted - shown)}"
                if name.startswith("api:"):  # the whole count, whatever the page
                    count = json.loads(text)["count"]
                    total = model.objects.visible_to(None).count() if username is None else None
                    non_marker = model.objects.exclude(
                        pk__in=[o.pk for _, (m, o, _, _) in world.all_markers.items() if m is model]
                    ).exclude(
                        pk__in=[
                            h.pk
                            for h in [*world.hidden.values(), *world.more_hidden]
                            if isinstance(h, model)
                        ]
                    )
                    assert count == len(wanted) + non_marker.count(), (
                        f"{variant} as {username}: count {count} (total {total})"
                    )
    assert checked > 100
    # Every route was requested (a route added without a way to reach it fails here).
    assert routes_not_requested(requested) == set()
    # The sample is balanced: this user met every record of every model on some route.
    for model, seen in met.items():
        every = {mk for mk, rec in world.all_markers.items() if rec[0] is model}
        assert seen == every, f"{model.__name__} as {username}: {sorted(every - seen)} unmet"


@pytest.mark.django_db
@pytest.mark.parametrize("username", MATRIX_USERS, ids=[u or "anonymous" for u in MATRIX_USERS])
def test_search_finds_exactly_what_each_user_may_see(world, username):
    """The header's search (concord.core.search) reads through the enforcement point: for
    every searchable kind, the records found for "MRK" (every marker) are the marker records
    this user may see whose own words hold a marker, at every classification and
    releasability, and nothing else: no hidden record, no record of another level."""
    from django.apps import apps as django_apps

    from concord.core import capabilities, search
    from concord.core.models import SearchEntry

    user = world.users.get(username)
    client = client_for(world, username)
    kinds_checked = 0
    for spec in capabilities.searchables():
        model = django_apps.get_model(spec.model)
        label = model._meta.label_lower
        indexed = {
            pk
            for pk, text in SearchEntry.objects.filter(model=label).values_list("object_id", "text")
            if "mrk" in text
        }
        markers = {obj.pk: (c, r) for _, (m, obj, c, r) in world.all_markers.items() if m is model}
        expected = {
            pk
            for pk, (c, r) in markers.items()
            if pk in indexed and oracle_visible(world, username, c, r)
        }
        groups = search.find(user, "MRK", kind=search.slug(spec), limit=10_000)
        found = {h.record.pk for g in groups for h in g.hits}
        assert found == expected, f"{spec.kind} as {username}: {found ^ expected}"
        # the suggestions of a form's text box (SuggestInput) read the same way
        options = client.get(
            "/search/suggest/", {"kind": search.slug(spec), "field": "q", "q": "MRK"}
        ).content.decode()
        shown = set(MARKER_RE.findall(options))
        allowed = expected_visible_markers(world, username, model)
        assert shown <= allowed, f"suggested to {username}: {sorted(shown - allowed)}"
        if groups:
            assert groups[0].count == len(expected)
        # every sample carries its marker in its own indexed words (or this checks nothing)
        assert set(markers) <= indexed, f"{spec.kind}: samples without a marker in the index"
        kinds_checked += bool(markers)
    scoped = [s for s in capabilities.searchables() if s.model != "core.Country"]
    assert kinds_checked == len(scoped), "every scoped kind has samples in the test world"
    # A record this user may not see is found by nobody through its own words (its marker),
    # nor through what it said before (its past), nor what rules derive from hidden records.
    searchable = {django_apps.get_model(s.model) for s in capabilities.searchables()}
    hidden = {
        mk
        for mk, (m, _, c, r) in world.all_markers.items()
        if m in searchable and not oracle_visible(world, username, c, r)
    }
    hidden |= {marker(letter, 3, "owner") for letter in world.hidden}
    for word in sorted(hidden | world.past_markers | world.secret_markers):
        assert search.find(user, word) == [], f"{word} found as {username}"
