"""Gunicorn settings for ``concord serve`` (``-c python:concord.serving``).

Python's cyclic garbage collector walks every long-lived object in a full collection: in a
Django worker that is a few hundred thousand objects (models' metadata, URL resolvers,
compiled templates), ~100 ms, about once every twenty requests. That was most of the p95
and p99 of the benchmark's list endpoints (bench/web.py). ``gc.freeze()`` moves the objects
alive at that moment out of the collector's sight; a worker does it after loading the
application, and again after its 1st, 10th and 100th request, once the lazily built caches
exist. Objects created later are collected as usual.

The access log never records a query string (a calendar feed's address carries its secret
there) nor the referer (which can carry another page's query string): the method, the path
without its query, the protocol, the status, the size, the time taken in seconds, the user
agent and the request's id (``X-Request-ID``, also stored on its audit entries).
"""

from __future__ import annotations

import gc

from gunicorn.glogging import Logger

FREEZE_AFTER = {1, 10, 100}  # requests served by a worker

# Not gunicorn's default (%(r)s, the request line with its query string, and %(f)s, the
# referer): %(U)s is the path alone (as sent, see AccessLogger).
access_log_format = (
    '%(h)s - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s" %({x-request-id}o)s'
)
logger_class = "concord.serving.AccessLogger"


class AccessLogger(Logger):
    """gunicorn's logger with %(U)s the path as the client sent it, without its query string.
    gunicorn's own %(U)s is the decoded path, where ``%0A`` becomes a line break that would
    let a request write a forged line into the log; the path as sent cannot hold one."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = environ.get("RAW_URI", "").split("?", 1)[0] or environ.get("PATH_INFO")
        return atoms


def post_worker_init(worker) -> None:
    worker.concord_requests = 0
    gc.collect()
    gc.freeze()


def post_request(worker, req, environ, resp) -> None:
    worker.concord_requests = getattr(worker, "concord_requests", 0) + 1
    if worker.concord_requests in FREEZE_AFTER:
        gc.collect()
        gc.freeze()
