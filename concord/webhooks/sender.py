"""Sending one request: to the address the allow-list checked (never resolved twice), with
a timeout, following no redirect (a 3xx is a failure: a redirect could point anywhere)."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from . import allowlist


@dataclass
class Outcome:
    status_code: int | None
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, timeout: float) -> Outcome:
    start = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - start) * 1000)

    try:
        host, port, address = allowlist.resolve(url)
    except allowlist.Refused as exc:
        return Outcome(None, took(), _("refused: %(reason)s") % {"reason": exc})
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    conn = kind(host, port, address, timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(65536)
        status = response.status
    except TimeoutError:
        return Outcome(
            None, took(), _("timed out after %(seconds)s s") % {"seconds": f"{timeout:g}"}
        )
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(None, took(), f"{type(exc).__name__}: {exc}"[:500])
    finally:
        conn.close()
    if 300 <= status < 400:
        return Outcome(status, took(), _("redirect not followed (a 3xx is a failure)"))
    if not 200 <= status < 300:
        return Outcome(status, took(), f"HTTP {status}")  # untranslated: a status code
    return Outcome(status, took())
