"""Backup -> wipe -> restore gives back every record and the audit chain."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from concord.core.audit import verify
from concord.core.models import AuditEntry, AuditHead, Organisation, Person, User


def _fingerprint():
    return {
        "orgs": sorted(
            Organisation.objects.values_list("pk", "name", "owner_id", "classification")
        ),
        "people": sorted(Person.objects.values_list("pk", "name", "contacts")),
        "users": sorted(User.objects.values_list("username", "password")),
        "audit": list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")),
        "head": AuditHead.objects.values_list("seq", "hash").first(),
    }


def _wipe():
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_round_trip(tmp_path):
    call_command("seed", "demo")
    before = _fingerprint()
    assert before["people"] and before["audit"]
    path = tmp_path / "concord.backup"
    call_command("backup", str(path))
    _wipe()
    assert Organisation.objects.count() == 0
    call_command("restore", str(path))
    connection.close()
    assert _fingerprint() == before
    count, problems = verify()
    assert count == len(before["audit"]) and problems == []


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_records(tmp_path):
    call_command("seed", "reference")
    path = tmp_path / "b"
    call_command("backup", str(path))
    with pytest.raises(CommandError, match="already holds records"):
        call_command("restore", str(path))
    _wipe()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    with pytest.raises(CommandError, match="not a"):
        call_command("restore", str(bogus))
