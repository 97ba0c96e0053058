"""The CLI: accounts, memberships, spaces, export, and clear errors for bad arguments."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from concord.core.models import AuditEntry, Membership, Space, User

from .conftest import make_org


@pytest.fixture
def orgs(db):
    return make_org("AU", name="African Union", aliases=["UA"]), make_org("EEAS")


def test_createuser_from_stdin_with_alias(orgs, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    call_command(
        "createuser",
        "amina",
        "--org",
        "UA",
        "--role",
        "contributor",
        "--clearance",
        "confidential",
        "--password-stdin",
    )
    user = User.objects.get(username="amina")
    assert user.clearance == 2 and user.check_password("a long enough passphrase")
    assert Membership.objects.get(user=user).role == "contributor"
    entry = AuditEntry.objects.filter(model="core.user").get()
    assert entry.interface == "cli" and entry.actor_label.startswith("cli:")
    assert "password" not in entry.changes


def test_createuser_refuses_weak_password_and_unknown_org(orgs, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="password"):
        call_command("createuser", "weak", "--org", "AU", "--password-stdin")
    with pytest.raises(CommandError, match="--org"):
        call_command("createuser", "lost", "--org", "Nowhere", "--password-stdin")
    assert not User.objects.filter(username__in=["weak", "lost"]).exists()


def test_space_create_add_remove_and_member(orgs):
    call_command("space", "create", "Sahel partners", "--org", "AU")
    call_command("space", "add", "sahel partners", "--org", "EEAS")
    space = Space.objects.get(name="Sahel partners")
    assert set(space.organisations.values_list("acronym", flat=True)) == {"AU", "EEAS"}
    call_command("space", "remove", "Sahel partners", "--org", "AU")
    assert list(space.organisations.values_list("acronym", flat=True)) == ["EEAS"]
    changes = AuditEntry.objects.filter(model="core.space", action="update").count()
    assert changes == 2
    with pytest.raises(CommandError, match="No space"):
        call_command("space", "add", "Nowhere", "--org", "AU")
    with pytest.raises(CommandError, match="already exists"):
        call_command("space", "create", "Sahel partners")


def test_member_sets_and_changes_role(orgs):
    User.objects.create(username="kofi")
    call_command("member", "kofi", "--org", "AU", "--role", "viewer")
    call_command("member", "kofi", "--org", "AU", "--role", "editor")
    assert Membership.objects.get(user__username="kofi").role == "editor"
    entry = AuditEntry.objects.filter(model="core.membership").order_by("-seq").first()
    assert entry.changes["role"] == ["viewer", "editor"]


def test_export_json_to_stdout_as_a_user(orgs, capsys):
    User.objects.create(username="reader")
    call_command("export", "organisations", "--as", "reader", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert {r["acronym"] for r in rows} == {"AU", "EEAS"}


def test_commands_that_touch_records_need_a_named_user(orgs):
    with pytest.raises(CommandError):
        call_command("export", "organisations")
