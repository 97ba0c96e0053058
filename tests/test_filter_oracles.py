"""Filters are no oracles: a filter naming a hidden record behaves like one naming nothing.

Generated from the URL configuration and the filtersets: for every list of the web UI and the
API that has a filterset, for every filter that names a linked scoped record (a
:class:`~concord.core.filters.LinkFilter`, or any filter whose field path crosses a relation to
a scoped model), and for every hidden record of the linked model (strictly confidential, named
to nobody: nobody may see it), the list filtered by the hidden record's id or code must be
exactly the list filtered by an id or code that does not exist, for every user. A new list or
a new filter is covered without editing this file; the meta-test below makes sure a new filter
that names a record is declared as a LinkFilter (or as a plain method filter naming none).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import os
import re
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.db.models import Max, Q
from django.test import Client
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend

from concord.core import services
from concord.core.context import Actor
from concord.core.filters import LinkFilter, ScopedFilterSet
from concord.core.models import Classification, Organisation, Releasability, ScopedModel

from .conftest import build_world, country
from .test_access_matrix import POSTGRES_USERS, USERS, discover

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
# PostgreSQL runs as the users that take every branch of the enforcement point, as the
# access-matrix test does; SQLite as all of them.
ORACLE_USERS = POSTGRES_USERS if ON_POSTGRES else USERS
NO_SUCH_CODE = "zz-no-such-code-9"
# Values that cannot name a record by id: they must answer like an id that does not exist.
BEYOND_ANY_ID = "99999999999999999999999"
NOT_IDS = ["abc", "²", BEYOND_ANY_ID, "-1", "1.5"]


# --- which filters name a record ------------------------------------------------------------


def relation_hops(model, field_name: str) -> list[tuple[str, type]]:
    """The relations at the start of a filter's field path: [(field name, model reached)].
    ``owner_id`` and ``parent__code`` cross one; ``host_countries__alpha3`` crosses one to a
    non-scoped model; ``name`` none."""
    hops = []
    for part in field_name.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if not field.is_relation or field.related_model is None:
            break
        model = field.related_model
        hops.append((part, model))
    return hops


def scoped(model) -> bool:
    return isinstance(model, type) and issubclass(model, ScopedModel)


@dataclass(frozen=True)
class Link:
    """A filter parameter naming a record of ``model`` by one of ``identifiers``."""

    param: str
    model: type
    identifiers: tuple[str, ...]  # "pk", "code", "pcode", …
    paths: tuple[str, ...]  # from the filtered model to the linked one


def links(filterset) -> list[Link]:
    """Every parameter of ``filterset`` that names a linked scoped record."""
    model = filterset._meta.model
    out = []
    for name, f in filterset.base_filters.items():
        if isinstance(f, LinkFilter):
            out.append(Link(name, f.link_model, f.identifiers, f.paths))
            continue
        if f.method is not None:
            continue  # the meta-test requires these to be declared
        hops = relation_hops(model, f.field_name)
        last = max((i for i, (_, m) in enumerate(hops) if scoped(m)), default=None)
        if last is None:
            continue
        rest = f.field_name.split("__")[last + 1 :]
        ident = rest[0] if rest and rest[0] not in ("id", "pk") else "pk"
        path = "__".join(h for h, _ in hops[: last + 1])
        out.append(Link(name, hops[last][1], (ident,), (path,)))
    return out


def all_filtersets() -> list[type]:
    """Every ScopedFilterSet of every app (imported, then found by walking subclasses)."""
    import importlib

    for app in apps.get_app_configs():
        if app.name.startswith("concord"):
            try:
                importlib.import_module(f"{app.name}.filters")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app.name}.filters":
                    raise
    found, todo = [], list(ScopedFilterSet.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.append(cls)
            todo += cls.__subclasses__()
    return sorted((c for c in found if c._meta.model is not None), key=lambda c: c.__name__)


@functools.cache
def list_routes() -> list[tuple[str, str, type]]:
    """(interface, url, filterset) for every list of the web UI and the API with a filterset."""
    out = []
    for name, pattern, callback in discover():
        if "<" in pattern:  # detail routes and the .json-suffixed twins
            continue
        config = getattr(callback, "view_initkwargs", {}).get("config")
        if not name.startswith("api:") and name.endswith("_list") and config is not None:
            out.append(("web", reverse(name), config.filterset))
        cls = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        if (
            name.startswith("api:")
            and actions.get("get") == "list"
            and getattr(cls, "filterset_class", None) is not None
            and any(issubclass(b, DjangoFilterBackend) for b in cls.filter_backends)
        ):
            out.append(("api", reverse(name), cls.filterset_class))
    return out


# --- the world --------------------------------------------------------------------------------


def _hidden_batch(w):
    from concord.labour.models import ImportBatch

    return services.save(
        ImportBatch(
            filename="hidden import",
            sha256="1" * 64,
            owner=w.own,
            classification=Classification.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
        ),
        actor=Actor.system("oracle"),
    )


# A hidden record for linked models the shared world has none of.
HIDDEN_FACTORIES = {"labour.ImportBatch": _hidden_batch}


def _widest_first(records):
    """A model's world records, those most users may see first (public/public first)."""
    widest = ["public", "signed_in", "spaces", "organisations", "owner"]
    return sorted(records, key=lambda rec: (rec[2], widest.index(rec[3])))


def complete(w) -> None:
    """Add to the shared world what the oracle needs, so that the test can fail: a hidden
    record of every linked model, with every identifying code set, and for every filter a
    record visible to every user that links to each hidden record through that filter."""
    system = Actor.system("oracle")
    w.hidden_records = list(w.hidden.values())
    specs = {(fs._meta.model, link) for _, _, fs in list_routes() for link in links(fs)}
    for model in sorted({link.model for _, link in specs}, key=lambda m: m.__name__):
        if not any(isinstance(h, model) for h in w.hidden_records):
            factory = HIDDEN_FACTORIES.get(model._meta.label)
            assert factory, f"no hidden {model.__name__} in the world: add a HIDDEN_FACTORIES entry"
            w.hidden_records.append(factory(w))
    # Identifying codes the world leaves empty get one (a filter ignores an empty value).
    for _, link in sorted(specs, key=repr):
        for h in (h for h in w.hidden_records if isinstance(h, link.model)):
            empty = [i for i in link.identifiers if i != "pk" and not getattr(h, i)]
            for ident in empty:
                setattr(h, ident, f"H{h.pk}{ident[0].upper()}{ident[-1].upper()}")
            if empty:
                services.save(h, actor=system)
    # Every filter finds, through one of its paths, a record anyone may see for each hidden
    # record: re-link the widest-visible world records where the world has none.
    used = set()
    for model, link in sorted(specs, key=repr):
        for h in (h for h in w.hidden_records if isinstance(h, link.model)):
            linking = Q()
            for path in link.paths:
                linking |= Q(**{path: h})
            public = model.objects.filter(
                classification=Classification.PUBLIC, releasability=Releasability.PUBLIC
            )
            if public.filter(linking).exists():
                continue
            path = link.paths[0]
            assert "__" not in path, f"{model.__name__}.{path}: add a record linking to {h!r}"
            field = model._meta.get_field(path)
            candidates = [
                obj
                for m, obj, c, r in _widest_first(w.records)
                if m is model and (model, path, obj.pk) not in used
            ]
            obj = candidates[0]
            used.add((model, path, obj.pk))
            if field.many_to_many:
                getattr(obj, path).add(h)
            else:
                model.objects.filter(pk=obj.pk).update(**{path: h})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        w = build_world()
        complete(w)
        yield w
        call_command("flush", interactive=False, verbosity=0)


def client_for(w, username) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is an answer that differs
    if username:
        client.force_login(w.users[username])
    return client


# --- comparing two responses ----------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def normalised(response, param: str, value: str):
    """What a reader learns from a response, with the echo of ``param=value`` blanked."""
    text = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(text) if text else None
        if response.status_code == 200 and isinstance(body, dict) and "results" in body:
            return response.status_code, body["count"], body["results"]
        text = json.dumps(body, ensure_ascii=False)
    text = CSRF_RE.sub("", text)
    text = re.sub(rf'(name="{param}"[^>]*? value=")[^"]*"', r'\1@"', text)
    text = re.sub(rf"(?<=[?&;]){param}=[^&\"'#\s<]*", f"{param}=@", text)
    for echo in {value, html.escape(value), quote_plus(value)}:
        for quoted in (f"'{echo}'", f"&#x27;{echo}&#x27;"):  # in messages: "No task 'x'"
            text = text.replace(quoted, "'@'")
    return response.status_code, text


def _count(answer) -> str:
    """A short description of an answer for failure messages."""
    if len(answer) == 3:
        return f"{answer[0]} count {answer[1]}"
    counted = re.search(r'<p class="count">([^<]*)', answer[1])
    return f"{answer[0]} {counted.group(1).strip() if counted else ''}".strip()


def hidden_values(w, link: Link):
    """(label, value) naming each hidden record of the link's model, from the record itself."""
    for h in w.hidden_records:
        if isinstance(h, link.model):
            for ident in link.identifiers:
                value = str(h.pk) if ident in ("pk", "id") else getattr(h, ident)
                assert value, f"{h!r} has no {ident}: the oracle could not name it"
                yield f"hidden {link.model.__name__} {ident}", str(value)


def missing_value(link: Link, ident: str) -> str:
    if ident in ("pk", "id"):
        top = link.model.objects.aggregate(top=Max("pk"))["top"] or 0
        return str(top + 1_000_000)
    assert not link.model.objects.filter(**{f"{ident}__iexact": NO_SUCH_CODE}).exists()
    return NO_SUCH_CODE


def get(client, interface, url, param, value):
    query = {param: value, **({"page_size": 1000} if interface == "api" else {})}
    return client.get(f"{url}?{urlencode(query)}")


# --- the tests --------------------------------------------------------------------------------


def test_every_list_with_a_filterset_is_found(world):
    routes = list_routes()
    found = {fs for _, _, fs in routes}
    assert {"web", "api"} == {i for i, _, _ in routes}
    assert set(all_filtersets()) <= found | {fs for fs in all_filtersets() if not links(fs)}, (
        "a filterset with link filters that no list route uses"
    )
    assert len(routes) >= 40


def test_the_world_links_every_filter_to_hidden_records(world):
    """Otherwise the oracle test could not fail: for every filter and hidden record of its
    model, a record anyone may see links to it through the filter."""
    checked = 0
    for _, _, fs in list_routes():
        model = fs._meta.model
        for link in links(fs):
            hidden = [h for h in world.hidden_records if isinstance(h, link.model)]
            assert hidden, f"{fs.__name__}.{link.param}: no hidden {link.model.__name__}"
            for h in hidden:
                linking = Q()
                for path in link.paths:
                    linking |= Q(**{path: h})
                public = model.objects.filter(classification=0, releasability="public")
                assert public.filter(linking).exists(), f"{fs.__name__}.{link.param} → {h!r}"
                checked += 1
    assert checked >= 80


@pytest.mark.django_db
@pytest.mark.parametrize("username", ORACLE_USERS, ids=[u or "anonymous" for u in ORACLE_USERS])
def test_filtering_by_a_hidden_record_is_filtering_by_nothing(world, username):
    """Every link filter of every list, by each hidden record's id and codes, as this user.
    A filterset's web list and API list are each checked by half of the users (alternating
    between filtersets), so every user meets every filter on one of the two."""
    client = client_for(world, username)
    user_no = USERS.index(username)
    filtersets = sorted({fs for _, _, fs in list_routes()}, key=lambda c: c.__name__)
    interfaces = {fs: {i for i, _, f in list_routes() if f is fs} for fs in filtersets}
    failures, met = [], set()
    for interface, url, fs in list_routes():
        fs_no = filtersets.index(fs)
        if len(interfaces[fs]) > 1 and (fs_no + user_no) % 2 != ("web", "api").index(interface):
            continue
        for link in links(fs):
            met.add((fs, link.param))
            missing = {}
            for label, value in hidden_values(world, link):
                ident = label.rsplit(" ", 1)[-1]
                if ident not in missing:
                    nothing = missing_value(link, ident)
                    missing[ident] = normalised(
                        get(client, interface, url, link.param, nothing), link.param, nothing
                    )
                got = normalised(get(client, interface, url, link.param, value), link.param, value)
                if got != missing[ident]:
                    failures.append(
                        f"{url}?{link.param}=<{label}>: {_count(got)}, "
                        f"for nothing: {_count(missing[ident])}"
                    )
    assert not failures, f"as {username or 'anonymous'}:\n" + "\n".join(failures)
    every = {(fs, link.param) for fs in filtersets for link in links(fs)}
    assert met == every


@pytest.mark.django_db
def test_a_value_that_cannot_be_an_id_names_nothing(world):
    """Not a number, a unicode digit, a number beyond any id: like an id that does not
    exist (not an error, not a 500). Every filter by id tries the number beyond any id (an
    OverflowError on SQLite once) and one of the others in turn."""
    client = client_for(world, None)
    failures, turn = [], 0
    for interface, url, fs in list_routes():
        for link in links(fs):
            if "pk" not in link.identifiers:
                continue
            nothing = missing_value(link, "pk")
            response = get(client, interface, url, link.param, nothing)
            expected = normalised(response, link.param, nothing)
            others = [v for v in NOT_IDS if v != BEYOND_ANY_ID]
            turn += 1
            for value in (BEYOND_ANY_ID, others[turn % len(others)]):
                got = normalised(get(client, interface, url, link.param, value), link.param, value)
                if got != expected:
                    failures.append(f"{url}?{link.param}={value}: {_count(got)}")
    assert not failures, "\n".join(failures)


# --- scoped records between the list and the record named ------------------------------------


@pytest.mark.django_db
def test_a_path_through_a_hidden_record_finds_nothing(world):
    """A visible tranche of a hidden commitment is not found by the commitment's (visible)
    donor, and a visible assignment in a hidden district is not found by the district's
    (visible) region: either would tell which donor or region the hidden record has."""
    from concord.accountability.models import Commitment, Tranche
    from concord.core.models import Area
    from concord.labour.models import Assignment

    system = Actor.system("oracle")
    c = Classification
    public = {"classification": c.PUBLIC, "releasability": Releasability.PUBLIC, "owner": world.own}
    hidden = {
        "classification": c.STRICTLY_CONFIDENTIAL,
        "releasability": Releasability.OWNER,
        "owner": world.own,
    }
    donor = services.save(Organisation(name="Visible donor", kind="other", **public), actor=system)
    commitment = services.save(
        Commitment(
            instrument=world.hidden["HF"],
            donor=donor,
            recipient_operation=world.hidden["J"],
            amount=5,
            currency="EUR",
            purpose="hidden commitment of a visible donor",
            **hidden,
        ),
        actor=system,
    )
    tranche = services.save(
        Tranche(
            commitment=commitment,
            label="visible tranche",
            amount=1,
            planned=dt.date(2026, 6, 1),
            **public,
        ),
        actor=system,
    )
    region = services.save(
        Area(name="Visible region", country=country(), level=1, pcode="VR01", **public),
        actor=system,
    )
    district = services.save(
        Area(name="Hidden district", country=country(), level=2, parent=region, **hidden),
        actor=system,
    )
    assignment = services.save(
        Assignment(
            organisation=donor,
            task=world.hidden["I"],
            country=country(),
            area=district,
            start=dt.date(2014, 1, 1),
            note="visible assignment in a hidden district",
            **public,
        ),
        actor=system,
    )
    for username in FEW_USERS:
        client = client_for(world, username)
        ids = {
            r["id"]
            for r in client.get(
                f"/api/v1/accountability/tranches/?donor={donor.pk}&page_size=1000"
            ).json()["results"]
        }
        assert tranche.pk not in ids, username
        ids = {
            r["id"]
            for r in client.get(
                f"/api/v1/labour/assignments/?area={region.pcode}&page_size=1000"
            ).json()["results"]
        }
        assert assignment.pk not in ids, username
    # … while the same links through visible records are found.
    Commitment.objects.filter(pk=commitment.pk).update(**{k: v for k, v in public.items()})
    Area.objects.filter(pk=district.pk).update(**{k: v for k, v in public.items()})
    client = client_for(world, None)
    found = client.get(f"/api/v1/accountability/tranches/?donor={donor.pk}").json()["results"]
    assert [r["id"] for r in found] == [tranche.pk]
    found = client.get(f"/api/v1/labour/assignments/?area={region.pcode}").json()["results"]
    assert [r["id"] for r in found] == [assignment.pk]


# --- query parameters outside filtersets ------------------------------------------------------


# The hand-written parameters are checked as anonymous, a named manager with strictly
# confidential clearance, another organisation's editor with that clearance, and a space member.
FEW_USERS = [None, "own_manager_named", "other_editor", "space_viewer"]


def _same(w, url, param, values) -> list[str]:
    """Each of FEW_USERS gets the same answer from ``url`` (``{}`` for the value) for each
    of ``values`` as for the first one, a value that names nothing."""
    failures = []
    for username in FEW_USERS:
        client = client_for(w, username)
        answers = [normalised(client.get(url.format(quote_plus(v))), param, v) for v in values]
        for value, answer in zip(values, answers, strict=True):
            if answer != answers[0]:
                failures.append(
                    f"{username or 'anonymous'}: {url.format(value)}: {_count(answer)}, "
                    f"for nothing: {_count(answers[0])}"
                )
    return failures


def _beyond(model) -> str:
    """An id far above every id of ``model``."""
    return str((model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1_000_000)


@pytest.mark.django_db
def test_area_timeline_by_hidden_area(world):
    from concord.core.models import Area

    area = world.hidden["G"]
    url = "/labour/timeline/?country=MLI&area_id={}"
    failures = _same(world, url, "area_id", [_beyond(Area), str(area.pk), *NOT_IDS])
    url = "/labour/timeline/?country=MLI&area={}"
    failures += _same(world, url, "area", [NO_SUCH_CODE, area.pcode, area.iso_code])
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_findings_api_by_hidden_records(world):
    from concord.operations.models import Operation

    task = world.hidden["I"]
    failures = _same(world, "/api/v1/labour/findings/?task={}", "task", [NO_SUCH_CODE, task.code])
    for param, model, hidden in (
        ("organisation", Organisation, world.hidden["H"]),
        ("operation", Operation, world.hidden["J"]),
    ):
        values = [_beyond(model), str(hidden.pk), *NOT_IDS]
        failures += _same(world, f"/api/v1/labour/findings/?{param}={{}}", param, values)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_funding_evaluation_by_hidden_donor(world):
    org = world.hidden["H"]
    values = [_beyond(Organisation), str(org.pk), org.name, org.acronym, NO_SUCH_CODE, *NOT_IDS]
    failures = _same(world, "/api/v1/accountability/funding-evaluation/?donor={}", "donor", values)
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_labour_analysis_by_hidden_records(world):
    """The analysis page's form names a task, an organisation and an operation."""
    task, org, op = world.hidden["I"], world.hidden["H"], world.hidden["J"]
    failures = []
    for param, values in (
        ("task", [NO_SUCH_CODE, task.code, task.name]),
        ("organisation", [NO_SUCH_CODE, org.name, org.acronym]),
        ("operation", [NO_SUCH_CODE, op.name, str(op.pk), "²", BEYOND_ANY_ID]),
    ):
        failures += _same(world, f"/labour/?country=MLI&{param}={{}}", param, values)
    assert not failures, "\n".join(failures)


# --- the meta-test ------------------------------------------------------------------------------


def test_every_filter_naming_a_record_is_a_link_filter():
    """A filter whose field path crosses a relation to a scoped model must be a LinkFilter
    (which resolves the value among the records the reader may see), and a filter with a
    ``method=`` must be a LinkFilter or be listed in its filterset's ``plain_method_filters``
    (searches and dates, which name no record)."""
    filtersets = all_filtersets()
    assert len(filtersets) >= 20
    offences = []
    for fs in filtersets:
        model = fs._meta.model
        plain = set(getattr(fs, "plain_method_filters", ()))
        for name, f in fs.base_filters.items():
            where = f"{fs.__module__}.{fs.__name__}.{name}"
            if isinstance(f, LinkFilter):
                assert scoped(f.link_model), f"{where}: links to a non-scoped model"
                for path in f.paths:
                    hops = relation_hops(model, path)
                    assert "__".join(h for h, _ in hops) == path, f"{where}: {path} is no path"
                    assert hops[-1][1] is f.link_model, f"{where}: {path} does not lead to it"
                for lookup in f.lookups:
                    if lookup not in ("pk", "id"):
                        f.link_model._meta.get_field(lookup.split("__")[0])
                assert name not in plain, f"{where}: a LinkFilter is not a plain method filter"
                continue
            if f.method is not None:
                if name not in plain:
                    offences.append(
                        f"{where}: method filter; a LinkFilter, or list it in plain_method_filters"
                    )
                continue
            crossed = [m for _, m in relation_hops(model, f.field_name) if scoped(m)]
            if crossed:
                offences.append(f"{where}: names a {crossed[-1].__name__}; use a LinkFilter")
        for name in plain:
            assert name in fs.base_filters and fs.base_filters[name].method is not None, (
                f"{fs.__name__}.plain_method_filters lists {name}, which is no method filter"
            )
    assert not offences, "\n".join(offences)
