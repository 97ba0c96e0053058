"""The second step of signing in: a one-time code after the password.

``after_password`` is named by ``settings.CONCORD_SIGNIN_SECOND_STEP``: the shell's sign-in
page (concord.web.views.LoginView) calls it once the password is right. For a user with an
authenticator app it signs nobody in: it notes who is pending and sends them to the code
page. A wrong code counts as a failed sign-in for django-axes (``user_login_failed``), so
five wrong passwords or codes in a row lock the account out for the same cool-off."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect

from .models import enrolled
from .sessions import begin_second_step, clear_pending, mark_verified


def after_password(request, user, next_url: str):
    if not enrolled(user):
        return None  # signed in by the password alone (if required, enrolment comes next)
    begin_second_step(request, user, next_url)
    return redirect("signin:code")


def credentials(user) -> dict:
    return {"username": user.get_username()}


def locked(request, user) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, credentials(user))


def count_failure(request, user) -> None:
    """A wrong code: one more failed sign-in for django-axes, which may lock out now (it then
    sets ``request.axes_locked_out`` and its middleware answers with the lock-out page)."""
    user_login_failed.send(sender=__name__, credentials=credentials(user), request=request)


def complete(request, user, device, backend: str) -> None:
    """The code was right: sign in, with the device that verified it (django-otp)."""
    clear_pending(request)
    user.otp_device = device  # django_otp persists it at login (is_verified())
    login(request, user, backend=backend)
    mark_verified(request.session)
