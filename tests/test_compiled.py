"""One query compiled once and run for many values (core.compiled): the marker's
placeholder is pointed at a column, or filled with each value, and nothing else moves."""

from __future__ import annotations

import pytest
from django.db import connection

from concord.core.compiled import MARKER, compiled, filled, on_column
from concord.core.models import Organisation

from .conftest import make_org


def test_the_marker_becomes_a_column_or_a_value_and_the_other_parameters_stay():
    sql = "SELECT 1 FROM t WHERE a = %s AND b = %s AND c LIKE %s"
    params = ("x", MARKER, "%y%")
    column_sql, rest = on_column(sql, params, "k.name")
    assert column_sql == "SELECT 1 FROM t WHERE a = %s AND b = k.name AND c LIKE %s"
    assert rest == ["x", "%y%"]
    assert filled(params, "Mali") == ["x", "Mali", "%y%"]


@pytest.mark.django_db
def test_a_compiled_queryset_finds_what_the_orm_finds_for_each_value():
    au, eu = make_org("AU"), make_org("EU")
    wanted = Organisation.objects.filter(acronym=MARKER).values("pk")
    sql, params = compiled(wanted)
    found = []
    with connection.cursor() as cursor:
        for acronym in ("EU", "AU", "NONE"):
            cursor.execute(sql, filled(params, acronym))
            found.append([row[0] for row in cursor.fetchall()])
    assert found == [[eu.pk], [au.pk], []]
    with pytest.raises(ValueError, match="marker"):
        compiled(Organisation.objects.filter(acronym="AU"))
