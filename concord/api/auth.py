from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework import authentication, exceptions

from concord.core.models import ApiToken

from . import throttle


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token cnc_…``. Only the key's hash is stored. Failures are counted
    per client address and throttled (``concord.api.throttle``)."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] not in (self.keyword, "Bearer"):
            return None
        address = throttle.client_address(request)
        wait = throttle.retry_after(address)
        if wait is not None:  # before the token is even looked at
            raise exceptions.Throttled(
                wait,
                detail=ngettext(
                    "Too many failed authentications from your address: "
                    "try again in %(seconds)s second.",
                    "Too many failed authentications from your address: "
                    "try again in %(seconds)s seconds.",
                    wait,
                )
                % {"seconds": wait},
            )
        if len(header) != 2:
            throttle.record_failure(address)
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(header[1]))
            .first()
        )
        if token is None or not token.active or not token.user.is_active:
            throttle.record_failure(address)
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class TokenScheme(OpenApiAuthenticationExtension):
        target_class = "concord.api.auth.TokenAuthentication"
        name = "tokenAuth"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": gettext_lazy("`Token cnc_…` (create one at /tokens/)."),
            }
except ImportError:  # pragma: no cover
    pass
