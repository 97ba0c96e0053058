"""Learning at scale: 100,000 observations and 20,000 lessons (by default), and for one
reader: the header's search, the alike-record hints while typing, the ranking of lessons
for an operation, and the clustering of every lesson (at n and at 4n, to see how it grows).

A throwaway database (SQLite in a scratch directory, or the PostgreSQL database
``DATABASE_URL`` names, emptied): the reference data and the operations catalogue, 200
organisations, one reader (an editor of three of them, cleared confidential), then the
records written in bulk with their terms and search entries. Texts are made from the real
public lessons of ``concord/learning/fixtures/lessons.csv``: each record takes the title
and abstract of one and sentences of two others, with a long tail of made-up words (drawn
by Zipf's law, as words are) and four words its family of four shares (four records that
say the same lesson), so that every record is different and the common words are those of
real lessons. Records are spread over the
four classifications, four releasabilities and the organisations, so that the enforcement
point does real work.

Each figure is a p95 in milliseconds over its rounds, and a ratio to the baseline measured
in the same run: the first page of the reader's lesson list (50 rows through
``visible_to``). Run ``python bench/learning.py [--observations N --lessons M]``; results in
bench/results/learning-<database>.json. ``--keep`` keeps the built world (SQLite under
var/bench/, or the PostgreSQL database) and reuses it on the next run with the same sizes,
code and migrations: building takes about ten minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import WORLDS, machine, p95, scratch_database, timed, write_result  # noqa: E402

TARGETS_MS = {"search": 100, "hints": 150, "ranking": 300}
CLUSTER_TARGET_S = 60


def build(n_obs: int, n_lessons: int, rng: random.Random) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from concord.core import search, services
    from concord.core.context import Actor
    from concord.core.models import Country, Organisation, User
    from concord.learning.analysis import similarity
    from concord.learning.fixtures import corpus
    from concord.learning.models import Lesson, Observation, Term
    from concord.operations.models import Operation

    t0 = time.perf_counter()
    call_command("seed", "reference", verbosity=0)
    call_command("seed", "catalogue", verbosity=0)
    orgs = [  # public, each owning its own entry, as organisations taking part do
        services.save(
            Organisation(
                name=f"Bench organisation {i:03d}",
                acronym=f"BO{i:03d}",
                kind="ingo",
                classification=0,
                releasability="public",
            ),
            actor=Actor.system("bench"),
        )
        for i in range(200)
    ]
    reader = User.objects.create_user("bench.reader", password="x", clearance=2)
    for org in orgs[:3]:
        reader.memberships.create(organisation=org, role="editor")
    rows = corpus.rows()
    countries = list(Country.objects.filter(historical=False).values_list("pk", flat=True))
    ops = list(Operation.objects.values_list("pk", flat=True))
    sentences = [s.strip() + "." for r in rows for s in r.abstract.split(".") if s.strip()]
    classes = [0, 1, 2, 3]
    releases = ["owner", "organisations", "signed_in", "public"]

    # A long tail of words beyond the corpus's (place names, people, units in real
    # reports): 30,000 made-up words drawn with Zipf's law, and four words per family of
    # four records, which say the same lesson (what the clustering should find).
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word(k):
        out = ""
        k += 26 * 26
        while k:
            k, r = divmod(k, 26)
            out += letters[r]
        return "q" + out

    zipf = [1 / (k + 1) ** 1.1 for k in range(30_000)]
    vocabulary = [word(k) for k in range(30_000)]

    def text(i):
        r = rows[(i // 4) % len(rows)]
        extra = " ".join(rng.choice(sentences) for _ in range(2))
        family = " ".join(word(30_000 + 4 * (i // 4) + k) for k in range(4))
        tail = " ".join(rng.choices(vocabulary, weights=zipf, k=8))
        return r, f"{r.title} {word(i)}", f"{r.abstract} {extra} {family} {tail}."

    def scoped(i):
        return {
            "owner_id": orgs[rng.randrange(len(orgs))].pk,
            "classification": rng.choice(classes),
            "releasability": rng.choice(releases),
        }

    with transaction.atomic():
        lessons, obs = [], []
        for i in range(n_lessons):
            r, title, abstract = text(i)
            lessons.append(
                Lesson(
                    pk=i + 1,
                    title=title,
                    abstract=abstract,
                    theme=r.theme,
                    phase=r.phase,
                    **scoped(i),
                )
            )
        Lesson.objects.bulk_create(lessons, batch_size=2000)
        through = Lesson.countries.through
        through.objects.bulk_create(
            [through(lesson_id=x.pk, country_id=rng.choice(countries)) for x in lessons],
            batch_size=5000,
        )
        through = Lesson.operations.through
        through.objects.bulk_create(
            [through(lesson_id=x.pk, operation_id=rng.choice(ops)) for x in lessons[::2]],
            batch_size=5000,
        )
        for i in range(n_obs):
            r, title, what = text(i + 7)
            obs.append(
                Observation(
                    pk=i + 1,
                    title=title,
                    what_happened=what,
                    source_kind="evaluation",
                    phase=r.phase,
                    **scoped(i),
                )
            )
        Observation.objects.bulk_create(obs, batch_size=2000)
        terms = [
            Term(term=t, lesson_id=x.pk)
            for x in lessons
            for t in similarity.terms(x.title, x.abstract)
        ] + [
            Term(term=t, observation_id=o.pk)
            for o in obs
            for t in similarity.terms(o.title, o.what_happened)
        ]
        Term.objects.bulk_create(terms, batch_size=5000)
    for start in range(0, len(lessons), 5000):
        search.index_many(lessons[start : start + 5000], Lesson)
    for start in range(0, len(obs), 5000):
        search.index_many(obs[start : start + 5000], Observation)
    with connection.cursor() as cursor:  # the statistics a live database keeps by itself
        cursor.execute("ANALYZE")
    return {
        "vendor": connection.vendor,
        "reader": reader,
        "rows": rows,
        "ops": ops,
        "seconds": round(time.perf_counter() - t0, 1),
        "terms": len(terms),
    }


def _digest(args) -> str:
    """What a kept world was built from: its sizes, the code of ``build``, the migrations
    and the lessons its texts come from. (Not the code making terms, edited more often than
    what it makes: after changing what a term is, delete var/bench/learning-*.)"""
    h = hashlib.sha256(f"{args.observations}/{args.lessons}".encode())
    h.update(inspect.getsource(build).encode())
    for p in [
        ROOT / "concord/learning/fixtures/lessons.csv",
        *sorted(ROOT.glob("concord/*/migrations/*.py")),
    ]:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def kept_world(args, rng) -> dict | None:
    """The world a previous ``--keep`` run built with the same digest, set up; or None, with
    the environment pointing where the new one is to be kept."""
    on_postgres = bool(os.environ.get("DATABASE_URL"))
    place = WORLDS / f"learning-{'postgresql' if on_postgres else 'sqlite'}-{_digest(args)}"
    if on_postgres:  # a database of its own, which no other bench empties
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{url}/concord_bench_learning"
    marker = place / "world.json"
    if not marker.exists():
        shutil.rmtree(place, ignore_errors=True)
        place.mkdir(parents=True)
        os.environ["CONCORD_DATA_DIR"] = str(place)
        os.environ["CONCORD_BENCH_KEEP"] = str(place)
        return None
    os.environ["CONCORD_DATA_DIR"] = str(place)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    import django

    django.setup()
    from django.db import connection

    from concord.core.models import User
    from concord.learning.fixtures import corpus
    from concord.operations.models import Operation

    return {
        "vendor": connection.vendor,
        "reader": User.objects.get(username="bench.reader"),
        "rows": corpus.rows(),
        "ops": list(Operation.objects.values_list("pk", flat=True)),
        "seconds": json.loads(marker.read_text())["seconds"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--lessons", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--out", default="")
    parser.add_argument("--keep", action="store_true", help="keep the world, reuse it")
    args = parser.parse_args()
    rng = random.Random(1)
    world = kept_world(args, rng) if args.keep else None
    if world is None:
        scratch_database(os.environ.get("CONCORD_BENCH_KEEP"))
        world = build(args.observations, args.lessons, rng)
        print(f"built in {world['seconds']} s ({world['terms']:,} terms)", flush=True)
        if args.keep:
            (Path(os.environ["CONCORD_DATA_DIR"]) / "world.json").write_text(
                json.dumps({"digest": _digest(args), "seconds": world["seconds"]})
            )
    vendor = world["vendor"]

    from concord.core import search
    from concord.learning import loaders
    from concord.learning.analysis import similarity
    from concord.learning.models import Lesson, Term
    from concord.operations.models import Operation

    reader, rows = world["reader"], world["rows"]
    reader = type(reader).objects.get(pk=reader.pk)
    words = [w for r in rows for w in r.title.split() if len(w) > 6][:200]
    pick = random.Random(2)  # the same operations whether the world was built or kept
    ops = list(Operation.objects.filter(pk__in=pick.sample(sorted(world["ops"]), 20)))
    cases = {
        "baseline: first page of the lesson list": lambda i: list(
            Lesson.objects.visible_to(reader).order_by("pk")[:50]
        ),
        "search": lambda i: search.find(reader, words[i % len(words)]),
        "hints": lambda i: loaders.similar(
            reader, rows[i % len(rows)].title, rows[i % len(rows)].abstract[:200]
        ),
        "ranking": lambda i: loaders.surface(ops[i % len(ops)], reader),
    }
    for fn in cases.values():  # warm up
        fn(0)
        fn(1)
    result = {
        "machine": machine(),
        "database": vendor,
        "observations": args.observations,
        "lessons": args.lessons,
        "build_seconds": world["seconds"],
        "cases": {},
    }
    base = None
    failed = []
    for name, fn in cases.items():
        samples = timed(fn, args.rounds)
        entry = {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95(samples), 1)}
        if base is None:
            base = entry["p95_ms"]
        else:
            entry["ratio_to_baseline"] = round(entry["p95_ms"] / base, 2)
            entry["target_ms"] = TARGETS_MS[name]
            if entry["p95_ms"] > TARGETS_MS[name]:
                failed.append(name)
        result["cases"][name] = entry
        print(f"{name}: {entry}", flush=True)

    # every lesson, as the clustering reads them (what a reader who may see all would get)
    everyone = list(Lesson.objects.order_by("pk").values_list("pk", flat=True))
    terms = defaultdict(set)
    for pk, term in (
        Term.objects.filter(lesson__isnull=False)
        .values_list("lesson", "term")
        .iterator(chunk_size=20000)
    ):
        terms[pk].add(term)
    titles = dict(Lesson.objects.values_list("pk", "title"))
    all_items = [
        similarity.Item(id=pk, title=titles[pk], terms=frozenset(terms[pk])) for pk in everyone
    ]
    growth = {}
    for n in (len(all_items) // 4, len(all_items)):
        t = time.perf_counter()
        found = similarity.clusters(all_items[:n])
        seconds = time.perf_counter() - t
        growth[str(n)] = {
            "seconds": round(seconds, 2),
            "clusters": len(found),
            "largest": found[0].recurrence if found else 0,
        }
        print(f"clustering {n:,} lessons: {growth[str(n)]}", flush=True)
    small, large = growth[str(len(all_items) // 4)], growth[str(len(all_items))]
    result["clustering"] = {
        **growth,
        "growth_n_to_4n": round(large["seconds"] / max(small["seconds"], 1e-6), 2),
        "target_s": CLUSTER_TARGET_S,
    }
    if large["seconds"] > CLUSTER_TARGET_S:
        failed.append("clustering")
    path = write_result(args.out or f"learning-{vendor}", result)
    print(f"written {path}")
    if failed:
        print(f"missed its target: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
