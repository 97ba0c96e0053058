"""One query run for each of many values in a single statement: the ORM compiles it once
with a marker where the value goes (compiling costs more than running, for the queries
through the enforcement point), and the marker's placeholder is then pointed at a column
of the statement around it (PostgreSQL's ``unnest(…) CROSS JOIN LATERAL``) or filled with
each value in turn (a ``UNION ALL``, where there is no LATERAL)."""

from __future__ import annotations

MARKER = "\x00value"  # what a query is compiled with where the value goes


def compiled(queryset) -> tuple[str, tuple]:
    """The SQL and parameters of ``queryset`` (built with ``MARKER`` for the value)."""
    sql, params = queryset.query.sql_with_params()
    if list(params).count(MARKER) != 1:
        raise ValueError("The query must take the marker exactly once.")
    return sql, params


def on_column(sql: str, params, column: str) -> tuple[str, list]:
    """The query with ``column`` where the marker was, and its other parameters."""
    at = list(params).index(MARKER)
    parts = sql.split("%s")
    return (
        "%s".join(parts[: at + 1]) + column + "%s".join(parts[at + 1 :]),
        [p for p in params if p != MARKER],
    )


def filled(params, value) -> list:
    """The parameters with ``value`` where the marker was."""
    return [value if p == MARKER else p for p in params]
