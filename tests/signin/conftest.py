"""Helpers for the sign-in tests: users with an authenticator, and their codes."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP

from concord.core.context import Actor
from concord.core.models import Classification, Role
from concord.signin import services

from ..conftest import make_org, make_user

PASSWORD = "correct horse battery"


def code_for(device, step: int = 0) -> str:
    """The device's code ``step`` periods from now (its own clock)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += step * device.step
    return f"{totp.token():06d}"


def enrol(user):
    """Give ``user`` an authenticator, as the enrolment page does; returns (device, codes)."""
    key = services.new_key()
    code = f"{TOTP(bytes.fromhex(key)).token():06d}"
    return services.enrol(user, actor=Actor(user=user, interface="web"), key=key, code=code)


def password_step(client, username, password=PASSWORD, follow=False):
    return client.post(
        "/login/",
        {"username": username, "password": password, "next": "/organisations/"},
        follow=follow,
    )


@pytest.fixture
def org(db):
    return make_org("SGN")


@pytest.fixture
def alice(org):
    """A strictly-confidential manager: two-factor sign-in is required of her."""
    return make_user(
        "alice", org, Role.MANAGER, Classification.STRICTLY_CONFIDENTIAL, password=PASSWORD
    )


@pytest.fixture
def bob(org):
    """An internal viewer: two-factor sign-in is optional for him."""
    return make_user("bob", org, Role.VIEWER, Classification.INTERNAL, password=PASSWORD)
