"""Shared fixtures: a small security world built through the services, as a user would."""

from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from django.conf import settings

from concord.core import services
from concord.core.context import Actor
from concord.core.models import (
    Area,
    Classification,
    Country,
    Organisation,
    Person,
    Releasability,
    Role,
)

SHARED_DATA = settings.PROJECT_DIR.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system():
    return Actor.system("test")


def make_org(
    acronym,
    *,
    owner=None,
    kind="other",
    cls=Classification.PUBLIC,
    rel=Releasability.PUBLIC,
    actor=None,
    **extra,
):
    org = Organisation(
        name=extra.pop("name", f"{acronym} organisation"),
        acronym=acronym,
        kind=kind,
        classification=cls,
        releasability=rel,
        owner=owner,
        **extra,
    )
    return services.save(org, actor=actor or Actor.system("test"))


def make_user(
    username,
    org=None,
    role=Role.VIEWER,
    clearance=Classification.INTERNAL,
    admin=False,
    password="x",
):
    return services.create_user(
        actor=Actor.system("test"),
        username=username,
        password=password,
        clearance=clearance,
        is_admin=admin,
        memberships=[(org, role)] if org else [],
        check_password=False,
    )


def country(alpha3="MLI", name="Mali"):
    return Country.objects.get_or_create(
        alpha3=alpha3, defaults={"name": name, "alpha2": alpha3[:2]}
    )[0]


CLASSIFICATIONS = list(Classification)
RELEASABILITIES = list(Releasability)


def marker(model_letter: str, c: int, r: str) -> str:
    """A token found in one record's name and nowhere else (none is a prefix of another)."""
    return f"MRK{model_letter}{c}{r[:3].upper()}Z"


# Where a record's past marker goes when its marked field may not change (an assessment is
# never rewritten: only its descriptive text).
PAST_FIELD = {"RiskAssessment": "recipient_record"}


def past_marker(model_letter: str, c: int, r: str) -> str:
    """A marker for what a record said while it was strictly confidential and named to
    nobody (P + two letters: never one of ``marker``'s)."""
    return f"MRK{model_letter}{c}P{r[:2].upper()}Z"


def build_principals(w=None):
    """The world's organisations (own, shared with, in a space with, other), its space, and
    its users of every kind (``w.users``)."""
    sys = Actor.system("world")
    w = w or SimpleNamespace()
    w.own = make_org("OWN")
    w.shr = make_org("SHR")
    w.spc = make_org("SPC")
    w.oth = make_org("OTH")
    w.space = services.create_space(actor=sys, name="Test space", organisations=[w.own, w.spc])
    C = Classification
    w.users = {
        "own_viewer_public": make_user("own_viewer_public", w.own, Role.VIEWER, C.PUBLIC),
        "own_viewer": make_user("own_viewer", w.own, Role.VIEWER, C.INTERNAL),
        "own_contributor": make_user("own_contributor", w.own, Role.CONTRIBUTOR, C.INTERNAL),
        "own_editor": make_user("own_editor", w.own, Role.EDITOR, C.CONFIDENTIAL),
        "own_manager_named": make_user(
            "own_manager_named", w.own, Role.MANAGER, C.STRICTLY_CONFIDENTIAL
        ),
        "own_manager_unnamed": make_user(
            "own_manager_unnamed", w.own, Role.MANAGER, C.STRICTLY_CONFIDENTIAL
        ),
        "shared_org_viewer": make_user("shared_org_viewer", w.shr, Role.VIEWER, C.CONFIDENTIAL),
        "space_viewer": make_user("space_viewer", w.spc, Role.VIEWER, C.CONFIDENTIAL),
        "other_editor": make_user("other_editor", w.oth, Role.EDITOR, C.STRICTLY_CONFIDENTIAL),
        "platform_admin": make_user(
            "platform_admin", None, Role.VIEWER, C.STRICTLY_CONFIDENTIAL, admin=True
        ),
    }
    return w


def build_world():
    """Organisations, users of every kind, and one record per model, classification and
    releasability, each linked to records the reader may not see (to catch leaks by link)."""
    sys = Actor.system("world")
    w = build_principals()
    C = Classification
    named = w.users["own_manager_named"]
    mli = country()
    w.records = []  # (model, obj, c, r)
    common = {"owner": w.own}

    def m2m():
        return {"shared_organisations": [w.shr], "shared_spaces": [w.space], "named_users": [named]}

    # The hidden records' codes are markers too: a code, an acronym or a P-code shown for a
    # hidden record is as much a leak as its name.
    hidden_org = services.save(
        Organisation(
            name=marker("H", 3, "owner"),
            acronym=marker("H", 3, "owner"),
            kind="regional",
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
        m2m={"named_users": []},
    )
    hidden_area = services.save(
        Area(
            name=marker("G", 3, "owner"),
            pcode=marker("G", 3, "owner"),
            country=mli,
            level=1,
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    from concord.operations.models import Operation, Relation

    hidden_op = services.save(
        Operation(
            name=marker("J", 3, "owner"),
            acronym=marker("J", 3, "owner"),
            key=marker("J", 3, "owner"),
            kind="peacekeeping",
            framework="un",
            framework_organisation=hidden_org,
            start=dt.date(2013, 7, 1),
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
        m2m={"host_countries": [mli], "areas": [hidden_area]},
    )
    from concord.labour.models import (
        Arrangement,
        Assignment,
        ClashRule,
        ImportBatch,
        Need,
        SectorMapping,
        Task,
    )

    hidden_task = services.save(
        Task(
            code=marker("I", 3, "owner"),
            name=marker("I", 3, "owner"),
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    from concord.accountability.models import (
        AccountabilityLine,
        Report,
        ReportingObligation,
        SecurityUnit,
        UnitCommand,
    )

    hidden_obligation = services.save(
        ReportingObligation(
            reporter_operation=hidden_op,
            body="security_council",
            subject=marker("V", 3, "owner"),
            every_days=90,
            first_due=dt.date(2020, 1, 1),
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    hidden_unit = services.save(
        SecurityUnit(
            name=marker("E", 3, "owner"),
            country=mli,
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    from concord.accountability.models import (
        Allegation,
        Commitment,
        Condition,
        FundingInstrument,
        Intercession,
        MitigatingMeasure,
        RiskAssessment,
        SupportCase,
        Tranche,
        TrancheDecision,
    )

    hidden_case = services.save(
        SupportCase(
            title=marker("HC", 3, "owner"),
            operation=hidden_op,
            provider=hidden_org,
            unit=hidden_unit,
            kind="training",
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    hidden_instrument = services.save(
        FundingInstrument(
            name=marker("HF", 3, "owner"),
            kind="trust_fund",
            manager=hidden_org,
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    hidden_commitment = services.save(
        Commitment(
            instrument=hidden_instrument,
            donor=hidden_org,
            recipient_operation=hidden_op,
            amount=1_000_000,
            currency="EUR",
            purpose=marker("HM", 3, "owner"),
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    hidden_tranche = services.save(
        Tranche(
            commitment=hidden_commitment,
            label=marker("HT", 3, "owner"),
            amount=1000,
            planned=dt.date(2026, 1, 1),
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
    )
    # Rules that see what nobody may see, and write about it: a suspended case and an accepted
    # report that decide conditions of visible tranches, a condition nobody may see under each
    # visible tranche, and a regional force run by the hidden organisation (its classification
    # reason names the organisation that runs it).
    SupportCase.objects.filter(pk=hidden_case.pk).update(state="suspended")
    hidden_report = services.save(
        Report(
            title=marker("HU", 3, "owner"),
            submitted=dt.date(2026, 1, 5),
            status="accepted",
            period_start=dt.date(2025, 10, 1),
            period_end=dt.date(2025, 12, 31),
            classification=C.STRICTLY_CONFIDENTIAL,
            releasability=Releasability.OWNER,
            **common,
        ),
        actor=sys,
        m2m={"obligations": [hidden_obligation]},
    )
    w.more_hidden = [hidden_report]  # records nobody may see, beyond w.hidden
    w.secret_markers = {
        marker("AF", 3, "owner"),  # an affiliation's title, to the hidden organisation
        marker("HU", 3, "owner"),
        marker("HN", 3, "owner"),  # a hidden condition's wording
    }
    public = {"classification": C.PUBLIC, "releasability": Releasability.PUBLIC, **common}
    services.save(
        Operation(
            name="Regional force run by a hidden organisation",
            kind="peacekeeping",
            framework="regional",
            framework_organisation=hidden_org,
            start=dt.date(2015, 1, 1),
            **public,
        ),
        actor=sys,
        m2m={"host_countries": [mli]},
    )

    def conditions_under(tranche) -> None:
        """Public conditions decided by the hidden case and report, and a hidden one."""
        services.save(Condition(tranche=tranche, kind="no_case_suspended", **public), actor=sys)
        services.save(
            Condition(
                tranche=tranche,
                kind="report_accepted",
                obligation=hidden_obligation,
                period_start=dt.date(2025, 10, 1),
                period_end=dt.date(2025, 12, 31),
                **public,
            ),
            actor=sys,
        )
        w.more_hidden.append(
            services.save(
                Condition(
                    tranche=tranche,
                    kind="custom",
                    evidence_needed=marker("HN", 3, "owner"),
                    classification=C.STRICTLY_CONFIDENTIAL,
                    releasability=Releasability.OWNER,
                    **common,
                ),
                actor=sys,
            )
        )

    w.hidden = {
        "HC": hidden_case,
        "HF": hidden_instrument,
        "HM": hidden_commitment,
        "HT": hidden_tranche,
        "E": hidden_unit,
        "H": hidden_org,
        "G": hidden_area,
        "J": hidden_op,
        "I": hidden_task,
        "V": hidden_obligation,
    }
    w.letters = {
        Organisation: "O",
        Person: "P",
        Area: "A",
        Operation: "X",
        Relation: "Y",
        Task: "T",
        ClashRule: "K",
        SectorMapping: "SM",
        Need: "N",
        Assignment: "W",
        Arrangement: "R",
        ImportBatch: "B",
        AccountabilityLine: "L",
        ReportingObligation: "Q",
        Report: "U",
        SecurityUnit: "S",
        UnitCommand: "M",
        SupportCase: "CA",
        RiskAssessment: "RA",
        MitigatingMeasure: "MM",
        Allegation: "AL",
        Intercession: "IN",
        FundingInstrument: "FI",
        Commitment: "CO",
        Tranche: "TR",
        Condition: "CN",
    }
    w.past_markers = set()
    from concord.accountability.access import shown
    from concord.accountability.loaders import evaluate_tranches

    w.with_past = set()  # (model, pk) of the records that have a past

    def put(obj, *, actor, m2m=None, children=None):
        """Save a record. The public one of each model was strictly confidential, named to
        nobody, with other words (a "past" marker), before it was downgraded to public: nobody
        may ever see that past, in any History, although everybody may see the record now."""
        c, r = obj.classification, obj.releasability
        if r != Releasability.PUBLIC:
            return services.save(obj, actor=actor, m2m=m2m, children=children)
        attr = PAST_FIELD.get(type(obj).__name__) or next(
            f.attname
            for f in obj._meta.concrete_fields
            if isinstance(getattr(obj, f.attname, None), str)
            and getattr(obj, f.attname).startswith("MRK")
        )
        final = getattr(obj, attr)
        past = past_marker(w.letters[type(obj)], c, r)
        w.past_markers.add(past)
        setattr(obj, attr, past)
        obj.classification, obj.releasability = C.STRICTLY_CONFIDENTIAL, Releasability.OWNER
        services.save(obj, actor=actor)
        setattr(obj, attr, f"{final} (draft)")
        obj.classification, obj.releasability = c, r
        services.save(obj, actor=actor, m2m=m2m, children=children)
        setattr(obj, attr, final)  # a change seen by whoever sees the record now
        saved = services.save(obj, actor=actor)
        w.with_past.add((type(saved), saved.pk))
        return saved

    for c in CLASSIFICATIONS:
        for r in RELEASABILITIES:
            if r == Releasability.PUBLIC and c != C.PUBLIC:
                continue
            org = put(
                Organisation(
                    name=marker("O", c, r),
                    kind="other",
                    parent=hidden_org,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            person = put(
                Person(name=marker("P", c, r), classification=c, releasability=r, **common),
                actor=sys,
                m2m=m2m(),
                children=services.set_affiliations(
                    [
                        {
                            "organisation": hidden_org,
                            "title": marker("AF", 3, "owner"),
                            "start": None,
                            "end": None,
                        }
                    ]
                ),
            )
            area = put(
                Area(
                    name=marker("A", c, r),
                    country=mli,
                    level=2,
                    parent=hidden_area,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            op = put(
                Operation(
                    name=marker("X", c, r),
                    kind="stabilisation",
                    framework="ad_hoc",
                    lead_organisation=hidden_org,
                    start=dt.date(2014, 1, 1),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m={**m2m(), "host_countries": [mli], "areas": [area, hidden_area]},
            )
            rel = put(
                Relation(
                    source=op,
                    kind="operates_alongside",
                    target=hidden_op,
                    start=dt.date(2014, 1, 1),
                    note=marker("Y", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            task = put(
                Task(
                    code=f"t-{c}-{r}",
                    name=marker("T", c, r),
                    parent=hidden_task,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            rule = put(
                ClashRule(
                    task_a=task,
                    task_b=hidden_task,
                    reason=marker("K", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            mapping = put(
                SectorMapping(
                    value=marker("SM", c, r),
                    task=hidden_task,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            need = put(
                Need(
                    task=hidden_task,
                    country=mli,
                    area=hidden_area,
                    description=marker("N", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            batch = put(
                ImportBatch(
                    filename=marker("B", c, r),
                    sha256="0" * 64,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            assignment = put(
                Assignment(
                    organisation=hidden_org,
                    task=hidden_task,
                    country=mli,
                    area=hidden_area,
                    start=dt.date(2014, 1, 1),
                    note=marker("W", c, r),
                    batch=batch,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            arrangement = put(
                Arrangement(
                    kind="liaison",
                    title=marker("R", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m={
                    **m2m(),
                    "organisations": [hidden_org],
                    "operations": [hidden_op],
                    "tasks": [hidden_task],
                    "areas": [hidden_area],
                },
            )
            line = put(
                AccountabilityLine(
                    operation=hidden_op,
                    body="host_state",
                    to_organisation=hidden_org,
                    mechanism="sofa",
                    frequency=marker("L", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            obligation = put(
                ReportingObligation(
                    reporter_operation=hidden_op,
                    body="donors",
                    to_organisation=hidden_org,
                    subject=marker("Q", c, r),
                    every_days=30,
                    first_due=dt.date(2026, 1, 1),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            report = put(
                Report(
                    title=marker("U", c, r),
                    submitted=dt.date(2026, 1, 2),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m={**m2m(), "obligations": [obligation, hidden_obligation]},
            )
            unit = put(
                SecurityUnit(
                    name=marker("S", c, r),
                    country=mli,
                    parent=hidden_unit,
                    successor=hidden_unit,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            command = put(
                UnitCommand(
                    unit=hidden_unit,
                    commander=None,
                    commander_name="Colonel X",
                    rank=marker("M", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            case = put(
                SupportCase(
                    title=marker("CA", c, r),
                    operation=hidden_op,
                    provider=hidden_org,
                    unit=hidden_unit,
                    kind="logistics",
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            assessment = put(
                RiskAssessment(
                    case=hidden_case,
                    recipient_record="record",
                    rating="medium",
                    decision="approved",
                    rationale=marker("RA", c, r),
                    assessed_on=dt.date(2026, 1, 1),
                    expires_on=dt.date(2027, 1, 1),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            measure = put(
                MitigatingMeasure(
                    case=hidden_case,
                    description=marker("MM", c, r),
                    responsible=hidden_org,
                    deadline=dt.date(2026, 3, 1),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            allegation = put(
                Allegation(
                    unit=hidden_unit,
                    violation="looting",
                    confidence="low",
                    summary=marker("AL", c, r),
                    source="a named witness",
                    recorded=dt.date(2026, 1, 1),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            intercession = put(
                Intercession(
                    case=hidden_case,
                    raised_on=dt.date(2026, 1, 1),
                    raised_with=marker("IN", c, r),
                    what="a concern",
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            instrument = put(
                FundingInstrument(
                    name=marker("FI", c, r),
                    kind="bilateral",
                    manager=hidden_org,
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            commitment = put(
                Commitment(
                    instrument=hidden_instrument,
                    donor=hidden_org,
                    recipient_operation=hidden_op,
                    amount=500,
                    currency="USD",
                    purpose=marker("CO", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            tranche = put(
                Tranche(
                    commitment=hidden_commitment,
                    label=marker("TR", c, r),
                    amount=1,
                    planned=dt.date(2026, 6, 1),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            condition = put(
                Condition(
                    tranche=hidden_tranche,
                    kind="custom",
                    evidence_needed=marker("CN", c, r),
                    classification=c,
                    releasability=r,
                    **common,
                ),
                actor=sys,
                m2m=m2m(),
            )
            evidence = []
            if c < C.STRICTLY_CONFIDENTIAL:
                conditions_under(tranche)
                verdict = evaluate_tranches(Tranche.objects.filter(pk=tranche.pk))[tranche.pk]
                evidence = [shown.stored(v) for v in verdict.verdicts]
            TrancheDecision.objects.create(
                tranche=tranche,
                kind="release",
                rationale="proposed",
                proposed_by=w.users["own_editor"],
                proposed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                evidence=evidence,  # what a release stores: templates and references
            )
            w.records += [
                (SupportCase, case, c, r),
                (RiskAssessment, assessment, c, r),
                (MitigatingMeasure, measure, c, r),
                (Allegation, allegation, c, r),
                (Intercession, intercession, c, r),
                (FundingInstrument, instrument, c, r),
                (Commitment, commitment, c, r),
                (Tranche, tranche, c, r),
                (Condition, condition, c, r),
                (SecurityUnit, unit, c, r),
                (UnitCommand, command, c, r),
                (AccountabilityLine, line, c, r),
                (ReportingObligation, obligation, c, r),
                (Report, report, c, r),
                (Task, task, c, r),
                (ClashRule, rule, c, r),
                (SectorMapping, mapping, c, r),
                (Need, need, c, r),
                (ImportBatch, batch, c, r),
                (Assignment, assignment, c, r),
                (Arrangement, arrangement, c, r),
                (Organisation, org, c, r),
                (Person, person, c, r),
                (Area, area, c, r),
                (Operation, op, c, r),
                (Relation, rel, c, r),
            ]
    return w


def oracle_visible(w, username, c, r) -> bool:
    """The security model as a table, written independently of ``visible_to``."""
    if username is None:
        return c == 0 and r == "public"
    user = w.users[username]
    orgs = set(user.memberships.values_list("organisation_id", flat=True))
    if c == 3:
        return username == "own_manager_named" and user.clearance >= 3
    if c > user.clearance:
        return False
    if r in ("public", "signed_in"):
        return True
    if w.own.pk in orgs:
        return True
    if r == "organisations":
        return w.shr.pk in orgs
    if r == "spaces":
        return w.spc.pk in orgs
    return False


def oracle_editable(w, username, c, r, action="edit", model=None) -> bool:
    if username is None or not oracle_visible(w, username, c, r):
        return False
    from concord.labour.models import ClashRule, Task

    if model in (Task, ClashRule):  # shared reference: only managers change it
        action = "delete"
    roles = {
        "own_editor": "editor",
        "own_manager_named": "manager",
        "own_manager_unnamed": "manager",
    }
    role = roles.get(username)
    return role == "manager" if action == "delete" else role in ("editor", "manager")


@pytest.fixture
def world(db):
    return build_world()


def chromium_path() -> str | None:
    import shutil

    return (
        os.environ.get("CONCORD_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def pytest_terminal_summary(terminalreporter):
    """Says loudly when browser tests were skipped (no Chromium): a green run without them
    has not tried the pages in a browser."""
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if "test_browser.py" in r.nodeid
    ]
    if skipped:
        terminalreporter.write_sep(
            "!",
            f"{len(skipped)} BROWSER TEST(S) SKIPPED: install Debian's chromium "
            "(scripts/install-chromium, as root) or set CONCORD_CHROMIUM",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo world (catalogue and demo seeds), once per test module: its users by name.
    (The browser tests have their own ``demo``: a live server.)"""
    import io

    from django.core.management import call_command

    from concord.core.models import User

    with django_db_blocker.unblock():
        call_command("seed", "catalogue", stdout=io.StringIO())
        call_command("seed", "demo", stdout=io.StringIO())
        yield {u.username: u for u in User.objects.all()}
        call_command("flush", interactive=False, verbosity=0)
