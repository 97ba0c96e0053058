"""What the learning pages, API and CLI read: records alike a draft, lessons re-learned, and
the lessons ranked for an operation. Every record read here goes through ``visible_to``
(the enforcement point) first; the analysis then sees only what the reader may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from concord.core.compiled import MARKER, compiled, filled, on_column
from concord.core.memo import per_reader
from concord.core.models import Country, Organisation
from concord.labour.models import MandatedTask, Task
from concord.operations.models import Framework, Kind, Operation, Relation, Scenario

from .analysis import ranking, similarity
from .models import (
    ACCOUNTABILITY_AREAS,
    Disposition,
    Lesson,
    LessonState,
    Observation,
    Phase,
    RequestState,
    SupportModule,
    SupportRequest,
    Term,
)

CANDIDATES = 200  # records sharing the most terms with a draft, scored in full
PER_TERM = 50  # the newest visible records holding a term that are candidates through it
DRAFT_TERMS = 40  # terms of a draft looked up (its longest words')
HINT_THRESHOLD = 0.15  # below, a record is too little alike to show (labelled set)
CLOSED = (LessonState.REJECTED, LessonState.ARCHIVED)


@dataclass
class Hint:
    """A visible observation or lesson alike a draft, and the draft's words it shares."""

    kind: str  # "observation" or "lesson"
    record: object
    score: float
    words: list[str]


def _candidates(key: str, visible, draft_terms: list[str]) -> list[int]:
    """The visible records (ids) sharing the most of ``draft_terms``, at most
    ``CANDIDATES``: each term brings the newest ``PER_TERM`` visible records holding it, so
    that a word thousands of records use costs no more than a rare one. Which records a term
    brings depends on the reader's visible records alone (a hidden record is never read,
    nor counted)."""
    newest = (
        Term.objects.filter(term=MARKER, **{f"{key}__isnull": False})
        .filter(Exists(visible.filter(pk=OuterRef(key))))
        .order_by(f"-{key}_id")
        .annotate(rec=F(key))
        .values_list("rec")[:PER_TERM]
    )
    sql, template = compiled(newest)
    if connection.vendor == "postgresql":
        # the same query run for each term (LATERAL), planned once: PostgreSQL plans a
        # union of forty for longer than it runs it
        sql, params = on_column(sql, template, "d.term")
        params = [[*draft_terms], *params]
        rows = f"unnest(%s::text[]) AS d(term) CROSS JOIN LATERAL ({sql}) c"  # untranslated: SQL
    else:  # SQLite (no LATERAL): a union of the same query for each term
        branches, params = [], []
        for n, term in enumerate(draft_terms):
            branches.append(f"SELECT rec FROM ({sql}) b{n}")  # noqa: S608 (the ORM's SQL)
            params.extend(filled(template, term))
        rows = f"({' UNION ALL '.join(branches)}) c"
    # one statement for every term: a query each would cost a round trip and a plan each
    sql = (
        f"SELECT rec, COUNT(*) AS n FROM {rows} "  # noqa: S608
        "GROUP BY rec HAVING COUNT(*) >= %s ORDER BY n DESC, rec LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, similarity.MIN_SHARED, CANDIDATES])
        return [row[0] for row in cursor.fetchall()]


def similar(
    user, title: str, text: str = "", *, limit: int = 5, exclude: tuple[str, int] | None = None
) -> list[Hint]:
    """The observations and lessons ``user`` may see that are most alike a draft.

    The candidates are visible records sharing terms with the draft (``_candidates``:
    visibility applied in the same query, before any limit); each is then scored on all its
    terms (``analysis.similarity``, unweighted: no statistic over other records enters the
    score, so a record the reader may not see changes nothing they are shown)."""
    found = similarity.terms_and_words(title, text)
    if len(found) < similarity.MIN_SHARED:
        return []
    # the draft's longest words first (the likeliest to be rare, whatever the records say)
    draft_terms = sorted(found, key=lambda t: (-len(found[t]), t))[:DRAFT_TERMS]
    scored = []
    for model, key in ((Observation, "observation"), (Lesson, "lesson")):
        visible = model.objects.visible_to(user)
        if model is Lesson:
            visible = visible.exclude(state=LessonState.REJECTED)
        if exclude and exclude[0] == key:
            visible = visible.exclude(pk=exclude[1])
        ids = _candidates(key, visible, draft_terms)
        if not ids:
            continue
        shared: dict[int, set[str]] = defaultdict(set)
        held = Term.objects.filter(term__in=list(found), **{f"{key}__in": ids})
        for pk, term in held.values_list(key, "term"):
            shared[pk].add(term)
        sizes = dict(
            Term.objects.filter(**{f"{key}__in": ids})
            .values(key)
            .annotate(n=Count("id"))
            .values_list(key, "n")
        )
        titles = dict(model.objects.filter(pk__in=ids).values_list("pk", "title"))
        for pk in ids:
            words = similarity.count_score(len(shared[pk]), len(found), sizes.get(pk, 0))
            s = similarity.combined(words, title, titles.get(pk, ""))
            if s >= HINT_THRESHOLD:
                scored.append((s, key, pk, shared[pk]))
    scored.sort(key=lambda h: (-h[0], h[1], h[2]))
    top = scored[:limit]
    records = {
        key: model.objects.in_bulk([pk for _, k, pk, _ in top if k == key])
        for model, key in ((Observation, "observation"), (Lesson, "lesson"))
    }
    return [
        Hint(key, records[key][pk], s, [found[t] for t in found if t in terms])
        for s, key, pk, terms in top
        if pk in records[key]  # (deleted meanwhile)
    ]


def alike_proposals(o: Observation, user) -> tuple[list[Observation], Observation | None]:
    """The observations ``user`` may see proposed as the same as ``o`` (the first 20), and
    the one ``o`` was proposed as the same as, if ``user`` may see it."""
    visible = Observation.objects.visible_to(user)
    same_by = list(visible.filter(same_as=o).order_by("pk")[:20])
    original = visible.filter(pk=o.same_as_id).first() if o.same_as_id else None
    return same_by, original


# --- recurrence ---------------------------------------------------------------------------


def lesson_items(user) -> list[similarity.Item]:
    """Every lesson ``user`` may see (not rejected), as the clustering reads it."""
    lessons = list(
        Lesson.objects.visible_to(user)
        .exclude(state=LessonState.REJECTED)
        .values_list("pk", "title", "theme", "identified_on", "owner_id")
    )
    orgs = {
        pk: acronym or name
        for pk, acronym, name in Organisation.objects.visible_to(user)
        .filter(pk__in={row[4] for row in lessons})
        .values_list("pk", "acronym", "name")
    }
    terms: dict[int, set[str]] = defaultdict(set)
    ids = [row[0] for row in lessons]
    for i in range(0, len(ids), 5000):
        for pk, term in Term.objects.filter(lesson__in=ids[i : i + 5000]).values_list(
            "lesson", "term"
        ):
            terms[pk].add(term)
    return [
        similarity.Item(
            id=pk,
            title=title,
            terms=frozenset(terms[pk]),
            year=on.year if on else None,
            institution=orgs.get(owner, ""),  # an owner the reader may not see is not named
            theme=theme,
        )
        for pk, title, theme, on, owner in lessons
    ]


def recurrence(user) -> list[similarity.Cluster]:
    """The visible lessons clustered by what they say (kept per reader until anything
    changes: ``core.memo``)."""
    return per_reader(
        user,
        "learning:recurrence",  # untranslated: a cache key
        lambda: similarity.clusters(lesson_items(user)),
    )


def cluster_of(user, lesson_id: int) -> similarity.Cluster | None:
    for cluster in recurrence(user):
        if any(i.id == lesson_id for i in cluster.items):
            return cluster
    return None


def relearned(user, more_than: int = 2) -> dict[str, list[similarity.Cluster]]:
    """{theme: clusters of more than ``more_than`` lessons}, the "not learned" report."""
    by_theme: dict[str, list[similarity.Cluster]] = defaultdict(list)
    for cluster in recurrence(user):
        if cluster.recurrence > more_than:
            by_theme[cluster.theme].append(cluster)
    return dict(by_theme)


# --- ranking for an operation -----------------------------------------------------------------


@dataclass
class Surfaced:
    lesson: Lesson
    ranked: ranking.Ranked
    dispositions: list[Disposition]

    @property
    def score(self) -> float:
        return self.ranked.score

    @property
    def reasons(self) -> list[str]:  # put in words when read: most are never shown
        return self.ranked.reasons

    @property
    def relevant(self) -> bool:
        return self.score >= ranking.RELEVANT


def _country_maps(alpha3s) -> tuple[dict, dict]:
    names = Country.objects.local_names()
    regions = dict(
        Country.objects.filter(alpha3__in=list(alpha3s)).values_list("alpha3", "m49_subregion")
    )
    return {a: names.get(a, a) for a in alpha3s}, regions


def operation_context(op: Operation, user, today: dt.date | None = None) -> ranking.Context:
    """What an operation (visible to ``user``) says of its context on ``today``."""
    from concord.operations.loaders import classification_of

    today = today or timezone.localdate()
    hosts = list(op.host_countries.values_list("alpha3", flat=True))
    countries, regions = _country_maps(hosts)
    tasks = dict(
        Task.objects.visible_to(user)
        .filter(pk__in=MandatedTask.objects.filter(operation=op).values("task"))
        .values_list("pk", "name")
    )
    scenario = op.scenario_override or classification_of(op, user, today)[0].scenario or ""
    handovers = Relation.objects.visible_to(user).filter(
        Q(source=op) | Q(target=op), kind="handed_over_to"
    )
    # a handover's date is the relation's start; failing that, this operation's end when it
    # is the one handing over (never the other end's dates, which may be hidden)
    dates = [r.start or (op.end if r.source_id == op.pk else None) for r in handovers]
    phase = ranking.phase_of(op.start, op.end, today, dates)
    orgs = dict(
        Organisation.objects.visible_to(user)
        .filter(pk__in=[x for x in (op.lead_organisation_id, op.framework_organisation_id) if x])
        .values_list("pk", "acronym")
    )
    return ranking.Context(
        countries=countries,
        regions={r: r for r in (regions.get(a) for a in hosts) if r},
        frameworks={op.framework: str(Framework(op.framework).label)},
        kinds={op.kind: str(Kind(op.kind).label)},
        tasks=tasks,
        scenarios={scenario: str(Scenario(scenario).label)} if scenario else {},
        phases={phase: str(Phase(phase).label)} if phase != Phase.OTHER else {},
        organisations=orgs,
    )


def lesson_contexts(user, ids) -> dict[int, ranking.Context]:
    """Where each lesson was learned, from what ``user`` may see of it."""
    ids = list(ids)
    lessons, scen, owners = {}, {}, {}
    for pk, phase, scenario, owner in Lesson.objects.filter(pk__in=ids).values_list(
        "pk", "phase", "scenario", "owner_id"
    ):
        lessons[pk], scen[pk], owners[pk] = phase, scenario, owner
    by = defaultdict(lambda: defaultdict(dict))
    countries = list(
        Lesson.countries.through.objects.filter(lesson__in=ids).values_list(
            "lesson_id", "country__alpha3"
        )
    )
    names, regions = _country_maps({a for _l, a in countries})
    for lesson_id, a3 in countries:
        by[lesson_id]["countries"][a3] = names[a3]
        if regions.get(a3):
            by[lesson_id]["regions"][regions[a3]] = regions[a3]
    visible_tasks = Task.objects.visible_to(user)
    for lesson_id, task_id, name in Lesson.tasks.through.objects.filter(
        lesson__in=ids, task__in=visible_tasks.values("pk")
    ).values_list("lesson_id", "task_id", "task__name"):
        by[lesson_id]["tasks"][task_id] = name
    visible_ops = Operation.objects.visible_to(user)
    op_orgs = set()
    rows = list(
        Lesson.operations.through.objects.filter(
            lesson__in=ids, operation__in=visible_ops.values("pk")
        ).values_list(
            "lesson_id",
            "operation__framework",
            "operation__kind",
            "operation__lead_organisation_id",
        )
    )
    for _lesson, _fw, _kind, lead in rows:
        if lead:
            op_orgs.add(lead)
    org_names = dict(
        Organisation.objects.visible_to(user)
        .filter(pk__in=op_orgs | set(owners.values()))
        .values_list("pk", "acronym")
    )
    for lesson_id, fw, kind, lead in rows:
        by[lesson_id]["frameworks"][fw] = str(Framework(fw).label)
        by[lesson_id]["kinds"][kind] = str(Kind(kind).label)
        if lead in org_names:
            by[lesson_id]["organisations"][lead] = org_names[lead]
    out = {}
    for lesson_id, phase in lessons.items():
        ctx = by[lesson_id]
        if owners[lesson_id] in org_names:
            ctx["organisations"][owners[lesson_id]] = org_names[owners[lesson_id]]
        if phase and phase != Phase.OTHER:
            ctx["phases"][phase] = str(Phase(phase).label)
        if scen[lesson_id]:
            ctx["scenarios"][scen[lesson_id]] = str(Scenario(scen[lesson_id]).label)
        out[lesson_id] = ranking.Context(**{k: dict(v) for k, v in ctx.items()})
    return out


def surface(
    op: Operation, user, limit: int | None = 20, today=None, *, relevant_only: bool = False
) -> list[Surfaced]:
    """The lessons ``user`` may see ranked for ``op`` (the relevant ones only, if asked),
    each with its reasons and the dispositions ``user`` may see.

    Candidates are the open lessons (not rejected, not archived) sharing a country, a
    region, a task of the mandate, the phase or an organisation with the operation; the
    framework, the kind and the scenario then add to their scores (a lesson sharing only
    those is too loosely related to list)."""
    context = operation_context(op, user, today)
    visible = Lesson.objects.visible_to(user).exclude(state__in=CLOSED)
    near = Q(countries__alpha3__in=list(context.countries))
    if context.regions:
        near |= Q(countries__m49_subregion__in=list(context.regions))
    if context.tasks:
        near |= Q(tasks__in=list(context.tasks))
    if context.phases:
        near |= Q(phase__in=list(context.phases))
    if context.organisations:
        near |= Q(owner__in=list(context.organisations)) | Q(
            operations__lead_organisation__in=list(context.organisations)
        )
    titles = dict(visible.filter(near).values_list("pk", "title").distinct())
    ranked = ranking.rank(context, lesson_contexts(user, titles), titles)
    if relevant_only:  # (before the lessons are read: at scale, thousands rank above 0)
        ranked = [r for r in ranked if r.score >= ranking.RELEVANT]
    if limit is not None:
        ranked = ranked[:limit]
    lessons = Lesson.objects.in_bulk([r.lesson_id for r in ranked])
    dispositions = defaultdict(list)
    for d in Disposition.objects.visible_to(user).filter(
        operation=op, lesson__in=[r.lesson_id for r in ranked]
    ):
        dispositions[d.lesson_id].append(d)
    return [Surfaced(lessons[r.lesson_id], r, dispositions[r.lesson_id]) for r in ranked]


def undispositioned(op: Operation, user, today=None) -> list[Surfaced]:
    """The relevant lessons no visible disposition answers yet for ``op``."""
    return [s for s in surface(op, user, None, today, relevant_only=True) if not s.dispositions]


def surfaced_data(items: list[Surfaced], absolute=lambda url: url) -> list[dict]:
    """The ranking as plain data (the API's and the CLI's answer)."""
    return [
        {
            "lesson": s.lesson.pk,
            "title": s.lesson.title,
            "url": absolute(s.lesson.get_absolute_url()),
            "score": s.score,
            "relevant": s.relevant,
            "reasons": s.reasons,
            "dispositions": [d.pk for d in s.dispositions],
        }
        for s in items
    ]


def clusters_data(by_theme: dict[str, list[similarity.Cluster]]) -> list[dict]:
    """Clusters of lessons as plain data, by theme."""
    return [
        {
            "theme": theme,
            "recurrence": c.recurrence,
            "years": c.years,
            "institutions": c.institutions,
            "lessons": [i.id for i in c.items],
        }
        for theme, clusters in sorted(by_theme.items())
        for c in clusters
    ]


def duplicates(user) -> dict[str, list[dict]]:
    """Near-duplicate lessons and observations ``user`` may see: every group of two or
    more, as plain data (``concord learning duplicates``)."""
    out: dict[str, list[dict]] = {"lessons": [], "observations": []}
    for cluster in recurrence(user):
        if cluster.recurrence > 1:
            out["lessons"].append(
                {
                    "recurrence": cluster.recurrence,
                    "ids": [i.id for i in cluster.items],
                    "titles": [i.title for i in cluster.items],
                }
            )
    rows = list(Observation.objects.visible_to(user).values_list("pk", "title"))
    terms = defaultdict(set)
    ids = [pk for pk, _t in rows]
    for i in range(0, len(ids), 5000):
        for pk, term in Term.objects.filter(observation__in=ids[i : i + 5000]).values_list(
            "observation", "term"
        ):
            terms[pk].add(term)
    items = [similarity.Item(id=pk, title=t, terms=frozenset(terms[pk])) for pk, t in rows]
    for cluster in similarity.clusters(items):
        if cluster.recurrence > 1:
            out["observations"].append(
                {
                    "count": cluster.recurrence,
                    "ids": [i.id for i in cluster.items],
                    "titles": [i.title for i in cluster.items],
                }
            )
    return out


# --- the catalogue of modular support ----------------------------------------------------


def modules_in_force(op: Operation, user, day: dt.date) -> list[SupportRequest]:
    """The requests for ``op`` that ``user`` may see, accepted and in force on ``day``."""
    return [
        r
        for r in SupportRequest.objects.visible_to(user)
        .filter(
            operation=op,
            state=RequestState.ACCEPTED,
            module__in=SupportModule.objects.visible_to(user),
        )
        .select_related("module")
        if r.in_force_on(day)
    ]


def coalitions_without_accountability(user, day: dt.date | None = None) -> list[Operation]:
    """Ad hoc coalitions active on ``day`` (that ``user`` may see) with no accountability
    module in force that ``user`` may see: the finding of the catalogue."""
    day = day or timezone.localdate()
    active = (
        Operation.objects.visible_to(user)
        .filter(framework=Framework.AD_HOC, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
    )
    covered = (
        SupportRequest.objects.visible_to(user)
        .filter(
            state=RequestState.ACCEPTED,
            module__in=SupportModule.objects.visible_to(user).filter(
                area__in=list(ACCOUNTABILITY_AREAS)
            ),
            wanted_from__lte=day,
        )
        .filter(Q(wanted_until__isnull=True) | Q(wanted_until__gte=day))
        .values("operation")
    )
    return list(active.exclude(pk__in=covered).order_by("start", "name"))


def unused_modules(user, day: dt.date | None = None) -> list[SupportModule]:
    """Modules offered on ``day`` that no request ``user`` may see has ever taken up."""
    day = day or timezone.localdate()
    taken = SupportRequest.objects.visible_to(user).filter(state=RequestState.ACCEPTED)
    return list(
        SupportModule.objects.visible_to(user)
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=day))
        .exclude(pk__in=taken.values("module"))
        .order_by("area", "title")
    )
