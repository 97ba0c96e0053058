"""Active sessions (list, sign out one, sign out everywhere else, end_sessions for the lead),
and password change and reset by e-mail."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client

from concord.core.context import Actor
from concord.core.models import AuditEntry
from concord.signin import services
from concord.signin.models import UserSession

from ..conftest import make_user
from .conftest import PASSWORD, password_step

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"


def browser(username, ua=UA, ip="198.51.100.7"):
    client = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    password_step(client, username)
    client.get("/")
    return client


def test_each_sign_in_is_recorded_and_listed_on_the_account_page(bob):
    one = browser("bob")
    browser("bob", ua="Mozilla/5.0 (Android 14) Firefox/133.0", ip="203.0.113.9")
    rows = UserSession.objects.filter(user=bob)
    assert rows.count() == 2
    page = one.get("/account/").content.decode()
    assert "Chrome on Windows" in page and "Firefox on Android" in page and "203.0.113.9" in page
    assert "(this session)" in page and "Sign out everywhere else (1)" in page
    for row in rows:
        assert row.session_key not in page  # a credential: never shown


def test_last_seen_is_updated_at_most_once_a_minute(bob):
    client = browser("bob")
    row = UserSession.objects.get(user=bob)
    seen = row.last_seen
    client.get("/")
    row.refresh_from_db()
    assert row.last_seen == seen


def test_sign_out_one_session_and_everywhere_else(bob, alice):
    mine, other, third = browser("bob"), browser("bob"), browser("bob")
    her = browser("bob")  # noqa: F841
    alices = browser("alice")
    # Someone else's session looks absent.
    alice_row = UserSession.objects.get(user=alice)
    assert mine.get(f"/account/sessions/{alice_row.pk}/sign-out/").status_code == 404
    assert mine.post(f"/account/sessions/{alice_row.pk}/sign-out/").status_code == 404
    other_key = other.session.session_key
    row = UserSession.objects.get(session_key=other_key)
    assert mine.get(f"/account/sessions/{row.pk}/sign-out/").status_code == 200
    assert mine.post(f"/account/sessions/{row.pk}/sign-out/").status_code == 302
    assert not Session.objects.filter(session_key=other_key).exists()
    assert other.get("/account/")["Location"].startswith("/login/")
    r = mine.post("/account/sessions/end-others/", follow=True)
    assert b"Signed out everywhere else (2 sessions)" in r.content
    assert third.get("/account/")["Location"].startswith("/login/")
    assert mine.get("/account/").status_code == 200
    assert Session.objects.filter(session_key=alices.session.session_key).exists()
    assert AuditEntry.objects.filter(model="signin.usersession", action="delete").count() == 3


def test_end_sessions_for_the_lead(bob, alice):
    a, b = browser("bob"), browser("bob")
    keep = a.session.session_key
    with pytest.raises(PermissionDenied):
        services.end_sessions(bob, actor=Actor(user=alice, interface="web"))
    admin = make_user("root", None, admin=True)
    n = services.end_sessions(bob, actor=Actor(user=admin, interface="web"), keep_session_key=keep)
    assert n == 1
    assert a.get("/").context["user"].is_authenticated
    assert not b.get("/").context["user"].is_authenticated
    assert services.end_sessions(bob, actor=Actor.system("test")) == 1
    assert not a.get("/").context["user"].is_authenticated
    entries = AuditEntry.objects.filter(model="signin.usersession")
    assert entries.count() == 2
    assert keep not in str(list(entries.values_list("changes", "object_repr")))


def test_signing_out_forgets_the_session(bob):
    client = browser("bob")
    assert UserSession.objects.filter(user=bob).count() == 1
    client.post("/logout/")
    assert UserSession.objects.filter(user=bob).count() == 0


# --- passwords --------------------------------------------------------------------------------


def test_password_change_is_audited_without_the_password_and_ends_other_sessions(bob):
    mine, other = browser("bob"), browser("bob")
    r = mine.post(
        "/account/password/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert r.status_code == 200 and b'id="id_old_password_error"' in r.content
    new = "a much longer passphrase 42"
    r = mine.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert r.status_code == 302
    assert mine.get("/account/").status_code == 200  # still signed in
    assert other.get("/account/")["Location"].startswith("/login/")
    bob.refresh_from_db()
    assert bob.check_password(new)
    entry = AuditEntry.objects.get(action="password changed")
    assert entry.object_id == str(bob.pk) and new not in str(entry.changes)
    assert entry.changes == {"password": "changed"}


def _reset_link(outbox) -> str:
    return re.search(r"https?://[^/]+(/account/password/reset/\S+)", outbox[-1].body).group(1)


def test_password_reset_by_e_mail(bob, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob.email = "bob@example.org"
    bob.save()
    signed_in = browser("bob")
    client = Client()
    r = client.post("/account/password/reset/", {"email": "bob@example.org"})
    assert r.status_code == 302 and r["Location"] == "/account/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bob@example.org"]
    link = _reset_link(mail.outbox)
    # who asked is on the account's trail (anonymous, from their address), never the link
    asked = AuditEntry.objects.get(action="reset link sent", object_id=str(bob.pk))
    assert asked.actor_label == "anonymous" and asked.actor_id is None
    assert asked.changes == {"ip_address": "127.0.0.1"}
    assert link.split("/")[-2] not in str(asked.changes)
    r = client.get(link, follow=True)
    assert b"Choose a new password" in r.content
    form_url = r.redirect_chain[-1][0]
    r = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert r.status_code == 200 and b'id="id_new_password2_error"' in r.content
    new = "a new and long passphrase 7"
    r = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert r.status_code == 302 and r["Location"] == "/account/password/reset/done/"
    bob.refresh_from_db()
    assert bob.check_password(new)
    assert AuditEntry.objects.filter(action="password reset", object_id=str(bob.pk)).count() == 1
    assert new not in str(AuditEntry.objects.get(action="password reset").changes)
    # Every session was signed out; the link works once.
    assert not signed_in.get("/").context["user"].is_authenticated
    r = Client().get(link, follow=True)
    assert b"This link does not work" in r.content


def test_password_reset_does_not_tell_whether_an_address_exists(bob, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob.email = "bob@example.org"
    bob.save()
    known = Client().post("/account/password/reset/", {"email": "bob@example.org"}, follow=True)
    unknown = Client().post(
        "/account/password/reset/", {"email": "nobody@example.org"}, follow=True
    )
    assert known.status_code == unknown.status_code == 200
    # The same page (but for the CSRF token of the footer's language switch, new each time).
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub(b"", known.content) == token.sub(b"", unknown.content)
    assert len(mail.outbox) == 1
    bad = Client().post("/account/password/reset/", {"email": "not an address"})
    assert bad.status_code == 200 and b'id="id_email_error"' in bad.content


def test_an_invalid_or_expired_reset_link_is_refused(bob, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob.email = "bob@example.org"
    bob.save()
    r = Client().get("/account/password/reset/MQ/not-a-token/", follow=True)
    assert b"This link does not work" in r.content
    Client().post("/account/password/reset/", {"email": "bob@example.org"})
    link = _reset_link(mail.outbox)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link has expired
    r = Client().get(link, follow=True)
    assert b"This link does not work" in r.content
    assert not AuditEntry.objects.filter(action="password reset").exists()


def test_a_new_sign_in_forgets_the_sessions_that_have_ended(bob):
    first = browser("bob")
    ended = first.session.session_key
    Session.objects.filter(session_key=ended).delete()  # expired and cleared
    second = browser("bob")
    keys = set(UserSession.objects.filter(user=bob).values_list("session_key", flat=True))
    assert keys == {second.session.session_key}


def test_the_reset_e_mail_is_in_its_recipients_language(bob, settings):
    """Written in the language of the account it is for, not of whoever asked for it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bob.email, bob.language = "bob@example.org", "fr"
    bob.save()
    Client(HTTP_ACCEPT_LANGUAGE="en").post("/account/password/reset/", {"email": bob.email})
    (message,) = mail.outbox
    assert message.subject == "Concord\u00a0: choisissez un nouveau mot de passe"
    assert "a demandé la réinitialisation du mot de passe du compte Concord bob" in message.body
