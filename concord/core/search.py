"""One search for everything: what each capability declares findable (``Capability.search``),
indexed in :class:`~concord.core.models.SearchEntry`, and :func:`find` for a reader.

Matching is accent-, case- and punctuation-insensitive: words are folded in Python (NFKD
without combining marks, casefolded) when a record is indexed and when a query is read, so
"Kone" finds "Koné" on both databases without PostgreSQL's ``unaccent``. Substrings are found
through a trigram index: SQLite's FTS5 ``trigram`` tokenizer, PostgreSQL's ``pg_trgm`` GIN
index (migration core 0007). Words of one or two letters match the start of a word, or a
code exactly ("ML", "UN").

The index only narrows: each kind's matches are read with each record's ``visible_to`` (the
enforcement point) in the same query, before any limit, so a hidden record is never shown,
never counted and never makes a count read "at least": a reader does not learn from the
search that it exists. Only a
record's own words and public reference data (a country's names) are indexed, never
another scoped record's, which could make a record match on what its reader may not see.

Every write through ``core.services.save``/``delete`` keeps the index current; bulk writes
call :func:`index_many`; ``concord search reindex`` rebuilds it (after a restore, or a bulk
load that bypassed the services).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import translation
from django.utils.translation import gettext as _

from . import capabilities
from .capabilities import Searchable, resolve
from .compiled import MARKER, compiled, on_column
from .text import compact, fold  # a code as one word, so "UN" is not found inside "MD-UN"

CANDIDATES = 200  # visible matches of one kind ranked; beyond, counts say "at least"
MIN_LENGTH = 2


def _values(record, path: str) -> list[str]:
    value = record
    for part in path.split("."):
        value = getattr(value, part, None) if value is not None else None
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v]
    return [str(value)]


@dataclass
class Document:
    title: str
    text: str
    codes: str


def document(spec: Searchable, record) -> Document:
    title = " ".join(_values(record, spec.title))
    raw_codes = [c for path in spec.codes for c in _values(record, path)]
    codes = [compact(c) for c in raw_codes]
    words = [title, *(v for path in spec.text for v in _values(record, path)), *raw_codes]
    if spec.extra:
        words += list(resolve(spec.extra)(record))
    folded = [fold(w) for w in words]
    return Document(
        title=fold(title)[:300],
        # a leading space so that " w" matches the start of any word, the first included
        text=" " + " | ".join(dict.fromkeys(w for w in folded if w)),
        codes=(" " + " ".join(dict.fromkeys(c for c in codes if c)) + " ")[:300] if codes else "",
    )


@lru_cache(maxsize=4)
def _specs(declared: tuple[Searchable, ...]) -> dict[str, Searchable]:
    return {apps.get_model(s.model)._meta.label_lower: s for s in declared}


def spec_for(model) -> Searchable | None:
    """The declaration of a searchable model (every save asks: looked up once per registry)."""
    return _specs(tuple(capabilities.searchables())).get(model._meta.label_lower)


def index(record) -> None:
    """Index (or re-index) one record, if its model is searchable."""
    spec = spec_for(type(record))
    if spec is None:
        return
    from .models import SearchEntry

    doc = document(spec, record)
    SearchEntry.objects.update_or_create(
        model=type(record)._meta.label_lower,
        object_id=record.pk,
        defaults={"title": doc.title, "text": doc.text, "codes": doc.codes},
    )


def forget(record) -> None:
    from .models import SearchEntry

    SearchEntry.objects.filter(model=type(record)._meta.label_lower, object_id=record.pk).delete()


def index_many(records, model=None) -> int:
    """Index records written in bulk (replacing their entries); returns how many."""
    from .models import SearchEntry

    records = list(records)
    model = model or (type(records[0]) if records else None)
    spec = spec_for(model) if model else None
    if spec is None:
        return 0
    label = model._meta.label_lower
    rows = []
    for r in records:
        doc = document(spec, r)
        rows.append(
            SearchEntry(
                model=label, object_id=r.pk, title=doc.title, text=doc.text, codes=doc.codes
            )
        )
    with transaction.atomic():
        ids = [r.pk for r in records]
        for start in range(0, len(ids), 5000):
            SearchEntry.objects.filter(
                model=label, object_id__in=ids[start : start + 5000]
            ).delete()
        SearchEntry.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def reindex() -> dict[str, int]:
    """Rebuild the whole index from the records; returns the count per kind."""
    from .models import SearchEntry

    counts = {}
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        for spec in capabilities.searchables():
            model = apps.get_model(spec.model)
            related = _related(spec)
            n = 0
            queryset = model._base_manager.select_related(*related).order_by("pk")
            batch = []
            for record in queryset.iterator(chunk_size=2000):
                batch.append(record)
                if len(batch) == 2000:
                    n += index_many(batch, model)
                    batch = []
            n += index_many(batch, model)
            counts[str(spec.kind)] = n
        if connection.vendor == "sqlite":
            # Rewritten row by row through its triggers, SQLite's FTS5 index is left in many
            # small segments (searches took 6 times as long): build it again in one piece.
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO core_searchentry_fts(core_searchentry_fts) VALUES ('rebuild')"
                )
    return counts


def _related(spec: Searchable) -> list[str]:
    paths = [spec.title, *spec.text, *spec.codes]
    return sorted({p.rsplit(".", 1)[0] for p in paths if "." in p})


# -- finding --------------------------------------------------------------------------------


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


@dataclass(frozen=True)
class Query:
    """A query read as folded words (``None`` from :func:`parse`: too short to search)."""

    folded: str  # "jean kone"
    long: tuple[str, ...]  # words of 3 letters or more: found anywhere, through the index
    short: tuple[str, ...]  # words of 1-2 letters: the start of a word, or a whole code

    @property
    def code(self) -> str:
        return self.folded.replace(" ", "")


def parse(q: str) -> Query | None:
    words = fold(q[:200]).split()
    if not words or len(" ".join(words)) < MIN_LENGTH:
        return None
    return Query(
        folded=" ".join(words),
        long=tuple(w for w in words if len(w) >= 3),
        short=tuple(w for w in words if len(w) < 3),
    )


def _entries(query: Query, model: str | None = None):
    """Matching entries, as a queryset: PostgreSQL's way, and SQLite's for a query of short
    words only (SQLite's words of three letters or more go through FTS5: ``_kind_rows``)."""
    from .models import SearchEntry

    entries = SearchEntry.objects.all()
    if model:
        entries = entries.filter(model=model)
    if not query.long:
        if len(query.short) == 1:  # "ml", "un": a code, or the start of a name
            w = query.short[0]
            return entries.filter(Q(codes__contains=f" {w} ") | Q(title__startswith=w))
        if len(query.code) < 3:  # "m 6": a code typed with a space
            return entries.filter(codes__contains=f" {query.code} ")
    for w in query.long:  # PostgreSQL: the trigram index serves LIKE '%w%'
        entries = entries.filter(text__contains=w)
    for w in query.short:
        entries = entries.filter(text__contains=" " + w)
    return entries


FIELDS = ("object_id", "title", "codes", "text")


def _visible(entries, model, user, country: str | None):
    """Entries whose record ``user`` may see (``visible_to``, row by row: the database stops
    as soon as it has enough, and a hidden record never counts, even towards "at least")."""
    readable = model.objects.visible_to(user)
    if country and any(f.name == "country" for f in model._meta.concrete_fields):
        readable = readable.filter(country__alpha3=country)
    return entries.filter(Exists(readable.filter(pk=OuterRef("object_id"))))


def _kind_rows(query: Query, model, user, country: str | None) -> list[tuple]:
    """At most ``CANDIDATES`` + 1 visible matches of one kind, in the index's order: no sort
    over every match ("ion" is in a hundred thousand names). On SQLite the FTS5 table drives
    the join (as a subquery, SQLite would first list every match)."""
    from .models import SearchEntry

    label = model._meta.label_lower
    if query.long and connection.vendor == "sqlite":
        # The FTS5 table joined in FROM, its MATCH in WHERE: SQLite reads the matches from
        # it and checks each one's kind and visibility, stopping at the limit (through
        # ``id IN (SELECT …)`` it walked every entry of the kind, probing the index for each).
        # (the kind compared as an expression, so that its index does not tempt SQLite)
        entries = SearchEntry.objects.alias(kind=Concat("model", Value(""))).filter(kind=label)
        entries = entries.extra(  # noqa: S610 (no user SQL)
            tables=["core_searchentry_fts"],
            where=[
                "core_searchentry_fts.rowid = core_searchentry.id",
                "core_searchentry_fts MATCH %s",
            ],
            params=[
                f"model : {_quote(label)} AND "
                + " AND ".join(f"text : {_quote(w)}" for w in query.long)
            ],
        )
        for w in query.short:  # folded words hold letters and digits only: no LIKE wildcard
            entries = entries.filter(text__contains=" " + w)
    else:
        entries = _entries(query, label)
    entries = _visible(entries, model, user, country)
    return list(entries.values_list(*FIELDS)[: CANDIDATES + 1])


def _exact_rows(query: Query, spec: Searchable, model, user, country: str | None) -> list[tuple]:
    """Visible entries naming the query exactly (a code, a whole name), wherever they are:
    read when a kind has more matches than are ranked, so "UN" or "Mali" is never lost. (A
    kind without codes is looked up by its title alone, through its index: its codes would
    be read entry by entry.)"""
    from .models import SearchEntry

    exact = Q(title=query.folded)
    if spec.codes:
        exact |= Q(codes__contains=f" {query.code} ")
    entries = SearchEntry.objects.filter(model=model._meta.label_lower).filter(exact)
    return list(_visible(entries, model, user, country).values_list(*FIELDS)[:CANDIDATES])


def rank(folded_q: str, title: str, codes: str, text: str) -> int:
    """0 a code or the whole name, 1 the name's start, 2 a word's start in the name, 3 a
    word's start elsewhere, 4 inside a word."""
    if f" {folded_q.replace(' ', '')} " in codes or title == folded_q:
        return 0
    if title.startswith(folded_q):
        return 1
    if " " + folded_q in " " + title:
        return 2
    if " " + folded_q in text:
        return 3
    return 4


@dataclass
class Hit:
    record: object
    url: str
    codes: list[str]
    description: str
    rank: int


@dataclass
class Group:
    kind: str
    slug: str
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    exact: bool = True

    @property
    def best(self) -> int:
        return min((h.rank for h in self.hits), default=9)


def slug(spec: Searchable) -> str:
    """The kind in a URL (``?kind=countries``): made from its English name, the same in every
    language."""
    with translation.override(None):
        return fold(str(spec.kind)).replace(" ", "-")


def find(
    user, q: str, *, kind: str | None = None, limit: int = 5, country: str | None = None
) -> list[Group]:
    """What ``user`` may see that matches ``q``, grouped by kind (best groups first), at
    most ``limit`` hits per kind, each group with its count (``exact`` False: at least).
    ``country`` (ISO alpha-3) keeps, of the kinds that have a country, those in it."""
    query = parse(q)
    if query is None:
        return []
    specs = [s for s in capabilities.searchables() if not kind or slug(s) == kind]
    if not specs:
        return []
    labels = [apps.get_model(s.model)._meta.label_lower for s in specs]
    present = _kinds_matching(query, labels)
    groups = []
    for order, (spec, label) in enumerate(zip(specs, labels, strict=True)):
        if label not in present:
            continue
        group = _group(user, spec, query, limit, country)
        if group.count:
            groups.append((group.best, order, group))
    return [g for _, _, g in sorted(groups, key=lambda t: (t[0], t[1]))]


def _kinds_matching(query: Query, labels: list[str]) -> set[str]:
    """The kinds (of ``labels``) with an entry matching, visible or not: only which queries
    run next depends on it, never what is shown. The kinds without are then not asked one
    by one (each costs a query built through the enforcement point)."""
    if connection.vendor != "postgresql":  # SQLite reads the folded texts faster than FTS5
        return set(_entries(query).values_list("model", flat=True).distinct())
    # PostgreSQL: whether each kind has one, through its (kind, text) trigram index; the
    # query compiled once, then run for each kind (LATERAL)
    sql, params = on_column(*compiled(_entries(query, MARKER).values("pk")[:1]), "k.model")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.model FROM unnest(%s::text[]) AS k(model) WHERE EXISTS ({sql})",  # noqa: S608
            [labels, *params],
        )
        return {row[0] for row in cursor.fetchall()}


def _group(user, spec: Searchable, query: Query, limit: int, country=None) -> Group:
    model = apps.get_model(spec.model)
    group = Group(kind=spec.kind, slug=slug(spec))
    rows = _kind_rows(query, model, user, country)
    if not rows:
        return group  # (most kinds, for most words: nothing more to read)
    complete = len(rows) <= CANDIDATES
    if not complete:  # more than are ranked: make sure the exact ones are among them
        rows = _exact_rows(query, spec, model, user, country) + rows[:CANDIDATES]
    seen, unique = set(), []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    ranked = sorted(
        (rank(query.folded, title, codes, text), len(title), title, pk)
        for pk, title, codes, text in unique[:CANDIDATES]
    )
    group.count, group.exact = len(ranked), complete
    top = [pk for *_, pk in ranked[:limit]]
    ranks = {pk: r for r, _, _, pk in ranked[:limit]}
    records = model.objects.visible_to(user).select_related(*_related(spec)).in_bulk(top)
    describe = resolve(spec.describe) if spec.describe else None
    for pk in top:
        record = records.get(pk)
        if record is None:  # deleted meanwhile
            continue
        group.hits.append(
            Hit(
                record=record,
                url=record.get_absolute_url(),
                codes=[c for path in spec.codes for c in _values(record, path)],
                description=describe(record) if describe else "",
                rank=ranks[pk],
            )
        )
    return group


# -- what core makes findable: more words and descriptions (core's capability.py) ------------


def country_words(country) -> list[str]:
    """A country's name in the interface's other languages ("Allemagne")."""
    from .locales import LANGUAGES, country_name

    return [country_name(country.alpha3, country.name, lang) for lang in LANGUAGES[1:]]


def describe_country(country) -> str:
    if country.historical:
        if country.withdrawn:
            return _("Former country (withdrawn %(date)s)") % {"date": country.withdrawn}
        return _("Former country")
    return country.m49_subregion or country.m49_region


def describe_area(area) -> str:
    return f"{area.country.local_name} · {area.get_level_display()}"


def describe_organisation(org) -> str:
    return org.get_kind_display()
