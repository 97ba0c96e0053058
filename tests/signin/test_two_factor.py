"""Two-factor sign-in: the code step, enrolment, recovery codes, lock-out, requirement rules,
the organisation's policy, disabling, the administrator's reset, and API tokens."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from concord.core import services as core_services
from concord.core.context import Actor
from concord.core.models import AuditEntry, Classification, Role
from concord.signin import services
from concord.signin.models import OrganisationPolicy, enrolled, two_factor_required
from concord.signin.testing import force_login_unverified

from ..conftest import make_user
from .conftest import code_for, enrol, password_step


def signed_in_as(client):
    user = client.get("/").context["user"]
    return user.username if user.is_authenticated else None


# --- the code step -------------------------------------------------------------------------


def test_with_an_authenticator_nobody_is_signed_in_until_the_code_passes(alice):
    device, _ = enrol(alice)
    client = Client()
    r = password_step(client, "alice")
    assert r.status_code == 302 and r["Location"] == "/login/code/"
    assert signed_in_as(client) is None
    # Half-signed-in: every page is as for an anonymous visitor; the API too.
    assert client.get("/account/")["Location"].startswith("/login/")
    assert client.get("/api/v1/signin/sessions/").status_code in (401, 403)
    page = client.get("/login/code/")
    assert page.status_code == 200 and b"Password accepted for <strong>alice" in page.content
    r = client.post("/login/code/", {"code": code_for(device, 1)})
    assert r.status_code == 302 and r["Location"] == "/organisations/"
    assert signed_in_as(client) == "alice"
    assert client.get("/account/").status_code == 200


def test_a_used_code_is_refused_the_second_time(alice):
    device, _ = enrol(alice)
    code = code_for(device, 1)
    first, second = Client(), Client()
    password_step(first, "alice")
    assert first.post("/login/code/", {"code": code}).status_code == 302
    password_step(second, "alice")
    r = second.post("/login/code/", {"code": code})
    assert r.status_code == 400 and signed_in_as(second) is None
    assert b"not right, or was used already" in r.content


def test_the_code_page_without_a_password_step_sends_to_sign_in(db):
    r = Client().get("/login/code/")
    assert r.status_code == 302 and r["Location"] == "/login/"


def test_an_empty_or_malformed_code_names_the_field(alice):
    enrol(alice)
    client = Client()
    password_step(client, "alice")
    r = client.post("/login/code/", {"code": ""})
    assert r.status_code == 400 and b'id="id_code_error"' in r.content
    r = client.post("/login/code/", {"code": "x" * 40})
    assert r.status_code == 400 and b'id="id_code_error"' in r.content


def test_five_wrong_codes_lock_the_account_out_as_for_passwords(alice):
    device, _ = enrol(alice)
    client = Client()
    password_step(client, "alice")
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(limit - 1):
        r = client.post("/login/code/", {"code": "000000" if i % 2 else "abcd-efgh"})
        assert r.status_code == 400, i
    r = client.post("/login/code/", {"code": "000001"})
    assert r.status_code == 429 and b"Too many failed sign-ins" in r.content
    # Locked: the right code, and the right password, are refused now.
    assert client.get("/login/code/")["Location"] == "/login/"
    r = password_step(client, "alice")
    assert r.status_code == 429
    assert signed_in_as(client) is None
    # The code itself never reaches axes's log of attempts.
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="alice")
    assert "000001" not in attempt.post_data and "abcd" not in attempt.post_data


def test_a_right_code_after_wrong_ones_signs_in_and_resets_the_count(alice):
    device, _ = enrol(alice)
    client = Client()
    password_step(client, "alice")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/login/code/", {"code": "000000"})
    assert client.post("/login/code/", {"code": code_for(device, 1)}).status_code == 302
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username="alice").exists()


# --- recovery codes ---------------------------------------------------------------------------


def test_a_recovery_code_works_once(alice):
    _, codes = enrol(alice)
    assert len(codes) == 10 and len(set(codes)) == 10
    client = Client()
    password_step(client, "alice")
    r = client.post("/login/code/", {"code": codes[3].upper().replace("-", " ")}, follow=True)
    assert signed_in_as(client) == "alice"
    assert b"recovery code: 9 left" in r.content
    again = Client()
    password_step(again, "alice")
    r = again.post("/login/code/", {"code": codes[3]})
    assert r.status_code == 400 and signed_in_as(again) is None
    entries = AuditEntry.objects.filter(model="otp_static.staticdevice", action="update")
    assert entries.filter(changes__recovery_codes=[10, 9]).count() == 1
    assert codes[3] not in str(list(entries.values_list("changes", flat=True)))


def test_new_recovery_codes_replace_the_old_ones(alice):
    _, old = enrol(alice)
    client = Client()
    client.force_login(alice)
    r = client.post("/account/two-factor/recovery-codes/")
    new = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", r.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    actor = Actor(user=alice, interface="web")
    assert services.verify_code(alice, old[0], actor=actor) is None
    assert services.verify_code(alice, new[0], actor=actor) is not None


# --- enrolment and the requirement rules ------------------------------------------------------


def test_a_required_user_cannot_reach_pages_before_enrolling(alice):
    client = Client()
    r = password_step(client, "alice")
    assert r.status_code == 302 and r["Location"] == "/organisations/"
    for path in ("/organisations/", "/account/", "/tokens/", "/account/password/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/account/two-factor/enrol/"), path
    # The API does not accept this session either (a token would still work).
    assert client.get("/api/v1/signin/sessions/").status_code in (401, 403)
    page = client.get("/account/two-factor/enrol/?next=/organisations/")
    assert page.status_code == 200 and b"<svg" in page.content
    key = client.session["signin_enrol_key"]
    from django_otp.oath import TOTP

    r = client.post("/account/two-factor/enrol/?next=/organisations/", {"code": "123"})
    assert r.status_code == 400 and b'id="id_code_error"' in r.content
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    r = client.post("/account/two-factor/enrol/?next=/organisations/", {"code": code})
    assert r.status_code == 200
    assert len(re.findall(r"<code>[a-z2-7]{4}-[a-z2-7]{4}</code>", r.content.decode())) == 10
    assert enrolled(alice)
    assert client.get("/organisations/").status_code == 200


def test_who_must_use_two_factor(org, bob, alice):
    admin = make_user("root", None, admin=True)
    assert two_factor_required(admin) and two_factor_required(alice)
    assert not two_factor_required(bob)
    OrganisationPolicy.objects.create(organisation=org, require_two_factor=True)
    assert two_factor_required(bob)


def test_an_optional_user_signs_in_with_the_password_alone_and_may_enrol(bob):
    client = Client()
    assert password_step(client, "bob")["Location"] == "/organisations/"
    assert client.get("/organisations/").status_code == 200
    page = client.get("/account/").content.decode()
    assert "Optional for your account" in page and "Turn on two-factor sign-in" in page


def test_enrolling_in_one_session_asks_the_code_in_the_others(bob):
    other = Client()
    password_step(other, "bob")
    device, _ = enrol(bob)
    r = other.get("/organisations/")
    assert r.status_code == 302 and r["Location"] == "/login/code/"
    assert (
        other.post("/login/code/", {"code": code_for(device, 1)})["Location"] == "/organisations/"
    )


def test_disabling_is_refused_when_required_and_allowed_when_optional(alice, bob):
    device, _ = enrol(alice)
    with pytest.raises(ValidationError, match="required"):
        services.disable(alice, actor=Actor(user=alice, interface="web"), code=code_for(device, 1))
    client = Client()
    client.force_login(alice)
    r = client.post("/account/two-factor/disable/", {"code": code_for(device, 1)})
    assert r.status_code == 400 and b"cannot be turned off" in r.content and enrolled(alice)
    device, _ = enrol(bob)
    client.force_login(bob)
    r = client.post("/account/two-factor/disable/", {"code": "999999"})
    assert r.status_code == 400 and enrolled(bob)
    r = client.post("/account/two-factor/disable/", {"code": code_for(device, 1)})
    assert r.status_code == 302 and not enrolled(bob)


def test_a_force_logged_in_test_client_stands_for_a_whole_sign_in(alice):
    verified = Client()
    verified.force_login(alice)
    assert verified.get("/organisations/").status_code == 200
    unverified = Client()
    force_login_unverified(unverified, alice)
    assert unverified.get("/organisations/").status_code == 302


# --- an organisation's requirement -------------------------------------------------------------


def test_only_managers_require_two_factor_of_their_organisation(org, alice, bob):
    url = f"/organisations/{org.pk}/two-factor/"
    viewer = Client()
    viewer.force_login(bob)
    assert b"Only this organisation" in viewer.get(url).content
    assert viewer.post(url, {"require_two_factor": "on"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.set_organisation_policy(
            org, actor=Actor(user=bob, interface="web"), require_two_factor=True
        )
    admin = make_user("root", None, admin=True)
    with pytest.raises(PermissionDenied):
        services.set_organisation_policy(
            org, actor=Actor(user=admin, interface="web"), require_two_factor=True
        )
    manager = Client()
    manager.force_login(alice)
    assert manager.post(url, {"require_two_factor": "on"}).status_code == 302
    assert OrganisationPolicy.objects.get(organisation=org).require_two_factor
    entry = AuditEntry.objects.get(model="signin.organisationpolicy")
    assert entry.changes == {"require_two_factor": [False, True]} and entry.owner_id == org.pk
    # The organisation's page says so; bob must now enrol before anything else.
    assert b"Required of every member" in viewer.get(f"/organisations/{org.pk}/").content
    bob_client = Client()
    password_step(bob_client, "bob")
    assert bob_client.get("/organisations/")["Location"].startswith("/account/two-factor/enrol/")


# --- the administrator's reset and the CLI -----------------------------------------------------


def test_an_administrator_resets_a_second_factor(alice, bob):
    device, _ = enrol(alice)
    phone = Client()  # whoever has the lost phone, signed in with it
    password_step(phone, "alice")
    assert phone.post("/login/code/", {"code": code_for(device, 1)}).status_code == 302
    assert signed_in_as(phone) == "alice"
    with pytest.raises(PermissionDenied):
        services.reset(alice, actor=Actor(user=bob, interface="web"))
    admin = make_user("root", None, admin=True)
    assert services.reset(alice, actor=Actor(user=admin, interface="web")) == 1
    assert not enrolled(alice)
    assert AuditEntry.objects.filter(action="two-factor reset", object_id=str(alice.pk)).exists()
    assert signed_in_as(phone) is None  # the reset signed her out everywhere
    assert AuditEntry.objects.filter(model="signin.usersession", action="delete").exists()
    client = Client()
    password_step(client, "alice")  # required: enrolment again
    assert client.get("/")["Location"].startswith("/account/two-factor/enrol/")


def test_the_twofactor_command(alice, bob):
    enrol(alice)
    out = io.StringIO()
    call_command("twofactor", "status", stdout=out)
    text = out.getvalue()
    assert "alice: on, required (cleared for strictly confidential records), 10 recovery" in text
    assert "bob: off, optional" in text
    out = io.StringIO()
    call_command("twofactor", "reset", "alice", stdout=out)
    assert "second factor removed (1 authenticator" in out.getvalue() and not enrolled(alice)
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        call_command("twofactor", "status", "nobody")
    with pytest.raises(CommandError, match="no authenticator"):
        call_command("twofactor", "code", "bob")
    enrol(bob)
    with pytest.raises(CommandError, match="not a demo one"):
        call_command("twofactor", "code", "bob")


def test_the_demo_signs_in_with_the_printed_code(demo, settings):
    settings.PASSWORD_HASHERS = [  # the demo was seeded with the shipped hasher
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    out = io.StringIO()
    call_command("seed", "demo", stdout=out)
    assert "Two-factor sign-in is required for admin, dpo.manager, hd.manager" in out.getvalue()
    from concord.core.fixtures.demo import demo_password

    client = Client()
    r = client.post("/login/", {"username": "hd.manager", "password": demo_password("hd.manager")})
    assert r["Location"] == "/login/code/"
    out = io.StringIO()
    call_command("twofactor", "code", "hd.manager", stdout=out)
    r = client.post("/login/code/", {"code": out.getvalue().strip()})
    assert r.status_code == 302 and signed_in_as(client) == "hd.manager"
    plain = Client()
    r = plain.post("/login/", {"username": "dpo.editor", "password": demo_password("dpo.editor")})
    assert r["Location"] == "/" and signed_in_as(plain) == "dpo.editor"


# --- API tokens ---------------------------------------------------------------------------------


def test_api_tokens_never_ask_for_a_code(alice):
    enrol(alice)
    _, key = core_services.create_token(actor=Actor(user=alice, interface="web"), name="sync")
    client = Client()
    r = client.get("/api/v1/signin/two-factor/", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200 and r.json()["enabled"] is True and r.json()["required"] is True
    r = client.get("/api/v1/core/organisations/", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200
    # Also with a half-signed-in session cookie alongside.
    password_step(client, "alice")
    r = client.get("/api/v1/signin/two-factor/", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200
    # And for a required user who has not enrolled yet.
    carol = make_user("carol", None, Role.VIEWER, Classification.STRICTLY_CONFIDENTIAL)
    _, key = core_services.create_token(actor=Actor(user=carol, interface="web"), name="sync")
    r = Client().get("/api/v1/signin/two-factor/", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200 and r.json() == {
        "enabled": False,
        "required": True,
        "reasons": ["cleared for strictly confidential records"],
        "authenticator_added": None,
        "recovery_codes_left": 0,
    }
