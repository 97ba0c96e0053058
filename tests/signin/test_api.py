"""The sign-in API: one's own sessions (list, sign out), one's two-factor status."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client

from concord.core import services as core_services
from concord.core.context import Actor
from concord.signin.models import UserSession

from ..conftest import make_user
from .conftest import enrol, password_step


def test_each_user_sees_and_ends_only_their_own_sessions(bob, alice):
    admin = make_user("root", None, admin=True)
    client = Client()
    client.force_login(admin)
    client.get("/")  # records this session
    for user in (bob, alice, admin):
        UserSession.objects.create(
            user=user, session_key=f"k-{user.username}", ip_address="192.0.2.9"
        )
    listed = client.get("/api/v1/signin/sessions/").json()
    assert listed["count"] == 2  # the administrator's own: no read right on others'
    assert {r["ip_address"] for r in listed["results"]} == {"192.0.2.9", "127.0.0.1"}
    assert all("session_key" not in r for r in listed["results"])
    assert [r["current"] for r in listed["results"]].count(True) == 1
    bobs = UserSession.objects.get(user=bob)
    assert client.get(f"/api/v1/signin/sessions/{bobs.pk}/").status_code == 404
    assert client.delete(f"/api/v1/signin/sessions/{bobs.pk}/").status_code == 404
    assert UserSession.objects.filter(pk=bobs.pk).exists()


def test_deleting_a_session_signs_it_out(bob):
    elsewhere = Client()
    password_step(elsewhere, "bob")
    elsewhere.get("/")
    row = UserSession.objects.get(user=bob)
    _, key = core_services.create_token(
        actor=Actor(user=bob, interface="web"), name="rw", read_only=False
    )
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete(f"/api/v1/signin/sessions/{row.pk}/").status_code == 204
    assert not Session.objects.filter(session_key=row.session_key).exists()
    assert not elsewhere.get("/").context["user"].is_authenticated
    _, ro = core_services.create_token(actor=Actor(user=bob, interface="web"), name="ro")
    assert (
        Client(HTTP_AUTHORIZATION=f"Token {ro}").get("/api/v1/signin/sessions/").status_code == 200
    )


def test_anonymous_callers_get_nothing(db):
    assert Client().get("/api/v1/signin/sessions/").status_code in (401, 403)
    assert Client().get("/api/v1/signin/two-factor/").status_code in (401, 403)


def test_two_factor_status(bob):
    client = Client()
    client.force_login(bob)
    assert client.get("/api/v1/signin/two-factor/").json()["enabled"] is False
    enrol(bob)
    data = client.get("/api/v1/signin/two-factor/").json()
    assert (
        data["enabled"] is True and data["required"] is False and data["recovery_codes_left"] == 10
    )
    assert client.post("/api/v1/signin/two-factor/", {}).status_code == 405


def test_the_schema_describes_the_sign_in_api(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/signin/sessions/" in schema["paths"]
    assert "/api/v1/signin/two-factor/" in schema["paths"]
    assert "delete" in schema["paths"]["/api/v1/signin/sessions/{id}/"]
    # The two-factor status is one object, not a list (the API fuzzer's finding), and takes
    # no search or ordering.
    get = schema["paths"]["/api/v1/signin/two-factor/"]["get"]
    answer = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/TwoFactor"}
    assert not get.get("parameters")
