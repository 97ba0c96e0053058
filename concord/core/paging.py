"""Paging through large visible sets: stable order, and counts that stop at a cap.

Counting every record a reader may see means evaluating the permission rule on every row:
at a million assignments that is most of a list's time, for a number nobody reads past
"more than a thousand". Lists count up to ``COUNT_CAP`` and say "more than" beyond it
(``?count=exact`` asks for the exact figure, at its price), the way search engines report
totals. A page is then read by walking an index on its sort key and stopping after one
page of visible rows.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

COUNT_CAP = 1_000


def stable(ordering) -> list[str]:
    """The ordering with the primary key as the last key, in the direction of the first key
    (so ties cannot move rows between pages, and one index on (key, id) serves both)."""
    keys = [k for k in ordering if k not in ("pk", "-pk", "id", "-id")]
    if not keys:
        return [*ordering] or ["pk"]
    return [*keys, "-pk" if keys[0].startswith("-") else "pk"]


def capped_count(queryset, cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): the exact count up to ``cap``, else (cap, False)."""
    cap = cap or COUNT_CAP
    if not hasattr(queryset, "order_by"):  # a list already in memory (computed findings)
        return len(queryset), True
    n = queryset.order_by()[: cap + 1].count()
    return (n, True) if n <= cap else (cap, False)


class CappedPage(Page):
    """A page of a capped list: beyond the cap, whether there is a next page is known by
    having read one row more than the page, not from the count."""

    more: bool | None = None

    def has_next(self) -> bool:
        return super().has_next() if self.more is None else self.more


class CappedPaginator(Paginator):
    """A Django paginator whose count stops at the cap. Pages past the cap can still be
    reached one after another (``next``), so an API client can walk the whole list."""

    def __init__(self, *args, exact: bool = False, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap, self.force_exact = cap or COUNT_CAP, exact

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if self.force_exact and hasattr(self.object_list, "order_by"):
            return self.object_list.count(), True
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_exact(self) -> bool:
        return self._counted[1]

    def validate_number(self, number):
        if self.count_exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        if self.count_exact:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        page = CappedPage(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def get_page(self, number):
        if self.count_exact:
            return super().get_page(number)
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):  # past the end of a list too long to count
            return self.page(1)

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)
