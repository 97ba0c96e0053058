"""The experts and requests a reader may see, as plain facts; their ranking, screening and
team assignment."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from concord.core.models import Organisation, Person
from concord.core.models.registry import OrganisationKind
from concord.core.visibility import RESTRICTED, VisibleLabels

from ..analysis import assignment, matching, screening
from ..analysis.facts import (
    Booking,
    ExpertFacts,
    Party,
    PastDeployment,
    RequestFacts,
    TieFact,
    process_key,
)
from ..models import (
    BOOKING,
    Candidate,
    Deployment,
    DeploymentState,
    Expert,
    ExpertiseArea,
    ExpertRequest,
    Language,
    Skill,
    Tie,
    Tier,
    Unavailability,
    language_name,
)

YEAR = dt.timedelta(days=365)


@dataclass(frozen=True)
class Catalogue:
    parents: dict[str, str]
    names: dict[str, str]
    ids: dict[str, int]

    def words(self) -> dict:
        return {"parents": self.parents, "names": self.names, "tier_names": dict(Tier.choices)}


def catalogue() -> Catalogue:
    rows = list(ExpertiseArea.objects.values_list("pk", "code", "name", "parent__code"))
    return Catalogue(
        parents={code: parent for _pk, code, _n, parent in rows if parent},
        names={code: name for _pk, code, name, _p in rows},
        ids={code: pk for pk, code, _n, _p in rows},
    )


def among(ids) -> RawSQL:
    """``ids`` (whole numbers) as one parameter, for ``<field>__in``: the ORM prepares a list
    value by value, which for the 2,000 experts of a large pool cost more than the database
    took to read their rows (4 ms a query, nine queries a ranking)."""
    ids = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        # an array written as text: psycopg adapts a list number by number (1 ms a query)
        text = "{" + ",".join(map(str, ids)) + "}"
        return RawSQL("SELECT unnest(%s::bigint[])", [text])  # untranslated: SQL
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])  # untranslated: SQL


def _org_names(user, ids) -> dict[int, str]:
    """Names of organisations as ``user`` may see them: "(restricted)" otherwise. Screening
    runs against every party, the hidden ones too; their names stay hidden."""
    labels = VisibleLabels(user)
    ids = set(ids)
    labels.load(Organisation, ids)
    return {pk: str(labels.get(Organisation, pk) or _(RESTRICTED)) for pk in ids}


def person_names(user, experts) -> dict[int, str]:
    """Each expert's name where the reader may see their person, else "Expert N"."""
    experts = list(experts)
    visible = dict(
        Person.objects.visible_to(user)
        .filter(pk__in=among(e.person_id for e in experts))
        .order_by()
        .values_list("pk", "name")
    )
    return {e.pk: visible.get(e.person_id) or str(e) for e in experts}


def _parties(request: ExpertRequest) -> tuple[list, list]:
    """The request's parties and its stakeholders, as (id, kind, alpha-3) rows."""
    return (
        list(request.parties.values_list("pk", "kind", "country__alpha3")),
        list(request.stakeholders.values_list("pk", "kind", "country__alpha3")),
    )


def _request_facts(request, parties, stakeholders, names, **needs) -> RequestFacts:
    def party(row):
        pk, kind, a3 = row
        return Party(pk, names[pk], a3, is_state=kind == OrganisationKind.STATE)

    return RequestFacts(
        id=request.pk,
        title=request.title,
        process=process_key(request.process),
        requester=request.requester_id,
        start=request.start,
        end=request.end,
        received=request.received_at,
        parties=tuple(party(p) for p in parties),
        stakeholders=tuple(party(p) for p in stakeholders),
        team_size=request.team_size,
        shortlist_size=request.shortlist_size,
        gender_rule=request.gender_rule,
        clearance=request.clearance_needed,
        **needs,
    )


def request_facts(request: ExpertRequest, user) -> RequestFacts:
    countries = list(request.countries.values_list("alpha3", "m49_subregion"))
    parties, stakeholders = _parties(request)
    names = _org_names(user, [p[0] for p in parties + stakeholders])
    required, desirable = {}, {}
    for code, level, req in request.requirements.values_list("area__code", "level", "required"):
        (required if req else desirable)[code] = level
    languages, wished = {}, {}
    for code, level, req in request.languages.values_list("code", "level", "required"):
        (languages if req else wished)[code] = level
    return _request_facts(
        request,
        parties,
        stakeholders,
        names,
        countries=frozenset(a3 for a3, _s in countries),
        subregions=frozenset(s for _a, s in countries if s),
        required=required,
        desirable=desirable,
        languages=languages,
        desirable_languages=wished,
    )


def _disclosures(pool) -> tuple[list, list, list]:
    """What screening weighs of the experts ``pool`` names: their ties, nationalities and
    ended deployments, as rows (the ties and deployments in their models' order)."""
    ties = list(
        Tie.objects.filter(expert_id__in=pool).values_list(
            "expert_id", "kind", "organisation_id", "start", "end"
        )
    )
    nations = list(
        Expert.nationalities.through.objects.filter(expert_id__in=pool).values_list(
            "expert_id", "country__alpha3"
        )
    )
    ended = list(
        Deployment.objects.filter(expert_id__in=pool, state=DeploymentState.ENDED).values_list(
            "expert_id", "request__process", "request__requester_id", "end", "rating", "start"
        )
    )
    return ties, nations, ended


class Profile(NamedTuple):
    """What ``expert_facts`` reads of an expert itself (the rest is in their rows), read
    without making a model instance of each (17 ms for 2,000 experts on PostgreSQL)."""

    pk: int
    person_id: int
    tier: str
    gender: str
    security_clearance: int

    __str__ = Expert.__str__  # "Expert N", from the number alone


def profiles(experts) -> list[Profile]:
    """The profiles of ``experts``, a queryset the caller has scoped to the reader."""
    return [Profile(*row) for row in experts.values_list(*Profile._fields)]


def expert_facts(experts, user, window: tuple[dt.date, dt.date] | None = None) -> list[ExpertFacts]:
    """Facts for ``experts`` (experts or their ``profiles``, read from a queryset the caller
    has scoped to the reader), in bulk: a handful of queries whatever their number.
    ``window``: only bookings touching it."""
    experts = list(experts)
    ids = [e.pk for e in experts]
    pool = among(ids)
    skills, languages = defaultdict(dict), defaultdict(dict)
    # unordered: each area and language once per expert, read by key
    for eid, code, level in (
        Skill.objects.filter(expert_id__in=pool)
        .order_by()
        .values_list("expert_id", "area__code", "level")
    ):
        skills[eid][code] = level
    for eid, code, level in (
        Language.objects.filter(expert_id__in=pool)
        .order_by()
        .values_list("expert_id", "code", "level")
    ):
        languages[eid][code] = level
    lived, nations = defaultdict(set), defaultdict(set)
    for eid, a3, sub in Expert.countries.through.objects.filter(expert_id__in=pool).values_list(
        "expert_id", "country__alpha3", "country__m49_subregion"
    ):
        lived[eid].add((a3, sub))
    tie_rows, nation_rows, ended = _disclosures(pool)
    for eid, a3 in nation_rows:
        nations[eid].add(a3)
    org_names = _org_names(user, [t[2] for t in tie_rows] + [r[2] for r in ended])
    ties, past = defaultdict(list), defaultdict(list)
    for eid, kind, org, start, end in tie_rows:
        ties[eid].append(TieFact(kind, org, org_names[org], start, end))
    for eid, process, requester, end, rating, start in ended:
        past[eid].append(
            PastDeployment(
                process_key(process), requester, org_names[requester], end, rating, start
            )
        )
    bookings = _bookings(pool, window)
    names = person_names(user, experts)
    return [
        ExpertFacts(
            id=e.pk,
            name=names[e.pk],
            tier=e.tier,
            gender=e.gender,
            clearance=e.security_clearance,
            skills=skills[e.pk],
            languages=languages[e.pk],
            countries=frozenset(a3 for a3, _s in lived[e.pk]),
            subregions=frozenset(s for _a, s in lived[e.pk] if s),
            nationalities=frozenset(nations[e.pk]),
            ties=tuple(ties[e.pk]),
            bookings=tuple(bookings[e.pk]),
            past=tuple(past[e.pk]),
        )
        for e in experts
    ]


def _bookings(pool, window) -> dict[int, list[Booking]]:
    """Live deployments and declared unavailability (touching ``window``) of the experts
    ``pool`` names."""
    bookings = defaultdict(list)
    un = Unavailability.objects.filter(expert_id__in=pool)
    live = Deployment.objects.filter(expert_id__in=pool, state__in=BOOKING)
    if window is not None:
        un = un.filter(start__lte=window[1], end__gte=window[0])
        live = live.filter(start__lte=window[1], end__gte=window[0])
    for eid, start, end, reason in un.values_list("expert_id", "start", "end", "reason"):
        bookings[eid].append(Booking(start, end, reason or _("declared unavailable")))
    for eid, start, end, rid in live.values_list("expert_id", "start", "end", "request_id"):
        bookings[eid].append(
            Booking(start, end, _("request %(n)s") % {"n": rid}, deployment=True, request=rid)
        )
    return bookings


def _holds(area_id, level, parents_of, children_of) -> Q:
    """A Skill row that gives ``level`` in the area (see matching.level_in)."""
    q = Q(area_id=area_id, level__gte=level)
    q |= Q(area_id__in=children_of.get(area_id, ()), level__gte=level + 1)
    parent = parents_of.get(area_id)
    if parent:
        q |= Q(area_id=parent, level__gte=level + 1)
    return q


def matchable(request: ExpertRequest, user, required=None):
    """The experts on the roster the reader may see who hold the required expertise at the
    level asked (the others cannot be matched: counted, not scored)."""
    qs = Expert.objects.visible_to(user).filter(active=True)
    tree = list(ExpertiseArea.objects.values_list("pk", "parent_id"))
    parents_of = {pk: parent for pk, parent in tree if parent}
    children_of = defaultdict(list)
    for pk, parent in tree:
        if parent:
            children_of[parent].append(pk)
    rows = required
    if rows is None:
        rows = list(request.requirements.filter(required=True).values_list("area_id", "level"))
    for area_id, level in rows:
        qs = qs.filter(
            Exists(
                Skill.objects.filter(_holds(area_id, level, parents_of, children_of)).filter(
                    expert=OuterRef("pk")
                )
            )
        )
    return qs


@dataclass
class Ranking:
    request: RequestFacts
    matches: list[matching.Match]
    roster: int  # experts the reader may see on the roster
    lacking: int  # of them, without the required expertise
    relax: list[matching.Relaxation]

    def as_json(self) -> dict:
        return {
            "request": self.request.id,
            "roster": self.roster,
            "lacking_required_expertise": self.lacking,
            "matches": [m.as_json() for m in self.matches],
            "relax": [{"words": r.words, "would_match": r.would_match} for r in self.relax],
        }


def rank(request: ExpertRequest, user, *, facts: RequestFacts | None = None) -> Ranking:
    """Every expert the reader may see, ranked for ``request``: those with the required
    expertise scored and explained; when none is matched, the requirement to relax."""
    facts = facts or request_facts(request, user)
    words = catalogue().words()
    words["language_names"] = {
        code: language_name(code) for code in {*facts.languages, *facts.desirable_languages}
    }
    pool = profiles(matchable(request, user).order_by("pk"))
    experts = expert_facts(pool, user, (facts.start, facts.end))
    ranked = matching.rank(experts, facts, **words)
    roster = Expert.objects.visible_to(user).filter(active=True).count()
    relax = []
    if not any(m.eligible for m in ranked):
        # those holding at least one required area: enough to say what relaxing would bring
        cat = catalogue()
        near = Expert.objects.visible_to(user).filter(
            active=True,
            pk__in=Skill.objects.filter(
                area_id__in=[cat.ids[c] for c in facts.required if c in cat.ids]
            ).values("expert_id"),
        )[:2000]
        relax = matching.relaxations(
            expert_facts(near, user, (facts.start, facts.end)),
            facts,
            parents=words["parents"],
            names=words["names"],
        )
    return Ranking(facts, ranked, roster, roster - len(experts), relax)


def screen(expert: Expert, request: ExpertRequest, user) -> screening.Screening:
    """One expert against one request's process, parties and stakeholders. Reads only what
    screening weighs (``analysis.screening``: the request's parties and stakeholders, the
    expert's ties, nationalities and ended deployments, every organisation's name at once):
    six queries, where the whole facts of both took seventeen (50 ms on PostgreSQL under
    load, for a target of 20)."""
    parties, stakeholders = _parties(request)
    ties, nations, ended = _disclosures(among([expert.pk]))
    names = _org_names(
        user, [p[0] for p in parties + stakeholders] + [t[2] for t in ties] + [r[2] for r in ended]
    )
    one = ExpertFacts(
        id=expert.pk,
        name=str(expert),  # not read by screening
        tier=expert.tier,
        gender=expert.gender,
        clearance=expert.security_clearance,
        nationalities=frozenset(a3 for _e, a3 in nations),
        ties=tuple(TieFact(k, org, names[org], start, end) for _e, k, org, start, end in ties),
        past=tuple(
            PastDeployment(process_key(process), requester, names[requester], end, rating, start)
            for _e, process, requester, end, rating, start in ended
        ),
    )
    return screening.screen(one, _request_facts(request, parties, stakeholders, names))


def screenings(request: ExpertRequest, experts, user) -> dict[int, screening.Screening]:
    """Each expert screened against the request in the reader's words: a party or a tie the
    reader may not see reads "(restricted)". Pages and the API show these rather than the
    findings stored when the expert was alerted (written as the roster officer saw them)."""
    experts = list(experts)
    if not experts:
        return {}
    facts = request_facts(request, user)
    return {f.id: screening.screen(f, facts) for f in expert_facts(experts, user)}


def open_requests(user):
    from ..models import RequestState

    return ExpertRequest.objects.visible_to(user).filter(state=RequestState.OPEN)


def _within(expert: ExpertFacts, start: dt.date, end: dt.date) -> ExpertFacts:
    """The expert's facts with only the bookings touching ``start``–``end`` (as
    ``expert_facts`` reads them for that window)."""
    if not expert.bookings:
        return expert
    kept = tuple(b for b in expert.bookings if b.start <= end and b.end >= start)
    if len(kept) == len(expert.bookings):
        return expert
    return dataclasses.replace(expert, bookings=kept)


def ranked_together(requests: list[ExpertRequest], facts: list[RequestFacts], user) -> dict:
    """Each request's matches, as ``rank`` gives them (``facts``: the requests' own), with
    each expert's facts read once for all the requests: a burst's pools overlap, and reading
    them request by request read the same experts again and again (50 requests: 50 rankings,
    6 s for 10,000 experts)."""
    if not facts:
        return {}
    words = catalogue().words()
    words["language_names"] = {
        code: language_name(code) for f in facts for code in {*f.languages, *f.desirable_languages}
    }
    pools = {
        f.id: profiles(matchable(r, user).order_by("pk"))
        for r, f in zip(requests, facts, strict=True)
    }
    everyone = {p.pk: p for pool in pools.values() for p in pool}
    window = (min(f.start for f in facts), max(f.end for f in facts))
    by_id = {e.id: e for e in expert_facts(sorted(everyone.values()), user, window)}
    return {
        f.id: matching.rank([_within(by_id[p.pk], f.start, f.end) for p in pools[f.id]], f, **words)
        for f in facts
    }


def team_plan(requests: list[ExpertRequest], user, *, methods=("optimal",)):
    """The assignment of experts to ``requests`` at once by each of ``methods`` (``optimal``,
    the greedy first-come baseline ``greedy``), with the waivers recorded on their candidates:
    ``({method: plan}, facts)``. The requests are read and ranked once for all methods."""
    facts = [request_facts(r, user) for r in requests]
    ranked = ranked_together(requests, facts, user)
    waived = set(
        Candidate.objects.filter(request__in=requests, waived_by__isnull=False).values_list(
            "expert_id", "request_id"
        )
    )
    solvers = {"optimal": assignment.assign, "greedy": assignment.greedy}
    return {m: solvers[m](facts, ranked, waived) for m in methods}, facts
