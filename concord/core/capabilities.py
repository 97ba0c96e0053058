"""The capability registry: what each capability brings, declared in one place in its folder.

A capability (core, operations, labour, accountability, and the ones to come) declares a
module-level ``CAPABILITY`` in ``concord/<capability>/capability.py``. At start-up
(``CoreConfig.ready``) :func:`discover` reads that module of every installed app, in the
order of ``INSTALLED_APPS``, and installs what it declares: import/export kinds, save hooks,
navigation. URL configuration, the API router, ``concord seed``, ``concord bench generate``,
the navigation, the pages that gather sections from several capabilities and the test world
iterate :func:`all`; none of them names a capability. Adding one means a new folder and one
line in ``INSTALLED_APPS``.

Declarations name code by dotted path ("concord.labour.views.mandate_section"), so that
reading the registry imports nothing heavier than the declarations; paths are resolved when
first used. Two capabilities declaring the same key (an import kind, a navigation entry, a
save hook for the same model) is an error at start-up, never a silent first-one-wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module, util

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class NavEntry:
    """A link in the header's menus: ``section`` is the menu, ``url_name`` a namespaced name."""

    section: str
    label: str
    url_name: str
    signed_in_only: bool = False
    # A function (user) -> bool, by dotted path: the entry shows only when it says yes
    # (e.g. to platform administrators, or to an organisation's managers).
    when: str | None = None


@dataclass(frozen=True)
class Route:
    """An API endpoint: ``/api/v1/<capability>/<prefix>/`` served by ``viewset``."""

    prefix: str
    viewset: str
    basename: str


@dataclass(frozen=True)
class Hook:
    """A rule run whichever interface writes a record of ``model`` ("app_label.Model"):
    ``when`` is ``before_save`` (before validation), ``after_save`` (after the write, in the
    same transaction, so a rule that fails undoes it) or ``before_delete``."""

    model: str
    when: str
    function: str


@dataclass(frozen=True)
class Schedule:
    """A job the worker runs every ``every`` seconds: ``task`` names a task (a function
    decorated with ``django_tasks.task``) by dotted path."""

    task: str
    every: int


@dataclass(frozen=True)
class Attention:
    """One thing the signed-in user should act on, listed on the home page.

    ``group`` heads the list it belongs to ("Reports overdue"); ``title`` is only what the
    reader may see of the record; ``why`` says in words why it is there; ``when`` (a date or
    a datetime) is the deadline or the time of the change, for ordering."""

    group: str
    title: str
    url: str
    why: str
    when: object = None
    urgent: bool = False


@dataclass(frozen=True)
class Searchable:
    """Records of ``model`` ("app_label.Model") that the header's search finds, listed under
    ``kind`` ("Operations"); concord.core.search.

    ``title`` is the field that names the record (ranked first), ``text`` more of its own
    fields to match (a JSON list is read item by item), ``codes`` the fields matched exactly
    and shown beside the name (an acronym, an ISO code, a P-code). A path may follow a link
    ("country.name") only to public reference data (a country): a scoped record's words must
    never make another record match. ``extra`` is a function (record) -> list of more words
    (a country's French name); ``describe`` a function (record) -> str shown under the name."""

    model: str
    kind: str
    title: str
    text: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    extra: str | None = None
    describe: str | None = None


@dataclass(frozen=True)
class Capability:
    """What one capability brings. Every field but ``label`` and ``title`` is optional.

    - ``urls``: the module whose ``urlpatterns`` are its web pages (namespace: ``label``);
    - ``api``: its API endpoints, under ``/api/v1/<label>/`` (namespace ``api:<label>``);
    - ``import_kinds``: a dict ``kind → Spec`` for import/export (kinds are global: the CLI
      and the pages name them, so a duplicate is an error);
    - ``navigation``: its menu entries;
    - ``operation_sections`` / ``organisation_sections`` / ``country_sections``: functions
      ``(record, labels, user)`` returning the sections it adds to those pages, each a
      ``(title, [(text, url)])``;
    - ``findings_sections``: functions ``(kinds, countries, user)`` returning the sections it
      adds beside an analysis's findings (``kinds``: the kinds of finding shown, such as
      "handover"; ``countries``: the alpha-3 codes analysed), same shape;
    - ``accountability_sections``: functions ``(operation, labels, user)`` returning the
      sections it adds to an operation's accountability web, same shape;
    - ``hooks``: rules attached to its models (:class:`Hook`);
    - ``seed_reference`` / ``seed_catalogue``: functions returning a sentence for the CLI;
      ``seed_demo``: a function ``(orgs)`` (acronym → organisation) returning one too;
    - ``synthetic``: a module generating its part of the benchmark world: ``generate(world)``,
      and ``reference(world)`` for real reference data it needs first (concord.synthetic);
    - ``test_world``: a module adding its records to the test world: ``hidden(w)`` and
      ``SAMPLES`` (concord.core.testing);
    - ``schedules``: jobs the worker runs periodically (:class:`Schedule`);
    - ``attention``: functions ``(user, limit)`` returning at most ``limit`` + 1
      :class:`Attention` items for the home page, only from what ``user`` may see;
    - ``search``: what the header's search finds (:class:`Searchable`).
    """

    label: str
    title: str
    urls: str | None = None
    api: tuple[Route, ...] = ()
    import_kinds: str | None = None
    navigation: tuple[NavEntry, ...] = ()
    operation_sections: tuple[str, ...] = ()
    organisation_sections: tuple[str, ...] = ()
    country_sections: tuple[str, ...] = ()
    findings_sections: tuple[str, ...] = ()
    accountability_sections: tuple[str, ...] = ()
    hooks: tuple[Hook, ...] = ()
    seed_reference: str | None = None
    seed_catalogue: str | None = None
    seed_demo: str | None = None
    synthetic: str | None = None
    test_world: str | None = None
    schedules: tuple[Schedule, ...] = ()
    attention: tuple[str, ...] = ()
    search: tuple[Searchable, ...] = ()


def resolve(path: str) -> Callable:
    """The object a dotted path names ("package.module.name")."""
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


_REGISTRY: list[Capability] = []


def all() -> list[Capability]:  # noqa: A001  (read as capabilities.all())
    """Every installed capability, in the order of INSTALLED_APPS."""
    return list(_REGISTRY)


def discover() -> list[Capability]:
    """Read every installed app's ``capability`` module and install what it declares."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("concord.") or not util.find_spec(config.name):
            continue
        if util.find_spec(f"{config.name}.capability") is None:
            continue
        capability = import_module(f"{config.name}.capability").CAPABILITY
        if capability.label != config.label:
            raise ImproperlyConfigured(
                f"{config.name}.capability declares label {capability.label!r}; use the app's "
                f"label {config.label!r} (it is the URL namespace and the API path)."
            )
        found.append(capability)
    check(found)
    _REGISTRY[:] = found
    _SECTIONS.clear()
    _install(found)
    return found


def _duplicates(pairs) -> dict:
    seen: dict = {}
    dupes: dict = {}
    for key, owner in pairs:
        if key in seen:
            dupes[key] = (seen[key], owner)
        seen[key] = owner
    return dupes


def check(capabilities: list[Capability]) -> None:
    """Start-up checks: no two declarations of the same key."""
    problems = []
    for what, pairs in (
        (
            "capability label",  # untranslated: start-up check
            ((c.label, c.label) for c in capabilities),
        ),
        (
            "navigation entry",  # untranslated: start-up check
            (((e.section, e.label), c.label) for c in capabilities for e in c.navigation),
        ),
        (
            "URL name",  # untranslated: start-up check
            ((e.url_name, c.label) for c in capabilities for e in c.navigation),
        ),
        (
            "save hook",  # untranslated: start-up check
            (((h.model, h.when), c.label) for c in capabilities for h in c.hooks),
        ),
        (
            "API route",  # untranslated: start-up check
            (((c.label, r.prefix), c.label) for c in capabilities for r in c.api),
        ),
        (
            "API basename",  # untranslated: start-up check
            (((c.label, r.basename), c.label) for c in capabilities for r in c.api),
        ),
        (
            "searchable model",  # untranslated: start-up check
            ((s.model, c.label) for c in capabilities for s in c.search),
        ),
        (
            "search kind",  # untranslated: start-up check
            ((s.kind, c.label) for c in capabilities for s in c.search),
        ),
        (
            "import kind",  # untranslated: start-up check
            ((kind, c.label) for c in capabilities if c.import_kinds for kind in _kinds(c)),
        ),
    ):
        for key, (first, second) in _duplicates(pairs).items():
            problems.append(
                f"{what} {key!r} declared twice ({first}, {second})"  # untranslated: start-up check
            )
    for c in capabilities:
        for h in c.hooks:
            if h.when not in HOOK_KINDS:
                problems.append(
                    f"{c.label}: hook {h.function} "  # untranslated: start-up check
                    f"has unknown when={h.when!r}"
                )
        for s in c.search:
            problems += _searchable_problems(c.label, s)
    if problems:
        raise ImproperlyConfigured(
            "Capability registry: "
            + "; ".join(problems)
            + ". Give each key to one capability (rename the newer one)."
        )


HOOK_KINDS = ("before_save", "after_save", "before_delete")


def _searchable_problems(label: str, s: Searchable) -> list[str]:
    """A searchable path may follow links only to public reference data: through a scoped
    record, a record would match on words its reader may not see."""
    from django.apps import apps

    from concord.core.models import ScopedModel

    problems = []
    for path in (s.title, *s.text, *s.codes):
        model = apps.get_model(s.model)
        for part in path.split(".")[:-1]:
            model = model._meta.get_field(part).related_model
            if issubclass(model, ScopedModel):
                problems.append(
                    f"{label}: search path {path!r} of {s.model} "  # untranslated: start-up check
                    f"goes through {model.__name__}, a scoped record (index its own fields only)"
                )
                break
    return problems


def _kinds(capability: Capability) -> list[str]:
    return list(resolve(capability.import_kinds))


def _install(capabilities: list[Capability]) -> None:
    from django.apps import apps

    from concord.core import importers, services

    tables = {
        "before_save": services.BEFORE_SAVE,
        "after_save": services.AFTER_SAVE,
        "before_delete": services.BEFORE_DELETE,
    }
    for table in tables.values():
        table.clear()
    importers.SPECS.clear()
    for c in capabilities:
        for h in c.hooks:
            tables[h.when][apps.get_model(h.model)] = resolve(h.function)
        if c.import_kinds:
            importers.SPECS.update(resolve(c.import_kinds))


_SECTIONS: dict[str, tuple[Callable, ...]] = {}


def sections(kind: str) -> tuple[Callable, ...]:
    """The section functions every capability adds to a page (``operation``, ``organisation``,
    ``country``), beside findings (``findings``) or to an operation's accountability web
    (``accountability``),
    resolved on the first page that asks (they live in views: not imported at start-up)."""
    if kind not in _SECTIONS:
        paths = [p for c in _REGISTRY for p in getattr(c, f"{kind}_sections")]
        _SECTIONS[kind] = tuple(resolve(p) for p in paths)
    return _SECTIONS[kind]


def searchables() -> list[Searchable]:
    """What the header's search finds, in the order of the registry."""
    return [s for c in _REGISTRY for s in c.search]


def navigation() -> list[NavEntry]:
    return [entry for c in _REGISTRY for entry in c.navigation]
