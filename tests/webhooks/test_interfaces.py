"""Webhooks through the pages, the API and the CLI: managers only (platform administrators
included in "nobody else"), errors naming the field, nothing half-written; and the
documented signature checks (parsed from docs/webhooks.md) verifying a real delivery."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client

from concord.core.models import AuditEntry
from concord.webhooks import dispatch, signing
from concord.webhooks.models import Delivery, Webhook

from .conftest import operation, subscribe

DOC = django_settings.PROJECT_DIR / "docs" / "webhooks.md"


def client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def snippet(marker: str) -> str:
    text = DOC.read_text()
    found = re.search(rf"<!-- {marker} -->\s*```\w+\n(.*?)```", text, re.S)
    assert found, f"docs/webhooks.md has no block after <!-- {marker} -->"
    return found.group(1)


def test_the_documented_python_check_verifies_a_real_delivery(hw, receiver):
    hook, secret = subscribe(hw, receiver.url)
    operation(hw, "Documented")
    dispatch.run()
    request = receiver.requests[0]
    namespace: dict = {}
    exec(compile(snippet("verify-python"), "docs/webhooks.md", "exec"), namespace)  # noqa: S102
    verify = namespace["verify"]
    header = request["headers"][signing.HEADER]
    assert verify(secret, header, request["body"]) is True
    assert verify(secret, header, request["body"].replace(b"Documented", b"Doctored")) is False
    assert verify("whsec_wrong", header, request["body"]) is False
    old = signing.header(secret, request["body"], now=1_000_000)
    assert verify(secret, old, request["body"]) is False  # a replay


@pytest.mark.skipif(not shutil.which("openssl"), reason="no openssl on this machine")
def test_the_documented_shell_check_verifies_a_real_delivery(hw, receiver, tmp_path):
    hook, secret = subscribe(hw, receiver.url)
    operation(hw, "Shell")
    dispatch.run()
    request = receiver.requests[0]
    (tmp_path / "body.json").write_bytes(request["body"])
    script = snippet("verify-shell")

    def run(signature, key=secret):
        env = {**os.environ, "SIGNATURE": signature, "SECRET": key}
        out = subprocess.run(
            ["sh", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        return out.stdout.strip()

    header = request["headers"][signing.HEADER]
    assert run(header) == "valid"
    assert run(header, "whsec_wrong") == "INVALID"
    assert run(signing.header(secret, request["body"], now=1_000_000)) == "INVALID"


def test_pages_for_a_manager(hw, receiver):
    c = client(hw.manager)
    assert c.get("/webhooks/").status_code == 200
    form = {
        "organisation": hw.own.pk,
        "name": "Partner system",
        "url": receiver.url,
        "record_types": ["operations.operation"],
        "actions": ["create", "update"],
    }
    answer = c.post("/webhooks/add/", form)
    assert answer.status_code == 200
    hook = Webhook.objects.get()
    secret = re.search(r'id="webhook-secret">([^<]+)<', answer.content.decode()).group(1)
    assert secret == hook.secret
    assert secret not in c.get(f"/webhooks/{hook.pk}/").content.decode()  # shown once
    assert hook.owner == hw.manager and hook.actions == ["create", "update"]
    operation(hw, "Seen on the log")
    dispatch.run()
    log = c.get(f"/webhooks/{hook.pk}/deliveries/").content.decode()
    assert "Seen on the log" in log and "Delivered" in log
    assert c.post(f"/webhooks/{hook.pk}/pause/").status_code == 302
    assert not Webhook.objects.get().active
    assert c.post(f"/webhooks/{hook.pk}/resume/").status_code == 302
    assert Webhook.objects.get().active
    assert c.post(f"/webhooks/{hook.pk}/ping/").status_code == 302
    rotated = c.post(f"/webhooks/{hook.pk}/rotate-secret/").content.decode()
    new = re.search(r'id="webhook-secret">([^<]+)<', rotated).group(1)
    assert new != secret and new == Webhook.objects.get().secret
    edit = {**form, "name": "Renamed", "country": hw.mli.pk}
    del edit["organisation"]
    assert c.post(f"/webhooks/{hook.pk}/edit/", edit).status_code == 302
    assert Webhook.objects.get().country == hw.mli
    assert c.post(f"/webhooks/{hook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists()
    actions = list(
        AuditEntry.objects.filter(model="webhooks.webhook").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update", "update", "update", "delete"]


def test_a_bad_form_names_the_field_and_saves_nothing(hw):
    c = client(hw.manager)
    answer = c.post(
        "/webhooks/add/",
        {
            "organisation": hw.own.pk,
            "name": "Bad",
            "url": "http://10.1.2.3/hook",
            "record_types": ["operations.operation"],
            "actions": ["create"],
        },
    )
    assert answer.status_code == 400
    text = html.unescape(answer.content.decode())
    assert 'id="id_url_error"' in text and "not among the destinations" in text
    answer = c.post(
        "/webhooks/add/",
        {
            "organisation": hw.own.pk,
            "name": "Bad",
            "url": "http://127.0.0.1:9/",
            "actions": ["create"],
        },
    )
    assert answer.status_code == 400 and 'id="id_record_types_error"' in answer.content.decode()
    assert not Webhook.objects.exists()


def test_nobody_but_the_organisations_managers_sees_a_webhook(hw, receiver):
    hook, _ = subscribe(hw, receiver.url)
    for user in (hw.viewer, hw.editor, hw.outsider, hw.admin, None):
        c = client(user)
        for path in ("", "edit/", "deliveries/"):
            answer = c.get(f"/webhooks/{hook.pk}/{path}")
            assert answer.status_code in ((302,) if user is None else (404,)), (user, path)
        for path in ("pause/", "resume/", "ping/", "rotate-secret/", "delete/"):
            assert c.post(f"/webhooks/{hook.pk}/{path}").status_code in (302, 404)
        if user is not None:
            assert receiver.url not in c.get("/webhooks/").content.decode()
            assert c.get("/api/v1/webhooks/webhooks/").json()["count"] == 0
            assert c.get(f"/api/v1/webhooks/webhooks/{hook.pk}/").status_code == 404
            assert c.get("/api/v1/webhooks/deliveries/").json()["count"] == 0
            if user is not hw.outsider:  # a manager elsewhere may add one there
                assert c.get("/webhooks/add/").status_code == 403
    assert Webhook.objects.get().active and Delivery.objects.count() == 0
    assert client(hw.manager2).get(f"/webhooks/{hook.pk}/").status_code == 200


def test_another_manager_who_changes_where_it_sends_becomes_its_owner(hw, receiver):
    hook, _ = subscribe(hw, receiver.url)
    c = client(hw.manager2)
    answer = c.patch(
        f"/api/v1/webhooks/webhooks/{hook.pk}/",
        {"name": "Only renamed"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and Webhook.objects.get().owner == hw.manager
    answer = c.patch(
        f"/api/v1/webhooks/webhooks/{hook.pk}/",
        {"actions": ["create"]},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["owner"] == "mgr2"


def test_the_api(hw, receiver, django_capture_on_commit_callbacks):
    c = client(hw.manager)
    body = {
        "organisation": hw.own.pk,
        "name": "API",
        "url": receiver.url,
        "record_types": ["operations.operation"],
        "actions": ["create"],
        "country": "MLI",
    }
    answer = c.post("/api/v1/webhooks/webhooks/", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert created["secret"].startswith("whsec_")
    assert created["webhook"]["country"] == "MLI" and created["webhook"]["owner"] == "mgr"
    pk = created["webhook"]["id"]
    assert "secret" not in c.get(f"/api/v1/webhooks/webhooks/{pk}/").json()
    bad = c.post(
        "/api/v1/webhooks/webhooks/",
        {**body, "url": "http://192.168.1.1/"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "url" in bad.json()["error"]["fields"]
    bad = c.post(
        "/api/v1/webhooks/webhooks/",
        {**body, "record_types": ["core.user"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "record_types" in bad.json()["error"]["fields"]
    assert Webhook.objects.count() == 1
    operation(hw, "Via the API")
    dispatch.run()
    log = c.get(f"/api/v1/webhooks/deliveries/?webhook={pk}").json()
    assert log["count"] == 1 and log["results"][0]["delivery_state"] == "delivered"
    assert log["results"][0]["tries"][0]["status_code"] == 200
    with django_capture_on_commit_callbacks(execute=True):  # sent once the ping commits
        ping = c.post(f"/api/v1/webhooks/webhooks/{pk}/ping/")
    assert ping.status_code == 202
    answer = c.get(f"/api/v1/webhooks/deliveries/{ping.json()['id']}/").json()
    assert answer["delivery_state"] == "delivered"
    assert c.post(f"/api/v1/webhooks/webhooks/{pk}/pause/").json()["active"] is False
    assert c.post(f"/api/v1/webhooks/webhooks/{pk}/resume/").json()["active"] is True
    rotated = c.post(f"/api/v1/webhooks/webhooks/{pk}/rotate-secret/").json()
    assert rotated["secret"] != created["secret"]
    types = c.get("/api/v1/webhooks/record-types/").json()
    assert {"label": "operations.operation", "title": "Operations: operation"} in types
    assert c.delete(f"/api/v1/webhooks/webhooks/{pk}/").status_code == 204


def test_the_cli(hw, receiver, django_capture_on_commit_callbacks):
    out = io.StringIO()
    call_command(
        "webhooks",
        "add",
        "--as",
        "mgr",
        "--org",
        "OWN",
        "--name",
        "CLI",
        "--url",
        receiver.url,
        "--types",
        "operations.operation",
        "--country",
        "MLI",
        stdout=out,
    )
    assert "Signing secret (shown once" in out.getvalue()
    hook = Webhook.objects.get()
    out = io.StringIO()
    call_command("webhooks", "list", "--as", "mgr", stdout=out)
    assert f"{hook.pk}\tCLI\t{receiver.url}" in out.getvalue()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("webhooks", "ping", str(hook.pk), "--as", "mgr", stdout=out)
    assert Delivery.objects.get(action="ping").state == "delivered"
    assert "Ping ping_" in out.getvalue()
    operation(hw, "From the CLI")
    dispatch.run()
    out = io.StringIO()
    call_command("webhooks", "deliveries", str(hook.pk), "--as", "mgr", stdout=out)
    assert "operations.operation:" in out.getvalue() and "delivered" in out.getvalue()
    hook.active = False
    hook.save()
    call_command("webhooks", "resume", str(hook.pk), "--as", "mgr", stdout=io.StringIO())
    assert Webhook.objects.get().active
    for args, words in (
        (
            [
                "add",
                "--as",
                "mgr",
                "--org",
                "OWN",
                "--name",
                "X",
                "--url",
                "http://10.0.0.1/",
                "--types",
                "all",
            ],
            "--url: 10.0.0.1 is not among",
        ),
        (
            [
                "add",
                "--as",
                "mgr",
                "--org",
                "OWN",
                "--name",
                "X",
                "--url",
                receiver.url,
                "--types",
                "nope.nope",
            ],
            "--record-types: Unknown record types: nope.nope",
        ),
        (
            [
                "add",
                "--as",
                "mgr",
                "--org",
                "OWN",
                "--name",
                "X",
                "--url",
                receiver.url,
                "--types",
                "all",
                "--country",
                "XXX",
            ],
            "--country: no country",
        ),
        (["ping", str(hook.pk), "--as", "viewer"], "webhook: no webhook"),
        (["deliveries", str(hook.pk), "--as", "admin"], "webhook: no webhook"),
    ):
        with pytest.raises(CommandError, match=re.escape(words)):
            call_command("webhooks", *args, stdout=io.StringIO())
    assert Webhook.objects.count() == 1
