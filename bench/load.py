"""An HTTP load driver for the benchmark suite: the second process that talks to the server.

Why our own, in the standard library: wrk gives no p95 and needs Lua for signed-in mixed
writes; locust brings gevent and costs a core of its own on a 2-core machine. The work here
is small: one keep-alive connection per thread, a session cookie and a CSRF token.

- ``latency``: each endpoint in turn, sequentially on one connection (service time).
- ``open_loop``: requests arrive at a fixed rate whatever the server does, and a request's
  latency is counted from when it was due, not when a thread got to it, so a slow server
  cannot hide its queue (no coordinated omission).
"""

from __future__ import annotations

import http.client
import json
import queue
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie


class Client:
    """One signed-in connection (cookies kept; reconnects when the server closes)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if method != "GET":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://{self.host}:{self.port}/"
        if body is not None:
            if path.startswith("/api/"):
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            else:
                from urllib.parse import urlencode

                data = urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, payload

    def login(self, username: str, password: str, code=None) -> None:
        """Signs in; ``code`` (a function giving the authenticator's current code) for a user
        who must give one after the password."""
        self._post_form("/login/", {"username": username, "password": password}, username)
        if code is None:
            return
        # A code is accepted once: a second sign-in in the same 30 seconds waits for the next.
        for attempt in (1, 2):
            try:
                self._post_form("/login/code/", {"code": code()}, username)
                return
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(31 - time.time() % 30)

    def _post_form(self, path: str, fields: dict, username: str) -> None:
        status, page = self.request("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"{path} answered {status}")
        status, _ = self.request("POST", path, {**fields, "csrfmiddlewaretoken": token[1].decode()})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {username} failed at {path} ({status})")


def percentiles(samples: list[float]) -> dict:
    s = sorted(samples)

    def at(q):
        return s[min(len(s) - 1, int(q * len(s)))] * 1000

    return {
        "n": len(s),
        "p50_ms": round(at(0.50), 2),
        "p95_ms": round(at(0.95), 2),
        "p99_ms": round(at(0.99), 2),
        "mean_ms": round(statistics.fmean(s) * 1000, 2),
    }


def latency(client: Client, path: str, n: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        client.request("GET", path)
    samples, errors = [], 0
    for _ in range(n):
        t = time.perf_counter()
        status, _ = client.request("GET", path)
        samples.append(time.perf_counter() - t)
        errors += status != 200
    return {**percentiles(samples), "errors": errors}


@dataclass
class LoadResult:
    rate: float
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    sent: int = 0
    late_start: int = 0  # requests no thread could start within 1 s of their due time

    def summary(self) -> dict:
        return {
            "rate_per_s": round(self.rate, 1),
            "seconds": round(self.seconds, 1),
            "requests": self.sent,
            "errors": self.errors,
            **(percentiles(self.latencies) if self.latencies else {}),
        }


def open_loop(clients: list[Client], mix, rate: float, seconds: float, seed: int = 1) -> LoadResult:
    """Send ``rate`` requests per second for ``seconds``; ``mix(rng)`` gives (method, path,
    body, expected statuses). One thread per client; requests queue when all are busy."""
    result = LoadResult(rate, seconds)
    due: queue.Queue = queue.Queue()
    lock = threading.Lock()
    rng = random.Random(seed)

    def worker(client: Client):
        while True:
            item = due.get()
            if item is None:
                return
            at, (method, path, body, ok) = item
            try:
                status, _ = client.request(method, path, body)
                failed = status not in ok
            except Exception:  # noqa: BLE001 - any failure counts as an error
                failed = True
            done = time.perf_counter()
            with lock:
                result.latencies.append(done - at)
                result.errors += failed
                result.sent += 1

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    start = time.perf_counter()
    interval = 1 / rate
    k = 0
    while True:
        at = start + k * interval
        if at - start >= seconds:
            break
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put((at, mix(rng)))
        k += 1
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join()
    return result
