"""The synthetic world generator (``concord bench generate``): proportions, spread over the
security model, determinism, and refusing to write next to real users."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from concord.core import services
from concord.core.context import Actor
from concord.core.models import AuditEntry, Organisation, Person, User
from concord.labour.models import Assignment
from concord.synthetic import writer
from concord.synthetic.world import NAMED_USERS, PASSWORD, World, counts


def test_scale_100_has_the_proportions_the_issue_names():
    n = counts(100)
    assert (n["organisations"], n["operations"], n["assignments"]) == (100_000, 10_000, 1_000_000)
    one = counts(1)
    assert one["countries"] == 10 and one["organisations"] == 1000
    assert all(counts(0.01)[k] >= 1 for k in one)  # tiny worlds still hold one of everything


@pytest.mark.django_db
def test_generated_world_spreads_over_the_security_model():
    report = World(0.05, 7).generate()
    n = counts(0.05)
    assert report.rows["labour.assignment"] == n["assignments"] == Assignment.objects.count()
    assert Person.objects.count() == n["people"]
    assigned = Assignment.objects.all()
    assert set(assigned.values_list("classification", flat=True).distinct()) == {0, 1, 2, 3}
    assert set(assigned.values_list("releasability", flat=True).distinct()) == {
        "public",
        "owner",
        "organisations",
        "spaces",
        "signed_in",
    }
    shared = assigned.filter(releasability="organisations")
    assert shared.filter(shared_organisations__isnull=False).distinct().count() == shared.count()
    strict = assigned.filter(classification=3)
    assert strict.filter(named_users__isnull=False).distinct().count() == strict.count()
    # The benchmark's users sign in and see some, not all, of the world.
    assert set(NAMED_USERS) <= set(User.objects.values_list("username", flat=True))
    editor = User.objects.get(username="synth.editor")
    assert editor.check_password(PASSWORD)
    seen = Assignment.objects.visible_to(editor).count()
    assert 0 < seen < Assignment.objects.count()
    assert len(editor.principal().space_ids) >= 1  # the space branch of the rule runs too
    # One audit entry per table, saying what was generated.
    entry = AuditEntry.objects.filter(model="labour.assignment").get()
    assert entry.changes["synthetic"][1] == {"rows": n["assignments"], "scale": 0.05, "seed": 7}
    # Rows were written with explicit ids: new records still get fresh ones (PostgreSQL's
    # sequences were moved past them).
    org = services.save(Organisation(name="After the world", kind="other"), actor=Actor.system("t"))
    assert org.pk > max(Organisation.objects.exclude(pk=org.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_refuses_a_database_with_users():
    User.objects.create_user("someone", password="x")
    with pytest.raises(ValueError, match="already has users"):
        World(0.01, 1).generate()
    assert not Organisation.objects.filter(name__startswith="Synthetic").exists()


def _rows_written(monkeypatch, scale, seed) -> list:
    """The rows a generation would write, captured instead of written, then rolled back."""
    seen: list = []

    def capture(self):
        # The varying columns (the constants include the time of generation).
        seen.extend((self.fields, row[: len(self.fields)]) for row in self._rows)
        self.written += len(self._rows)
        self._rows = []

    World(scale, seed)._reference()  # reference data kept: its ids are not the world's
    monkeypatch.setattr(writer.Table, "flush", capture)
    with transaction.atomic():
        world = World(scale, seed)
        world._organisations()
        world._users_and_spaces()
        world._people()
        for part in world.parts:
            part.generate(world)
        transaction.set_rollback(True)

    # A password hash has a random salt; every other value, ids included, must be the same.
    def same(f, v):
        return "<hash>" if f.attname == "password" else str(v)

    return [tuple(same(f, v) for f, v in zip(fields, row, strict=True)) for fields, row in seen]


@pytest.mark.django_db
def test_same_seed_gives_the_same_world(monkeypatch):
    first = _rows_written(monkeypatch, 0.02, 5)
    again = _rows_written(monkeypatch, 0.02, 5)
    other = _rows_written(monkeypatch, 0.02, 6)
    assert len(first) > 500
    assert first == again
    assert first != other


@pytest.mark.django_db
def test_cli_names_the_bad_argument():
    with pytest.raises(CommandError, match="--scale"):
        call_command("bench", "generate", "--scale", "0")
    with pytest.raises(CommandError, match="--seed"):
        call_command("bench", "generate", "--seed", "x")
