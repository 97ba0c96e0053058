"""Authentication, throttling, headers, deployment checks and role rules."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from concord.core import services
from concord.core.context import Actor
from concord.core.models import Classification, Organisation

from .conftest import make_org, make_user


def test_argon2_is_the_password_hasher():
    """(Tests swap in a fast hasher; the shipped settings use Argon2.)"""
    import concord.settings as shipped

    assert shipped.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client):
    org = make_org("THR")
    make_user("victim", org, password="correct horse battery")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = client.post("/login/", {"username": "victim", "password": "wrong"})
        assert r.status_code in (200, 429)
    # Even the right password is refused now.
    r = client.post("/login/", {"username": "victim", "password": "correct horse battery"})
    assert r.status_code == 429 and b"Too many failed sign-ins" in r.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_and_out(client):
    org = make_org("SIO")
    make_user("walker", org, password="correct horse battery")
    r = client.post("/login/", {"username": "walker", "password": "correct horse battery"})
    assert r.status_code == 302
    assert client.get("/").context["user"].username == "walker"
    client.post("/logout/")
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_security_headers(client):
    r = client.get("/login/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "X-Request-ID" in r


@pytest.mark.django_db
def test_csrf_is_enforced():
    org = make_org("CSR")
    user = make_user("csrf", org, "editor")
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    r = c.post("/organisations/add/", {"name": "X", "kind": "local", "owner": org.pk})
    assert r.status_code == 403
    assert not Organisation.objects.filter(name="X").exists()


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_HTTPONLY


def test_check_deploy_passes_for_a_production_configuration(tmp_path):
    env = {
        **os.environ,
        "CONCORD_SECRET_KEY": "x" * 64 + "production-secret-with-enough-entropy-9f8e7d6c5b4a",
        "CONCORD_HTTPS": "1",
        "CONCORD_ALLOWED_HOSTS": "concord.example.org",
        "CONCORD_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "concord.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_named_users_need_strictly_confidential_clearance():
    org = make_org("NAM")
    low = make_user("low", org, "manager", Classification.CONFIDENTIAL)
    high = make_user("high", org, "manager", Classification.STRICTLY_CONFIDENTIAL)
    o = Organisation(name="Secret", kind="local", owner=org, classification=3)
    with pytest.raises(ValidationError, match="cleared for strictly confidential") as e:
        services.save(o, actor=Actor(user=high, interface="web"), m2m={"named_users": [low, high]})
    assert "low" not in str(e.value)  # the message names nobody (no user enumeration)
    services.save(
        Organisation(name="Secret", kind="local", owner=org, classification=3),
        actor=Actor(user=high, interface="web"),
        m2m={"named_users": [high]},
    )
    assert Organisation.objects.visible_to(high).filter(name="Secret").exists()
    assert not Organisation.objects.visible_to(low).filter(name="Secret").exists()


@pytest.mark.django_db
def test_contributor_edits_only_own_records():
    org = make_org("CON")
    contributor = make_user("contrib", org, "contributor")
    mine = services.save(
        Organisation(name="Mine", kind="local", owner=org),
        actor=Actor(user=contributor, interface="web"),
    )
    theirs = services.save(
        Organisation(name="Theirs", kind="local", owner=org), actor=Actor.system("t")
    )
    editable = set(Organisation.objects.editable_by(contributor))
    assert mine in editable and theirs not in editable
    theirs.name = "Changed"
    with pytest.raises(PermissionDenied):
        services.save(theirs, actor=Actor(user=contributor, interface="web"))
    with pytest.raises(PermissionDenied):
        services.delete(mine, actor=Actor(user=contributor, interface="web"))


@pytest.mark.django_db
def test_platform_admin_gets_no_read_rights_from_being_admin():
    org = make_org("ADM")
    admin = make_user("root", None, clearance=3, admin=True)
    services.save(
        Organisation(name="Internal thing", kind="local", owner=org, classification=1),
        actor=Actor.system("t"),
    )
    assert not Organisation.objects.visible_to(admin).filter(name="Internal thing").exists()


@pytest.mark.django_db
def test_viewer_is_refused_the_edit_page(client):
    org = make_org("VIE")
    viewer = make_user("viewer1", org, "viewer")
    client.force_login(viewer)
    assert client.get(f"/organisations/{org.pk}/edit/").status_code == 403
    assert client.get("/organisations/add/").status_code == 403


@pytest.mark.django_db
def test_anonymous_sees_only_public_records(client):
    org = make_org("ANO")
    services.save(
        Organisation(
            name="Open record", kind="local", owner=org, classification=0, releasability="public"
        ),
        actor=Actor.system("t"),
    )
    services.save(
        Organisation(
            name="Signed-in record",
            kind="local",
            owner=org,
            classification=0,
            releasability="signed_in",
        ),
        actor=Actor.system("t"),
    )
    body = client.get("/organisations/").content.decode()
    assert "Open record" in body and "Signed-in record" not in body
    assert client.get("/api/v1/core/organisations/?q=record").json()["count"] == 1
