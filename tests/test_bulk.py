"""core.bulk.insert_new writes exactly what QuerySet.bulk_create writes, faster."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from concord.core import bulk
from concord.core.models import Area
from concord.labour.models import Assignment, Task

from .conftest import country, make_org

pytestmark = pytest.mark.django_db

COLUMNS = [f.attname for f in Assignment._meta.concrete_fields if not f.primary_key]


def _assignments(org, task, mli, area, note, now):
    return [
        Assignment(
            organisation=org,
            task=task,
            country=mli,
            area=area if i % 2 else None,
            start=dt.date(2024, 1, 1 + i % 28) if i % 3 else None,
            end=None,
            role="lead" if i % 2 else "support",
            status="active",
            contact=f"Ms Ndiaye, é-{i}",
            note=note,
            source_values={"line": i, "#org": "ÉLAN", "nested": [1, None, "x"]},
            owner=org,
            classification=i % 3,
            releasability="owner",
            created_at=now,
            updated_at=now,
        )
        for i in range(30)
    ]


def test_insert_new_writes_the_same_rows_as_bulk_create():
    org = make_org("BLK")
    mli = country()
    area = Area.objects.create(name="Gao", country=mli, level=1, owner=org)
    task = Task.objects.create(code="blk", name="Bulk task", owner=org)
    now = timezone.now()
    Assignment.objects.bulk_create(_assignments(org, task, mli, area, "orm", now))
    assert bulk.insert_new(Assignment, _assignments(org, task, mli, area, "fast", now)) == 30

    def rows(note):
        return [
            {k: v for k, v in r.items() if k != "note"}
            for r in Assignment.objects.filter(note=note).order_by("pk").values(*COLUMNS)
        ]

    orm, fast = rows("orm"), rows("fast")
    assert len(fast) == 30
    for a, b in zip(orm, fast, strict=True):
        assert a == b
    assert fast[1]["source_values"] == {"line": 1, "#org": "ÉLAN", "nested": [1, None, "x"]}
    assert fast[1]["start"] == dt.date(2024, 1, 2) and fast[0]["start"] is None


def test_insert_new_fills_automatic_timestamps_and_keeps_database_constraints():
    org = make_org("BLK")
    task = Task.objects.create(code="blk", name="Bulk task", owner=org)
    one = Assignment(organisation=org, task=task, country=country(), owner=org)
    bulk.insert_new(Assignment, [one])
    stored = Assignment.objects.get(organisation=org)
    assert stored.created_at is not None and stored.updated_at is not None
    bad = Assignment(organisation=org, task=None, country=country(), owner=org)  # NOT NULL
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_new(Assignment, [bad])
    assert Assignment.objects.count() == 1


def test_insert_new_of_nothing_writes_nothing():
    assert bulk.insert_new(Assignment, []) == 0


def test_bulk_created_areas_are_checked_for_unique_pcodes_in_one_go():
    from django.core.exceptions import ValidationError

    from concord.core.context import Actor
    from concord.labour.services import _bulk_create

    org = make_org("BLK")
    mli = country()
    Area.objects.create(name="Gao", country=mli, level=1, pcode="ML07", owner=org)
    actor = Actor.system("test")

    def area(name, pcode):
        return Area(name=name, country=mli, level=1, pcode=pcode, owner=org)

    with pytest.raises(ValidationError, match="'ML08' appears twice"):
        _bulk_create([area("Kidal", "ML08"), area("Kidal bis", "ML08")], actor=actor)
    with pytest.raises(ValidationError, match=r"Gao 2 \(ML07\): pcode 'ML07' is already taken"):
        _bulk_create([area("Tombouctou", "ML06"), area("Gao 2", "ML07")], actor=actor)
    with pytest.raises(ValidationError, match="Latitude"):
        _bulk_create(
            [Area(name="X", country=mli, level=1, latitude=99, longitude=0, owner=org)], actor=actor
        )
    assert list(Area.objects.values_list("name", flat=True)) == ["Gao"]
    _bulk_create(
        [area("Kidal", "ML08"), area("Sans code", ""), area("Sans code 2", "")], actor=actor
    )
    assert Area.objects.count() == 4
