"""Merging duplicate organisations: every reference moves, the names stay as aliases, the
merge is audited and undone from its audit entry; bad merges are refused with a reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from concord.administration import merge
from concord.core import services as core
from concord.core.context import Actor
from concord.core.models import (
    Affiliation,
    AuditEntry,
    Classification,
    Organisation,
    Person,
    Role,
    SearchEntry,
)

from ..conftest import make_org, make_user

SYS = Actor.system("test")


def _org(name, owner, **kw):
    return core.save(
        Organisation(
            name=name,
            kind="ingo",
            owner=owner,
            classification=Classification.INTERNAL,
            releasability="signed_in",
            **kw,
        ),
        actor=SYS,
    )


@pytest.fixture
def dupes(db):
    importer = make_org("OCHA")
    admin = make_user("root", None, admin=True)
    keep = _org("Save the Children", importer, acronym="SC")
    dup = _org("Save the Children International", importer, acronym="SCI")
    person = core.save(
        Person(name="Field officer", owner=importer, classification=1, releasability="signed_in"),
        actor=SYS,
        children=core.set_affiliations(
            [{"organisation": dup, "title": "officer", "start": None, "end": None}]
        ),
    )
    shared = core.save(
        Person(
            name="Shared contact", owner=importer, classification=1, releasability="organisations"
        ),
        actor=SYS,
        m2m={"shared_organisations": [dup, keep]},
    )
    owned = core.save(
        Person(name="Owned by the duplicate", owner=dup, classification=0, releasability="public"),
        actor=SYS,
    )
    space = core.create_space(actor=SYS, name="Both", organisations=[dup, keep])
    return importer, admin, keep, dup, person, shared, owned, space


def snapshot(*objs):
    return [type(o).objects.filter(pk=o.pk).values().first() for o in objs]


def test_a_merge_moves_every_reference_keeps_the_names_and_is_undone(dupes):
    importer, admin, keep, dup, person, shared, owned, space = dupes
    dup_pk = dup.pk
    before = snapshot(keep, person, shared, owned)
    actor = Actor(user=admin, interface="web")
    merge.merge(actor=actor, duplicate=dup, into=keep)

    assert not Organisation.objects.filter(pk=dup_pk).exists()
    # the search index forgets the duplicate (it kept an entry for a record gone)
    indexed = SearchEntry.objects.filter(model="core.organisation")
    assert not indexed.filter(object_id=dup_pk).exists()
    assert "save the children international" in indexed.get(object_id=keep.pk).text
    assert Affiliation.objects.get(person=person).organisation_id == keep.pk
    assert list(shared.shared_organisations.values_list("pk", flat=True)) == [keep.pk]
    assert Person.objects.get(pk=owned.pk).owner_id == keep.pk
    assert list(space.organisations.values_list("pk", flat=True)) == [keep.pk]
    keep.refresh_from_db()
    assert "Save the Children International" in keep.aliases and "SCI" in keep.aliases
    # Later imports find the organisation kept under the duplicate's names.
    assert core.resolve_organisation("SCI", actor=SYS) == keep
    entry = merge.merged_into(dup_pk)
    assert entry.actor_id == admin.pk and entry.changes["into"] == [None, keep.pk]

    restored = merge.undo(actor=actor, entry=entry)
    assert restored.pk == dup_pk and restored.name == "Save the Children International"
    assert indexed.filter(object_id=dup_pk).exists()
    assert Affiliation.objects.get(person=person).organisation_id == dup_pk
    assert sorted(shared.shared_organisations.values_list("pk", flat=True)) == sorted(
        [dup_pk, keep.pk]
    )
    assert sorted(space.organisations.values_list("pk", flat=True)) == sorted([dup_pk, keep.pk])
    assert snapshot(keep, person, shared, owned)[1:] == before[1:]
    keep.refresh_from_db()
    assert keep.aliases == [] and core.resolve_organisation("SCI", actor=SYS) == restored
    assert merge.merged_into(dup_pk) is None
    with pytest.raises(ValidationError, match="undone already"):
        merge.undo(actor=actor, entry=entry)
    assert AuditEntry.objects.filter(action="unmerge").count() == 2
    ok, problems = __import__("concord.core.audit", fromlist=["verify"]).verify()
    assert not problems


def test_the_references_are_found_in_every_capability_not_listed_by_hand(db):

    found = {(m._meta.label, f.name) for m, f in merge._references()}
    assert ("labour.Assignment", "organisation") in found
    assert ("operations.Operation", "lead_organisation") in found
    assert ("core.Organisation_shared_organisations", "to_organisation") in found
    # The duplicate's own shares go with it: they are not moved onto the one kept.
    assert ("core.Organisation_shared_organisations", "from_organisation") not in found


def test_bad_merges_are_refused_with_a_reason(dupes):
    importer, admin, keep, dup, *_ = dupes
    actor = Actor(user=admin, interface="web")
    with pytest.raises(ValidationError, match="into itself"):
        merge.merge(actor=actor, duplicate=keep, into=keep)
    member = make_user("member", dup, Role.VIEWER)
    with pytest.raises(ValidationError, match="member"):
        merge.merge(actor=actor, duplicate=dup, into=keep)
    member.memberships.all().delete()
    outsider = make_user("manager", importer, Role.MANAGER)
    with pytest.raises(PermissionDenied):
        merge.merge(actor=Actor(user=outsider, interface="web"), duplicate=dup, into=keep)
    hidden = core.save(
        Organisation(
            name="Hidden", kind="ingo", owner=importer, classification=2, releasability="owner"
        ),
        actor=SYS,
    )
    with pytest.raises(PermissionDenied, match="can see"):
        merge.merge(actor=actor, duplicate=dup, into=hidden)
    dup_pk = dup.pk
    merge.merge(actor=actor, duplicate=dup, into=keep)
    # Merging into the merged one: it is gone, and the CLI says where it went.
    with pytest.raises(CommandError, match=r"it was merged: audit entry #\d+"):
        call_command("org", "merge", "SC", str(dup_pk))
    response = _admin_client(admin).post(
        "/api/v1/administration/merges/",
        {"duplicate": keep.pk, "into": dup_pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "into" in response.json()["error"]["fields"]


def _admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def test_the_web_merge_shows_what_moves_then_merges_and_undoes(dupes):
    importer, admin, keep, dup, person, *_ = dupes
    client = _admin_client(admin)
    page = client.get("/administration/merge/", {"duplicate": "SCI", "into": "SC"})
    text = page.content.decode()
    assert (
        page.status_code == 200 and "What moves" in text and "affiliations (organisation)" in text
    )
    response = client.post(
        "/administration/merge/", {"duplicate": "SCI", "into": "SC", "confirm": "yes"}
    )
    assert response.status_code == 302
    index = client.get("/administration/").content.decode()
    entry = merge.merged_into(dup.pk)
    assert f"/administration/merges/{entry.seq}/undo/" in index
    assert client.post(f"/administration/merges/{entry.seq}/undo/").status_code == 302
    assert Organisation.objects.filter(pk=dup.pk).exists()
    # An ambiguous or unknown name is an error on its field, and nothing is merged.
    page = client.get("/administration/merge/", {"duplicate": "Nobody", "into": "SC"})
    assert page.status_code == 400 and "No organisation called" in page.content.decode()


def test_cli_org_create_and_merge(dupes, capsys):
    importer, admin, keep, dup, *_ = dupes
    call_command("org", "create", "Norwegian Refugee Council", "--acronym", "NRC", "--kind", "ingo")
    nrc = Organisation.objects.get(acronym="NRC")
    assert nrc.owner_id == nrc.pk and nrc.classification == 0
    with pytest.raises(CommandError, match="exists already"):
        call_command("org", "create", "NRC")
    with pytest.raises(CommandError, match="--country"):
        call_command("org", "create", "Nowhere NGO", "--country", "XXX")
    call_command("org", "merge", "SCI", "SC")
    out = capsys.readouterr().out
    seq = int(out.rsplit("unmerge ", 1)[1])
    call_command("org", "unmerge", str(seq))
    assert Organisation.objects.filter(pk=dup.pk).exists()


def test_the_preview_counts_what_would_move(dupes):
    """A duplicate owned by another organisation once showed "-1 organisations"."""
    importer, admin, keep, dup, person, shared, owned, space = dupes
    counts = merge.preview(dup)
    assert counts == {
        "affiliations (organisation)": 1,
        "people (owner)": 1,
        "people (shared organisations)": 1,
        "spaces (organisations)": 1,
    }  # it owns no organisation (not even itself: its own entry goes with it)


def test_an_administrator_merges_no_organisation_of_theirs_and_reads_no_hidden_name(dupes):
    importer, admin, keep, dup, *_ = dupes
    from concord.core.models import Membership

    Membership.objects.create(user=admin, organisation=keep, role=Role.VIEWER)
    with pytest.raises(PermissionDenied, match="another administrator"):
        merge.merge(actor=Actor(user=admin, interface="web"), duplicate=dup, into=keep)
    Membership.objects.filter(user=admin).delete()
    admin.forget_principal()
    secret_dup = core.save(
        Organisation(
            name="Confidential twin",
            kind="ingo",
            owner=importer,
            classification=2,
            releasability="signed_in",
        ),
        actor=SYS,
    )
    merge.merge(actor=SYS, duplicate=secret_dup, into=keep)
    entry = merge.merged_into(secret_dup.pk)
    assert merge.shown_name(entry, admin) == "(restricted)"  # cleared internal only
    page = _admin_client(admin).get("/administration/").content.decode()
    assert "Confidential twin" not in page
    listed = _admin_client(admin).get("/api/v1/administration/merges/").json()
    assert [m["merged"] for m in listed] == ["(restricted)"]
