"""What the API keeps of its own: failed authentications, to throttle them per address."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


class AuthFailure(models.Model):
    """One failed authentication (a wrong, expired or revoked API token, or calendar-feed
    secret) from one client address. Kept in the database so that every worker process of
    the server counts the same failures; rows older than the window are deleted as new
    failures arrive (``concord.api.throttle``)."""

    address = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["address", "at"], name="api_authfailure_address_at"),
            models.Index(fields=["at"], name="api_authfailure_at"),
        ]

    def __str__(self) -> str:
        return _("%(address)s at %(time)s") % {
            "address": self.address,
            "time": f"{self.at:%Y-%m-%d %H:%M:%S}",
        }
