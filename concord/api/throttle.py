"""Failed authentications, counted per client address and throttled.

Once an address has ``API_AUTH_FAILURE_LIMIT`` failures (default 20) within the last
``API_AUTH_FAILURE_WINDOW`` seconds (default 300), its requests that carry a token (or a
calendar-feed secret) are answered ``429`` with ``Retry-After``, before the token is even looked
at, until the oldest of those failures leaves the window. Requests without
one (anonymous, or a signed-in browser) are not held, and a success resets nothing.

The count is shared by every worker process: ``concord serve`` runs three, and Django's cache
here is the default per-process memory (no ``CACHES`` setting), which would multiply the limit
by the number of workers and forget it at each restart. It lives in the database the
application already has (``AuthFailure``: a row per failure, indexed by address and time),
so it needs no new server and works the same on SQLite and PostgreSQL. Inserting a row is
atomic, so concurrent failures are never lost as a read-then-write counter's could be.

The client address is ``REMOTE_ADDR``, as for the sign-in lockout (django-axes): Concord has no
trusted-proxy setting, and a forwarded-for header would let a client choose its address.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.utils import timezone

from .models import AuthFailure


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or ""


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.API_AUTH_FAILURE_WINDOW)


def retry_after(address: str) -> int | None:
    """Seconds until ``address`` may try again, or None if it is not held."""
    limit = settings.API_AUTH_FAILURE_LIMIT
    if limit <= 0:
        return None
    now = timezone.now()
    # The limit-th most recent failure in the window: once it leaves the window, the address
    # is below the limit again.
    nth = (
        AuthFailure.objects.filter(address=address, at__gt=now - _window())
        .order_by("-at")
        .values_list("at", flat=True)[limit - 1 : limit]
    )
    for at in nth:
        return max(1, math.ceil((at + _window() - now).total_seconds()))
    return None


def record_failure(address: str) -> None:
    now = timezone.now()
    AuthFailure.objects.create(address=address, at=now)
    AuthFailure.objects.filter(at__lte=now - _window()).delete()
