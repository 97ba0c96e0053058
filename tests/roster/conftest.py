"""A small roster: a mediation support unit with two managers and an editor (cleared
strictly confidential), the parties of a process, experts with skills, languages and ties,
and a request for a ceasefire adviser."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from concord.core import services as core
from concord.core.context import Actor
from concord.core.models import Classification, Country, Person, Releasability, Role
from concord.roster import services
from concord.roster.fixtures.catalogue import seed_expertise
from concord.roster.models import Expert, ExpertiseArea, ExpertRequest

from ..conftest import make_org, make_user

C, R = Classification, Releasability
TODAY = dt.date.today()


def actor(user) -> Actor:
    return Actor(user=user, interface="web")


@dataclass
class Roster:
    msu: object
    requester: object
    gov: object
    rebels: object
    donor: object
    editor: object
    manager: object
    manager2: object
    outsider: object
    request: ExpertRequest
    experts: dict


def area(code):
    return ExpertiseArea.objects.get(code=code)


def make_expert(
    roster_owner, by, name, *, gender="woman", skills=(), languages=(), ties=(), readers=(), **kw
):
    person = core.save(
        Person(owner=roster_owner, name=name, classification=C.STRICTLY_CONFIDENTIAL),
        actor=actor(by),
        m2m={"named_users": [by, *readers]},
    )
    countries = kw.pop("countries", ["SDN"])
    nationalities = kw.pop("nationalities", ["NOR"])
    return services.save_expert(
        Expert(
            owner=roster_owner,
            person=person,
            tier=kw.pop("tier", "roster"),
            gender=gender,
            email=f"{name.split()[0].lower()}@example.org",
            security_clearance=kw.pop("clearance", C.CONFIDENTIAL),
            **kw,
        ),
        actor=actor(by),
        m2m={
            "named_users": [by, *readers],
            "countries": list(Country.objects.filter(alpha3__in=countries)),
            "nationalities": list(Country.objects.filter(alpha3__in=nationalities)),
        },
        skills=[{"area": area(c), "level": lv, "evidence": "Assignments."} for c, lv in skills],
        languages=[{"code": c, "level": lv} for c, lv in languages],
        ties=list(ties),
    )


@pytest.fixture
def roster(db):
    from concord.core.fixtures.reference import seed_reference

    if not Country.objects.filter(alpha3="SDN").exists():
        seed_reference()
    seed_expertise()
    msu = make_org("MSU")
    requester = make_org("ENVOY")
    gov = make_org("GOVA", kind="state", name="Government of Atlantis")
    rebels = make_org("ALF", kind="armed_group", name="Atlantis Liberation Front")
    donor = make_org("DONOR", kind="donor", name="A Donor Agency")
    sc = C.STRICTLY_CONFIDENTIAL
    editor = make_user("msu.editor", msu, Role.EDITOR, sc)
    manager = make_user("msu.manager", msu, Role.MANAGER, sc)
    manager2 = make_user("msu.manager2", msu, Role.MANAGER, sc)
    outsider = make_user("envoy.editor", requester, Role.EDITOR, C.CONFIDENTIAL)

    def mk(*args, **kw):
        return make_expert(*args, readers=(manager, manager2), **kw)

    experts = {}
    experts["amina"] = mk(
        msu,
        editor,
        "Amina Haddad",
        skills=[("security_arrangements", 3)],
        languages=[("ar", 6), ("en", 6)],
    )
    experts["lars"] = mk(
        msu,
        editor,
        "Lars Berg",
        gender="man",
        skills=[("security_arrangements", 3)],
        languages=[("en", 6)],
        tier="standby_team",
    )
    experts["omar"] = mk(
        msu,
        editor,
        "Omar Tahir",
        gender="man",
        skills=[("security_arrangements.monitoring", 3)],
        languages=[("ar", 6), ("en", 5)],
        ties=[{"kind": "advisory", "organisation": gov, "start": TODAY - dt.timedelta(days=400)}],
    )
    experts["jon"] = mk(
        msu,
        editor,
        "Jon Smith",
        gender="man",
        skills=[("security_arrangements", 3)],
        languages=[("en", 6)],
        ties=[
            {"kind": "employment", "organisation": rebels, "start": TODAY - dt.timedelta(days=30)}
        ],
    )
    experts["rosa"] = mk(
        msu,
        editor,
        "Rosa Lima",
        skills=[("gender_inclusion", 3)],
        languages=[("es", 6)],
    )
    request = services.save_request(
        ExpertRequest(
            owner=msu,
            classification=C.CONFIDENTIAL,
            releasability=R.OWNER,
            title="Ceasefire adviser for the Atlantis talks",
            requester=requester,
            process="Atlantis talks",
            start=TODAY + dt.timedelta(days=10),
            duration_days=30,
            team_size=1,
            shortlist_size=3,
            received_at=timezone.now() - dt.timedelta(hours=5),
        ),
        actor=actor(editor),
        m2m={
            "parties": [gov, rebels],
            "stakeholders": [donor],
            "countries": list(Country.objects.filter(alpha3="SDN")),
        },
        requirements=[{"area": area("security_arrangements"), "level": 2, "required": True}],
        languages=[{"code": "ar", "level": 5, "required": True}],
    )
    return Roster(
        msu, requester, gov, rebels, donor, editor, manager, manager2, outsider, request, experts
    )
