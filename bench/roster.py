"""Roster at scale: 10,000 experts (by default) and, for one reader, the ranking of the roster
for one request, the optimal assignment of 50 simultaneous requests (against the greedy
baseline), and the screening of one expert against one request.

A throwaway database (SQLite in a scratch directory, or the PostgreSQL database
``DATABASE_URL`` names, emptied): the reference data (countries, the expertise catalogue of
``concord/roster/fixtures/expertise.csv``), 200 organisations (a mediation support unit that
keeps the roster, requesters, states and armed groups that are conflict parties, donors,
others), one reader (an editor of the unit, cleared strictly confidential), then the roster
written in bulk: each expert strictly confidential and named to the reader, as their person
is; 1–4 skills over the 30 areas at levels 1–3 with their evidence, 1–4 languages at CEFR
levels, 1–3 countries of experience, a nationality, ties to organisations for about one in
five, declared unavailability, ended deployments with their appraisals and live ones. The
requests: 40 to rank (1–2 required areas, a required language, parties, donors), a burst of
50 overlapping requests (teams of 1–3, half with a required language: the MILP path), and
50 overlapping requests for one expert each without a language (the pure assignment path).

Each figure is a p95 in milliseconds over its rounds, and a ratio to the baseline measured
in the same run: the first page of the reader's expert list (50 rows through
``visible_to``). The assignments are timed whole (loading and ranking every request, then
solving), the optimal and the greedy one in turn, with the fit each gains. Run
``python bench/roster.py [--experts N]``; results in bench/results/roster-<database>.json.
``--keep`` keeps the built world (SQLite under var/bench/, or the PostgreSQL database
concord_bench_roster) and reuses it on the next run with the same size, code and migrations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import inspect
import json
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import WORLDS, machine, p95, scratch_database, timed, write_result  # noqa: E402

TARGETS_MS = {"ranking": 200, "screening": 20}
PLAN_TARGET_S = 5
RANKED, BURST, PURE = 40, 50, 50  # requests of each set

# Where the crises are: the countries of the requests, most experts' experience, the
# states and armed groups that are parties.
THEATRES = (
    "SDN SSD MLI NER BFA TCD CAF COD SOM ETH LBY YEM SYR IRQ AFG MMR COL HTI MOZ UKR"
).split()
LANGUAGES = {  # how often an expert works in it
    "en": 50,
    "fr": 20,
    "ar": 12,
    "es": 12,
    "ru": 5,
    "pt": 5,
    "sw": 3,
    "zh": 2,
    "fa": 2,
    "so": 1,
    "am": 1,
}
FIRST = (
    "Amina Lars Omar Jon Rosa Fatou Ana Pierre Leila Kofi Maria Ivan Sara Ahmed Chen Lucia "
    "Yusuf Ingrid Tomas Nadia Joseph Aisha Carlos Elena Samuel Hana David Zainab Paul Mei"
).split()
LAST = (
    "Haddad Berg Tahir Smith Lima Diallo Silva Martin Mansour Mensah Garcia Petrov Nilsson "
    "Khan Wei Rossi Okafor Hansen Novak Aziz Mwangi Bello Torres Popescu Tesfaye Sato Cohen "
    "Kamara Dubois Park"
).split()


def _organisations(rng, countries):
    """200 public organisations, each owning its own entry: the unit keeping the roster,
    requesters, a state per theatre and others, armed groups based in the theatres, donors,
    others. Returns them by role."""
    from concord.core import services
    from concord.core.context import Actor
    from concord.core.models import Organisation

    system = Actor.system("bench")

    def org(i, name, kind, country=None):
        return services.save(
            Organisation(
                name=name,
                acronym=f"BO{i:03d}",
                kind=kind,
                country_id=countries.get(country),
                classification=0,
                releasability="public",
            ),
            actor=system,
        )

    out = {"msu": org(0, "Bench mediation support unit", "un_entity")}
    out["requesters"] = [
        org(i, f"Bench envoy office {i}", rng.choice(["un_entity", "regional"]))
        for i in range(1, 21)
    ]
    others = [c for c in sorted(countries) if c not in THEATRES]
    states = [*THEATRES, *rng.sample(others, 40)]
    out["states"] = {
        a3: org(21 + k, f"Government of {a3}", "state", a3) for k, a3 in enumerate(states)
    }
    out["armed"] = {a3: [] for a3 in THEATRES}
    for k in range(50):
        a3 = THEATRES[k % len(THEATRES)]
        out["armed"][a3].append(org(81 + k, f"Armed movement {k} ({a3})", "armed_group", a3))
    out["donors"] = [org(131 + k, f"Donor agency {k}", "donor") for k in range(30)]
    out["others"] = [
        org(161 + k, f"Bench organisation {k}", rng.choice(["ingo", "nngo", "other"]))
        for k in range(39)
    ]
    return out


def _link(model, field, pairs) -> None:
    """Rows of the many-to-many ``field`` of ``model``: (record, linked) id pairs."""
    f = model._meta.get_field(field)
    through = f.remote_field.through
    src, dst = f"{f.m2m_field_name()}_id", f"{f.m2m_reverse_field_name()}_id"
    through.objects.bulk_create(
        [through(**{src: a, dst: b}) for a, b in pairs], batch_size=5000, ignore_conflicts=True
    )


def _experts(n, rng, orgs, reader, countries, areas, today):
    """``n`` experts with their persons and rows, in bulk. Returns their ids and how many
    rows of skills, languages, ties, unavailability and experience were written."""
    from concord.core.models import Person
    from concord.roster.models import Expert, Language, Skill, Tie, Unavailability

    msu = orgs["msu"]
    secret = {"owner": msu, "classification": 3, "releasability": "owner"}
    persons = Person.objects.bulk_create(
        [
            Person(name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:05d}", **secret)
            for i in range(n)
        ],
        batch_size=2000,
    )
    _link(Person, "named_users", [(p.pk, reader.pk) for p in persons])
    experts = Expert.objects.bulk_create(
        [
            Expert(
                person_id=p.pk,
                tier=rng.choices(
                    ["standby_team", "roster", "institution_staff", "partner_roster"],
                    [5, 70, 10, 15],
                )[0],
                gender=rng.choices(["woman", "man", "other", "undisclosed"], [46, 46, 1, 7])[0],
                email=f"expert{i:05d}@example.org",
                security_clearance=rng.choices([1, 2, 3], [30, 50, 20])[0],
                active=rng.random() < 0.97,
                **secret,
            )
            for i, p in enumerate(persons)
        ],
        batch_size=2000,
    )
    ids = [e.pk for e in experts]
    _link(Expert, "named_users", [(e, reader.pk) for e in ids])
    all_countries = sorted(countries.values())
    theatres = [countries[a3] for a3 in THEATRES]
    lived, nations = [], []
    for e in ids:
        k = rng.choice([1, 1, 2, 2, 3])
        lived += [
            (e, rng.choice(theatres) if rng.random() < 0.7 else rng.choice(all_countries))
            for _ in range(k)
        ]
        nations.append(
            (e, rng.choice(theatres) if rng.random() < 0.3 else rng.choice(all_countries))
        )
    _link(Expert, "countries", lived)
    _link(Expert, "nationalities", nations)
    codes = sorted(areas)
    weights = [1 if "." in c else 3 for c in codes]  # the broad areas more often held
    skills, languages, ties, unavailable = [], [], [], []
    parties = [o for group in orgs["armed"].values() for o in group] + list(orgs["states"].values())
    for e in ids:
        held = set()
        while len(held) < rng.choices([1, 2, 3, 4], [30, 35, 25, 10])[0]:
            held.add(rng.choices(codes, weights)[0])
        for code in sorted(held):
            level = rng.choices([1, 2, 3], [35, 40, 25])[0]
            skills.append(
                Skill(
                    expert_id=e,
                    area_id=areas[code],
                    level=level,
                    evidence=f"{rng.randint(1, 12)} assignments in {code}; references on file.",
                )
            )
        spoken = set()
        while len(spoken) < rng.choices([1, 2, 3, 4], [25, 40, 25, 10])[0]:
            spoken.add(rng.choices(list(LANGUAGES), list(LANGUAGES.values()))[0])
        for k, code in enumerate(sorted(spoken, key=lambda c: -LANGUAGES[c])):
            languages.append(
                Language(expert_id=e, code=code, level=6 if k == 0 else rng.randint(3, 6))
            )
        if rng.random() < 0.2:
            for _ in range(rng.choice([1, 1, 2])):
                pool = rng.choices([parties, orgs["donors"], orgs["others"]], [40, 30, 30])[0]
                start = today - dt.timedelta(days=rng.randint(200, 5000))
                ended = rng.random() < 0.5
                end = today - dt.timedelta(days=rng.randint(10, 3000)) if ended else None
                ties.append(
                    Tie(
                        expert_id=e,
                        kind=rng.choices(
                            [
                                "employment",
                                "advisory",
                                "membership",
                                "financial",
                                "family",
                                "other",
                            ],
                            [30, 20, 15, 10, 5, 20],
                        )[0],
                        organisation=rng.choice(pool),
                        start=min(start, end) if end else start,
                        end=end,
                        declared_on=today - dt.timedelta(days=rng.randint(0, 400)),
                    )
                )
        if rng.random() < 0.15:
            for _ in range(rng.choice([1, 1, 2])):
                start = today + dt.timedelta(days=rng.randint(-30, 90))
                unavailable.append(
                    Unavailability(
                        expert_id=e,
                        start=start,
                        end=start + dt.timedelta(days=rng.randint(5, 40)),
                        reason=rng.choice(["", "leave", "another assignment", "family"]),
                    )
                )
    Skill.objects.bulk_create(skills, batch_size=5000)
    Language.objects.bulk_create(languages, batch_size=5000)
    Tie.objects.bulk_create(ties, batch_size=5000)
    Unavailability.objects.bulk_create(unavailable, batch_size=5000)
    return ids, len(skills) + len(languages) + len(ties) + len(unavailable) + len(lived)


def _request(rng, orgs, countries, *, start, duration, title, **kw):
    """An unsaved request in a theatre, with its links and needs (saved by ``_requests``)."""
    from concord.roster.models import ExpertRequest

    a3 = rng.choice(THEATRES)
    r = ExpertRequest(
        owner=orgs["msu"],
        classification=2,
        releasability="owner",
        title=title,
        requester=kw.pop("requester", None) or rng.choice(orgs["requesters"]),
        process=f"{a3} peace talks",
        mode=rng.choice(["remote", "in_person", "either"]),
        start=start,
        duration_days=duration,
        received_at=kw.pop("received_at", None)
        or dt.datetime.combine(start, dt.time(9), dt.UTC) - dt.timedelta(days=10),
        **kw,
    )
    armed = orgs["armed"][a3]
    links = {
        "countries": [countries[a3]],
        "parties": [orgs["states"][a3].pk, *(o.pk for o in rng.sample(armed, min(len(armed), 2)))],
        "stakeholders": [o.pk for o in rng.sample(orgs["donors"], rng.choice([1, 2]))],
    }
    return r, links


def _needs(rng, areas, *, required_language: bool) -> tuple[list, list]:
    """1–2 required areas (a desirable one half the time), and the languages."""
    codes = sorted(areas)
    picked = rng.sample(codes, rng.choice([1, 1, 2]) + 1)
    needs = [(c, rng.choices([1, 2, 3], [30, 55, 15])[0], True) for c in picked[:-1]]
    if rng.random() < 0.5 and picked[-1].split(".")[0] not in {
        c.split(".")[0] for c in picked[:-1]
    }:
        needs.append((picked[-1], rng.choice([1, 2]), False))
    spoken = []
    if required_language:
        spoken.append(
            (rng.choices(["en", "fr", "ar", "es", "ru"], [40, 25, 15, 15, 5])[0], 5, True)
        )
    if rng.random() < 0.3:
        code = rng.choice(["fr", "ar", "es", "pt", "sw"])
        if code not in {c for c, _l, _r in spoken}:
            spoken.append((code, 4, False))
    return needs, spoken


def _requests(rows) -> list[int]:
    """Save (request, links, needs, languages) rows in bulk; returns their ids."""
    from concord.roster.models import ExpertRequest, LanguageNeed, Requirement

    saved = ExpertRequest.objects.bulk_create([r for r, *_ in rows], batch_size=2000)
    for field in ("countries", "parties", "stakeholders"):
        _link(ExpertRequest, field, [(r.pk, x) for r, links, *_ in rows for x in links[field]])
    Requirement.objects.bulk_create(
        [
            Requirement(request=r, area_id=area, level=level, required=req)
            for r, _links, needs, _langs in rows
            for area, level, req in needs
        ]
    )
    LanguageNeed.objects.bulk_create(
        [
            LanguageNeed(request=r, code=code, level=level, required=req)
            for r, _links, _needs, langs in rows
            for code, level, req in langs
        ]
    )
    return [r.pk for r in saved]


def build(n_experts: int, rng: random.Random) -> dict:
    from concord.roster.fixtures.reference import seed_expertise
    from django.core.management import call_command
    from django.db import connection, transaction

    from concord.core.models import Country, User
    from concord.roster.models import Deployment, ExpertiseArea

    t0 = time.perf_counter()
    call_command("seed", "reference", verbosity=0)
    seed_expertise()
    countries = dict(Country.objects.filter(historical=False).values_list("alpha3", "pk"))
    areas = dict(ExpertiseArea.objects.values_list("code", "pk"))
    orgs = _organisations(rng, countries)
    reader = User.objects.create_user("bench.reader", password="x", clearance=3)
    reader.memberships.create(organisation=orgs["msu"], role="editor")
    today = dt.date.today()
    with transaction.atomic():
        experts, rows = _experts(n_experts, rng, orgs, reader, countries, areas, today)

        def need(r, links, team, language):
            needs, langs = _needs(rng, areas, required_language=language)
            r.team_size, r.shortlist_size = team, max(3, team)
            r.clearance_needed = rng.choices([1, 2], [60, 40])[0]
            return (r, links, [(areas[c], lv, req) for c, lv, req in needs], langs)

        # past requests (ended deployments, some at a party's request: the other side) and
        # current ones (live deployments around the weeks of the burst)
        past, current = [], []
        for i in range(300):
            start = today - dt.timedelta(days=rng.randint(60, 1500))
            r, links = _request(
                rng,
                orgs,
                countries,
                start=start,
                duration=rng.randint(14, 120),
                title=f"Past request {i}",
                state="filled",
            )
            if rng.random() < 0.3:
                r.requester_id = rng.choice(links["parties"])
            past.append(need(r, links, 1, False))
        for i in range(60):
            start = today + dt.timedelta(days=rng.randint(-40, 40))
            r, links = _request(
                rng,
                orgs,
                countries,
                start=start,
                duration=rng.randint(14, 90),
                title=f"Current request {i}",
                state="filled",
            )
            current.append(need(r, links, 1, False))
        past_ids = _requests(past)
        current_ids = _requests(current)
        by_id = {r.pk: r for r, *_ in past + current}
        deployments = []
        for e in experts:
            for _ in range(rng.choices([0, 1, 2, 3], [70, 18, 8, 4])[0]):
                r = by_id[rng.choice(past_ids)]
                deployments.append(
                    Deployment(
                        request=r,
                        expert_id=e,
                        mode="in_person",
                        start=r.start,
                        end=r.end,
                        state="ended",
                        rating=rng.choices([None, 2, 3, 4, 5], [15, 5, 20, 40, 20])[0],
                        owner=orgs["msu"],
                        classification=3,
                        releasability="owner",
                    )
                )
            if rng.random() < 0.05:
                r = by_id[rng.choice(current_ids)]
                deployments.append(
                    Deployment(
                        request=r,
                        expert_id=e,
                        mode="remote",
                        start=r.start,
                        end=r.end,
                        state=rng.choice(["proposed", "consented", "deployed"]),
                        owner=orgs["msu"],
                        classification=3,
                        releasability="owner",
                    )
                )
        Deployment.objects.bulk_create(deployments, batch_size=5000)

        # the requests measured: to rank; a burst for teams; a burst for one expert each
        now = dt.datetime.now(dt.UTC)
        sets = {"ranked": [], "burst": [], "pure": []}
        for i in range(RANKED):
            start = today + dt.timedelta(days=rng.randint(7, 21))
            r, links = _request(
                rng,
                orgs,
                countries,
                start=start,
                duration=rng.randint(14, 90),
                title=f"Request to rank {i}",
            )
            sets["ranked"].append(need(r, links, rng.choice([1, 1, 2]), True))
        for i in range(BURST):
            start = today + dt.timedelta(days=rng.randint(5, 12))
            r, links = _request(
                rng,
                orgs,
                countries,
                start=start,
                duration=rng.randint(30, 60),
                title=f"Crisis request {i}",
                received_at=now - dt.timedelta(minutes=rng.randint(0, 48 * 60)),
            )
            team = rng.choices([1, 2, 3], [60, 25, 15])[0]
            sets["burst"].append(need(r, links, team, rng.random() < 0.5))
        for i in range(PURE):
            start = today + dt.timedelta(days=rng.randint(5, 12))
            r, links = _request(
                rng,
                orgs,
                countries,
                start=start,
                duration=rng.randint(30, 60),
                title=f"Single request {i}",
                received_at=now - dt.timedelta(minutes=rng.randint(0, 48 * 60)),
            )
            r.team_size, r.shortlist_size = 1, 3
            r.clearance_needed = rng.choices([1, 2], [60, 40])[0]
            needs, _langs = _needs(rng, areas, required_language=False)
            sets["pure"].append((r, links, [(areas[c], lv, req) for c, lv, req in needs], []))
        ids = {name: _requests(rows_) for name, rows_ in sets.items()}
    with connection.cursor() as cursor:  # the statistics a live database keeps by itself
        cursor.execute("ANALYZE")
    return {
        "vendor": connection.vendor,
        "reader": reader,
        "requests": ids,
        "seconds": round(time.perf_counter() - t0, 1),
        # each expert: a person, an expert, both named to the reader, a nationality
        "rows": rows + len(experts) * 5 + len(deployments),
        "deployments": len(deployments),
    }


def _digest(args) -> str:
    """What a kept world was built from: its size, the code building it, the migrations and
    the expertise catalogue."""
    h = hashlib.sha256(f"{args.experts}".encode())
    for fn in (build, _organisations, _experts, _request, _needs, _requests):
        h.update(inspect.getsource(fn).encode())
    for p in [
        ROOT / "concord/roster/fixtures/expertise.csv",
        *sorted(ROOT.glob("concord/*/migrations/*.py")),
    ]:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def kept_world(args) -> dict | None:
    """The world a previous ``--keep`` run built with the same digest, set up; or None, with
    the environment pointing where the new one is to be kept."""
    on_postgres = bool(os.environ.get("DATABASE_URL"))
    place = WORLDS / f"roster-{'postgresql' if on_postgres else 'sqlite'}-{_digest(args)}"
    if on_postgres:  # a database of its own, which no other bench empties
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{url}/concord_bench_roster"
    marker = place / "world.json"
    if not marker.exists():
        for old in WORLDS.glob(f"roster-{'postgresql' if on_postgres else 'sqlite'}-*"):
            shutil.rmtree(old, ignore_errors=True)
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

    kept = json.loads(marker.read_text())
    return {
        "vendor": connection.vendor,
        "reader": User.objects.get(username="bench.reader"),
        "requests": kept["requests"],
        "seconds": kept["seconds"],
        "rows": kept["rows"],
        "deployments": kept["deployments"],
    }


def _plan_figures(plan, facts, ranked) -> dict:
    """What a plan fills and leaves, and the value the solver maximises: each place filled
    (100 points, plus the expert's fit, less half a point per deployment in the past year),
    less what each uncovered language (30) and each team without a woman or a man (20)
    costs (concord.roster.analysis.assignment)."""
    from concord.roster.analysis import assignment

    by_pair = {(r, m.expert.id): m for r, matches in ranked.items() for m in matches}
    teams = {f.id: [] for f in facts}
    for c in plan.choices:
        teams[c.request].append(by_pair[(c.request, c.expert)])
    objective, languages, unbalanced = 0.0, 0, 0
    for f in facts:
        team = teams[f.id]
        objective += sum(assignment._weight(m) for m in team)
        for code, level in f.languages.items():
            if not any(m.expert.languages.get(code, 0) >= level for m in team):
                languages += 1
                objective -= assignment.LANGUAGE_GAP
        if assignment._gendered(f):
            missing = [g for g in ("woman", "man") if all(m.expert.gender != g for m in team)]
            unbalanced += bool(missing)
            objective -= assignment.GENDER_GAP * len(missing)
    return {
        "method": plan.method,
        "total_fit": round(plan.total_fit, 1),
        "mean_fit": round(plan.total_fit / len(plan.choices), 1) if plan.choices else None,
        "places_wanted": sum(f.team_size for f in facts),
        "places_filled": len(plan.choices),
        "languages_uncovered": languages,
        "teams_unbalanced": unbalanced,
        "objective": round(objective, 1),
        "constraints": {
            c: sum(1 for x in plan.choices if x.constraint == c)
            for c in sorted({x.constraint for x in plan.choices})
        },
    }


def compare_plans(name, requests, reader, rounds) -> dict:
    """The optimal and the greedy assignment of ``requests``, each timed whole (reading and
    ranking every request, then solving), in turn, after one call of each to warm up."""
    from concord.roster import loaders
    from concord.roster.analysis import assignment
    from concord.roster.models import Candidate

    times = {"optimal": [], "greedy": []}
    plans = {}
    for method in ("optimal", "greedy"):
        loaders.team_plan(requests, reader, methods=(method,))
    for _ in range(rounds):
        for method in ("optimal", "greedy"):
            t = time.perf_counter()
            one, facts = loaders.team_plan(requests, reader, methods=(method,))
            plans[method] = one[method]
            times[method].append(time.perf_counter() - t)
    ranked = {  # each request's matches, as ranking it alone gives them
        f.id: loaders.rank(r, reader, facts=f).matches for r, f in zip(requests, facts, strict=True)
    }
    # the solvers alone, on those matches (what the two calls do beyond the same reading)
    waived = set(
        Candidate.objects.filter(request__in=requests, waived_by__isnull=False).values_list(
            "expert_id", "request_id"
        )
    )
    solving = {"optimal": [], "greedy": []}
    for _ in range(rounds):
        for method, solve in (("optimal", assignment.assign), ("greedy", assignment.greedy)):
            t = time.perf_counter()
            solve(facts, ranked, waived)
            solving[method].append(time.perf_counter() - t)
    opt, greedy = plans["optimal"], plans["greedy"]
    gained = opt.total_fit - greedy.total_fit
    pools = sorted(sum(1 for m in matches if m.eligible) for matches in ranked.values())
    out = {
        "requests": len(requests),
        "team_sizes": {
            str(k): sum(1 for f in facts if f.team_size == k)
            for k in sorted({f.team_size for f in facts})
        },
        "with_required_language": sum(1 for f in facts if f.languages),
        "matched_per_request": {
            "min": pools[0],
            "median": statistics.median(pools),
            "max": pools[-1],
        },
        "optimal": {
            "median_s": round(statistics.median(times["optimal"]), 2),
            "max_s": round(max(times["optimal"]), 2),
            "solving_median_s": round(statistics.median(solving["optimal"]), 3),
            **_plan_figures(opt, facts, ranked),
        },
        "greedy": {
            "median_s": round(statistics.median(times["greedy"]), 2),
            "max_s": round(max(times["greedy"]), 2),
            "solving_median_s": round(statistics.median(solving["greedy"]), 3),
            **_plan_figures(greedy, facts, ranked),
        },
        "time_ratio_optimal_to_greedy": round(
            statistics.median(times["optimal"]) / statistics.median(times["greedy"]), 2
        ),
        "solving_ratio_optimal_to_greedy": round(
            statistics.median(solving["optimal"]) / statistics.median(solving["greedy"]), 1
        ),
        "fit_gained": round(gained, 1),
        "fit_gained_percent": (
            round(100 * gained / greedy.total_fit, 2) if greedy.total_fit else None
        ),
        "target_s": PLAN_TARGET_S,
    }
    print(f"{name}: {json.dumps(out)}", flush=True)
    return out


def _screening_pairs(ranked) -> list:
    """80 (expert, request) pairs: 40 experts with a declared tie, each against a request one
    of whose parties or stakeholders they are tied to where there is one (the rules' work),
    and 40 without, against the requests to rank in turn."""
    from concord.roster.models import Expert, ExpertRequest, Tie

    pick = random.Random(2)  # the same pairs whether the world was built or kept
    tied = sorted(set(Tie.objects.values_list("expert_id", flat=True)))
    plain = list(Expert.objects.filter(ties__isnull=True).values_list("pk", flat=True))
    tied = pick.sample(tied, min(40, len(tied)))
    plain = pick.sample(sorted(plain), min(40, len(plain)))
    experts = Expert.objects.in_bulk(tied + plain)
    orgs = {}
    for field in ("parties", "stakeholders"):
        through = ExpertRequest._meta.get_field(field).remote_field.through
        for r, o in through.objects.filter(expertrequest__in=ranked).values_list(
            "expertrequest_id", "organisation_id"
        ):
            orgs.setdefault(r, set()).add(o)
    ties = {}
    for e, o in Tie.objects.filter(expert_id__in=tied).values_list("expert_id", "organisation_id"):
        ties.setdefault(e, set()).add(o)
    pairs = []
    for k, e in enumerate(tied):
        mine = [r for r in ranked if orgs.get(r.pk, set()) & ties[e]]
        pairs.append((experts[e], mine[0] if mine else ranked[k % len(ranked)]))
    pairs += [(experts[e], ranked[k % len(ranked)]) for k, e in enumerate(plain)]
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--plan-rounds", type=int, default=5)
    parser.add_argument("--out", default="")
    parser.add_argument("--keep", action="store_true", help="keep the world, reuse it")
    args = parser.parse_args()
    rng = random.Random(1)
    world = kept_world(args) if args.keep else None
    if world is None:
        scratch_database(os.environ.get("CONCORD_BENCH_KEEP"))
        world = build(args.experts, rng)
        print(f"built in {world['seconds']} s ({world['rows']:,} rows)", flush=True)
        if args.keep:
            (Path(os.environ["CONCORD_DATA_DIR"]) / "world.json").write_text(
                json.dumps(
                    {
                        "digest": _digest(args),
                        **{k: world[k] for k in ("seconds", "requests", "rows", "deployments")},
                    }
                )
            )
    vendor = world["vendor"]

    from concord.roster import loaders
    from concord.roster.models import Expert, ExpertRequest

    reader = type(world["reader"]).objects.get(pk=world["reader"].pk)

    def requests(name):
        ids = world["requests"][name]
        found = ExpertRequest.objects.in_bulk(ids)
        return [found[i] for i in ids]

    ranked = requests("ranked")
    pairs = _screening_pairs(ranked)
    cases = {
        "baseline: first page of the expert list": lambda i: list(
            Expert.objects.visible_to(reader).order_by("pk")[:50]
        ),
        "ranking": lambda i: loaders.rank(ranked[i % len(ranked)], reader),
        "screening": lambda i: loaders.screen(*pairs[i % len(pairs)], reader),
    }
    for fn in cases.values():  # warm up
        fn(0)
        fn(1)
    # as a served worker does after its first requests (concord/serving.py): what is alive
    # now is out of the cyclic collector's sight
    gc.collect()
    gc.freeze()
    result = {
        "machine": machine(),
        "database": vendor,
        "experts": args.experts,
        "rows": world["rows"],
        "deployments": world["deployments"],
        "build_seconds": world["seconds"],
        "cases": {},
    }
    base = None
    failed = []
    for name, fn in cases.items():
        rounds = args.rounds * (2 if name == "screening" else 1)
        samples = timed(fn, rounds)
        entry = {
            "rounds": rounds,
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(p95(samples), 1),
        }
        if base is None:
            base = entry["p95_ms"]
        else:
            entry["ratio_to_baseline"] = round(entry["p95_ms"] / base, 2)
            entry["target_ms"] = TARGETS_MS[name]
            if entry["p95_ms"] > TARGETS_MS[name]:
                failed.append(name)
        result["cases"][name] = entry
        print(f"{name}: {entry}", flush=True)
    grades = [loaders.screen(*pair, reader).grade for pair in pairs]
    result["screening_grades"] = {g: grades.count(g) for g in sorted(set(grades))}

    # what the ranked requests bring: experts scored, matched (eligible) and barred
    sizes = []
    for r in ranked:
        ranking = loaders.rank(r, reader)
        sizes.append(
            (len(ranking.matches), sum(1 for m in ranking.matches if m.eligible), ranking.roster)
        )
    result["ranking_pools"] = {
        "scored_min": min(s[0] for s in sizes),
        "scored_median": statistics.median(s[0] for s in sizes),
        "scored_max": max(s[0] for s in sizes),
        "matched_median": statistics.median(s[1] for s in sizes),
        "roster": sizes[0][2],
    }
    print(f"ranking pools: {result['ranking_pools']}", flush=True)

    result["plans"] = {
        "burst": compare_plans("burst", requests("burst"), reader, args.plan_rounds),
        "pure": compare_plans("pure", requests("pure"), reader, args.plan_rounds),
    }
    if result["plans"]["burst"]["optimal"]["max_s"] > PLAN_TARGET_S:
        failed.append("team plan")
    path = write_result(args.out or f"roster-{vendor}", result)
    print(f"written {path}")
    if failed:
        print(f"missed its target: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
