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
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from concord.core import services
from concord.core.context import Actor
from concord.core.models import AuditEntry, Classification, Organisation, Releasability, Role

from .conftest import country, make_org, make_user

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
        r = Client(HTTP_AUTHORIZATION=header).get("/api/v1/core/organisations/")
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

    from concord.core.management.commands import serve

    seen = {}
    # Neither gunicorn nor the worker really starts: serve's arguments are what is read.
    monkeypatch.setattr(
        serve.Command, "run_gunicorn", lambda self, argv: seen.setdefault("argv", argv)
    )
    monkeypatch.setattr(serve, "start_worker", lambda: None)
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


# --- item 12: no user enumeration ------------------------------------------------------------


def _secret_org(w, **kw):
    return Organisation(name="Secret", kind="local", owner=w.a, classification=SC, **kw)


def test_the_named_users_error_names_nobody_and_is_the_same_for_everyone(people):
    messages = []
    for outsider in (people.low, people.stranger, people.partner_plain):
        with pytest.raises(ValidationError) as e:
            services.save(
                _secret_org(people),
                actor=people.actor,
                m2m={"named_users": [people.editor, outsider]},
            )
        text = " ".join(e.value.messages)
        for u in (people.low, people.stranger, people.partner_plain, people.editor):
            assert u.username not in text
        messages.append(text)
    assert len(set(messages)) == 1, messages
    # The people the form offers are accepted.
    saved = services.save(
        _secret_org(people),
        actor=people.actor,
        m2m={"named_users": [people.editor, people.partner]},
    )
    assert set(saved.named_users.all()) == {people.editor, people.partner}


def test_people_already_named_stay_accepted_and_the_system_is_exempt(people):
    # The system names someone the editor could not (a user since moved elsewhere, say).
    record = services.save(
        _secret_org(people),
        actor=Actor.system("test"),
        m2m={"named_users": [people.editor, people.stranger]},
    )
    record.description = "edited"
    services.save(record, actor=people.actor, m2m={"named_users": [people.editor, people.stranger]})
    # Through the API too: the stranger, already named, is kept; a new stranger is refused.
    client, _ = token_client(people.editor)
    r = client.patch(
        f"/api/v1/core/organisations/{record.pk}/",
        {"named_users": [people.editor.pk, people.stranger.pk], "description": "x"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.json()
    other = make_user("fd.stranger2", people.c, Role.VIEWER, SC)
    r = client.patch(
        f"/api/v1/core/organisations/{record.pk}/",
        {"named_users": [people.editor.pk, people.stranger.pk, other.pk]},
        content_type="application/json",
    )
    assert r.status_code == 400


def _api_error(response, value) -> str:
    """The error message with the submitted value taken out, to compare two refusals."""
    return json.dumps(response.json()["error"]).replace(str(value), "VALUE")


def test_the_api_accepts_as_named_users_only_the_people_the_form_offers(people):
    client, _ = token_client(people.editor)

    def post(ids):
        return client.post(
            "/api/v1/core/organisations/",
            {
                "name": "Secret",
                "kind": "local",
                "owner": people.a.pk,
                "classification": SC,
                "releasability": "owner",
                "named_users": ids,
            },
            content_type="application/json",
        )

    missing = max(u.pk for u in (people.admin, people.stranger)) + 1000
    refused = {}
    for u in (people.stranger, people.low, people.partner_plain, people.admin):
        r = post([people.editor.pk, u.pk])
        assert r.status_code == 400, u
        refused[u.username] = _api_error(r, u.pk)
        assert u.username not in json.dumps(r.json())
    r = post([people.editor.pk, missing])
    assert r.status_code == 400
    assert set(refused.values()) == {_api_error(r, missing)}, refused
    assert post([people.editor.pk, people.partner.pk]).status_code == 201


def _case(w):
    from concord.accountability.models import SecurityUnit, SupportCase

    sys_ = Actor.system("test")
    common = {"owner": w.a, "classification": 2, "releasability": "owner"}
    unit = services.save(SecurityUnit(name="Unit", country=country(), **common), actor=sys_)
    return services.save(
        SupportCase(title="Case", provider=w.a, unit=unit, kind="training", **common), actor=sys_
    )


def _assessment(case, w, approver):
    return {
        "case": case.pk,
        "recipient_record": "r",
        "rating": "low",
        "decision": "approved",
        "rationale": "why",
        "assessed_on": "2026-01-01",
        "expires_on": "2026-12-31",
        "owner": w.a.pk,
        "classification": 2,
        "releasability": "owner",
        "approver": approver,
    }


def test_the_approver_field_does_not_tell_whether_a_username_exists(people):
    case = _case(people)
    client, _ = token_client(people.editor)

    def post(approver):
        return client.post(
            "/api/v1/accountability/risk-assessments/",
            _assessment(case, people, approver),
            content_type="application/json",
        )

    nobody = post("fd.nobody")
    stranger = post(people.stranger.username)
    assert nobody.status_code == stranger.status_code == 400
    assert _api_error(nobody, "fd.nobody") == _api_error(stranger, people.stranger.username)
    # Colleagues: in the editor's organisation, or in an organisation sharing a space.
    for ok in (people.low, people.partner_plain):
        assert post(ok.username).status_code == 201, post(ok.username).json()


def test_the_approver_form_offers_colleagues_only(people):
    case = _case(people)
    client = login(people.editor)
    form = client.get("/risk-assessments/add/").context["form"]
    offered = {u.username for u in form.fields["approver"].queryset}
    assert people.stranger.username not in offered and people.admin.username not in offered
    assert {people.low.username, people.partner_plain.username} <= offered
    body = client.get("/risk-assessments/add/").content.decode()
    assert people.stranger.username not in body
    r = client.post(
        "/risk-assessments/add/",
        {
            **_assessment(case, people, people.stranger.pk),
            "shared_organisations": "",
        },
    )
    assert r.status_code == 400 and people.stranger.username not in r.content.decode()


def test_the_service_refuses_an_approver_outside_the_editors_colleagues(people):
    from concord.accountability.models import RiskAssessment

    case = _case(people)
    fields = _assessment(case, people, None)
    for k in ("case", "owner", "approver"):
        fields.pop(k)
    fields["assessed_on"] = dt.date(2026, 1, 1)
    fields["expires_on"] = dt.date(2026, 12, 31)
    with pytest.raises(ValidationError) as e:
        services.save(
            RiskAssessment(case=case, owner=people.a, approver=people.stranger, **fields),
            actor=people.actor,
        )
    assert "approver" in e.value.message_dict
    assert people.stranger.username not in str(e.value)
    # The system may name anyone; an editor keeps an approver already there.
    kept = services.save(
        RiskAssessment(case=case, owner=people.a, approver=people.stranger, **fields),
        actor=Actor.system("test"),
    )
    kept.leverage = "some"
    services.save(kept, actor=people.actor)


def test_an_editor_may_clear_an_approver_the_form_showed(people):
    from concord.accountability.models import RiskAssessment

    case = _case(people)
    fields = _assessment(case, people, None)
    for k in ("case", "owner", "approver"):
        fields.pop(k)
    fields.update(assessed_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 12, 31))
    assessment = services.save(
        RiskAssessment(case=case, owner=people.a, approver=people.low, **fields),
        actor=people.actor,
    )
    assessment.approver = None
    services.save(assessment, actor=people.actor)
    assessment.refresh_from_db()
    assert assessment.approver is None


def test_the_form_neither_shows_nor_drops_people_the_editor_may_not_name(people):
    record = services.save(
        _secret_org(people),
        actor=Actor.system("test"),
        m2m={"named_users": [people.editor, people.stranger]},
    )
    client = login(people.editor)
    page = client.get(f"/organisations/{record.pk}/edit/")
    assert people.stranger.username not in page.content.decode()
    offered = set(page.context["form"].fields["named_users"].queryset)
    assert offered == {people.editor, people.partner}
    r = client.post(
        f"/organisations/{record.pk}/edit/",
        {
            "name": "Secret",
            "kind": "local",
            "owner": people.a.pk,
            "classification": SC,
            "releasability": "owner",
            "named_users": [people.editor.pk],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert set(record.named_users.all()) == {people.editor, people.stranger}


def test_the_api_shows_as_named_only_the_people_the_form_would_show_and_keeps_the_others(
    people,
):
    record = services.save(
        _secret_org(people),
        actor=Actor.system("test"),
        m2m={"named_users": [people.editor, people.stranger]},
    )
    client = login(people.editor)
    url = f"/api/v1/core/organisations/{record.pk}/"
    got = client.get(url).json()
    assert got["named_users"] == [people.editor.pk]  # not the stranger's id
    listed = client.get("/api/v1/core/organisations/", {"page_size": 1000}).json()["results"]
    assert [o["named_users"] for o in listed if o["id"] == record.pk] == [[people.editor.pk]]
    r = client.patch(url, json.dumps(got), content_type="application/json")
    assert r.status_code == 200, r.content
    assert set(record.named_users.all()) == {people.editor, people.stranger}


def test_token_authenticated_api_answers_are_not_stored_by_caches(people):
    client, _ = token_client(people.editor)
    r = client.get("/api/v1/core/organisations/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]


def test_an_import_does_not_tell_whether_an_approver_exists(people):
    from concord.core.importers import import_file
    from concord.exchange.tabular import FileRejected

    case = _case(people)
    head = "case,recipient_record,rating,decision,rationale,approver,assessed_on,expires_on\n"

    def refused(approver):
        row = f"{case.pk},r,low,approved,why,{approver},2026-01-01,2026-12-31\n"
        with pytest.raises(FileRejected) as e:
            import_file("risk-assessments", (head + row).encode(), "r.csv", actor=people.actor)
        return e.value.report().replace(approver, "VALUE")

    assert refused("fd.nobody") == refused(people.stranger.username)
    row = f"{case.pk},r,low,approved,why,{people.low.username},2026-01-01,2026-12-31\n"
    saved = import_file("risk-assessments", (head + row).encode(), "r.csv", actor=people.actor)
    assert saved[0].approver == people.low


# --- item 13: spaces the reader is not in ----------------------------------------------------


def test_spaces_the_reader_is_not_in_are_not_named(people):
    record = services.save(
        Organisation(
            name="Spread wide",
            kind="local",
            owner=people.a,
            classification=Classification.INTERNAL,
            releasability=Releasability.SPACES,
        ),
        actor=Actor.system("test"),
        m2m={"shared_spaces": [people.space, people.hidden_space]},
    )
    client = login(people.editor)
    for fmt in ("csv", "json"):
        body = client.get("/organisations/", {"export": fmt, "q": "Spread"})
        text = (
            b"".join(body.streaming_content).decode() if body.streaming else body.content.decode()
        )
        assert "Shared space" in text, fmt
        assert "Faraway space" not in text, fmt
    api, _ = token_client(people.editor)
    assert api.get(f"/api/v1/core/organisations/{record.pk}/").json()["shared_spaces"] == [
        people.space.pk
    ]
    listed = api.get("/api/v1/core/organisations/", {"q": "Spread"}).json()["results"]
    assert [o["shared_spaces"] for o in listed] == [[people.space.pk]]
    page = client.get(f"/organisations/{record.pk}/").content.decode()
    assert "Shared space" in page and "Faraway space" not in page
    # A platform administrator sees every space (as on the spaces page), and so every name.
    admin_page = login(people.admin).get("/spaces/").content.decode()
    assert "Faraway space" in admin_page


# --- item 14: throttling API authentication failures ----------------------------------------


@pytest.fixture
def throttle(settings, people):
    settings.API_AUTH_FAILURE_LIMIT = 3
    settings.API_AUTH_FAILURE_WINDOW = 300
    return people


def test_api_authentication_failures_are_throttled_per_address(throttle):
    good, _ = token_client(throttle.editor, REMOTE_ADDR="10.0.0.1")
    bad = Client(HTTP_AUTHORIZATION="Token cnc_wrong", REMOTE_ADDR="10.0.0.1")
    assert good.get("/api/v1/core/organisations/").status_code == 200
    for _ in range(3):
        assert bad.get("/api/v1/core/organisations/").status_code == 401
    for client in (bad, good):  # past the limit: refused before the token is even looked at
        r = client.get("/api/v1/core/organisations/")
        assert r.status_code == 429
        assert 0 < int(r["Retry-After"]) <= 300
        error = r.json()["error"]
        assert error["code"] == "throttled" and error["fields"] == {}
    # Another address is unaffected, and its successes reset nobody's count.
    elsewhere, _ = token_client(throttle.editor, REMOTE_ADDR="10.0.0.2")
    assert elsewhere.get("/api/v1/core/organisations/").status_code == 200
    assert good.get("/api/v1/core/organisations/").status_code == 429
    # Requests without a token (anonymous, or a signed-in browser) are not held.
    assert Client(REMOTE_ADDR="10.0.0.1").get("/api/v1/core/organisations/").status_code == 200
    session = Client(REMOTE_ADDR="10.0.0.1")
    session.force_login(throttle.editor)
    assert session.get("/api/v1/core/organisations/").status_code == 200
    # The count is in the database every worker process uses, not in a process's memory:
    # clearing the caches changes nothing ...
    from concord.api.models import AuthFailure

    assert AuthFailure.objects.filter(address="10.0.0.1").count() == 3
    for cache in caches.all():
        cache.clear()
    assert good.get("/api/v1/core/organisations/").status_code == 429
    # ... and once the window has passed the address may try again.
    AuthFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=301))
    assert good.get("/api/v1/core/organisations/").status_code == 200
    assert bad.get("/api/v1/core/organisations/").status_code == 401


def test_failed_feed_secrets_count_towards_the_same_limit(throttle):
    _, key = services.create_feed_secret(actor=throttle.actor)
    feed = Client(REMOTE_ADDR="10.0.0.3")
    for _ in range(3):
        assert feed.get(FEED, {"feed": "cnf_guess"}).status_code == 401
    r = feed.get(FEED, {"feed": key})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="10.0.0.4").get(FEED, {"feed": key}).status_code == 200
