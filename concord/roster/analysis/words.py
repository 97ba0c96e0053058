"""Words translated once per computation. Ranking a roster asks for the same thirty messages
tens of thousands of times (every part of every expert's fit is put into words), and each
of Django's ``gettext`` calls looks up the active language and walks its catalogues: that
was half the time of ranking 2,000 experts. Within ``once()``, each message (or lazy text)
is translated the first time it is asked for and read from a dict afterwards; outside, these
are plain ``gettext`` and ``str``. The language does not change within a computation."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext

_memo: ContextVar[dict | None] = ContextVar("roster_words", default=None)


def gettext_once(message: str) -> str:
    memo = _memo.get()
    if memo is None:
        return gettext(message)
    found = memo.get(message)
    if found is None:
        found = memo[message] = gettext(message)
    return found


def text(lazy) -> str:
    """``str(lazy)`` (a ``gettext_lazy`` text, or a plain string), once per computation."""
    memo = _memo.get()
    if memo is None:
        return str(lazy)
    key = id(lazy)  # the object itself is kept with its text: its id is not reused
    found = memo.get(key)
    if found is None or found[0] is not lazy:
        found = memo[key] = (lazy, str(lazy))
    return found[1]


@contextmanager
def once():
    """Within: each message translated once (nested: the outer computation's memo)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)
