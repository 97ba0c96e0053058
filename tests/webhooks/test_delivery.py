"""Webhooks from the audit trail to a real receiver: every change once, signed, with only what
the owning user may see when it is sent; filters; the cursor and the idempotency key."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from concord.core import services
from concord.core.context import Actor
from concord.core.models import AuditEntry, Classification, Releasability
from concord.operations.models import Relation
from concord.webhooks import dispatch, signing
from concord.webhooks.models import Cursor, Delivery, DeliveryState, Webhook

from .conftest import operation, subscribe

SYS = Actor.system("t")


def test_a_receiver_gets_every_change_once_signed_as_the_api_shows_it(
    hw, receiver, django_capture_on_commit_callbacks
):
    hook, secret = subscribe(hw, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        a = operation(hw, "Alpha")
    with django_capture_on_commit_callbacks(execute=True):
        b = operation(hw, "Bravo")
    with django_capture_on_commit_callbacks(execute=True):
        a.name = "Alpha renamed"
        services.save(a, actor=SYS)
    with django_capture_on_commit_callbacks(execute=True):
        b_id = b.pk
        services.delete(b, actor=SYS)
    bodies = receiver.bodies()
    assert [(x["model"], x["action"], x["object_id"]) for x in bodies] == [
        ("operations.operation", "create", str(a.pk)),
        ("operations.operation", "create", str(b_id)),
        ("operations.operation", "update", str(a.pk)),
        ("operations.operation", "delete", str(b_id)),
    ]
    keys = [r["headers"]["Idempotency-Key"] for r in receiver.requests]
    assert len(set(keys)) == 4 and keys == [x["id"] for x in bodies]
    for r in receiver.requests:  # signed with the secret, over "<t>.<body>"
        assert signing.verify(secret, r["headers"][signing.HEADER], r["body"])
        assert not signing.verify(secret + "x", r["headers"][signing.HEADER], r["body"])
        assert not signing.verify(secret, r["headers"][signing.HEADER], r["body"] + b" ")
    # The record as its owner gets it from the API, at the time it was sent (renamed).
    client = Client()
    client.force_login(hw.manager)
    api = client.get(f"/api/v1/operations/operations/{a.pk}/").json()
    assert bodies[2]["data"] == api
    assert bodies[0]["data"]["name"] == "Alpha"  # sent when it was made, as it was then
    assert bodies[2]["urls"] == {
        "web": f"https://concord.example.org/operations/{a.pk}/",
        "api": f"https://concord.example.org/api/v1/operations/operations/{a.pk}/",
    }
    assert bodies[3]["data"] is None  # a deletion: the id, no record
    # Nothing is sent twice: another dispatch, and a replay of the whole trail.
    dispatch.run()
    Cursor.objects.update(seq=0)
    dispatch.run()
    assert len(receiver.requests) == 4
    assert Delivery.objects.filter(webhook=hook).count() == 4
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}


def test_reclassified_between_the_event_and_the_delivery_sends_nothing(hw, receiver):
    """Without a dispatch in between (the signal is a hint): both entries, then the record
    is strictly confidential when the delivery is made. And once fanned out (paused),
    reclassified, resumed: nothing either."""
    hook, _ = subscribe(hw, receiver.url)
    op = operation(hw, "Secret later")  # no on_commit here: nothing dispatched yet
    op.classification, op.releasability = Classification.STRICTLY_CONFIDENTIAL, "owner"
    services.save(op, actor=SYS)
    dispatch.run()
    assert receiver.requests == []
    notes = set(Delivery.objects.filter(webhook=hook).values_list("state", "note"))
    assert notes == {(DeliveryState.SKIPPED, "skipped: not visible")}

    services_hooks = __import__("concord.webhooks.services", fromlist=["pause"])
    actor = Actor(user=hw.manager, interface="web")
    services_hooks.pause(hook, actor=actor)
    other = operation(hw, "Visible when it happened")
    dispatch.run()
    waiting = Delivery.objects.get(webhook=hook, object_id=str(other.pk))
    assert waiting.state == DeliveryState.PENDING
    other.classification = Classification.STRICTLY_CONFIDENTIAL
    services.save(other, actor=SYS)
    services_hooks.resume(hook, actor=actor)
    dispatch.run()
    assert receiver.requests == []
    waiting.refresh_from_db()
    assert (waiting.state, waiting.note) == (DeliveryState.SKIPPED, "skipped: not visible")


def test_the_owner_clearance_at_delivery_decides(hw, receiver):
    """A confidential record reaches a confidential owner; once their clearance is lowered,
    the next change of it is skipped."""
    hook, _ = subscribe(hw, receiver.url)
    op = operation(hw, "Confidential", c=Classification.CONFIDENTIAL)
    dispatch.run()
    assert len(receiver.requests) == 1
    hw.manager.clearance = Classification.INTERNAL
    hw.manager.save()
    op.name = "Confidential, renamed"
    services.save(op, actor=SYS)
    dispatch.run()
    assert len(receiver.requests) == 1
    assert Delivery.objects.filter(state=DeliveryState.SKIPPED).count() == 1


def test_filters_country_operation_and_space_combine_with_and(hw, receiver):
    mali = subscribe(hw, receiver.url, name="Mali", country=hw.mli)[0]
    op_in_mali = operation(hw, "In Mali", countries=[hw.mli])
    op_in_niger = operation(hw, "In Niger", countries=[hw.ner])
    about = subscribe(
        hw,
        receiver.url,
        name="About Niger op",
        operation=op_in_niger,
        record_types=["operations.operation", "operations.relation"],
    )[0]
    spaced = subscribe(hw, receiver.url, name="Space", space=hw.space)[0]
    both = subscribe(hw, receiver.url, name="Mali AND space", country=hw.mli, space=hw.space)[0]
    shared = operation(
        hw, "Shared in Mali", countries=[hw.mli], r=Releasability.SPACES, spaces=[hw.space]
    )
    shared_niger = operation(
        hw, "Shared in Niger", countries=[hw.ner], r=Releasability.SPACES, spaces=[hw.space]
    )
    relation = services.save(
        Relation(
            source=op_in_mali,
            target=op_in_niger,
            kind="operates_alongside",
            owner=hw.own,
            classification=1,
            releasability="owner",
        ),
        actor=SYS,
    )
    op_in_niger.name = "In Niger, renamed"
    services.save(op_in_niger, actor=SYS)
    dispatch.run()

    def heard(hook):
        return sorted(
            (d.model.split(".")[1], d.object_id) for d in Delivery.objects.filter(webhook=hook)
        )

    # since_seq: the Mali webhook was made before the operations; the others after some.
    assert heard(mali) == sorted([("operation", str(op_in_mali.pk)), ("operation", str(shared.pk))])
    assert heard(about) == sorted(
        [("relation", str(relation.pk)), ("operation", str(op_in_niger.pk))]
    )
    assert heard(spaced) == sorted(
        [("operation", str(shared.pk)), ("operation", str(shared_niger.pk))]
    )
    assert heard(both) == [("operation", str(shared.pk))]


def test_a_filter_never_matches_through_a_record_the_owner_may_not_see(hw, receiver):
    """A relation between a visible operation in Niger and a hidden one in Mali does not
    reach a webhook on Mali: the hidden operation is not followed."""
    hook = subscribe(hw, receiver.url, country=hw.mli, record_types=["operations.relation"])[0]
    niger = operation(hw, "Niger visible", countries=[hw.ner])
    hidden = operation(hw, "Mali hidden", countries=[hw.mli], owner=hw.oth)
    services.save(
        Relation(
            source=niger,
            target=hidden,
            kind="operates_alongside",
            owner=hw.own,
            classification=1,
            releasability="owner",
        ),
        actor=SYS,
    )
    dispatch.run()
    assert not Delivery.objects.filter(webhook=hook).exists()


def test_deletion_filters_read_the_links_from_the_audit_entry(hw, receiver):
    hook = subscribe(hw, receiver.url, country=hw.mli, actions=["delete"])[0]
    gone = operation(hw, "Gone from Mali", countries=[hw.mli])
    other = operation(hw, "Gone from Niger", countries=[hw.ner])
    services.delete(gone, actor=SYS)
    services.delete(other, actor=SYS)
    dispatch.run()
    assert [b["action"] for b in receiver.bodies()] == ["delete"]
    assert len(receiver.requests) == 1 and Delivery.objects.filter(webhook=hook).count() == 1


def test_the_cursor_is_claimed_and_no_range_is_fanned_out_twice(hw, receiver):
    hook, _ = subscribe(hw, receiver.url)
    hook.active = False
    hook.save()
    for i in range(3):
        operation(hw, f"Op {i}")
    assert dispatch.fan_out(batch=2) == 3
    last = AuditEntry.objects.order_by("-seq").first().seq
    assert Cursor.objects.get().seq == last
    assert dispatch.fan_out() == 0
    Cursor.objects.update(seq=0)
    dispatch.fan_out()  # a worker replaying the range makes no second delivery
    assert Delivery.objects.filter(webhook=hook).count() == 3
    # Claims: a delivery taken by one worker is not taken by another.
    Webhook.objects.filter(pk=hook.pk).update(active=True)
    first = dispatch.claim(10)
    assert len(first) == 3 and dispatch.claim(10) == []


def test_the_dispatch_query_is_on_the_cursor_with_select_for_update(hw):
    """The cursor row is read FOR UPDATE (PostgreSQL; SQLite serialises writers itself)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        dispatch.fan_out()
    cursor_reads = [q["sql"] for q in ctx.captured_queries if "webhooks_cursor" in q["sql"]]
    assert cursor_reads
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in cursor_reads[0]


def test_the_secret_is_encrypted_at_rest_and_rotation_replaces_it(hw, receiver):
    from concord.webhooks import services as hooks

    hook, secret = subscribe(hw, receiver.url)
    with connection.cursor() as c:
        c.execute("SELECT secret FROM webhooks_webhook WHERE id = %s", [hook.pk])
        stored = c.fetchone()[0]
    assert stored.startswith("enc:") and secret not in stored
    assert secret not in json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
    hook, new = hooks.rotate_secret(hook, actor=Actor(user=hw.manager, interface="web"))
    assert new != secret and new.startswith("whsec_")
    operation(hw, "After rotation")
    dispatch.run()
    r = receiver.requests[-1]
    assert signing.verify(new, r["headers"][signing.HEADER], r["body"])
    assert not signing.verify(secret, r["headers"][signing.HEADER], r["body"])


def test_a_timestamp_older_than_five_minutes_is_refused(hw):
    body = b'{"id":"evt_1_1"}'
    old = signing.header("whsec_x", body, now=1_000_000)
    assert signing.verify("whsec_x", old, body, now=1_000_000 + 299)
    assert not signing.verify("whsec_x", old, body, now=1_000_000 + 301)


@pytest.mark.django_db(transaction=True)
def test_the_signal_dispatches_as_soon_as_a_write_commits(settings):
    """Outside a test transaction: the write's commit sends the recorded signal, which runs
    the dispatch task (the immediate backend here; a worker in production)."""
    from types import SimpleNamespace

    from tests.conftest import make_org, make_user

    from .receiver import Receiver

    settings.CONCORD_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1/32"]
    w = SimpleNamespace()
    w.own = make_org("OWN")
    from concord.core.testing import country

    w.mli = country()
    w.manager = make_user("mgr", w.own, "manager", Classification.CONFIDENTIAL)
    with Receiver() as r:
        subscribe(w, r.url)
        operation(w, "Committed")
        assert [b["action"] for b in r.bodies()] == ["create"]


def test_through_the_real_queue_a_worker_delivers(
    hw, receiver, settings, immediate_tasks, django_capture_on_commit_callbacks
):
    """With the database backend (the default), the write only queues the dispatch; the
    worker dispatches and delivers."""
    from ..jobs.test_jobs import work

    settings.TASKS = immediate_tasks
    subscribe(hw, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        operation(hw, "Queued")
    assert receiver.bodies() == []
    work()
    assert [b["action"] for b in receiver.bodies()] == ["create"]
