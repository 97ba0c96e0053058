"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) for the webhook tests and the
benchmark: it records every request, and answers as told (200, 500, a redirect, or slowly)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, mode: str = "ok", delay: float = 2.0, keep_bodies: bool = True):
        self.mode = mode
        self.delay = delay
        self.keep_bodies = keep_bodies
        self.requests: list[dict] = []
        self.keys: list[str] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.keys.append(self.headers.get("Idempotency-Key", ""))
                    if receiver.keep_bodies:
                        receiver.requests.append(
                            {"path": self.path, "headers": dict(self.headers), "body": body}
                        )
                mode = receiver.mode
                if mode == "slow":
                    time.sleep(receiver.delay)
                if mode == "error":
                    self.send_response(500)
                elif mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
