"""For tests: a force-logged-in test client (``Client.force_login``) stands for a session
that has passed the whole sign-in, second step included, as the existing tests assume.
tests/conftest.py installs it; tests of the second step itself sign in through the pages,
or with ``force_login_unverified``."""

from __future__ import annotations

from django.test import Client

from .sessions import mark_verified

_plain_force_login = Client.force_login


def _force_login_verified(self, user, backend=None):
    _plain_force_login(self, user, backend)
    session = self.session
    mark_verified(session)
    session.save()


def install() -> None:
    Client.force_login = _force_login_verified


def force_login_unverified(client: Client, user, backend=None) -> None:
    """Signed in by the password alone: the second step not passed."""
    _plain_force_login(client, user, backend)
