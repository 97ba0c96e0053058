"""The copies the demo fixtures put back (tests/snapshots.py) restore the whole database:
rows added after the copy are gone, rows changed are as they were, and new rows take fresh
ids."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from concord.core.models import Organisation

from . import snapshots
from .conftest import make_org


@pytest.mark.django_db(transaction=True)
def test_a_copy_put_back_is_the_database_as_it_was(system):
    kept = make_org("KEPT", actor=system)
    snapshots.take("test-copy")
    gone = make_org("GONE", actor=system)
    Organisation.objects.filter(pk=kept.pk).update(name="Renamed")
    # Emptied meanwhile, as another module's fixture does: its sequences start again at 1.
    call_command("flush", interactive=False, verbosity=0)

    snapshots.restore("test-copy")

    assert list(Organisation.objects.values_list("acronym", flat=True)) == ["KEPT"]
    assert Organisation.objects.get(acronym="KEPT").name == kept.name
    # The sequences are past every id of the copy: a new row does not collide.
    again = make_org("AGAIN", actor=system)
    assert again.pk > kept.pk
    assert not Organisation.objects.filter(acronym="GONE").exists(), gone.pk
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA snapshot_test_copy CASCADE")
