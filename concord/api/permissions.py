from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import permissions

from concord.core.models import ApiToken


class ScopedPermission(permissions.BasePermission):
    """Reads are open (records are filtered by the enforcement point, so anonymous callers
    see public records only); writes need a signed-in user and, with a token, a write scope.
    Whether this user may change this record is decided by the service."""

    message = gettext_lazy("This token is read-only.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            self.message = _("Sign in or send a token to change records.")
            return False
        if isinstance(request.auth, ApiToken) and request.auth.read_only:
            self.message = _("This token is read-only.")
            return False
        return True


class SignedIn(ScopedPermission):
    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            self.message = _("Sign in or send a token.")
            return False
        return super().has_permission(request, view)
