"""Secrets and enumeration (issue 13, items 11-14): the calendar feed takes only its own
read-only secret, never an API token, and the production server never logs query strings;
no validation message or slug field tells whether a user exists; named people and approvers
are limited to the same people in every interface; spaces the reader is not in are not
named; API authentication failures are throttled per address."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from types import SimpleNamespace

import pytest
from django.test import Client

from concord.core import services
from concord.core.context import Actor
from concord.core.models import AuditEntry, Classification, Role

from .conftest import make_org, make_user

SC = Classification.STRICTLY_CONFIDENTIAL
FEED = "/accountability/calendar.ics"


@pytest.fixture
def people(db):
    """Organisation A (the editor's) shares a space with B; C shares nothing with A."""
    w = SimpleNamespace()
    sys_ = Actor.system("test")
    w.a, w.b, w.c = make_org("FDA"), make_org("FDB"), make_org("FDC")
    w.space = services.create_space(actor=sys_, name="Shared space", organisations=[w.a, w.b])
    w.hidden_space = services.create_space(actor=sys_, name="Faraway space", organisations=[w.c])
    w.editor = make_user("fd.editor", w.a, Role.EDITOR, SC)
    w.low = make_user("fd.low", w.a, Role.VIEWER, Classification.CONFIDENTIAL)
    w.partner = make_user("fd.partner", w.b, Role.VIEWER, SC)
    w.partner_plain = make_user("fd.partner_plain", w.b, Role.VIEWER, Classification.INTERNAL)
    w.stranger = make_user("fd.stranger", w.c, Role.VIEWER, SC)
    w.admin = make_user("fd.admin", None, Role.VIEWER, SC, admin=True)
    w.actor = Actor(user=w.editor, interface="web")
    return w


def token_client(user, read_only=False, **extra):
    _, key = services.create_token(
        actor=Actor(user=user, interface="web"), name="t", read_only=read_only
    )
    return Client(HTTP_AUTHORIZATION=f"Token {key}", **extra), key


def login(user):
    client = Client()
    client.force_login(user)
    return client


# --- item 11: the calendar feed's own secret -------------------------------------------------


def test_the_feed_refuses_api_tokens_read_only_or_not(people):
    for read_only in (True, False):
        _, key = services.create_token(
            actor=people.actor, name=f"ro={read_only}", read_only=read_only
        )
        for param in ("token", "feed"):
            r = Client().get(FEED, {param: key})
            assert r.status_code == 401, (read_only, param)
            assert "/tokens/" in r.content.decode()


def test_the_feed_takes_its_secret_sets_no_store_and_records_last_use(people):
    secret, key = services.create_feed_secret(actor=people.actor)
    assert key.startswith("cnf_") and secret.prefix == key[:12] and secret.last_used_at is None
    r = Client().get(FEED, {"feed": key})
    assert r.status_code == 200 and r.content.startswith(b"BEGIN:VCALENDAR")
    cache_control = {p.strip() for p in r["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    secret.refresh_from_db()
    first = secret.last_used_at
    assert first is not None
    Client().get(FEED, {"feed": key})  # within a minute: not written again
    secret.refresh_from_db()
    assert secret.last_used_at == first
    # Signed in, the feed is private too.
    r = login(people.editor).get(FEED)
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    assert Client().get(FEED, {"feed": "cnf_nope"}).status_code == 401
    assert Client().get(FEED).status_code == 401


def test_only_a_hash_is_kept_and_the_trail_holds_neither_key_nor_hash(people):
    from concord.core.models import FeedSecret

    secret, key = services.create_feed_secret(actor=people.actor)
    assert key not in {secret.key_hash, secret.prefix}
    assert secret.key_hash == FeedSecret.hash_key(key)
    entries = AuditEntry.objects.filter(model="core.feedsecret")
    assert entries.count() == 1 and entries.get().classification == Classification.INTERNAL
    trail = json.dumps(list(entries.values("changes", "object_repr")), default=str)
    assert key not in trail and secret.key_hash not in trail


def test_rotating_revokes_the_old_secret_and_revoking_stops_the_feed(people):
    from concord.core.models import FeedSecret

    old, old_key = services.create_feed_secret(actor=people.actor)
    new, new_key = services.create_feed_secret(actor=people.actor)
    assert Client().get(FEED, {"feed": old_key}).status_code == 401
    assert Client().get(FEED, {"feed": new_key}).status_code == 200
    assert FeedSecret.objects.filter(user=people.editor, revoked_at__isnull=True).get() == new
    revoked = services.revoke_feed_secret(actor=people.actor)
    assert revoked == new and revoked.revoked_at is not None
    assert Client().get(FEED, {"feed": new_key}).status_code == 401
    assert services.revoke_feed_secret(actor=people.actor) is None  # nothing left to revoke
    # A deactivated user's secret stops working too.
    _, key = services.create_feed_secret(actor=people.actor)
    people.editor.is_active = False
    people.editor.save(update_fields=["is_active"])
    assert Client().get(FEED, {"feed": key}).status_code == 401
    actions = list(
        AuditEntry.objects.filter(model="core.feedsecret").values_list("action", flat=True)
    )
    assert actions.count("create") == 3 and actions.count("update") == 2


def test_a_feed_secret_is_not_an_api_token(people):
    _, key = services.create_feed_secret(actor=people.actor)
    for header in (f"Token {key}", f"Bearer {key}"):
        r = Client(HTTP_AUTHORIZATION=header).get("/api/v1/organisations/")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "authentication_failed"


def test_the_tokens_page_creates_rotates_and_revokes_the_feed_address(people):
    client = login(people.editor)
    page = client.get("/tokens/").content.decode()
    assert "Calendar feed" in page
    r = client.post("/tokens/feed/")
    assert r.status_code == 200
    body = r.content.decode()
    url = re.search(r'id="new-feed-url"[^>]*>([^<]+)<', body).group(1).replace("&amp;", "&")
    assert url.startswith("http://testserver/accountability/calendar.ics?feed=cnf_")
    key = url.split("feed=")[1]
    assert key not in client.get("/tokens/").content.decode()  # shown once
    assert Client().get(FEED, {"feed": key}).status_code == 200
    again = client.post("/tokens/feed/").content.decode()  # rotate
    assert Client().get(FEED, {"feed": key}).status_code == 401
    new_key = re.search(r"feed=(cnf_[\w-]+)", again).group(1)
    assert client.post("/tokens/feed/revoke/").status_code == 302
    assert Client().get(FEED, {"feed": new_key}).status_code == 401
    assert client.get("/tokens/feed/").status_code == 405  # changes only by POST
    assert Client().post("/tokens/feed/").status_code == 302  # sign in first


def _gunicorn_config(monkeypatch):
    """The gunicorn configuration exactly as ``concord serve`` would load it."""
    from django.core.management import call_command
    from gunicorn.app.wsgiapp import WSGIApplication

    seen = {}
    monkeypatch.setattr("os.execv", lambda path, argv: seen.setdefault("argv", argv))
    call_command("serve", "--no-migrate", "--bind", "127.0.0.1:9")
    argv = seen["argv"]
    assert argv[1:3] == ["-m", "gunicorn"]
    monkeypatch.setattr(sys, "argv", ["gunicorn", *argv[3:]])
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def test_the_production_access_log_never_records_a_query_string(monkeypatch):
    cfg = _gunicorn_config(monkeypatch)
    assert cfg.accesslog == "-"  # the access log is on ...
    fmt = cfg.access_log_format
    for atom in ("%(r)s", "%(q)s", "%(f)s", "}i)s", "}e)s"):  # ... without these
        assert atom not in fmt, f"access log format {fmt!r} has {atom}"
    assert "%(U)s" in fmt and "%(m)s" in fmt
    # What it would write for a feed request with its secret in the query and the referer.
    secret = "cnf_S3CRETS3CRETS3CRET"
    log = cfg.logger_class(cfg)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    log.access_log.handlers = [Keep()]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{FEED}?feed={secret}",
        "PATH_INFO": FEED,
        "QUERY_STRING": f"feed={secret}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://concord.example/x?feed={secret}",
        "HTTP_USER_AGENT": "Calendar/1.0",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", sent=42, headers=[("X-Request-ID", "abc")])
    log.access(response, request, environ, dt.timedelta(microseconds=1500))
    assert len(lines) == 1 and f"GET {FEED} HTTP/1.1" in lines[0]
    assert secret not in lines[0] and "?" not in lines[0]
    # The path as sent: an encoded line break cannot forge a second line.
    environ.update(RAW_URI="/x%0A1.2.3.4%20-%20forged?feed=1", PATH_INFO="/x\n1.2.3.4 - forged")
    log.access(response, request, environ, dt.timedelta(microseconds=1500))
    assert "\n" not in lines[1] and "/x%0A1.2.3.4%20-%20forged " in lines[1]
