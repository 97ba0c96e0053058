"""The webhooks' settings, with their defaults (docs/getting-started.md lists them)."""

from __future__ import annotations

from django.conf import settings


def timeout() -> float:
    """Seconds to wait for a receiver to connect and to answer."""
    return float(getattr(settings, "CONCORD_WEBHOOK_TIMEOUT", 10))


def max_attempts() -> int:
    """Tries per delivery before it is marked failed."""
    return int(getattr(settings, "CONCORD_WEBHOOK_MAX_ATTEMPTS", 6))


def backoff() -> float:
    """Seconds before the first retry; each later retry waits twice as long."""
    return float(getattr(settings, "CONCORD_WEBHOOK_BACKOFF", 60))


def pause_after() -> int:
    """Consecutive failed attempts after which a webhook is paused and its owner told."""
    return int(getattr(settings, "CONCORD_WEBHOOK_PAUSE_AFTER", 10))


def concurrency() -> int:
    """Requests a worker sends at once."""
    return max(1, int(getattr(settings, "CONCORD_WEBHOOK_CONCURRENCY", 8)))
