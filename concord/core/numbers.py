"""Numbers typed by people (queries, forms, files, command lines), read one way. Pure: no
database."""

from __future__ import annotations

# The largest id any database here stores (a signed 64-bit integer): a bigger number names no
# record, and SQLite would raise OverflowError on it.
MAX_ID = 2**63 - 1


def whole_number(value, low: int, high: int) -> int | None:
    """``value`` as a whole number from ``low`` to ``high``, or None when it is not one (empty,
    not ASCII digits, such as "12a" or "²" (which ``str.isdigit`` accepts and ``int`` does
    not), or out of range). Every number typed into a query, a form or a file is read here."""
    value = str(value if value is not None else "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 20:
        return None
    number = int(value)
    return number if low <= number <= high else None


def record_id(value) -> int | None:
    """``value`` as a record id, or None when it cannot be one (see :func:`whole_number`;
    beyond any id). Query parameters that name a record by id use it, so a value that names
    nothing answers like an id that does not exist, never with an error."""
    return whole_number(value, 1, MAX_ID)
