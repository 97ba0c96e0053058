"""Signatures: HMAC-SHA256 with the webhook's secret over ``<timestamp>.<body>``, sent as
``Concord-Signature: t=<unix seconds>,v1=<hex>``. A receiver recomputes it with its copy of
the secret and rejects a timestamp older than five minutes (a replay). docs/webhooks.md
shows how, in Python and in a shell."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Concord-Signature"
TOLERANCE = 300  # seconds


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, body: bytes, now: float | None = None) -> str:
    t = int(time.time() if now is None else now)
    return f"t={t},v1={signature(secret, t, body)}"


def verify(secret: str, value: str, body: bytes, now: float | None = None) -> bool:
    """Whether ``value`` (the header) signs ``body`` with ``secret``, within the tolerance."""
    parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > TOLERANCE:
        return False
    return hmac.compare_digest(signature(secret, t, body), parts.get("v1", ""))
