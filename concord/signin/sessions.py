"""The state of a sign-in, kept in the session.

- ``PENDING``: the password was right and a code is asked (nobody is signed in yet: the
  session is anonymous but for this note, which expires after ``PENDING_SECONDS``);
- ``VERIFIED``: this session passed the second step (or enrolled in it).

``django_otp``'s own key (the device that verified the session) is set beside ``VERIFIED``
(``django_otp.login``), so ``request.user.is_verified()`` holds too."""

from __future__ import annotations

import time

from django.conf import settings

PENDING = "signin_pending"
VERIFIED = "signin_verified"
PENDING_SECONDS = 300
SEEN_EVERY = 60  # seconds between two updates of a session's "last seen"


def begin_second_step(request, user, next_url: str) -> None:
    """The password step passed for a user with an authenticator: remember who, not signed in."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "at": time.time(),
    }


def pending(request) -> dict | None:
    """Who is between the two steps in this session, if anyone (and not for too long)."""
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("at") or 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return data


def clear_pending(request) -> None:
    request.session.pop(PENDING, None)


def mark_verified(session) -> None:
    session[VERIFIED] = True


def is_verified(request) -> bool:
    if request.session.get(VERIFIED) is True:
        return True
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def forget_on_logout(sender, request=None, user=None, **kwargs) -> None:
    """A signed-out session leaves the list (signal ``user_logged_out``)."""
    from .models import UserSession

    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()
