"""Gunicorn settings for ``concord serve`` (``-c python:concord.serving``).

Python's cyclic garbage collector walks every long-lived object in a full collection: in a
Django worker that is a few hundred thousand objects (models' metadata, URL resolvers,
compiled templates), ~100 ms, about once every twenty requests. That was most of the p95
and p99 of the benchmark's list endpoints (bench/web.py). ``gc.freeze()`` moves the objects
alive at that moment out of the collector's sight; a worker does it after loading the
application, and again after its 1st, 10th and 100th request, once the lazily built caches
exist. Objects created later are collected as usual.
"""

from __future__ import annotations

import gc

FREEZE_AFTER = {1, 10, 100}  # requests served by a worker


def post_worker_init(worker) -> None:
    worker.concord_requests = 0
    gc.collect()
    gc.freeze()


def post_request(worker, req, environ, resp) -> None:
    worker.concord_requests = getattr(worker, "concord_requests", 0) + 1
    if worker.concord_requests in FREEZE_AFTER:
        gc.collect()
        gc.freeze()
