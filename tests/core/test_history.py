"""History carries the security of both sides of each change (docs/audit.md).

* The rule in Python (``sees``, used for audit entries) agrees with the rule in SQL
  (``visible_to``) for every principal of the access-matrix world and every state.
* Entries written before entries carried their scope get one derived from the trail; the
  derivation reproduces what the services record today, the chain still verifies, and
  ``concord audit verify`` reports a derived scope edited afterwards.
"""

from __future__ import annotations

import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from concord.core import audit, services
from concord.core.context import Actor
from concord.core.models import (
    AuditEntry,
    Classification,
    Organisation,
    Person,
    Releasability,
    Role,
    SecurityState,
    sees,
)

from ..conftest import build_principals, make_org, make_user

pytestmark = pytest.mark.django_db
C, R = Classification, Releasability


def test_the_rule_in_python_agrees_with_the_rule_in_sql(db):
    """Every user of the access-matrix world, every classification x releasability (shared
    with an organisation, a space, a named person): ``sees(principal, state)`` is exactly
    ``visible_to``."""
    w = build_principals()
    named = w.users["own_manager_named"]
    records = []
    for owner in (w.own, w.shr):
        for c in Classification:
            for r in Releasability:
                if r == R.PUBLIC and c != C.PUBLIC:
                    continue
                records.append(
                    services.save(
                        Person(name=f"{c}{r}", owner=owner, classification=c, releasability=r),
                        actor=Actor.system("t"),
                        m2m={
                            "shared_organisations": [w.own if owner == w.shr else w.shr],
                            "shared_spaces": [w.space],
                            "named_users": [named],
                        },
                    )
                )
    users = [None, *w.users.values()]
    checked = 0
    for obj in records:
        state = audit.current_state(obj)
        for user in users:
            expected = Person.objects.visible_to(user).filter(pk=obj.pk).exists()
            principal = user.principal() if user is not None else None
            assert sees(principal, state) == expected, (obj, user)
            checked += 1
    assert checked == 2 * 17 * 11  # 2 owners x 17 (classification, releasability) x 11 users


def _person(scene_owner, user, **kw):
    return services.save(
        Person(name=kw.pop("name", "P"), owner=scene_owner, **kw),
        actor=Actor(user=user, interface="web"),
        m2m=kw.pop("m2m", None),
    )


def test_each_entry_records_both_sides(db):
    a = make_org("AAA")
    editor = make_user("ed", a, Role.EDITOR, C.STRICTLY_CONFIDENTIAL)
    person = services.save(
        Person(name="x", owner=a, classification=C.STRICTLY_CONFIDENTIAL),
        actor=Actor(user=editor, interface="web"),
        m2m={"named_users": [editor]},
    )
    person.classification, person.releasability = C.INTERNAL, R.SIGNED_IN
    services.save(person, actor=Actor(user=editor, interface="web"), m2m={"named_users": []})
    services.delete(person, actor=Actor.system("t"))
    create, downgrade, delete = AuditEntry.objects.filter(model="core.person").order_by("seq")
    assert create.scope["before"] is None
    assert create.scope["after"]["named"] == [editor.pk]
    assert downgrade.scope["before"]["classification"] == C.STRICTLY_CONFIDENTIAL
    assert downgrade.scope["after"] == {
        "owner": a.pk,
        "classification": C.INTERNAL,
        "releasability": "signed_in",
        "organisations": [],
        "spaces": [],
        "named": [],
    }
    assert (downgrade.prior_owner_id, downgrade.prior_classification) == (a.pk, 3)
    assert delete.scope["after"] is None and delete.scope["before"]["classification"] == 1
    assert all(e.format == 2 for e in (create, downgrade, delete))


def _rechain_as_legacy() -> None:
    """Turn every entry into one written before scopes existed (format 1, no scope) and
    rewrite the chain's hashes, as the trail looked before the migration."""
    prev = "0" * 64
    for e in AuditEntry.objects.order_by("seq"):
        e.format, e.scope, e.prior_owner_id, e.prior_classification = 1, None, None, None
        e.prev_hash = prev
        e.hash = e.compute_hash()
        AuditEntry.objects.filter(pk=e.pk).update(
            format=1,
            scope=None,
            prior_owner_id=None,
            prior_classification=None,
            prev_hash=e.prev_hash,
            hash=e.hash,
        )
        prev = e.hash
    from concord.core.models import AuditHead

    AuditHead.objects.filter(id=1).update(hash=prev)


def _migration():
    import importlib

    return importlib.import_module("concord.core.migrations.0004_audit_scope")


def test_the_migration_derives_what_the_services_record_and_the_chain_verifies(db):
    a, b = make_org("AAA"), make_org("BBB")
    editor = make_user("ed", a, Role.EDITOR, C.STRICTLY_CONFIDENTIAL)
    ed = Actor(user=editor, interface="web")
    p = services.save(
        Person(name="x", owner=a, classification=C.STRICTLY_CONFIDENTIAL),
        actor=ed,
        m2m={"named_users": [editor]},
    )
    p.notes = "n"
    services.save(p, actor=ed)
    p.classification, p.releasability = C.CONFIDENTIAL, R.ORGANISATIONS
    services.save(p, actor=ed, m2m={"named_users": [], "shared_organisations": [b]})
    o = services.save(Organisation(name="O", kind="other", owner=a), actor=ed)
    o.owner = b
    services.save(o, actor=Actor.system("t"))  # handed over to another organisation
    services.delete(o, actor=Actor.system("t"))
    truth = {
        e.seq: (e.scope, e.prior_owner_id, e.prior_classification) for e in AuditEntry.objects.all()
    }
    _rechain_as_legacy()
    _migration().derive_scopes(django_apps, None)
    derived = {
        e.seq: (e.scope, e.prior_owner_id, e.prior_classification) for e in AuditEntry.objects.all()
    }
    scoped = {s for s, e in truth.items() if e[0] is not None}
    scoped_models = set(AuditEntry.objects.filter(seq__in=scoped).values_list("model", flat=True))
    assert scoped_models >= {"core.person", "core.organisation"}
    for seq in scoped:
        assert derived[seq] == truth[seq], seq
    count, problems = audit.verify()
    assert problems == [], problems
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue().lower() or "ok" in out.getvalue().lower()


def test_verify_reports_a_legacy_scope_edited_to_widen_who_sees_an_entry(db):
    a = make_org("AAA")
    editor = make_user("ed", a, Role.EDITOR, C.STRICTLY_CONFIDENTIAL)
    services.save(
        Person(name="x", owner=a, classification=C.STRICTLY_CONFIDENTIAL),
        actor=Actor(user=editor, interface="web"),
        m2m={"named_users": [editor]},
    )
    _rechain_as_legacy()
    _migration().derive_scopes(django_apps, None)
    entry = AuditEntry.objects.get(model="core.person")
    wider = dict(entry.scope)
    wider["after"] = {**wider["after"], "classification": 0, "releasability": "public"}
    AuditEntry.objects.filter(pk=entry.pk).update(scope=wider)
    _, problems = audit.verify()
    assert [p.seq for p in problems] == [entry.seq]
    assert "scope" in problems[0].message


def test_a_current_entry_whose_scope_is_edited_breaks_its_hash(db):
    a = make_org("AAA")
    editor = make_user("ed", a, Role.EDITOR, C.STRICTLY_CONFIDENTIAL)
    services.save(
        Person(name="x", owner=a, classification=C.STRICTLY_CONFIDENTIAL),
        actor=Actor(user=editor, interface="web"),
        m2m={"named_users": [editor]},
    )
    entry = AuditEntry.objects.get(model="core.person")
    AuditEntry.objects.filter(pk=entry.pk).update(prior_classification=0)
    _, problems = audit.verify()
    assert [(p.seq, "edited" in p.message) for p in problems] == [(entry.seq, True)]


def test_history_renders_hidden_links_as_restricted_for_each_reader(db):
    a = make_org("AAA")
    hidden = make_org("HIDDENX", owner=a, cls=C.STRICTLY_CONFIDENTIAL, rel=R.OWNER)
    visible = make_org("VISIBLEY", owner=a)
    reader = make_user("reader", a, Role.VIEWER, C.CONFIDENTIAL)
    org = services.save(
        Organisation(
            name="Child",
            kind="other",
            owner=a,
            parent=hidden,
            classification=C.PUBLIC,
            releasability=R.PUBLIC,
        ),
        actor=Actor.system("t"),
        m2m={"shared_organisations": [hidden, visible]},
    )
    from concord.core.history import api_rows, history_for, rendered

    entries = history_for(org, reader)
    assert len(entries) == 1
    api = api_rows(entries, reader)[0]["changes"]
    assert api["parent"] == [None, "(restricted)"]
    assert sorted(map(str, api["shared_organisations"][1])) == sorted(
        ["(restricted)", str(visible.pk)]
    )
    rows = {f: (b, a_) for f, b, a_ in rendered(entries, reader)[0]["rows"]}
    assert rows["parent"][1] == "(restricted)"
    assert "VISIBLEY" in rows["shared organisations"][1]
    assert "HIDDENX" not in str(rows)
    # The system can see all: its rendering names the hidden parent (no masking for it).
    assert SecurityState.from_json(entries[0].scope["after"]).classification == C.PUBLIC


def test_history_reads_its_links_in_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    """Each entry may link to other records (a parent, shares): the tab loads them in one
    query per linked model, however many entries there are."""
    from django.test import Client

    a = make_org("AAA")
    reader = make_user("reader", a, Role.VIEWER, C.CONFIDENTIAL)
    parents = [make_org(f"P{i}", owner=a) for i in range(30)]
    child = services.save(
        Organisation(name="Child", kind="other", owner=a), actor=Actor.system("t")
    )
    client = Client()
    client.force_login(reader)

    def queries_for(n: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for p in parents[:n]:
            child.parent = p
            services.save(child, actor=Actor.system("t"), m2m={"shared_organisations": [p]})
        with CaptureQueriesContext(connection) as ctx:
            for url in (
                f"/organisations/{child.pk}/history/",
                f"/api/v1/core/organisations/{child.pk}/history/",
            ):
                assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries_for(3)
    many = queries_for(30)
    assert many <= few + 2, (few, many)


def test_history_names_countries_and_choices_as_people_read_them(db):
    """A change of country reads "Mali (MLI)" and "Niger (NER)", not the countries' ids, and
    a choice its label ("Regional organisation"), not its stored value (issue 17: readable
    history)."""
    from concord.core.history import history_for, rendered

    from ..conftest import country

    a = make_org("AAA")
    reader = make_user("reader", a, Role.VIEWER, C.CONFIDENTIAL)
    mali, niger = country("MLI", "Mali"), country("NER", "Niger")
    org = make_org("ORG", owner=a, kind="other", country=mali)
    org.country, org.kind = niger, "regional"
    services.save(org, actor=Actor.system("t"))

    newest = rendered(history_for(org, reader), reader)[0]
    rows = {field: (before, after) for field, before, after in newest["rows"]}
    assert rows["country"] == ("Mali (MLI)", "Niger (NER)")
    kinds = dict(Organisation._meta.get_field("kind").flatchoices)
    assert rows["kind"] == (str(kinds["other"]), str(kinds["regional"]))
    assert rows["kind"][1] != "regional"


def test_history_shows_an_amount_with_thousands_separators(demo):
    """A commitment's amount reads "3,000,000.00" on its History tab, as on its page, not the
    stored "3000000.00" (issue 17: money read the same everywhere)."""
    from decimal import Decimal

    from concord.accountability.models import Commitment
    from concord.core.history import history_for, rendered

    commitment = Commitment.objects.order_by("pk").first()
    reader = next(
        u
        for u in demo.values()
        if u.is_active and Commitment.objects.visible_to(u).filter(pk=commitment.pk).exists()
    )
    commitment.amount = Decimal("3000000.00")
    services.save(commitment, actor=Actor.system("t"))
    newest = rendered(history_for(commitment, reader), reader)[0]
    rows = {field: (before, after) for field, before, after in newest["rows"]}
    assert rows["amount"][1] == "3,000,000.00"
    # Its title, in lists, links and the home page, reads the amount the same way.
    commitment.refresh_from_db()
    assert str(commitment).endswith(f"(3,000,000.00 {commitment.currency})")
    assert "(12 EUR)" in str(Commitment(purpose="Typed", amount="12", currency="EUR"))


def test_history_names_named_people_by_username_to_their_colleagues_only(db):
    """A record's named people read as usernames to whoever works with them, and as "a user
    of another organisation" to a reader who does not: never as ids (issue 17)."""
    from concord.core.history import history_for, rendered

    a, b = make_org("AAA"), make_org("BBB")
    manager = make_user("mgr.a", a, Role.MANAGER, C.STRICTLY_CONFIDENTIAL)
    partner = make_user("viewer.b", b, Role.VIEWER, C.CONFIDENTIAL)
    person = Person(name="Source K", owner=a, classification=1, releasability="organisations")
    person = services.save(
        person,
        actor=Actor(user=manager, interface="web"),
        m2m={"named_users": [manager], "shared_organisations": [b]},
    )

    def named(reader):
        entry = rendered(history_for(person, reader), reader)[-1]
        return {field: after for field, _, after in entry["rows"]}.get("named users")

    assert named(manager) == "mgr.a"
    assert named(partner) == "a user of another organisation"
