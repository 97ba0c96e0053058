"""The gate of two-factor sign-in, and the record of signed-in sessions.

For a signed-in user whose session has not passed the second step:
- who has an authenticator (enrolled in another session, or signed in another way): the
  session goes back to the code step (signed out, the code page asked);
- who must use two-factor sign-in and has none: only the enrolment pages and sign-out;
  every other page sends them to enrolment, and the API treats the session as anonymous
  (an API token still works: it is not a session).
Then each signed-in session is recorded, its "last seen" at most once a minute."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import urlencode

from . import services
from .models import enrolled, two_factor_required
from .sessions import SEEN_EVERY, begin_second_step, client_ip, is_verified

# URL names: the pages a user who must enrol may still reach.
ENROLMENT_PAGES = {
    "signin:enrol",
    "web:logout",
    "signin:code",
    "signin:language",
}


def _view_name(request) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


class SignInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        gate = self.gate(request)
        if gate is not None:
            return gate
        response = self.get_response(request)
        self.record(request)
        return response

    def gate(self, request):
        user = request.user
        if not user.is_authenticated or is_verified(request):
            return None
        if enrolled(user):
            backend = request.session.get("_auth_user_backend")
            nxt = request.get_full_path() if request.method == "GET" else "/"
            logout(request)
            user.backend = backend
            begin_second_step(request, user, nxt)
            if request.path.startswith("/api/"):
                return None  # now anonymous
            return redirect("signin:code")
        if not two_factor_required(user):
            return None
        if _view_name(request) in ENROLMENT_PAGES:
            return None
        if request.path.startswith("/api/"):
            request.user = AnonymousUser()
            return None
        nxt = request.get_full_path() if request.method == "GET" else "/"
        return redirect(f"/account/two-factor/enrol/?{urlencode({'next': nxt})}")

    def record(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or not user.is_authenticated or session is None:
            return
        key = session.session_key
        seen = f"signin-seen:{key}"  # untranslated: a cache key
        if not key or not cache.add(seen, 1, SEEN_EVERY):
            return
        services.touch_session(
            user, key, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
        )


class LanguageMiddleware:
    """A signed-in user's stored language wins over the cookie and the browser's
    Accept-Language (which LocaleMiddleware read before authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language and language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
