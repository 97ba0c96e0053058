"""The audit trail records every write with field-level changes and detects tampering."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from concord.core import audit, services
from concord.core.context import Actor
from concord.core.models import AuditEntry, AuditHead, Organisation

from ..conftest import make_org, make_user


def _tamper(sql: str, params=()) -> None:
    """What an attacker with database access would do, bypassing the model's guard."""
    with connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.fixture
def trail(db):
    org = make_org("AUD")
    user = make_user("auditor", org, "editor")
    actor = Actor(user=user, interface="web")
    o = Organisation(name="Alpha", kind="ingo", owner=org)
    services.save(o, actor=actor)
    o.name = "Alpha renamed"
    services.save(o, actor=actor)
    return org, user, o


def test_update_records_who_when_where_and_field_changes(trail):
    org, user, o = trail
    last = AuditEntry.objects.order_by("-seq").first()
    assert last.action == "update"
    assert last.actor_id == user.pk and last.actor_label == "auditor"
    assert last.interface == "web"
    assert last.changes == {"name": ["Alpha", "Alpha renamed"]}
    assert last.owner_id == org.pk


def test_delete_keeps_last_values(trail):
    org, user, o = trail
    services.set_membership(actor=Actor.system("t"), user=user, organisation=org, role="manager")
    pk = o.pk
    services.delete(o, actor=Actor(user=user, interface="api"))
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "delete" and entry.object_id == str(pk) and entry.interface == "api"
    assert entry.changes["name"] == ["Alpha renamed", None]


def test_chain_verifies_when_untouched(trail):
    count, problems = audit.verify()
    assert count == AuditEntry.objects.count() and problems == []
    call_command("audit", "verify")


def test_edited_entry_is_named(trail):
    entry = AuditEntry.objects.order_by("seq")[2]
    _tamper(
        "UPDATE core_auditentry SET actor_label = %s WHERE seq = %s", ["someone else", entry.seq]
    )
    _, problems = audit.verify()
    assert [p.seq for p in problems] == [entry.seq]
    assert "edited" in problems[0].message
    with pytest.raises(CommandError, match=f"entry #{entry.seq}"):
        call_command("audit", "verify")


def test_edited_changes_are_detected(trail):
    last = AuditEntry.objects.order_by("-seq").first()
    _tamper(
        "UPDATE core_auditentry SET changes = %s WHERE seq = %s", ['{"name": ["x", "y"]}', last.seq]
    )
    _, problems = audit.verify()
    assert problems and problems[0].seq == last.seq


def test_deleted_entry_in_the_middle_is_named(trail):
    victim = AuditEntry.objects.order_by("seq")[1]
    _tamper("DELETE FROM core_auditentry WHERE seq = %s", [victim.seq])
    _, problems = audit.verify()
    assert any(p.seq == victim.seq and "missing" in p.message for p in problems)


def test_deleted_last_entry_is_detected_through_the_head(trail):
    last = AuditEntry.objects.order_by("-seq").first()
    _tamper("DELETE FROM core_auditentry WHERE seq = %s", [last.seq])
    _, problems = audit.verify()
    assert any("end" in p.message for p in problems)


def test_rehashed_forgery_breaks_the_link(trail):
    """Editing an entry and recomputing its hash still breaks the next entry's link."""
    entry = AuditEntry.objects.order_by("seq")[1]
    entry.actor_label = "forger"
    new_hash = entry.compute_hash()
    _tamper(
        "UPDATE core_auditentry SET actor_label = %s, hash = %s WHERE seq = %s",
        ["forger", new_hash, entry.seq],
    )
    _, problems = audit.verify()
    assert any(p.seq == entry.seq + 1 for p in problems)


def test_entries_refuse_update_and_delete_through_the_orm(trail):
    entry = AuditEntry.objects.first()
    entry.actor_label = "x"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_failed_write_leaves_no_entry(trail):
    org, user, o = trail
    before = AuditHead.objects.get().seq
    o.website = "not a url"
    with pytest.raises(ValidationError, match="valid URL"):
        services.save(o, actor=Actor(user=user, interface="web"))
    assert AuditHead.objects.get().seq == before
    assert AuditEntry.objects.count() == before


def test_web_edit_is_audited_with_request_id(client, trail):
    org, user, o = trail
    client.force_login(user)
    response = client.post(
        f"/organisations/{o.pk}/edit/",
        {
            "name": "Alpha three",
            "kind": "ingo",
            "owner": org.pk,
            "classification": 1,
            "releasability": "owner",
        },
    )
    assert response.status_code == 302, response.content[:500]
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.changes["name"] == ["Alpha renamed", "Alpha three"]
    assert entry.interface == "web" and entry.request_id == response["X-Request-ID"]
    history = client.get(f"/organisations/{o.pk}/history/").content.decode()
    assert "Alpha three" in history and "Alpha renamed" in history


def test_recorded_is_sent_once_after_commit_and_never_for_a_rollback(
    db, django_capture_on_commit_callbacks
):
    org = make_org("SIG")
    user = make_user("signaller", org, "editor")
    actor = Actor(user=user, interface="web")
    heard = []

    def listen(sender, last_seq, **kwargs):
        heard.append(last_seq)

    audit.recorded.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.save(Organisation(name="Told", kind="ingo", owner=org), actor=actor)
        assert heard == [AuditEntry.objects.order_by("-seq").first().seq]
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                services.save(Organisation(name="Undone", kind="ingo", owner=org), actor=actor)
                raise RuntimeError("the caller's transaction fails after the write")
        assert heard == [] and callbacks == []
        assert not Organisation.objects.filter(name="Undone").exists()
    finally:
        audit.recorded.disconnect(listen)
