"""The span of a time axis (timelines of operations and of who does what). Pure."""

from __future__ import annotations

import datetime as dt

# How far past today an axis reaches, and where it may start: a stored date far outside (an
# end typed as 9999-12-31 before dates were checked) is drawn to the edge, not stretched to.
YEARS_AHEAD = 50
FIRST_YEAR = 1900


def window(dates: list[dt.date], today: dt.date) -> tuple[dt.date, dt.date]:
    """1 January of the first year and of the year after the last, through ``dates`` and
    ``today``, within FIRST_YEAR and YEARS_AHEAD past today."""
    last = min(max([*dates, today]).year, today.year + YEARS_AHEAD)
    first = min(max(min([*dates, today]).year, FIRST_YEAR), last)
    return dt.date(first, 1, 1), dt.date(last + 1, 1, 1)
